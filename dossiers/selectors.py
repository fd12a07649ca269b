"""Reads of dossiers for the citizen pages: my dossiers (keyset pages), one dossier as its
viewer may see it, its form answers labelled by the schema, its timeline.

Every function here does a fixed number of queries whatever the number of dossiers, documents
and events (the page tests assert it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from dossiers.models import (
    INTERNAL_SLOTS,
    RESULT_DRAFT_SLOT,
    Dossier,
    DossierEvent,
    DossierOutput,
    DossierStatus,
    OutputKind,
)
from portal.roles import OFFICER_ROLES, Role, role_names
from procedures.schema import Kind, schema_fields

# The counters' placeholder accounts (``quay-<agency code>@counter.invalid``, dossiers.views.officer):
# a walk-in without e-mail is filed under one; ``.invalid`` never receives mail (RFC 2606).
COUNTER_PLACEHOLDER_DOMAIN = "@counter.invalid"


def deliverable_email(*addresses: str | None) -> str:
    """The first of ``addresses`` that can receive mail ("" when none can): the applicant's own
    on the dossier first, then their account's, never a counter's placeholder."""
    for address in addresses:
        if address and not address.lower().endswith(COUNTER_PLACEHOLDER_DOMAIN):
            return address
    return ""


MY_DOSSIERS_PAGE_SIZE = 20


def apology_new_date(dossier: Dossier):
    """The new appointment of the dossier's latest issued apology (Mẫu 04), for the look-up."""
    from dossiers.models import Apology, ApologyState

    return (
        Apology.objects.filter(dossier=dossier, state=ApologyState.ISSUED)
        .order_by("-episode")
        .values_list("new_appointment", flat=True)
        .first()
    )


def status_words(status: str) -> tuple[str, str]:
    """The status in Vietnamese and in English: ``("Mới nộp", "Submitted")``."""
    try:
        vietnamese, english = DossierStatus(status).label.removesuffix(")").split(" (", 1)
    except ValueError:
        return status, status
    return vietnamese, english


def status_label(status: str) -> str:
    """The status in words, as FORMS.md lists them for citizens: the Vietnamese half of the
    label (``"Mới nộp"``), or in English pages the English half (``"Submitted"``)."""
    vietnamese, english = status_words(status)
    return english if get_language() == "en" else vietnamese


# -- "Hồ sơ của tôi": keyset pagination --------------------------------------------------------
Cursor = tuple[dt.datetime, int]


def cursor_encode(dossier: Dossier) -> str:
    return f"{dossier.created_at.isoformat()},{dossier.pk}"


def cursor_decode(value: str | None) -> Cursor | None:
    """``"<created_at ISO>,<id>"`` → (created_at, id); None for a missing or malformed cursor."""
    if not value:
        return None
    stamp, _, pk = value.rpartition(",")
    try:
        created_at = dt.datetime.fromisoformat(stamp.replace(" ", "+"))
        number = int(pk)
    except ValueError:
        return None
    if created_at.tzinfo is None or number < 1:
        return None
    return created_at, number


@dataclass
class DossierPage:
    rows: list[Dossier]
    next_cursor: str | None


def my_dossiers_page(
    *, user, after: Cursor | None = None, size: int = MY_DOSSIERS_PAGE_SIZE
) -> DossierPage:
    """The applicant's dossiers (drafts included), newest first, ``size`` after ``after``.

    Keyset pagination on the (applicant, -created_at, -id) index: no OFFSET, no COUNT(*). One
    query; one row more than ``size`` tells whether there is a next page.
    """
    qs = (
        Dossier.objects.filter(applicant=user)
        .select_related("version__procedure", "agency")
        .only(
            "public_id",
            "code",
            "status",
            "due_at",
            "created_at",
            "submitted_at",
            "draft_step",
            "owner_check_pending",
            "version__procedure__name",
            "version__procedure__code",
            "agency__name",
        )
        .order_by("-created_at", "-id")
    )
    if after is not None:
        created_at, pk = after
        qs = qs.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=pk))
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return DossierPage(rows=rows, next_cursor=cursor_encode(rows[-1]) if more else None)


# -- one dossier ------------------------------------------------------------------------------
def _agency_officer_filter(user) -> Q | None:
    """The filed dossiers of the officer's agency, for an officer as the back office requires
    one (an officer role and MFA set up); ``None`` for anyone else. Drafts (never filed, even
    if withdrawn) are the citizen's."""
    from portal.middleware import user_has_totp
    from portal.models import OfficerProfile

    # Both answers come with the user (portal.auth.load_user): no query here.
    if not (role_names(user) & OFFICER_ROLES) or not user_has_totp(user):
        return None
    officer_of_agency = OfficerProfile.objects.filter(user=user, agency=OuterRef("agency"))
    # Filed means it has a code: a draft the citizen withdrew before filing has none.
    return Q(Exists(officer_of_agency)) & Q(code__isnull=False)


