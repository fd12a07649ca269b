"""The demo runs on SQLite (README's first command); the suite on PostgreSQL. Code with a path
of its own for SQLite is tested here on SQLite too, by a child pytest on a SQLite database:

- queue paging: SQLite refuses ``LIMIT`` inside ``UNION ALL`` and stores datetimes as text, so a
  cursor inside the dated part of a queue takes another path there (``queues.queue_page``);
- the request's user: ``portal.auth.load_user`` writes its query for each vendor and converts
  SQLite's text dates and integer booleans as the ORM does.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


CHOSEN = {
    "tests/dossiers/test_officer_queues.py": [
        "test_keyset_pages_go_by_due_date_with_undated_last_and_no_offset"
    ],
    "tests/portal/test_auth_backend.py": [
        "test_the_one_query_builds_what_the_orm_would",
        "test_a_user_without_profile_is_known_to_have_none",
    ],
}


def test_code_with_a_sqlite_path_works_on_the_demo_database(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            *[f"{path}::{name}" for path, names in CHOSEN.items() for name in names],
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert f"{sum(map(len, CHOSEN.values()))} passed" in result.stdout
