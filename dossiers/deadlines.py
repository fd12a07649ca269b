"""Due dates of dossiers (DESIGN §5). The working-day arithmetic lives in portal/workdays.py.

Everything about time left is decided here, once:

* the due date on receipt (:func:`due_at_for`), and after a supplement request stopped the clock
  (:func:`due_at_after_resume`: the version's ``supplement_clock`` says restart or continue);
* the time-left status of a dossier (:func:`time_left_status`, in Python) and the same rule as a
  SQL expression for querysets (:func:`time_left_annotation`), both built on
  :func:`due_soon_threshold`;
* whether a returned result was late (:func:`returned_late`).

``ProcedureVersion`` defines no per-step time limits, so there are no internal step targets yet.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Case, CharField, Q, Value, When
from django.utils import timezone

from dossiers.models import Dossier, DossierStatus
from portal.workdays import (
    add_office_time,
    add_working_days,
    office_time_between,
)

ON_TRACK = "on_track"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
TIME_LEFT_LABELS = {
    ON_TRACK: "Còn hạn",
    DUE_SOON: "Sắp đến hạn",
    OVERDUE: "Quá hạn",
}
# Statuses in which the clock runs (submitted: not yet received; supplement: clock stopped;
# final statuses: the dossier has left the clock).
CLOCK_RUNNING = frozenset(
    {
        DossierStatus.RECEIVED,
        DossierStatus.IN_REVIEW,
        DossierStatus.AWAITING_APPROVAL,
        DossierStatus.RESULT_READY,
    }
)
# An apology is due no later than this many working days before the due date (FORMS.md).
APOLOGY_LEAD_WORKING_DAYS = 1


def due_soon_working_days() -> int:
    return int(getattr(settings, "DUE_SOON_WORKING_DAYS", 1))


def due_at_for(*, dossier: Dossier, start: datetime) -> datetime:
    """Appointment for the result: ``start`` + the version's processing time in working days."""
    return add_working_days(start, dossier.version.processing_days, agency_id=dossier.agency_id)


def due_at_after_resume(*, dossier: Dossier, now: datetime) -> datetime:
    """The due date when a citizen resubmits after a supplement request stopped the clock.

    ``restart``: the full processing time again from ``now``. ``continue``: the time that was
    left when the clock stopped (``clock_paused_at`` → old ``due_at``), from ``now``: counted in
    office time, so that a part of a day left is not lost nor rounded up (paused Wed 10:01 with
    the dossier due Mon 10:00, resumed Wed 10:02: due Mon 10:01).
    """
    from procedures.models import SupplementClock

    if dossier.version.supplement_clock == SupplementClock.CONTINUE:
        left = office_time_between(
            dossier.clock_paused_at, dossier.due_at, agency_id=dossier.agency_id
        )
        return add_office_time(now, left, agency_id=dossier.agency_id)
    return due_at_for(dossier=dossier, start=now)


def due_soon_threshold(*, now: datetime | None = None, agency_id: int | None = None) -> datetime:
    """Due at or before this moment (and not yet overdue) = due soon."""
    now = now or timezone.now()
    return add_working_days(now, due_soon_working_days(), agency_id=agency_id)


def time_left_status(
    *, due_at: datetime | None, now: datetime | None = None, agency_id: int | None = None
) -> str | None:
    """``on_track`` / ``due_soon`` (≤ DUE_SOON_WORKING_DAYS working days left) / ``overdue``;
    None without a due date."""
    if due_at is None:
        return None
    now = now or timezone.now()
    if due_at < now:
        return OVERDUE
    if due_at <= due_soon_threshold(now=now, agency_id=agency_id):
        return DUE_SOON
    return ON_TRACK


def dossier_time_left(dossier: Dossier, *, now: datetime | None = None) -> str | None:
    """The time-left status of a dossier whose clock runs (None otherwise)."""
    if dossier.status not in CLOCK_RUNNING:
        return None
    return time_left_status(due_at=dossier.due_at, now=now, agency_id=dossier.agency_id)


def time_left_label(status: str | None) -> str:
    return TIME_LEFT_LABELS.get(status or "", "")


def time_left_annotation(*, now: datetime | None = None) -> Case:
    """The same rule as :func:`time_left_status` as a SQL expression (queues):
    ``queryset.annotate(time_left=time_left_annotation())``. The threshold uses the national
    calendar (agency exceptions are per row in Python only)."""
    now = now or timezone.now()
    running = Q(status__in=CLOCK_RUNNING, due_at__isnull=False)
    return Case(
        When(running & Q(due_at__lt=now), then=Value(OVERDUE)),
        When(running & Q(due_at__lte=due_soon_threshold(now=now)), then=Value(DUE_SOON)),
        When(running, then=Value(ON_TRACK)),
        default=Value(None),
        output_field=CharField(),
    )


def returned_late(*, dossier: Dossier, at: datetime) -> bool:
    """A result returned after its due date — or after an apology moved it — is late for good."""
    return bool(
        (dossier.due_at is not None and at > dossier.due_at)
        or dossier.overdue_at is not None
        or dossier.late_episodes > 0
    )
