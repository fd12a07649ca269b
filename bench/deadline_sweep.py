"""The deadline sweep at city scale: 1,000,000 open dossiers across 168 ward agencies.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/deadline_sweep.py
    ... bench/deadline_sweep.py --quick        # 100,000 dossiers, well under a minute
    ... bench/deadline_sweep.py --rows 250000

The script creates its own throw-away database on the server DATABASE_URL points at (and drops it
at the end), migrates it and loads the dossiers with one ``INSERT … SELECT generate_series``:
statuses spread over the four "clock running" statuses; due dates spread over the next four
weeks, ~1 % newly overdue (due in the last hours, not yet marked), ~2 % overdue for days already
(marked, with their apology). It then times:

* **ours**: one full ``dossiers.sweep.deadline_sweep_run`` (mark overdue + events + outbox,
  create apologies, claim digests, list the work for the delivery tasks) — the PDF rendering and
  mailing of letters run afterwards in chunked tasks and are not part of the sweep;
* **naive**: the same decisions in a Python loop per open dossier (time-left status in Python,
  then per-row ORM writes and an apology look-up), in a transaction rolled back at the end. On a
  sample when the full loop would run for minutes, extrapolated linearly (said in the output).

The last line printed is one JSON object:
``{"dossiers": N, "sweep_s": …, "naive_s": …, "ratio": …, "queries": …}``.
Targets: sweep_s ≤ 5, ratio ≥ 50.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

N_AGENCIES = 168
NAIVE_SAMPLE = 3_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="100,000 dossiers")
    parser.add_argument("--rows", type=int, default=None, help="number of open dossiers")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()
    rows = args.rows or (100_000 if args.quick else 1_000_000)

    from throwaway_db import run_in_throwaway_db

    return run_in_throwaway_db("bench_deadline", lambda: run(rows), keep=args.keep)


def _load(rows: int, *, version_id: int, applicant_id: int, agency_ids: list[int], now) -> None:
    """One INSERT … SELECT generate_series for the dossiers, one for the old apologies."""
    from django.db import connection, models

    from dossiers.models import Dossier

    exprs = {
        "public_id": "md5('bench' || i)::uuid",
        "code": "'BENCH-' || lpad(i::text, 8, '0')",
        "version_id": str(version_id),
        "applicant_id": str(applicant_id),
        "agency_id": f"(ARRAY{agency_ids})[1 + (i::bigint * 7919) %% {len(agency_ids)}]",
        "channel": "'online'",
        "result_delivery": "'online'",
        "status": "(ARRAY['received','in_review','in_review','awaiting_approval','result_ready'])"
        "[1 + (i / 100) %% 5]",
        "received_at": "%(now)s - interval '10 days'",
        "submitted_at": "%(now)s - interval '11 days'",
        # ~1 % newly overdue (due in the last 5 hours), ~2 % overdue for days (marked), the
        # rest due over the next 28 days.
        "due_at": "CASE WHEN i %% 100 = 0 THEN %(now)s - (1 + i %% 300) * interval '1 minute' "
        "WHEN i %% 100 IN (1, 2) THEN %(now)s - (1 + i %% 9) * interval '1 day' "
        "ELSE %(now)s + (i %% 40320) * interval '1 minute' END",
        "overdue_at": "CASE WHEN i %% 100 IN (1, 2) THEN %(now)s - interval '12 hours' END",
        "applicant_data": '\'{"full_name": "Nguyễn Văn A"}\'::jsonb',
    }
    columns, values = [], []
    for field in Dossier._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(f'"{field.column}"')
        if field.attname in exprs:
            values.append(exprs[field.attname])
        elif field.null:
            values.append("NULL")
        elif isinstance(field, models.JSONField):
            values.append("'{}'::jsonb")
        elif isinstance(field, models.BooleanField):
            values.append("false")
        elif isinstance(field, (models.IntegerField,)):
            values.append("0")
        elif isinstance(field, models.DateTimeField):
            values.append("%(now)s")
        else:
            values.append("''")
    sql = (
        f"INSERT INTO dossiers_dossier ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(values)} FROM generate_series(1, %(rows)s) AS i"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"now": now, "rows": rows})
        cursor.execute(
            "INSERT INTO dossiers_apology (dossier_id, episode, reason, original_due_at, "
            "new_appointment, state, issued_at, emailed_at, created_at) "
            "SELECT id, 1, 'Chờ xác minh', due_at, due_at + interval '7 days', 'issued', "
            "%(now)s, %(now)s, %(now)s FROM dossiers_dossier WHERE overdue_at IS NOT NULL",
            {"now": now},
        )
        cursor.execute("ANALYZE")


def naive_sweep(*, now, stride: int) -> tuple[float, int]:
    """A Python loop per open dossier doing what the sweep decides; returns (seconds, rows).

    ``stride`` > 1: every stride-th dossier only (a sample spread over all due dates)."""
    from django.db import transaction
    from django.db.models import F

    from dossiers import deadlines
    from dossiers.models import Apology, Dossier, DossierEvent, SyncOutbox
    from portal.workdays import add_working_days

    started = time.perf_counter()
    seen = 0
    digests: set[int] = set()
    with transaction.atomic():
        queryset = Dossier.objects.filter(status__in=deadlines.CLOCK_RUNNING).order_by("id")
        if stride > 1:
            queryset = queryset.alias(sample=F("id") % stride).filter(sample=0)
        for dossier in queryset.iterator(chunk_size=2000):
            seen += 1
            state = deadlines.time_left_status(
                due_at=dossier.due_at, now=now, agency_id=dossier.agency_id
            )
            if state == deadlines.OVERDUE and dossier.overdue_at is None:
                dossier.overdue_at = now
                dossier.save(update_fields=["overdue_at"])
                event = DossierEvent.objects.create(
                    dossier=dossier,
                    action="overdue",
                    from_status=dossier.status,
                    to_status=dossier.status,
                )
                SyncOutbox.objects.create(event=event, payload={"code": dossier.code})
            if state == deadlines.DUE_SOON:
                digests.add(dossier.agency_id)
            if dossier.due_at <= add_working_days(now, 1, agency_id=dossier.agency_id):
                Apology.objects.get_or_create(
                    dossier=dossier,
                    episode=dossier.late_episodes + 1,
                    defaults={"original_due_at": dossier.due_at},
                )
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed, seen


def run(rows: int) -> int:
    import logging

    import django

    django.setup()
    logging.getLogger().setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from dossiers.deadlines import CLOCK_RUNNING
    from dossiers.models import Dossier
    from dossiers.sweep import deadline_sweep_run
    from portal.models import AdministrativeUnit, Agency, User
    from procedures.models import Procedure, ProcedureVersion

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    city = AdministrativeUnit.objects.create(
        code="79", name="TP HCM", level="province", division_type="tp"
    )
    agencies = Agency.objects.bulk_create(
        Agency(code=f"W{i:04d}", name=f"UBND phường {i}", kind="ward", admin_unit=city)
        for i in range(N_AGENCIES)
    )
    applicant = User.objects.create(email="bench@example.vn", full_name="Nguyễn Văn A")
    procedure = Procedure.objects.create(
        code="1.000001",
        name="Đăng ký khai sinh",
        field="civil_status",
        agency_level="ward",
        online_level="full",
    )
    version = ProcedureVersion.objects.create(
        procedure=procedure, number=1, processing_days=5, fee_kind="free", fee_amount=0
    )
    now = timezone.now()
    _load(
        rows,
        version_id=version.pk,
        applicant_id=applicant.pk,
        agency_ids=[a.pk for a in agencies],
        now=now,
    )
    open_rows = Dossier.objects.filter(status__in=CLOCK_RUNNING).count()
    print(f"setup: {rows} dossiers ({open_rows} open) in {time.perf_counter() - started:.1f} s")

    # The naive loop first, rolled back, so both see the same data.
    stride = max(1, open_rows // NAIVE_SAMPLE)
    naive_elapsed, seen = naive_sweep(now=now, stride=stride)
    naive_s = naive_elapsed * open_rows / max(seen, 1)
    if stride > 1:
        print(
            f"naive: {seen} dossiers (every {stride}th) in {naive_elapsed:.2f} s, extrapolated "
            f"to {open_rows}: "
            f"{naive_s:.1f} s (a full loop would run for minutes)"
        )
    else:
        print(f"naive: {seen} dossiers in {naive_s:.2f} s")

    with CaptureQueriesContext(connection) as queries:
        t0 = time.perf_counter()
        result = deadline_sweep_run(now=now)
        sweep_s = time.perf_counter() - t0
    statements = [
        q for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    print(
        f"sweep: {result.overdue} marked overdue, {result.apologies_created} apologies created, "
        f"{len(result.digests_to_send)} digests claimed, in {sweep_s:.2f} s "
        f"({len(statements)} statements)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT id FROM dossiers_dossier WHERE due_at < %s AND overdue_at IS NULL "
            "AND status = ANY(%s)",
            [now, list(CLOCK_RUNNING)],
        )
        plan = " ".join(r[0] for r in cursor.fetchall())
    print("overdue scan uses dossier_deadline_open_idx:", "dossier_deadline_open_idx" in plan)
    print(
        json.dumps(
            {
                "dossiers": rows,
                "sweep_s": round(sweep_s, 3),
                "naive_s": round(naive_s, 1),
                "ratio": round(naive_s / sweep_s, 1),
                "queries": len(statements),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
