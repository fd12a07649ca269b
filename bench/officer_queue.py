"""The reception queue of one ward on 1,000,000 dossiers: our page vs the Django admin changelist.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/officer_queue.py
    ... bench/officer_queue.py --quick     # 100,000 dossiers, under a minute

The script creates its own throw-away database on the server DATABASE_URL points at
(``portal_bench_officer_<pid>``), migrates it, loads 168 ward agencies and the dossiers with one
``INSERT … SELECT generate_series`` (every status; received dossiers due from 10 days ago to 30
days ahead; submitted ones, the reception queue, have no due date yet), ANALYZEs, measures, and
drops the database. Measured, for the reception queue of one ward sorted by due date (p50 of
``--repeat`` runs, whole requests through Django's test client, officers logged in with TOTP):

- ours: ``/officer/queues/reception/`` page 1, and page 50 (its keyset cursor);
- admin: ``/admin/dossiers/dossier/?agency__id__exact=…&status__exact=submitted&o=6`` (due date);
- the SQL our page runs (``connection.execute_wrapper``): the row query and all queries;
- the same row query written by hand and run through psycopg (the floor; psycopg prepares a
  statement it has run 5 times, so from then on PostgreSQL does not plan it again), timed in
  each round like the pages (see ``RawFloor``).

The last line is one JSON object (see the keys at the end of ``main``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WARDS = 168
STATUSES = [
    "submitted",
    "received",
    "in_review",
    "awaiting_approval",
    "supplement_requested",
    "result_ready",
    "completed",
    "completed",
]  # ~1/8 each (completed twice: most dossiers of a year are done) — plus submitted below


def _with_db(url: str, name: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path="/" + name))


def _admin_conn(url: str):
    import psycopg

    return psycopg.connect(_with_db(url, "postgres"), autocommit=True)


def p50(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def load(n: int) -> tuple[int, list[int]]:
    """Agencies, one procedure, one applicant, ``n`` dossiers. Returns (ward agency id, ids).

    The benched ward is a busy one: 3 % of all dossiers, a third of them waiting at reception
    (so its reception queue has more than 50 pages even with ``--quick``); the other 167 wards
    share the rest, every status about equally."""
    from django.db import connection
    from django.utils import timezone

    from tests.factories import AgencyFactory, UserFactory
    from tests.factories.procedures import published_version

    agencies = [AgencyFactory() for _ in range(WARDS)]
    version = published_version(agencies=agencies)
    applicant = UserFactory(roles=["citizen"])
    ids = [a.pk for a in agencies]
    status_sql = "ARRAY[" + ",".join(f"'{s}'" for s in ["submitted", *STATUSES]) + "]"
    now = timezone.now()
    from dossiers.models import Dossier

    columns = (
        "public_id, code, version_id, applicant_id, applicant_data, agency_id, channel, "
        "result_delivery, delivery_address, form_data, status, resume_status, draft_step, "
        "draft_values, created_at, updated_at, submitted_at, received_at, due_at, claimed_status"
    )
    # Other NOT NULL columns (added by other features) get their model default.
    named = {c.strip() for c in columns.split(",")} | {"id"}
    others = [f for f in Dossier._meta.concrete_fields if f.column not in named and not f.null]
    extra_cols = "".join(f", {f.column}" for f in others)
    extra_vals = "".join(f", %(x{i})s" for i in range(len(others)))
    extra_params = {
        f"x{i}": f.get_db_prep_save(f.get_default(), connection) for i, f in enumerate(others)
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO dossiers_dossier ({columns}{extra_cols})
            SELECT md5(i::text)::uuid, 'B' || lpad(i::text, 8, '0'), %(version)s, %(applicant)s,
                   jsonb_build_object('full_name', 'Nguyễn Văn ' || i,
                                      'citizen_id', lpad(i::text, 12, '0')),
                   CASE WHEN i %% 33 = 0 THEN (%(agencies)s::int[])[1]
                        ELSE (%(agencies)s::int[])[2 + (i %% {WARDS - 1})] END,
                   CASE WHEN i %% 5 = 0 THEN 'counter' ELSE 'online' END, 'online', '', '{{}}',
                   s.status, '', '', '{{}}',
                   %(now)s - (i %% 400) * interval '1 hour', %(now)s,
                   %(now)s - (i %% 400) * interval '1 hour',
                   CASE WHEN s.status = 'submitted' THEN NULL
                        ELSE %(now)s - (i %% 400) * interval '1 hour' END,
                   CASE WHEN s.status = 'submitted' THEN NULL
                        ELSE %(now)s + ((i::bigint * 7919) %% 40 - 10) * interval '1 day'
                             + (i %% 1440) * interval '1 minute' END,
                   ''{extra_vals}
            FROM generate_series(1, %(n)s) AS i,
                 LATERAL (SELECT CASE WHEN i %% 33 = 0 AND (i / 33) %% 3 = 0 THEN 'submitted'
                                      ELSE ({status_sql})[1 + ((i / {WARDS}) %% 9)] END
                          AS status) AS s
            """,  # noqa: S608 — constants only; values are bound
            {
                "version": version.pk,
                "applicant": applicant.pk,
                "agencies": ids,
                "now": now,
                "n": n,
                **extra_params,
            },
        )
        cursor.execute("VACUUM ANALYZE dossiers_dossier")
    return ids[0], ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 dossiers")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    n = args.rows or (100_000 if args.quick else 1_000_000)
    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
    db_name = f"portal_bench_officer_{os.getpid()}"
    with _admin_conn(base_url) as conn:
        conn.execute(f'CREATE DATABASE "{db_name}"')
    os.environ["DATABASE_URL"] = _with_db(base_url, db_name)
    for key, value in {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "*",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
        "EMAIL_URL": "consolemail://",
        "PAYMENT_PROVIDER": "sandbox",
        "PAYMENT_SANDBOX_ALLOWED": "true",
        # As in production: sessions and the cache in Redis (database 3 by default).
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/3"),
    }.items():
        os.environ.setdefault(key, value)
    started = time.perf_counter()
    try:
        return run(n, args.repeat, db_name)
    finally:
        from django.db import connections

        connections.close_all()
        with _admin_conn(base_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        print(f"total {time.perf_counter() - started:.1f} s", file=sys.stderr)


def run(n: int, repeat: int, db_name: str) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.db import connection
    from django.test import Client

    from dossiers import queues
    from portal.models import Agency
    from tests.factories import make_officer

    t0 = time.perf_counter()
    agency_id, _ = load(n)
    print(f"loaded {n} dossiers in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    agency = Agency.objects.get(pk=agency_id)
    officer = make_officer(agency=agency, roles=["reception_officer"], with_totp=True)
    admin_user = make_officer(agency=agency, roles=["catalog_admin"], with_totp=True)
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    ours, admin = Client(), Client()
    ours.force_login(officer)  # has TOTP: the back-office guard lets them in
    admin.force_login(admin_user)

    url = "/officer/queues/reception/"
    # page 50: follow the cursors (not timed)
    after = None
    queue = queues.QUEUES["reception"]
    for _ in range(49):
        page = queues.queue_page(queue=queue, agency=agency, user=officer, after=after)
        after = queues.cursor_decode(page.next_cursor)
    assert after is not None, "the reception queue has fewer than 50 pages"
    url50 = f"{url}?after={queues.cursor_encode(page.rows[-1])}"
    admin_url = (
        f"/admin/dossiers/dossier/?agency__id__exact={agency_id}&status__exact=submitted&o=6"
    )

    def timed(client, path, capture=None):
        start = time.perf_counter()
        if capture is not None:
            with connection.execute_wrapper(capture):
                response = client.get(path)
        else:
            response = client.get(path)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (path, response.status_code)
        return elapsed

    for client, path in ((ours, url), (ours, url50), (admin, admin_url)):
        timed(client, path)  # warm up
    ours_ms, ours50_ms, admin_ms, row_ms, all_ms, nqueries, raw_ms = [], [], [], [], [], [], []
    raw = RawFloor(agency_id)
    row_sql = {}
    for _ in range(repeat):
        queries = []

        def capture(execute, sql, params, many, context, queries=queries):
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                queries.append((sql, params, (time.perf_counter() - start) * 1000))

        ours_ms.append(timed(ours, url, capture))
        rows = [
            q
            for q in queries
            if "UNION ALL" in q[0] or ("dossiers_dossier" in q[0] and "LIMIT 21" in q[0])
        ]
        row_ms.append(sum(q[2] for q in rows))
        all_ms.append(sum(q[2] for q in queries))
        nqueries.append(len(queries))
        row_sql.setdefault("sql", rows[0][0] if rows else "")
        raw_ms.append(raw.run())
        ours50_ms.append(timed(ours, url50))
        admin_ms.append(timed(admin, admin_url))

    raw.close()
    result = {
        "dossiers": n,
        "ours_p50_ms": p50(ours_ms),
        "ours_page50_p50_ms": p50(ours50_ms),
        "admin_p50_ms": p50(admin_ms),
        "ours_row_sql_p50_ms": p50(row_ms),
        "ours_all_sql_p50_ms": p50(all_ms),
        "raw_sql_p50_ms": p50(raw_ms),
        "ratio_vs_admin": round(p50(admin_ms) / p50(ours_ms), 2),
        "queries_per_page": max(nqueries),
    }
    print(json.dumps(result))
    return 0


RAW_SQL = """
SELECT d.id, d.public_id, d.code, d.version_id, d.applicant_data, d.agency_id, d.channel,
       d.status, d.assigned_to_id, d.submitted_at, d.received_at, d.due_at, d.claimed_by_id,
       d.claimed_status,
       (SELECT f.status FROM payments_dossierfee f WHERE f.dossier_id = d.id LIMIT 1),
       u.id, u.full_name, c.id, c.full_name
  FROM dossiers_dossier d
  LEFT JOIN portal_user u ON u.id = d.assigned_to_id
  LEFT JOIN portal_user c ON c.id = d.claimed_by_id
 WHERE d.agency_id = %(agency)s AND d.status = 'submitted'
 ORDER BY d.due_at ASC NULLS LAST, d.id
 LIMIT 21
"""


class RawFloor:
    """The hand-written row query on its own psycopg connection (psycopg prepares a statement
    it has run 5 times: from then on PostgreSQL neither parses nor plans it). Timed once per
    round, between our page and the admin's, so that both run under the same conditions — a
    query run in a tight loop finds its server process awake and measures faster than the same
    query issued once per request."""

    def __init__(self, agency_id: int) -> None:
        import psycopg

        self.params = {"agency": agency_id}
        self.conn = psycopg.connect(os.environ["DATABASE_URL"])
        self.cursor = self.conn.cursor()
        for _ in range(6):  # prepared from here on
            self.run()

    def run(self) -> float:
        start = time.perf_counter()
        self.cursor.execute(RAW_SQL, self.params)
        self.cursor.fetchall()
        return (time.perf_counter() - start) * 1000

    def close(self) -> None:
        self.conn.close()


if __name__ == "__main__":
    sys.exit(main())
