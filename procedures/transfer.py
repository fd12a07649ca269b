"""Import and export of the catalog (JSON, lossless; CSV summary).

The JSON format round-trips exactly: ``catalog_export()`` → ``catalog_import()`` into an empty
database → ``catalog_export()`` gives the same document. Import is idempotent (the same file twice
changes nothing), refuses a row with the reason, and imports nothing when any row is refused
(one transaction).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Count, Prefetch

from portal.models import Agency
from procedures.models import (
    FeeWaiver,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    VersionStatus,
)
from procedures.schema import schema_errors
from procedures.services import DOCUMENT_COPY_FIELDS, VERSION_COPY_FIELDS, WAIVER_COPY_FIELDS

FORMAT = "dvc-procedures"
FORMAT_VERSION = 1
PROCEDURE_FIELDS = (
    "code",
    "name",
    "field",
    "agency_level",
    "online_level",
    "description",
    "steps",
    "result_type",
    "legal_basis",
    "is_sample",
)
VERSION_FIELDS = ("number", "status", "published_at", "retired_at", *VERSION_COPY_FIELDS)
VERSION_FIELDS = (*VERSION_FIELDS, "change_note")
DATETIME_FIELDS = ("published_at", "retired_at")
DATE_FIELDS = ("valid_from", "valid_until")


class ImportRefused(Exception):
    pass


# -- export ----------------------------------------------------------------------------------------
def _dt_out(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


def _date_out(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def document_to_dict(doc: RequiredDocument) -> dict[str, Any]:
    return {f: getattr(doc, f) for f in DOCUMENT_COPY_FIELDS}


def waiver_to_dict(waiver: FeeWaiver) -> dict[str, Any]:
    out = {f: getattr(waiver, f) for f in WAIVER_COPY_FIELDS}
    for name in DATE_FIELDS:
        out[name] = _date_out(out[name])
    return out


def version_to_dict(version: ProcedureVersion) -> dict[str, Any]:
    out: dict[str, Any] = {f: getattr(version, f) for f in VERSION_FIELDS}
    for name in DATETIME_FIELDS:
        out[name] = _dt_out(out[name])
    out["documents"] = [document_to_dict(d) for d in version.documents.all()]
    out["waivers"] = [waiver_to_dict(w) for w in version.waivers.all()]
    return out


def procedure_to_dict(procedure: Procedure) -> dict[str, Any]:
    out: dict[str, Any] = {f: getattr(procedure, f) for f in PROCEDURE_FIELDS}
    out["agencies"] = sorted(a.code for a in procedure.agencies.all())
    out["versions"] = [version_to_dict(v) for v in procedure.versions.all()]
    return out


def _export_queryset():
    return Procedure.objects.order_by("code").prefetch_related(
        Prefetch("agencies", queryset=Agency.objects.only("id", "code")),
        Prefetch(
            "versions",
            queryset=ProcedureVersion.objects.order_by("number").prefetch_related(
                Prefetch("documents", queryset=RequiredDocument.objects.order_by("position", "id")),
                Prefetch("waivers", queryset=FeeWaiver.objects.order_by("id")),
            ),
        ),
    )


def catalog_export() -> dict[str, Any]:
    """The whole catalog as one JSON-ready document (a constant number of queries)."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "procedures": [procedure_to_dict(p) for p in _export_queryset()],
    }


CSV_COLUMNS = [
    "code",
    "name",
    "field",
    "agency_level",
    "online_level",
    "published_version",
    "processing_days",
    "fee_kind",
    "fee_amount",
    "fee_unit",
    "documents",
    "agencies",
    "is_sample",
]


