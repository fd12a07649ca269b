"""Nộp hồ sơ trực tuyến: drafts, their steps, documents and submission (services).

A draft keeps the raw values the citizen typed in ``Dossier.draft_values`` (one entry per step,
saved on "next" and by autosave, valid or not), so nothing typed is ever dropped. On submission
everything is validated again on the server against the version the draft was created under —
the **frozen** version, even if a newer one was published since or it was retired — and the
cleaned values become ``applicant_data`` / ``form_data``. The status change itself is
``workflow.dossier_submit``; nothing here assigns a status.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from dossiers import workflow
from dossiers.forms import ApplicantForm, DeliveryForm
from dossiers.models import (
    INTERNAL_SLOTS,
    Dossier,
    DossierDocument,
    DossierStatus,
    ResultDelivery,
)
from dossiers.uploads import CheckedUpload, upload_check
from procedures.forms_builder import build_form
from procedures.models import OnlineLevel, ProcedureVersion, VersionStatus
from procedures.schema import Kind, condition_holds, schema_fields


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    title_en: str


# ``title`` is translated (English pages show ``title_en`` alone; Vietnamese ones both).
STEPS = [
    Step("applicant", _("Người nộp hồ sơ"), "Applicant"),
    Step("details", _("Thông tin hồ sơ"), "Details"),
    Step("documents", _("Giấy tờ đính kèm"), "Documents"),
    Step("agency", _("Cơ quan tiếp nhận"), "Receiving agency"),
    Step("delivery", _("Nhận kết quả"), "Result delivery"),
    Step("review", _("Xem lại và nộp"), "Review and submit"),
]
STEP_SLUGS = [s.slug for s in STEPS]
# Steps whose values are kept raw in draft_values (the others are stored on the dossier).
RAW_STEPS = ("applicant", "details", "delivery")


class FilingError(Exception):
    """Filing is not possible (procedure offline, not published); message for the citizen."""


class DraftConflict(FilingError):
    """An autosave typed against what the step held before another page (tab, device) saved it:
    it is not stored over that newer save."""


def saved_version(dossier: Dossier, step: str) -> str:
    """A fingerprint of what the server holds for ``step``. static/js/filing.js sends it with
    each autosave (``_base``) and keeps unsaved input with it; a save from another page since
    then wins (``DraftConflict``; the kept input is not put back over it)."""
    saved = dossier.agency_id if step == "agency" else dossier.draft_values.get(step)
    return hashlib.sha256(json.dumps(saved, sort_keys=True, default=str).encode()).hexdigest()[:16]


def step_after(slug: str) -> str:
    i = STEP_SLUGS.index(slug)
    return STEP_SLUGS[min(i + 1, len(STEPS) - 1)]


def step_before(slug: str) -> str:
    i = STEP_SLUGS.index(slug)
    return STEP_SLUGS[max(i - 1, 0)]


def online_result(version: ProcedureVersion) -> bool:
    """Toàn trình: the result can be downloaded; một phần: it is collected or posted."""
    return version.procedure.online_level == OnlineLevel.FULL


# --- drafts ----------------------------------------------------------------------------------
def dossier_create_draft(*, version: ProcedureVersion, applicant) -> Dossier:
    """A new draft for ``applicant`` under the published ``version`` (prefilled from the profile)."""
    if version.status != VersionStatus.PUBLISHED:
        raise FilingError(_("Thủ tục này hiện không nhận hồ sơ (this procedure is not published)."))
    if not version.procedure.is_online:
        raise FilingError(
            _("Thủ tục này chỉ nộp trực tiếp tại cơ quan (this procedure is offline only).")
        )
    profile = {
        "full_name": applicant.full_name,
        "citizen_id": applicant.citizen_id,
        "date_of_birth": applicant.date_of_birth.isoformat() if applicant.date_of_birth else "",
        "phone": applicant.phone,
        "email": applicant.email,
        "address": applicant.address,
    }
    return Dossier.objects.create(
        version=version,
        applicant=applicant,
        draft_step=STEPS[0].slug,
        draft_values={"applicant": profile},
        result_delivery=ResultDelivery.ONLINE if online_result(version) else ResultDelivery.COUNTER,
    )


def _locked_draft(dossier: Dossier) -> Dossier:
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if locked.status != DossierStatus.DRAFT:
        raise FilingError(
            _("Hồ sơ đã được nộp, không sửa được nữa (the dossier was already filed).")
        )
    return locked


def _refresh(dossier: Dossier, locked: Dossier, fields) -> None:
    for name in fields:
        setattr(dossier, name, getattr(locked, name))


STAMPS = "_stamps"


Stamp = tuple[str, int]
_STAMP = re.compile(r"([a-z0-9]{1,16})\.([0-9]{1,12})")


def parse_stamp(value) -> Stamp | None:
    """A save's place in the order its page sent them (``_stamp``: ``"<page>.<n>"``,
    static/js/filing.js: a random name per page load and a counter), if it sent a sensible one.

    Only saves of one page load are ordered: clocks of two devices (or tabs) are not compared,
    so a device whose clock runs fast cannot make another's saves look old.
    """
    match = _STAMP.fullmatch(str(value or ""))
    return (match[1], int(match[2])) if match else None


def _check_base(locked: Dossier, step: str, stamp: Stamp | None, base: str | None) -> None:
    """Raise ``DraftConflict`` for an autosave whose page last saw another version of the step
    than the one now stored, when that one was saved by another page."""
    if not base or stamp is None or saved_version(locked, step) == base:
        return
    last = (locked.draft_values.get(STAMPS) or {}).get(step)
    if isinstance(last, list) and len(last) == 2 and last[0] != stamp[0]:
        raise DraftConflict(
            _(
                "Bước này vừa được lưu từ một thẻ hoặc thiết bị khác; tải lại trang để xem bản "
                "mới nhất (this step was saved in another tab or device; reload the page)."
            )
        )


def _is_stale(locked: Dossier, step: str, stamp: Stamp | None, *, autosave: bool) -> bool:
    """An autosave sent before the last save recorded for the step by the same page (requests
    can arrive late). A save the citizen asked for (a button) is never dropped."""
    if stamp is None or not autosave:
        return False
    last = (locked.draft_values.get(STAMPS) or {}).get(step)
    if not isinstance(last, list) or len(last) != 2:
        return False
    return last[0] == stamp[0] and stamp[1] <= int(last[1])


def _stamped(draft_values: dict, step: str, stamp: Stamp | None) -> dict:
    if stamp is None:
        return draft_values
    stamps = draft_values.get(STAMPS) or {}
    last = stamps.get(step)
    if isinstance(last, list) and len(last) == 2 and last[0] == stamp[0]:
        stamp = (stamp[0], max(stamp[1], int(last[1])))  # the page's order only goes forward
    return {**draft_values, STAMPS: {**stamps, step: list(stamp)}}


@transaction.atomic
def draft_save_values(
    *,
    dossier: Dossier,
    step: str,
    values: dict,
    draft_step: str | None = None,
    autosave: bool = False,
    stamp: Stamp | None = None,
    base: str | None = None,
) -> Dossier:
    """Store the raw values of one step (valid or not) and where the citizen is.

    With ``autosave``, values equal to the stored ones change nothing (not even the step): an
    autosave that lands after the "Tiếp tục" post of the same values must not move the citizen
    back a step. An autosave typed against ``base`` (``saved_version``) raises ``DraftConflict``
    when another page has saved the step since.
    """
    if step not in RAW_STEPS:
        raise ValueError(step)
    locked = _locked_draft(dossier)
    if _is_stale(locked, step, stamp, autosave=autosave) or (
        autosave and locked.draft_values.get(step) == values
    ):
        return dossier
    if autosave:
        _check_base(locked, step, stamp, base)
    locked.draft_values = _stamped({**locked.draft_values, step: values}, step, stamp)
    locked.draft_step = draft_step or step
    fields = ["draft_values", "draft_step", "updated_at"]
    locked.save(update_fields=fields)
    _refresh(dossier, locked, fields)
    return dossier


@transaction.atomic
def draft_set_step(*, dossier: Dossier, step: str) -> Dossier:
    if step not in STEP_SLUGS:
        raise ValueError(step)
    locked = _locked_draft(dossier)
    if locked.draft_step != step:
        locked.draft_step = step
        locked.save(update_fields=["draft_step", "updated_at"])
    _refresh(dossier, locked, ["draft_step", "updated_at"])
    return dossier


@transaction.atomic
def draft_set_agency(
    *,
    dossier: Dossier,
    agency,
    draft_step: str,
    autosave: bool = False,
    stamp: Stamp | None = None,
    base: str | None = None,
) -> Dossier:
    """The receiving agency (the view only offers agencies that offer the procedure)."""
    locked = _locked_draft(dossier)
    if _is_stale(locked, "agency", stamp, autosave=autosave) or (
        autosave and locked.agency_id == agency.pk
    ):
        return dossier
    if autosave:
        _check_base(locked, "agency", stamp, base)
    locked.agency = agency
    locked.draft_step = draft_step
    locked.draft_values = _stamped(locked.draft_values, "agency", stamp)
    fields = ["agency", "draft_step", "draft_values", "updated_at"]
    locked.save(update_fields=fields)
    _refresh(dossier, locked, fields)
    return dossier


@transaction.atomic
def draft_set_delivery(
    *,
    dossier: Dossier,
    values: dict,
    cleaned: dict | None,
    draft_step: str,
    autosave: bool = False,
    stamp: Stamp | None = None,
    base: str | None = None,
) -> Dossier:
    """Raw delivery values always; the dossier's fields only when they are valid."""
    locked = _locked_draft(dossier)
    if _is_stale(locked, "delivery", stamp, autosave=autosave) or (
        autosave and locked.draft_values.get("delivery") == values
    ):
        return dossier
    if autosave:
        _check_base(locked, "delivery", stamp, base)
    locked.draft_values = _stamped({**locked.draft_values, "delivery": values}, "delivery", stamp)
    locked.draft_step = draft_step
    fields = ["draft_values", "draft_step", "updated_at"]
    if cleaned is not None:
        locked.result_delivery = cleaned["result_delivery"]
        locked.delivery_address = cleaned["delivery_address"]
        fields += ["result_delivery", "delivery_address"]
    locked.save(update_fields=fields)
    _refresh(dossier, locked, fields)
    return dossier