def owner_filter(user) -> Q:
    """The dossiers ``user`` may open as their applicant: a counter dossier filed under an
    account made for the e-mail given at the counter waits for the CCCD check first."""
    return Q(applicant=user, owner_check_pending=False)


def viewer_filter(user) -> Q:
    """Who may see a dossier: its applicant, and the officers of its receiving agency."""
    officer = _agency_officer_filter(user)
    return owner_filter(user) if officer is None else owner_filter(user) | officer


def dossier_for_viewer(*, public_id, user) -> Dossier:
    """The dossier if ``user`` may see it; otherwise 404 (its existence is not revealed)."""
    if not user.is_authenticated:
        raise Http404
    dossier = (
        Dossier.objects.filter(viewer_filter(user), public_id=public_id)
        .select_related("version__procedure", "agency")
        .first()
    )
    if dossier is None:
        raise Http404("Không tìm thấy hồ sơ (dossier not found).")
    return dossier


def document_for_viewer(*, public_id, document_id: int, user):
    from dossiers.models import DossierDocument

    if not user.is_authenticated:
        raise Http404
    documents = DossierDocument.objects.filter(
        pk=document_id,
        dossier__public_id=public_id,
        dossier__in=Dossier.objects.filter(viewer_filter(user)),
    )
    # The agency's working documents (the draft result): its officers only.
    officer = _agency_officer_filter(user)
    citizen_documents = ~Q(slot__in=INTERNAL_SLOTS)
    documents = documents.filter(
        citizen_documents
        if officer is None
        else citizen_documents | Q(dossier__in=Dossier.objects.filter(officer))
    )
    document = documents.only("file", "original_name", "content_type", "size").first()
    if document is None:
        raise Http404("Không tìm thấy tài liệu (document not found).")
    return document


def output_for_viewer(*, public_id, output_id: int, user) -> DossierOutput:
    if not user.is_authenticated:
        raise Http404
    output = (
        DossierOutput.objects.filter(
            pk=output_id,
            dossier__public_id=public_id,
            dossier__in=Dossier.objects.filter(viewer_filter(user)),
        )
        .select_related("dossier")
        .only("file", "kind", "key", "dossier__code", "dossier__public_id", "dossier__applicant_id")
        .first()
    )
    if output is None:
        raise Http404("Không tìm thấy văn bản (document not found).")
    if output.kind == OutputKind.RESULT and output.dossier.applicant_id == user.pk:
        from payments.selectors import fee_blocking_message

        # A fee still unpaid holds the result back, as it holds back handing it over.
        if fee_blocking_message(dossier=output.dossier, action="return_result"):
            raise Http404("Kết quả chờ thanh toán phí (the result waits for the fee).")
    return output


# -- the page's parts ---------------------------------------------------------------------------
CAPACITY_LABELS = {
    "applicant": _("Người nộp hồ sơ (Applicant)"),
    **{role.value: role.label for role in Role},
}


@dataclass
class TimelineEntry:
    at: dt.datetime
    action: str
    label: str
    to_status: str
    status_label: str
    actor: str
    note: str
    items: list[dict] = field(default_factory=list)


@dataclass
class FormRow:
    label: str
    value: Any = ""
    rows: list[list[tuple[str, str]]] | None = None  # a repeatable group: rows of (label, value)


@dataclass
class DossierView:
    dossier: Dossier
    form_rows: list[FormRow]
    documents: list[dict]
    timeline: list[TimelineEntry]
    outputs: list[DossierOutput]
    supplement_request: TimelineEntry | None


def _actor_label(event: DossierEvent) -> str:
    """Officers are shown by their role, never by their name or e-mail (in the page's language)."""
    capacity = (event.data or {}).get("capacity")
    if capacity:
        return str(CAPACITY_LABELS.get(capacity, _("Cán bộ (Officer)")))
    return str(_("Hệ thống (System)") if event.actor_id is None else _("Cán bộ (Officer)"))


# Events that are not status changes (deadline sweep, apologies: dossiers/sweep.py, apologies.py)
EVENT_LABELS = {
    "overdue": _("Quá hạn trả kết quả"),
    "apology": _("Xin lỗi và hẹn lại ngày trả kết quả"),
    "apology_handed_over": _("Đã trao Phiếu xin lỗi (Mẫu 04)"),
    "payment": _("Thanh toán phí, lệ phí"),
    "payment_refund_due": _("Khoản thanh toán sẽ được hoàn lại"),
}


