"""Writes to the catalog: drafts, publishing, unpublishing, fee computation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from procedures.models import (
    FeeKind,
    FeeWaiver,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    VersionStatus,
    WaiverCondition,
)
from procedures.schema import schema_validate

DOCUMENT_COPY_FIELDS = (
    "position",
    "key",
    "name",
    "form",
    "copies",
    "required",
    "file_types",
    "max_size_mb",
    "note",
)
WAIVER_COPY_FIELDS = (
    "condition",
    "percent",
    "description",
    "legal_basis",
    "valid_from",
    "valid_until",
)
VERSION_COPY_FIELDS = (
    "processing_days",
    "processing_note",
    "form_schema",
    "fee_kind",
    "fee_amount",
    "fee_unit",
    "fee_cap",
    "fee_note",
    "fee_due_on",
    "supplement_clock",
)


def version_check_publishable(*, version: ProcedureVersion) -> None:
    """Everything a version needs before citizens can file under it (errors name the field)."""
    errors: dict[str, list] = {}
    doc_keys = list(version.documents.values_list("key", flat=True))
    try:
        schema_validate(version.form_schema, document_keys=doc_keys)
    except ValidationError as exc:
        errors["form_schema"] = exc.messages
    if not (version.form_schema or {}).get("fields"):
        errors.setdefault("form_schema", []).append(
            "Biểu mẫu chưa có trường nào (the form has no fields)."
        )
    if version.processing_days < 1:
        errors["processing_days"] = ["Thời hạn phải ≥ 1 ngày làm việc (at least 1 working day)."]
    if not version.procedure.agencies.exists():
        errors["procedure"] = ["Chưa chọn cơ quan tiếp nhận (no agency offers it)."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def version_publish(*, version: ProcedureVersion) -> ProcedureVersion:
    """Publish a draft (or re-publish a retired version); the previous published one retires."""
    version = (
        ProcedureVersion.objects.select_for_update().select_related("procedure").get(pk=version.pk)
    )
    if version.status == VersionStatus.PUBLISHED:
        return version
    Procedure.objects.select_for_update().filter(pk=version.procedure_id).first()
    version_check_publishable(version=version)
    now = timezone.now()
    for current in ProcedureVersion.objects.select_for_update().filter(
        procedure_id=version.procedure_id, status=VersionStatus.PUBLISHED
    ):
        current.status, current.retired_at = VersionStatus.RETIRED, now
        current.save(update_fields=["status", "retired_at"])
    version.status = VersionStatus.PUBLISHED
    if version.published_at is None:
        version.published_at = now
    version.retired_at = None
    version.save(update_fields=["status", "published_at", "retired_at"])
    return version


@transaction.atomic
def version_unpublish(*, version: ProcedureVersion) -> ProcedureVersion:
    """Take a published version off the catalog (it stays frozen, as 'retired')."""
    version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError("Phiên bản này chưa được công bố (this version is not published).")
    version.status, version.retired_at = VersionStatus.RETIRED, timezone.now()
    version.save(update_fields=["status", "retired_at"])
    return version


@transaction.atomic
def version_new_draft(
    *, procedure: Procedure, source: ProcedureVersion | None = None, change_note: str = ""
) -> ProcedureVersion:
    """A new draft version, copied from ``source`` (default: the published or latest version)."""
    Procedure.objects.select_for_update().filter(pk=procedure.pk).first()
    existing = procedure.versions.filter(status=VersionStatus.DRAFT).order_by("-number").first()
    if existing is not None and source is None:
        return existing
    if source is None:
        source = (
            procedure.versions.filter(status=VersionStatus.PUBLISHED).first()
            or procedure.versions.order_by("-number").first()
        )
    number = (procedure.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    values = {f: getattr(source, f) for f in VERSION_COPY_FIELDS} if source else {}
    values.setdefault("processing_days", 1)
    draft = ProcedureVersion.objects.create(
        procedure=procedure, number=number, change_note=change_note, **values
    )
    if source is not None:
        RequiredDocument.objects.bulk_create(
            RequiredDocument(version=draft, **{f: getattr(d, f) for f in DOCUMENT_COPY_FIELDS})
            for d in source.documents.all()
        )
        FeeWaiver.objects.bulk_create(
            FeeWaiver(version=draft, **{f: getattr(w, f) for f in WAIVER_COPY_FIELDS})
            for w in source.waivers.all()
        )
    return draft


# -- comparing two versions ------------------------------------------------------------------------
@dataclass
class VersionDiff:
    changed: list[tuple[str, str, str]] = field(default_factory=list)  # (what, old, new)
    documents_added: list[str] = field(default_factory=list)
    documents_removed: list[str] = field(default_factory=list)
    documents_changed: list[tuple[str, str, str]] = field(default_factory=list)
    fields_added: list[str] = field(default_factory=list)
    fields_removed: list[str] = field(default_factory=list)
    fields_changed: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(vars(self).values())


def version_compare(*, old: ProcedureVersion | None, new: ProcedureVersion) -> VersionDiff:
    """What changed from ``old`` (usually the published version) to ``new`` (a draft)."""
    diff = VersionDiff()
    if old is None:
        return diff
    for name in VERSION_COPY_FIELDS:
        if name == "form_schema":
            continue
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            label = str(ProcedureVersion._meta.get_field(name).verbose_name)
            diff.changed.append((label, _show(a), _show(b)))
    old_docs = {d.key: d for d in old.documents.all()}
    new_docs = {d.key: d for d in new.documents.all()}
    diff.documents_added = [new_docs[k].name for k in new_docs.keys() - old_docs.keys()]
    diff.documents_removed = [old_docs[k].name for k in old_docs.keys() - new_docs.keys()]
    for key in sorted(old_docs.keys() & new_docs.keys()):
        for name in DOCUMENT_COPY_FIELDS:
            a, b = getattr(old_docs[key], name), getattr(new_docs[key], name)
            if a != b:
                diff.documents_changed.append((f"{new_docs[key].name}: {name}", _show(a), _show(b)))
    old_fields = {f.get("name"): f for f in (old.form_schema or {}).get("fields", [])}
    new_fields = {f.get("name"): f for f in (new.form_schema or {}).get("fields", [])}
    diff.fields_added = sorted(new_fields.keys() - old_fields.keys())
    diff.fields_removed = sorted(old_fields.keys() - new_fields.keys())
    diff.fields_changed = sorted(
        k for k in old_fields.keys() & new_fields.keys() if old_fields[k] != new_fields[k]
    )
    old_w = sorted((w.condition, w.percent, w.description) for w in old.waivers.all())
    new_w = sorted((w.condition, w.percent, w.description) for w in new.waivers.all())
    if old_w != new_w:
        diff.changed.append(("Miễn, giảm phí (Fee waivers)", _show(old_w), _show(new_w)))
    return diff


def _show(value) -> str:
    return "—" if value in (None, "", []) else str(value)


# -- fees ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FeeQuote:
    base: int
    amount: int
    waivers: tuple[str, ...] = ()


def fee_quote(
    *,
    version: ProcedureVersion,
    units: int = 1,
    online: bool = True,
    beneficiary: bool = False,
    on: dt.date | None = None,
) -> FeeQuote:
    """The fee (VND) a dossier owes under ``version``, after the waivers that apply on ``on``."""
    if version.fee_kind == FeeKind.FREE:
        return FeeQuote(base=0, amount=0)
    base = version.fee_amount * (max(1, units) if version.fee_kind == FeeKind.PER_UNIT else 1)
    if version.fee_cap:
        base = min(base, version.fee_cap)
    on = on or timezone.localdate()
    percent, applied = 0, []
    for waiver in version.waivers.all():
        if waiver.valid_from and on < waiver.valid_from:
            continue
        if waiver.valid_until and on > waiver.valid_until:
            continue
        if waiver.condition == WaiverCondition.ONLINE_FILING and not online:
            continue
        if waiver.condition == WaiverCondition.BENEFICIARY and not beneficiary:
            continue
        if waiver.percent > percent:
            percent = waiver.percent
        applied.append(waiver.description)
    amount = base - (base * percent) // 100
    return FeeQuote(base=base, amount=amount, waivers=tuple(applied))