# --- the forms of a draft, bound to its raw values -----------------------------------------------
def details_schema(version: ProcedureVersion) -> dict:
    """The version's schema without its document slots (documents have their own step)."""
    return {"fields": [f for f in schema_fields(version.form_schema) if f["kind"] != Kind.DOCUMENT]}


def raw_data(values: dict | None) -> MultiValueDict:
    """Stored raw values (``{name: [values]}`` or ``{name: value}``) as form data."""
    data = MultiValueDict()
    for key, value in (values or {}).items():
        data.setlist(key, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    return data


def raw_values(post, *, exclude=("csrfmiddlewaretoken",)) -> dict[str, list[str]]:
    """The posted values of a step, every value kept as typed (lists, for multiple choices)."""
    return {
        key: [v[:5000] for v in post.getlist(key)][:100]
        for key in list(post.keys())[:1000]
        if key not in exclude and not key.startswith("_")
    }


def applicant_form(dossier: Dossier, data=None) -> ApplicantForm:
    stored = dossier.draft_values.get("applicant")
    if data is None and stored is not None:
        data = raw_data(stored)
    return ApplicantForm(data)


def details_form(dossier: Dossier, data=None):
    stored = dossier.draft_values.get("details")
    if data is None and stored is not None:
        data = raw_data(stored)
    schema = details_schema(dossier.version)
    initial = None if data is not None else details_prefill(dossier, schema)
    return build_form(schema, data=data, initial=initial)


def details_prefill(dossier: Dossier, schema: dict) -> dict[str, str]:
    """What the procedure's fields start with before the citizen saves them: the applicant
    step's values named by their ``prefill`` (the requester's name, ID, phone… of the form)."""
    applicant = raw_data(dossier.draft_values.get("applicant"))
    return {
        spec["name"]: applicant.get(spec["prefill"])
        for spec in schema["fields"]
        if spec.get("prefill") and applicant.get(spec["prefill"])
    }


def delivery_form(dossier: Dossier, data=None) -> DeliveryForm:
    stored = dossier.draft_values.get("delivery")
    if data is None:
        data = (
            raw_data(stored)
            if stored is not None
            else raw_data(
                {
                    "result_delivery": dossier.result_delivery,
                    "delivery_address": dossier.delivery_address,
                }
            )
        )
    return DeliveryForm(data, online_result=online_result(dossier.version))


def hide_untouched_errors(form) -> None:
    """On a page that is only shown again (GET), keep the errors of values the citizen typed and
    drop "required" errors of fields not filled yet (nothing is shown as wrong before it is)."""
    forms = [form, *[f for fs in getattr(form, "groups", {}).values() for f in fs.forms]]
    for f in forms:
        if not f.is_bound:
            continue
        f.is_valid()
        for name in list(f.errors):
            if name == "__all__":
                continue
            if not any(v.strip() for v in f.data.getlist(f.add_prefix(name)) if v):
                del f.errors[name]
    for formset in getattr(form, "groups", {}).values():
        if formset.is_bound:
            formset._non_form_errors = formset.error_class()


# --- documents ---------------------------------------------------------------------------------
def slot_required(doc, specs: list[dict], answers: dict) -> bool:
    """A required document, unless its slot in the schema is optional or hidden by show_if."""
    if not doc.required:
        return False
    for spec in specs:
        if spec.get("kind") == Kind.DOCUMENT and spec.get("document") == doc.key:
            if spec.get("required") is False:
                return False
            return condition_holds(spec.get("show_if"), answers)
    return True


def document_store(
    *, dossier: Dossier, slot_key: str, checked: CheckedUpload, user, reused_from=None
):
    doc = DossierDocument(
        dossier=dossier,
        slot=slot_key,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user,
        reused_from=reused_from,
    )
    # Stored under a random name (document_upload_to) through the storage API.
    doc.file.save(checked.name, File(checked.file), save=False)
    try:
        doc.save()
    except Exception:
        doc.file.storage.delete(doc.file.name)
        raise
    return doc


def documents_store(*, dossier: Dossier, checked, user) -> list[DossierDocument]:
    """Store several checked uploads (``(slot key, CheckedUpload)`` pairs) of one request, inside
    the caller's transaction. If storing one of them fails, or anything later in the caller's
    transaction does, call ``documents_unstore`` with the result: a rollback undoes the rows, not
    the files in storage."""
    stored: list[DossierDocument] = []
    try:
        for key, upload in checked:
            stored.append(document_store(dossier=dossier, slot_key=key, checked=upload, user=user))
    except BaseException:
        documents_unstore(stored)
        raise
    return stored


def documents_unstore(documents) -> None:
    """Delete the stored files of documents whose rows a rollback removed."""
    for document in documents:
        document.file.delete(save=False)


@transaction.atomic
def document_add(*, dossier: Dossier, slot, file, user, name: str | None = None):
    """Check an upload for ``slot`` (a RequiredDocument) and store it; ValidationError if refused."""
    locked = _locked_draft(dossier)
    checked = upload_check(file=file, slot=slot, dossier=locked, name=name)
    return document_store(dossier=locked, slot_key=slot.key, checked=checked, user=user)


def reusable_documents(*, user, exclude_dossier: Dossier):
    """The citizen's own documents from their other dossiers (newest first)."""
    return (
        DossierDocument.objects.filter(dossier__applicant=user, dossier__owner_check_pending=False)
        .exclude(dossier=exclude_dossier)
        .exclude(slot__in=INTERNAL_SLOTS)  # the agency's working documents are not the citizen's
        .select_related("dossier")
        .order_by("-created_at", "-id")
    )


@transaction.atomic
def document_reuse(*, dossier: Dossier, slot, source_id, user):
    """Attach a copy of one of the citizen's earlier documents (``reused_from`` points at it)."""
    locked = _locked_draft(dossier)
    source = (
        reusable_documents(user=user, exclude_dossier=locked).filter(pk=source_id).first()
        if str(source_id).isdigit()
        else None
    )
    if source is None:
        raise ValidationError(
            _("Không tìm thấy giấy tờ này trong hồ sơ của bạn (not one of your documents)."),
            code="not_found",
        )
    with source.file.open("rb") as stored:
        checked = upload_check(file=stored, slot=slot, dossier=locked, name=source.original_name)
        return document_store(
            dossier=locked, slot_key=slot.key, checked=checked, user=user, reused_from=source
        )


@transaction.atomic
def document_remove(*, dossier: Dossier, document: DossierDocument) -> None:
    _locked_draft(dossier)
    storage, name = document.file.storage, document.file.name
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- validation and submission -----------------------------------------------------------------
@dataclass
class DraftCheck:
    """Everything wrong with a draft, by step (empty: ready to submit)."""

    problems: dict[str, list[str]] = field(default_factory=dict)
    applicant: dict | None = None
    answers: dict | None = None
    delivery: dict | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, step: str, message: str) -> None:
        self.problems.setdefault(step, []).append(str(message))  # translated now

    def message(self) -> str:
        titles = {s.slug: s.title for s in STEPS}
        parts = [f"{titles[step]}: {'; '.join(msgs)}" for step, msgs in self.problems.items()]
        return str(_("Hồ sơ chưa đầy đủ (the dossier is incomplete) — ")) + " | ".join(parts)