def catalog_export_csv() -> str:
    """One line a procedure: a summary for spreadsheets (not for import)."""
    published = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).annotate(
        document_count=Count("documents")
    )
    procedures = (
        Procedure.objects.order_by("code")
        .annotate(agency_count=Count("agencies", distinct=True))
        .prefetch_related(Prefetch("versions", queryset=published, to_attr="published"))
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for p in procedures:
        v = p.published[0] if p.published else None
        writer.writerow(
            [
                p.code,
                p.name,
                p.field,
                p.agency_level,
                p.online_level,
                v.number if v else "",
                v.processing_days if v else "",
                v.fee_kind if v else "",
                v.fee_amount if v else "",
                v.fee_unit if v else "",
                v.document_count if v else "",
                p.agency_count,
                "yes" if p.is_sample else "no",
            ]
        )
    return buffer.getvalue()


# -- import ----------------------------------------------------------------------------------------
@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    versions_created: int = 0
    versions_updated: int = 0
    refused: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused

    def summary(self) -> str:
        return (
            f"procedures: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged; versions: {self.versions_created} created, "
            f"{self.versions_updated} updated"
        )


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{k}: {m}" for k, errs in exc.message_dict.items() for m in errs]
    return exc.messages


def _parse_dt(value: Any, where: str, errors: list[str]) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        errors.append(f"{where}: không phải ngày giờ ISO 8601 (not an ISO datetime): {value!r}")
        return None
    if parsed.tzinfo is None:
        errors.append(f"{where}: thiếu múi giờ (timezone required): {value!r}")
        return None
    return parsed


def _parse_date(value: Any, where: str, errors: list[str]) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        errors.append(f"{where}: không phải ngày ISO (not an ISO date): {value!r}")
        return None


def _unknown_keys(row: dict, allowed: set[str], where: str, errors: list[str]) -> None:
    extra = set(row) - allowed
    if extra:
        errors.append(f"{where}: khóa không hợp lệ (unknown keys): {', '.join(sorted(extra))}")


@dataclass
class _VersionIn:
    values: dict[str, Any]
    documents: list[dict[str, Any]]
    waivers: list[dict[str, Any]]
    canonical: dict[str, Any]


def _check_procedure(
    row: Any, where: str, agencies: dict[str, Agency]
) -> tuple[dict, list[Agency], list[_VersionIn], list[str]]:
    errors: list[str] = []
    if not isinstance(row, dict):
        return {}, [], [], [f"{where}: phải là một đối tượng (must be an object)"]
    _unknown_keys(row, {*PROCEDURE_FIELDS, "agencies", "versions"}, where, errors)
    values = {f: row.get(f, Procedure._meta.get_field(f).get_default()) for f in PROCEDURE_FIELDS}
    candidate = Procedure(**values)
    try:
        candidate.full_clean(exclude=["search_text"], validate_unique=False)
    except ValidationError as exc:
        errors += [f"{where}: {m}" for m in _messages(exc)]
    codes = row.get("agencies") or []
    if not isinstance(codes, list):
        errors.append(f"{where}: agencies phải là danh sách mã cơ quan (list of agency codes)")
        codes = []
    missing = [c for c in codes if c not in agencies]
    if missing:
        errors.append(
            f"{where}: không có cơ quan (unknown agencies): {', '.join(map(str, missing))}"
        )
    versions_in: list[_VersionIn] = []
    numbers: set[int] = set()
    published = 0
    for i, vrow in enumerate(row.get("versions") or []):
        vwhere = f"{where} versions[{i}]"
        if not isinstance(vrow, dict):
            errors.append(f"{vwhere}: phải là một đối tượng (must be an object)")
            continue
        vwhere = f"{where} v{vrow.get('number')}"
        _unknown_keys(vrow, {*VERSION_FIELDS, "documents", "waivers"}, vwhere, errors)
        vvalues = {
            f: vrow.get(f, ProcedureVersion._meta.get_field(f).get_default())
            for f in VERSION_FIELDS
        }
        for name in DATETIME_FIELDS:
            vvalues[name] = _parse_dt(vvalues[name], f"{vwhere} {name}", errors)
        if vvalues["number"] in numbers:
            errors.append(f"{vwhere}: số phiên bản bị trùng (duplicate version number)")
        numbers.add(vvalues["number"])
        if vvalues["status"] == VersionStatus.PUBLISHED:
            published += 1
        if vvalues["status"] != VersionStatus.DRAFT and not vvalues["published_at"]:
            errors.append(f"{vwhere}: phiên bản đã công bố cần published_at")
        version = ProcedureVersion(**vvalues)
        try:
            version.full_clean(
                exclude=["procedure"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            errors += [f"{vwhere}: {m}" for m in _messages(exc)]
        docs, waivers = [], []
        for j, drow in enumerate(vrow.get("documents") or []):
            dwhere = f"{vwhere} documents[{j}]"
            if not isinstance(drow, dict):
                errors.append(f"{dwhere}: phải là một đối tượng (must be an object)")
                continue
            _unknown_keys(drow, set(DOCUMENT_COPY_FIELDS), dwhere, errors)
            dvalues = {
                f: drow.get(f, RequiredDocument._meta.get_field(f).get_default())
                for f in DOCUMENT_COPY_FIELDS
            }
            try:
                RequiredDocument(**dvalues).full_clean(
                    exclude=["version"], validate_unique=False, validate_constraints=False
                )
            except ValidationError as exc:
                errors += [f"{dwhere}: {m}" for m in _messages(exc)]
            docs.append(dvalues)
        keys = [d["key"] for d in docs]
        if len(keys) != len(set(keys)):
            errors.append(f"{vwhere}: mã giấy tờ bị trùng (duplicate document keys)")
        if vvalues["status"] != VersionStatus.DRAFT:
            errors += [
                f"{vwhere}: {m}" for m in schema_errors(vvalues["form_schema"], document_keys=keys)
            ]
        for j, wrow in enumerate(vrow.get("waivers") or []):
            wwhere = f"{vwhere} waivers[{j}]"
            if not isinstance(wrow, dict):
                errors.append(f"{wwhere}: phải là một đối tượng (must be an object)")
                continue
            _unknown_keys(wrow, set(WAIVER_COPY_FIELDS), wwhere, errors)
            wvalues = {
                f: wrow.get(f, FeeWaiver._meta.get_field(f).get_default())
                for f in WAIVER_COPY_FIELDS
            }
            for name in DATE_FIELDS:
                wvalues[name] = _parse_date(wvalues[name], f"{wwhere} {name}", errors)
            try:
                FeeWaiver(**wvalues).full_clean(
                    exclude=["version"], validate_unique=False, validate_constraints=False
                )
            except ValidationError as exc:
                errors += [f"{wwhere}: {m}" for m in _messages(exc)]
            waivers.append(wvalues)
        canonical = {
            **{f: vvalues[f] for f in VERSION_FIELDS},
            "published_at": _dt_out(vvalues["published_at"]),
            "retired_at": _dt_out(vvalues["retired_at"]),
            "documents": docs,
            "waivers": [{**w, **{n: _date_out(w[n]) for n in DATE_FIELDS}} for w in waivers],
        }
        versions_in.append(_VersionIn(vvalues, docs, waivers, canonical))
    if published > 1:
        errors.append(f"{where}: nhiều hơn một phiên bản công bố (more than one published version)")
    return values, [agencies[c] for c in codes if c in agencies], versions_in, errors


def _content(d: dict) -> dict:
    return {k: v for k, v in d.items() if k not in ("status", "retired_at")}


def _import_versions(procedure: Procedure, versions_in: list[_VersionIn], report, where) -> None:
    existing = {
        v.number: v
        for v in procedure.versions.prefetch_related(
            Prefetch("documents", queryset=RequiredDocument.objects.order_by("position", "id")),
            Prefetch("waivers", queryset=FeeWaiver.objects.order_by("id")),
        )
    }
    # Versions to retire go first so that the one-published constraint holds throughout.
    for vin in sorted(versions_in, key=lambda v: v.values["status"] == VersionStatus.PUBLISHED):
        number = vin.values["number"]
        version = existing.get(number)
        if version is not None:
            current = version_to_dict(version)
            if current == vin.canonical:
                continue
            if not version.is_draft:
                if _content(current) != _content(vin.canonical):
                    raise ImportRefused(
                        f"{where} v{number}: phiên bản đã công bố không được sửa; hãy thêm phiên "
                        "bản mới (version is published and frozen; add a new version number)"
                    )
                if vin.values["status"] == VersionStatus.DRAFT:
                    raise ImportRefused(
                        f"{where} v{number}: không thể đưa phiên bản đã công bố về nháp"
                    )
                _set_status(procedure, version, vin.values)
                report.versions_updated += 1
                continue
            for name in VERSION_COPY_FIELDS + ("change_note",):
                setattr(version, name, vin.values[name])
            version.save()
            version.documents.all().delete()
            version.waivers.all().delete()
            report.versions_updated += 1
        else:
            version = ProcedureVersion(procedure=procedure, number=number)
            for name in VERSION_COPY_FIELDS + ("change_note",):
                setattr(version, name, vin.values[name])
            version.save()
            report.versions_created += 1
        RequiredDocument.objects.bulk_create(
            RequiredDocument(version=version, **d) for d in vin.documents
        )
        FeeWaiver.objects.bulk_create(FeeWaiver(version=version, **w) for w in vin.waivers)
        if vin.values["status"] != VersionStatus.DRAFT:
            _set_status(procedure, version, vin.values)


def _set_status(procedure: Procedure, version: ProcedureVersion, values: dict) -> None:
    if values["status"] == VersionStatus.PUBLISHED:
        ProcedureVersion.objects.filter(
            procedure=procedure, status=VersionStatus.PUBLISHED
        ).exclude(pk=version.pk).update(status=VersionStatus.RETIRED)
    version.status = values["status"]
    version.published_at = values["published_at"]
    version.retired_at = values["retired_at"]
    version.save(update_fields=["status", "published_at", "retired_at"])


def catalog_import(data: Any) -> ImportReport:
    """Upsert the procedures of an export document; all or nothing."""
    report = ImportReport()
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        report.refused.append(f'file: không phải tệp "{FORMAT}" (not a {FORMAT} file)')
        return report
    if data.get("format_version") != FORMAT_VERSION:
        report.refused.append(f"file: format_version {data.get('format_version')!r} không hỗ trợ")
        return report
    rows = data.get("procedures")
    if not isinstance(rows, list):
        report.refused.append("file: thiếu danh sách procedures (procedures list missing)")
        return report
    agencies = {a.code: a for a in Agency.objects.all()}
    seen_codes: set[str] = set()
    with transaction.atomic():
        existing = {
            p.code: p
            for p in Procedure.objects.prefetch_related(
                Prefetch("agencies", queryset=Agency.objects.only("id", "code"))
            )
        }
        for index, row in enumerate(rows):
            code = row.get("code") if isinstance(row, dict) else None
            where = f"procedures[{index}] {code or ''}".strip()
            values, row_agencies, versions_in, errors = _check_procedure(row, where, agencies)
            if code in seen_codes:
                errors.append(f"{where}: mã thủ tục bị trùng trong tệp (duplicate code in file)")
            seen_codes.add(code)
            if errors:
                report.refused.extend(errors)
                continue
            try:
                with transaction.atomic():
                    _import_procedure(
                        existing.get(code), values, row_agencies, versions_in, report, where
                    )
            except ImportRefused as exc:
                report.refused.append(str(exc))
            except (ValidationError, DatabaseError) as exc:
                detail = "; ".join(_messages(exc)) if isinstance(exc, ValidationError) else str(exc)
                report.refused.append(f"{where}: {detail.strip()}")
        if report.refused:
            transaction.set_rollback(True)
    return report


def _import_procedure(procedure, values, agencies, versions_in, report, where) -> None:
    created = procedure is None
    changed = False
    if created:
        procedure = Procedure.objects.create(**values)
    else:
        differing = [f for f in PROCEDURE_FIELDS if getattr(procedure, f) != values[f]]
        if differing:
            for f in differing:
                setattr(procedure, f, values[f])
            procedure.save()
            changed = True
    wanted = {a.pk for a in agencies}
    if created or {a.pk for a in procedure.agencies.all()} != wanted:
        procedure.agencies.set(agencies)
        changed = True
    before = (report.versions_created, report.versions_updated)
    _import_versions(procedure, versions_in, report, where)
    changed = changed or (report.versions_created, report.versions_updated) != before
    if created:
        report.created += 1
    elif changed:
        report.updated += 1
    else:
        report.unchanged += 1
