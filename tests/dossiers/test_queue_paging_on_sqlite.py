"""The demo runs on SQLite (README's first command): its queues must page as PostgreSQL's do.

SQLite refuses ``LIMIT`` inside ``UNION ALL`` and stores datetimes as text, so a cursor inside
the dated part of a queue takes another path there (``queues.queue_page``). This runs the keyset
paging test of ``test_officer_queues.py`` in a child pytest on a SQLite database.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_keyset_paging_works_on_the_demo_database(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/dossiers/test_officer_queues.py",
            "-k",
            "test_keyset_pages_go_by_due_date_with_undated_last_and_no_offset",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