def _form_messages(form) -> list[str]:
    messages = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.append(f"{label}: {error}" if label else str(error))
    for formset in getattr(form, "groups", {}).values():
        for error in formset.non_form_errors():
            messages.append(str(error))
        for i, row in enumerate(formset.forms, start=1):
            for name, errors in row.errors.items():
                label = row.fields[name].label if name in row.fields else ""
                for error in errors:
                    messages.append(f"{label} (dòng {i}): {error}")
    return messages


def draft_check(dossier: Dossier, *, documents=None) -> DraftCheck:
    """Validate every step of a draft on the server, against its own (frozen) version."""
    check = DraftCheck()
    form = applicant_form(dossier)
    if not form.is_bound or not form.is_valid():
        check.add("applicant", _("chưa khai đủ thông tin người nộp (applicant details incomplete)"))
        check.problems["applicant"] += _form_messages(form) if form.is_bound else []
    else:
        check.applicant = form.snapshot()
    details = details_form(dossier)
    if not details.is_bound:
        details = details_form(dossier, data=MultiValueDict())
    if details.is_valid():
        check.answers = details.answers()
    else:
        for message in _form_messages(details):
            check.add("details", message)
    answers = check.answers or getattr(details, "cleaned_data", {}) or {}
    docs = list(dossier.documents.all()) if documents is None else documents
    have = {d.slot for d in docs}
    specs = schema_fields(dossier.version.form_schema)
    for slot in dossier.version.documents.all():
        if slot.key not in have and slot_required(slot, specs, answers):
            check.add(
                "documents", _("chưa đính kèm «%(name)s» (missing document)") % {"name": slot.name}
            )
    if dossier.agency_id is None:
        check.add("agency", _("chưa chọn cơ quan tiếp nhận (no receiving agency)"))
    elif not dossier.version.procedure.agencies.filter(
        pk=dossier.agency_id, is_active=True
    ).exists():
        check.add(
            "agency",
            _(
                "cơ quan đã chọn không còn tiếp nhận thủ tục này, hãy chọn lại (choose another agency)"
            ),
        )
    delivery = delivery_form(dossier)
    if delivery.is_valid():
        check.delivery = delivery.cleaned_data
    else:
        for message in _form_messages(delivery):
            check.add("delivery", message)
    return check


