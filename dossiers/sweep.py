"""The deadline sweep (DESIGN §5): set-based SQL over open dossiers, run by Celery beat.

One run, each step a single statement whatever the number of dossiers:

1. **overdue**: ``UPDATE … SET overdue_at … WHERE due_at < now AND overdue_at IS NULL`` (rows
   locked ``SKIP LOCKED`` so concurrent sweeps never mark one twice), with the ``overdue`` events
   (from = to = the current status: not a status change) and their sync-outbox rows in the same
   statement (data-modifying CTEs);
2. **apologies**: ``INSERT … SELECT … ON CONFLICT (dossier, episode) DO NOTHING`` for dossiers
   overdue or due within one working day that have no apology for the current episode; the new
   appointment is the officer's ``expected_result_at`` when recorded, else the apology waits
   for the officer. An apology issued with that date moves the dossier as an officer's would
   (``apologies.apology_set_new_date``): due at the new appointment, the episode counted, not
   overdue any more, an ``apology`` event and its sync-outbox row, in the same statement;
3. **digests**: ``INSERT … ON CONFLICT (agency, day) DO NOTHING`` claims one digest per agency a
   day for agencies with dossiers due soon or apologies waiting for a date;
4. the ids of work to do next (issued apologies not yet mailed, today's unsent digests) — the
   tasks deliver them in chunks; each is idempotent (claims by conditional update).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from dossiers.deadlines import APOLOGY_LEAD_WORKING_DAYS, CLOCK_RUNNING, due_soon_threshold
from dossiers.models import Apology, ApologyState, DigestLog, DossierStatus
from portal.workdays import add_working_days

RUNNING = tuple(sorted(str(s) for s in CLOCK_RUNNING))
BEFORE_RESULT = tuple(sorted(str(s) for s in CLOCK_RUNNING - {DossierStatus.RESULT_READY}))

OVERDUE_SQL = """
WITH candidates AS (
    SELECT id FROM dossiers_dossier
    WHERE due_at < %(now)s AND overdue_at IS NULL AND status = ANY(%(running)s)
    ORDER BY id
    FOR UPDATE SKIP LOCKED
), marked AS (
    UPDATE dossiers_dossier d SET overdue_at = %(now)s
    FROM candidates c WHERE d.id = c.id AND d.overdue_at IS NULL
    RETURNING d.id, d.status, d.code, d.version_id, d.agency_id, d.due_at
), events AS (
    INSERT INTO dossiers_dossierevent
        (dossier_id, action, from_status, to_status, note, data, created_at)
    SELECT id, 'overdue', status, status, 'Quá hạn trả kết quả (overdue)',
           jsonb_build_object('due_at', due_at), %(now)s
    FROM marked
    RETURNING id, dossier_id
), outbox AS (
    INSERT INTO dossiers_syncoutbox (event_id, payload, created_at, attempts, last_error)
    SELECT e.id,
           jsonb_build_object('code', m.code, 'procedure_version', m.version_id,
                              'agency', a.code, 'action', 'overdue', 'from', m.status,
                              'to', m.status, 'at', %(now_iso)s),
           %(now)s, 0, ''
    FROM events e JOIN marked m ON m.id = e.dossier_id
    LEFT JOIN portal_agency a ON a.id = m.agency_id
    RETURNING event_id
)
SELECT count(*) FROM outbox
"""

APOLOGY_SQL = """
WITH created AS (
    INSERT INTO dossiers_apology
        (dossier_id, episode, reason, original_due_at, new_appointment, state, issued_at,
         emailed_at, created_by_id, created_at)
    SELECT d.id, d.late_episodes + 1, '', d.due_at,
           CASE WHEN d.expected_result_at > %(now)s THEN d.expected_result_at END,
           CASE WHEN d.expected_result_at > %(now)s THEN 'issued' ELSE 'waiting_for_date' END,
           CASE WHEN d.expected_result_at > %(now)s THEN %(now)s::timestamptz END,
           NULL, NULL, %(now)s
    FROM dossiers_dossier d
    WHERE d.due_at <= %(apology_before)s
      AND (d.status = ANY(%(before_result)s)
           OR (d.status = ANY(%(running)s) AND d.due_at < %(now)s))
      AND NOT EXISTS (
          SELECT 1 FROM dossiers_apology a
          WHERE a.dossier_id = d.id AND a.episode = d.late_episodes + 1
      )
    ON CONFLICT (dossier_id, episode) DO NOTHING
    RETURNING id, dossier_id, episode, state, original_due_at, new_appointment
), moved AS (
    -- An apology issued here (the officer's expected date is known) does what
    -- apologies.apology_set_new_date does: the dossier is due at the new appointment, the
    -- episode is counted, and the move is an event with its sync-outbox row.
    UPDATE dossiers_dossier d
    SET due_at = c.new_appointment, late_episodes = GREATEST(d.late_episodes, c.episode),
        overdue_at = NULL, expected_result_at = NULL, updated_at = %(now)s
    FROM created c
    -- re-checked after waiting for the row's lock: a dossier a transition took out of the
    -- running statuses meanwhile (withdrawn, completed) is not moved
    WHERE d.id = c.dossier_id AND c.state = 'issued' AND d.status = ANY(%(running)s)
    RETURNING d.id, d.status, d.code, d.version_id, c.episode, c.original_due_at,
              c.new_appointment
), events AS (
    INSERT INTO dossiers_dossierevent
        (dossier_id, action, from_status, to_status, note, data, created_at)
    SELECT id, 'apology', status, status, %(apology_note)s,
           jsonb_build_object('episode', episode, 'old_due_at', original_due_at,
                              'new_due_at', new_appointment),
           %(now)s
    FROM moved
    RETURNING id, dossier_id
), outbox AS (
    INSERT INTO dossiers_syncoutbox (event_id, payload, created_at, attempts, last_error)
    SELECT e.id,
           jsonb_build_object('code', m.code, 'procedure_version', m.version_id,
                              'action', 'apology', 'from', m.status, 'to', m.status,
                              'new_due_at', m.new_appointment, 'at', %(now_iso)s),
           %(now)s, 0, ''
    FROM events e JOIN moved m ON m.id = e.dossier_id
    RETURNING event_id
)
SELECT c.id, c.state, (SELECT count(*) FROM outbox) FROM created c
"""
# The event note of an apology the sweep issues from the officer's expected date.
APOLOGY_NOTE = "Hẹn lại ngày trả kết quả theo ngày dự kiến của cán bộ (new appointment)"

DIGEST_SQL = """
INSERT INTO dossiers_digestlog (agency_id, day, created_at, recipients)
SELECT agency_id, %(day)s, %(now)s, 0 FROM (
    SELECT DISTINCT d.agency_id FROM dossiers_dossier d
    WHERE d.status = ANY(%(running)s) AND d.due_at >= %(now)s AND d.due_at <= %(soon)s
      AND d.overdue_at IS NULL AND d.agency_id IS NOT NULL
    UNION
    SELECT d.agency_id FROM dossiers_apology a JOIN dossiers_dossier d ON d.id = a.dossier_id
    WHERE a.state = 'waiting_for_date' AND d.agency_id IS NOT NULL
      AND d.status = ANY(%(running)s)
) agencies
ON CONFLICT (agency_id, day) DO NOTHING
"""


@dataclass
class SweepResult:
    overdue: int = 0
    apologies_created: int = 0
    apologies_to_deliver: list[int] = field(default_factory=list)
    digests_to_send: list[int] = field(default_factory=list)
    queries: int = 0


def deadline_sweep_run(*, now: datetime | None = None) -> SweepResult:
    """One sweep; safe to run concurrently with another (constraints and row locks decide)."""
    now = now or timezone.now()
    params = {
        "now": now,
        "now_iso": now.isoformat(),
        "running": list(RUNNING),
        "before_result": list(BEFORE_RESULT),
        "apology_before": add_working_days(now, APOLOGY_LEAD_WORKING_DAYS),
        "soon": due_soon_threshold(now=now),
        "day": timezone.localdate(now),
        "apology_note": APOLOGY_NOTE,
    }
    result = SweepResult()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(OVERDUE_SQL, params)
        result.overdue = cursor.fetchone()[0]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(APOLOGY_SQL, params)
        result.apologies_created = len(cursor.fetchall())
        cursor.execute(DIGEST_SQL, params)
    result.apologies_to_deliver = list(
        Apology.objects.filter(state=ApologyState.ISSUED, emailed_at=None)
        .filter(dossier__owner_check_pending=False)  # the address may be mistyped: it waits
        .order_by("id")
        .values_list("id", flat=True)
    )
    result.digests_to_send = list(
        DigestLog.objects.filter(day=params["day"], sent_at=None).values_list("id", flat=True)
    )
    result.queries = 5
    return result


def _apology_form_url(dossier) -> str:
    """Where the officer gives the new date: the apology form of the dossier's back-office page."""
    from django.urls import reverse

    from dossiers.outputs import absolute_url

    url = reverse("dossiers:officer:detail", kwargs={"public_id": dossier.public_id})
    return absolute_url(url + "#action-apology")


def digest_send(*, digest_id: int) -> bool:
    """Mail an agency's day digest once: dossiers due soon, overdue ones, and the apologies
    waiting for a new date, to its reception officers and the specialists assigned to them."""
    from django.contrib.auth import get_user_model
    from django.core.mail import EmailMessage
    from django.db.models import Q

    from dossiers.models import Dossier, EmailLog
    from portal.roles import Role

    digest = DigestLog.objects.select_related("agency").filter(pk=digest_id).first()
    if digest is None or digest.sent_at is not None:
        return False
    now = timezone.now()
    soon = due_soon_threshold(now=now, agency_id=digest.agency_id)
    dossiers = list(
        Dossier.objects.filter(
            agency_id=digest.agency_id, status__in=RUNNING, due_at__lte=soon
        ).order_by("due_at", "id")[:500]
    )
    waiting = list(
        Apology.objects.filter(
            dossier__agency_id=digest.agency_id,
            state=ApologyState.WAITING_FOR_DATE,
            dossier__status__in=RUNNING,
        ).select_related("dossier")[:500]
    )
    User = get_user_model()
    assigned = {d.assigned_to_id for d in dossiers if d.assigned_to_id} | {
        a.dossier.assigned_to_id for a in waiting if a.dossier.assigned_to_id
    }
    recipients = sorted(
        set(
            User.objects.filter(is_active=True)
            .filter(
                Q(officer_profile__agency_id=digest.agency_id, groups__name=Role.RECEPTION)
                | Q(pk__in=assigned)
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    lines = [f"Hồ sơ sắp đến hạn / quá hạn của {digest.agency.name} ngày {digest.day:%d/%m/%Y}:"]
    for d in dossiers:
        state = "QUÁ HẠN" if d.due_at < now else "Sắp đến hạn"
        lines.append(f"- {d.code}: {state}, hạn {timezone.localtime(d.due_at):%H:%M %d/%m/%Y}")
    if waiting:
        lines.append("")
        lines.append("Cần hẹn lại ngày trả kết quả (thư xin lỗi Mẫu 04 đang chờ):")
        lines += [
            f"- {a.dossier.code} (lần trễ hạn {a.episode}): {_apology_form_url(a.dossier)}"
            for a in waiting
        ]
    subject = f"Tổng hợp hồ sơ sắp đến hạn – {digest.agency.name} – {digest.day:%d/%m/%Y}"
    with transaction.atomic():
        claimed = DigestLog.objects.filter(pk=digest_id, sent_at=None).update(
            sent_at=now, recipients=len(recipients)
        )
        if claimed != 1 or not recipients:
            return False
        EmailMessage(subject=subject, body="\n".join(lines) + "\n", to=recipients).send()
        EmailLog.objects.create(
            kind="digest", ref=f"digest:{digest_id}", to=", ".join(recipients), subject=subject
        )
    return True