# Notes the agency writes for itself (an assignment's instructions, the specialist's proposal, the
# approver's comment): the citizen's timeline shows these steps without them, so no opinion is
# read before the decision (the decision's own reasons are the reject and refuse notes).
INTERNAL_NOTE_ACTIONS = frozenset({"assign", "propose", "approve"})


def timeline(events, *, internal: bool = False) -> list[TimelineEntry]:
    from dossiers.workflow import TRANSITIONS

    entries = []
    for event in events:
        transition = TRANSITIONS.get(event.action)
        entries.append(
            TimelineEntry(
                at=event.created_at,
                action=event.action,
                # The workflow's labels are Vietnamese (its messages); the page's in its language.
                label=gettext(transition.label)
                if transition
                else EVENT_LABELS.get(event.action, event.action),
                to_status=event.to_status,
                status_label=status_label(event.to_status),
                actor=_actor_label(event),
                note=event.note if internal or event.action not in INTERNAL_NOTE_ACTIONS else "",
                items=list((event.data or {}).get("items") or []),
            )
        )
    return entries


def latest_supplement_request(entries: list[TimelineEntry]) -> TimelineEntry | None:
    for entry in reversed(entries):
        if entry.action == "request_supplement":
            return entry
    return None


def _display(spec: dict, value: Any) -> str:
    if value in (None, "", [], {}):
        return "—"
    kind = spec.get("kind")
    if kind == Kind.YES_NO:
        return "Có (Yes)" if value in (True, "yes") else "Không (No)"
    if kind == Kind.CHOICE:
        labels = {c["value"]: c["label"] for c in spec.get("choices", [])}
        values = value if isinstance(value, list) else [value]
        return ", ".join(str(labels.get(v, v)) for v in values)
    if kind == Kind.ADDRESS and isinstance(value, dict):
        parts = [value.get("street"), value.get("ward_name"), value.get("province_name")]
        return ", ".join(p for p in parts if p)
    if kind == Kind.DATE and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _label(spec: dict) -> str:
    from procedures.forms_builder import field_label

    return field_label(spec) or spec.get("name", "")


def form_rows(schema: dict, form_data: dict) -> list[FormRow]:
    """The answers in schema order with their schema labels (documents are listed apart)."""
    rows = []
    for spec in schema_fields(schema):
        kind = spec.get("kind")
        name = spec.get("name")
        if kind == Kind.DOCUMENT or name not in (form_data or {}):
            continue
        value = form_data[name]
        if kind == Kind.GROUP:
            children = spec.get("fields") or []
            group_rows = [
                [(_label(c), _display(c, (row or {}).get(c["name"]))) for c in children]
                for row in (value or [])
            ]
            rows.append(FormRow(label=_label(spec), value="", rows=group_rows))
        else:
            rows.append(FormRow(label=_label(spec), value=_display(spec, value)))
    return rows


def dossier_view(dossier: Dossier, *, internal: bool = False) -> DossierView:
    """Everything the dossier page shows, in four queries (documents with their required
    documents' names, events, outputs). ``internal``: with the agency's working documents (the
    back office's page); the citizen's page never lists them."""
    required = {
        RESULT_DRAFT_SLOT: gettext("Dự thảo kết quả (result draft)"),
        **dict(dossier.version.documents.values_list("key", "name")),
    }
    documents = [
        {
            "id": doc.pk,
            "slot": doc.slot,
            "name": required.get(doc.slot, doc.slot),
            "original_name": doc.original_name,
            "content_type": doc.content_type,
            "size": doc.size,
            "created_at": doc.created_at,
        }
        for doc in (
            dossier.documents.all()
            if internal
            else dossier.documents.exclude(slot__in=INTERNAL_SLOTS)
        ).only("slot", "original_name", "content_type", "size", "created_at", "dossier_id")
    ]
    events = dossier.events.all().only(
        "action", "to_status", "actor_id", "note", "data", "created_at", "dossier_id"
    )
    entries = timeline(events, internal=internal)
    outputs = list(dossier.outputs.all().only("kind", "key", "created_at", "dossier_id"))
    return DossierView(
        dossier=dossier,
        form_rows=form_rows(dossier.version.form_schema, dossier.form_data),
        documents=documents,
        timeline=entries,
        outputs=outputs,
        supplement_request=(
            latest_supplement_request(entries)
            if dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
            else None
        ),
    )


# -- public look-up ---------------------------------------------------------------------------
def dossier_for_lookup(code: str) -> Dossier | None:
    """A filed dossier by its code (drafts have none), with what the look-up page may show."""
    code = (code or "").strip().upper()
    if not code:
        return None
    return (
        Dossier.objects.exclude(status=DossierStatus.DRAFT)
        .select_related("agency")
        .only("code", "status", "due_at", "applicant_data", "agency__name")
        .filter(code=code)
        .first()
    )
