"""Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 05), built on demand from a dossier's events.

One row per hand-over (FORMS.md): who handed the dossier over to whom, in which unit, when, and
whether the step was early, on time or late.

=====================  =========================================  ==============================
event                  handed over by → received by                unit (printed with " – ")
=====================  =========================================  ==============================
receive                reception officer → the deciding unit       Bộ phận TN&TKQ → chuyên môn
                       (who distributes it: the next ``assign``'s
                       actor, or its assignee when reception
                       assigns itself)
assign                 the assigning officer → the specialist       Bộ phận chuyên môn
propose                specialist → the approver (who decided)      chuyên môn → lãnh đạo
approve / reject       approver → reception (who returned it)       lãnh đạo → Bộ phận TN&TKQ
return_result          reception officer → the citizen              Bộ phận TN&TKQ → công dân
request_supplement     officer → the citizen (the items in notes)   … → công dân
resubmit               the citizen → the officer who asked          công dân → …
refuse                 reception officer → the citizen (reasons)    Bộ phận TN&TKQ → công dân
withdraw               the citizen → reception (reason)             công dân → Bộ phận TN&TKQ
=====================  =========================================  ==============================

The step result. FORMS.md judges a step against its own time limit where the procedure defines
one; ``ProcedureVersion`` defines none, so every hand-over by the agency is judged against the
appointment in force when it happened, in office time (``settings.TIME_ZONE``): the one set at
reception, then the one each resubmit (the clock stood still for a supplement) or apology moved
it to (their events' ``old_due_at`` / ``new_due_at``), so a step late against the first
appointment stays late after an apology sets a new one:

- handed over after ``due_at`` (to the second): **Trễ hạn** (late);
- handed over on a calendar day before the due date: **Trước hạn** (early);
- handed over on the due date, at or before ``due_at``: **Đúng hạn** (on time);
- no result ("—") when there is no appointment yet (a refusal or supplement request before
  reception) and for the citizen's own hand-overs (resubmit, withdraw): the citizen's time is not
  the agency's.

``control_sheet_pdf(dossier)`` renders it (``templates/pdf/form_05_control_sheet.html``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from dossiers.models import Dossier, DossierEvent
from dossiers.outputs import RECEPTION_UNIT, dossier_outputs_context, person_name

EARLY = "Trước hạn"
ON_TIME = "Đúng hạn"
LATE = "Trễ hạn"

SPECIALIST_UNIT = "Bộ phận chuyên môn"
APPROVER_UNIT = "Lãnh đạo cơ quan"
CITIZEN = "Công dân"
# Between the unit handing over and the unit receiving (the column header says so). An en dash,
# not an arrow: the embedded font has no arrows, and a missing glyph makes WeasyPrint embed a
# system font as well (tests/dossiers/test_pdf.py checks every template prints with ours alone).
HANDOVER = " – "

CITIZEN_ACTIONS = frozenset({"resubmit", "withdraw"})
STEP_LABELS = {
    "receive": "Tiếp nhận, chuyển hồ sơ giải quyết",
    "assign": "Phân công xử lý",
    "propose": "Trình phê duyệt",
    "approve": "Phê duyệt, chuyển trả kết quả",
    "reject": "Không giải quyết, chuyển trả",
    "return_result": "Trả kết quả",
    "request_supplement": "Yêu cầu bổ sung hồ sơ",
    "resubmit": "Nộp bổ sung hồ sơ",
    "refuse": "Từ chối tiếp nhận",
    "withdraw": "Rút hồ sơ",
}


@dataclass(frozen=True)
class Row:
    """One hand-over of Mẫu 05."""

    action: str
    step: str
    unit: str  # "<unit handing over> – <unit receiving>" (HANDOVER)
    handed_by: str
    received_by: str
    at: datetime
    result: str  # EARLY, ON_TIME, LATE or "" (not judged)
    note: str


def step_result(*, at: datetime, due_at: datetime | None) -> str:
    """Trước hạn / Đúng hạn / Trễ hạn of a hand-over at ``at`` (see the module docstring)."""
    if due_at is None:
        return ""
    if at > due_at:
        return LATE
    if timezone.localdate(at) < timezone.localdate(due_at):
        return EARLY
    return ON_TIME


def _next(events: list[DossierEvent], i: int, actions: set[str]) -> DossierEvent | None:
    return next((e for e in events[i + 1 :] if e.action in actions), None)


def _previous(events: list[DossierEvent], i: int, actions: set[str]) -> DossierEvent | None:
    return next((e for e in reversed(events[:i]) if e.action in actions), None)


def _supplement_note(event: DossierEvent) -> str:
    items = (event.data or {}).get("items") or []
    if not items:
        return event.note
    return "Bổ sung: " + "; ".join(f"{i.get('what', '')} ({i.get('reason', '')})" for i in items)


def _when(value) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _appointments(events: list[DossierEvent], final_due: datetime | None) -> list:
    """The appointment in force at each event: none before reception; from reception, the one
    set then (the first move's ``old_due_at``, else the dossier's ``due_at``); after a resubmit
    or an apology that moved it, its ``new_due_at``."""
    moves = [e for e in events if e.action in ("resubmit", "apology") and _when(_data(e, "new"))]
    current: datetime | None = None
    in_force = []
    for event in events:
        if event.action == "receive":
            later = [m for m in moves if m.pk > event.pk and _when(_data(m, "old"))]
            current = _when(_data(later[0], "old")) if later else final_due
        elif event in moves and current is not None:
            current = _when(_data(event, "new"))
        in_force.append(current)
    return in_force


def _data(event: DossierEvent, which: str):
    return (event.data or {}).get(f"{which}_due_at")


def control_sheet_rows(dossier: Dossier) -> list[Row]:
    """The hand-overs of ``dossier`` in order, from its event history (one query for the events,
    one for the assignees)."""
    events = list(
        DossierEvent.objects.filter(dossier=dossier).select_related("actor").order_by("id")
    )
    assignee_ids = {e.data.get("assignee") for e in events if e.action == "assign" and e.data}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=assignee_ids - {None})}
    citizen = (dossier.applicant_data or {}).get("full_name") or person_name(dossier.applicant)
    appointments = _appointments(events, dossier.due_at)
    rows: list[Row] = []
    for i, event in enumerate(events):
        action = event.action
        if action not in STEP_LABELS:
            continue
        by = person_name(event.actor)
        note = event.note
        if action == "receive":
            unit = f"{RECEPTION_UNIT}{HANDOVER}{SPECIALIST_UNIT}"
            nxt = _next(events, i, {"assign"})
            to = SPECIALIST_UNIT
            if nxt is not None:
                if nxt.actor_id != event.actor_id:
                    to = person_name(nxt.actor)
                else:
                    to = person_name(users.get((nxt.data or {}).get("assignee"))) or to
        elif action == "assign":
            unit = SPECIALIST_UNIT
            to = person_name(users.get((event.data or {}).get("assignee"))) or SPECIALIST_UNIT
        elif action == "propose":
            unit = f"{SPECIALIST_UNIT}{HANDOVER}{APPROVER_UNIT}"
            nxt = _next(events, i, {"approve", "reject"})
            to = person_name(nxt.actor) if nxt is not None else APPROVER_UNIT
        elif action in ("approve", "reject"):
            unit = f"{APPROVER_UNIT}{HANDOVER}{RECEPTION_UNIT}"
            nxt = _next(events, i, {"return_result"})
            to = person_name(nxt.actor) if nxt is not None else RECEPTION_UNIT
        elif action == "return_result":
            unit = f"{RECEPTION_UNIT}{HANDOVER}{CITIZEN}"
            to = citizen
        elif action == "request_supplement":
            unit = f"{SPECIALIST_UNIT if event.from_status == 'in_review' else RECEPTION_UNIT}{HANDOVER}{CITIZEN}"
            to = citizen
            note = _supplement_note(event)
        elif action == "resubmit":
            asked = _previous(events, i, {"request_supplement"})
            unit = f"{CITIZEN}{HANDOVER}{SPECIALIST_UNIT if event.to_status == 'in_review' else RECEPTION_UNIT}"
            to = person_name(asked.actor) if asked is not None else RECEPTION_UNIT
            note = note or "Thời gian bổ sung không tính vào thời hạn giải quyết"
        elif action == "refuse":
            unit = f"{RECEPTION_UNIT}{HANDOVER}{CITIZEN}"
            to = citizen
        else:  # withdraw
            unit = f"{CITIZEN}{HANDOVER}{RECEPTION_UNIT}"
            to = RECEPTION_UNIT
        rows.append(
            Row(
                action=action,
                step=STEP_LABELS[action],
                unit=unit,
                handed_by=by,
                received_by=to,
                at=event.created_at,
                result=""
                if action in CITIZEN_ACTIONS
                else step_result(at=event.created_at, due_at=appointments[i]),
                note=note,
            )
        )
    return rows


def control_sheet_context(dossier: Dossier) -> dict[str, Any]:
    """The context of ``pdf/form_05_control_sheet.html``."""
    return {
        **dossier_outputs_context(dossier),
        "issued_at": timezone.now(),
        "rows": control_sheet_rows(dossier),
    }


def control_sheet_pdf(dossier: Dossier) -> bytes:
    """Mẫu 05 of ``dossier`` as PDF, rendered now from its events (not stored)."""
    from dossiers.pdf import render_pdf

    return render_pdf("pdf/form_05_control_sheet.html", control_sheet_context(dossier))