def dossier_file_submit(*, dossier: Dossier, actor, declared: bool) -> Dossier:
    """Nộp hồ sơ: re-validate everything, freeze the cleaned values, then ``dossier_submit``.

    Raises ``workflow.WorkflowError`` (nothing changes) when anything is missing or invalid.
    A draft whose version was retired since is still filed under that version (it was
    published when the citizen started; the rules it was filled against do not move).
    """
    with transaction.atomic():
        locked = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier.pk)
        if locked.status != DossierStatus.DRAFT:
            raise workflow.WrongState(
                _("Hồ sơ này đã được nộp (the dossier was already filed)."), code="wrong_state"
            )
        if not declared:
            raise workflow.WorkflowError(
                _("Vui lòng đánh dấu ô cam đoan trước khi nộp (tick the declaration)."),
                code="declaration",
            )
        if not locked.version.procedure.is_online:
            raise workflow.WorkflowError(
                _("Thủ tục này không còn nhận hồ sơ trực tuyến (no longer offered online)."),
                code="offline",
            )
        check = draft_check(locked)
        if not check.ok:
            raise workflow.WorkflowError(check.message(), code="incomplete")
        locked.applicant_data = {**check.applicant, "declared_at": timezone.now().isoformat()}
        locked.form_data = check.answers
        locked.result_delivery = check.delivery["result_delivery"]
        locked.delivery_address = check.delivery["delivery_address"]
        locked.save(
            update_fields=["applicant_data", "form_data", "result_delivery", "delivery_address"]
        )

        def validate(d: Dossier) -> None:
            again = draft_check(d)
            if not again.ok:
                raise workflow.WorkflowError(again.message(), code="incomplete")

        return workflow.dossier_submit(dossier=dossier, actor=actor, validate=validate)
