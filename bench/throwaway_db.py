"""A throw-away PostgreSQL database for a bench: created on the server ``DATABASE_URL`` points
at, Django configured on it (no Redis, no query log), dropped at the end."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit


def run_in_throwaway_db(prefix: str, body: Callable[[], int], *, keep: bool = False) -> int:
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        print("DATABASE_URL must point at a PostgreSQL server.", file=sys.stderr)
        return 2
    import psycopg

    parts = urlsplit(server_url)
    db_name = f"{prefix}_{os.getpid()}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db_name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{db_name}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["DEBUG"] = "false"  # no query log in memory
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
    os.environ.setdefault("PAYMENT_PROVIDER", "sandbox")
    os.environ.setdefault("PAYMENT_SANDBOX_ALLOWED", "true")
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("CACHE_URL", None)
    try:
        return body()
    finally:
        from django.db import connections

        connections.close_all()
        if not keep:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
