"""Shared fixtures. The suite runs on PostgreSQL + Redis (scripts/test sets the env)."""

from __future__ import annotations

import os

import pytest

from tests.factories import (
    AgencyFactory,
    UserFactory,
    make_officer,
    totp_code,
)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2's deliberate slowness costs ~0.5 s a user; tests do not need it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clean_cache():
    """The cache is a Redis database of its own in tests (CACHE_URL); rate limits must not leak."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (Vietnamese): a request of an earlier test in
    English leaves English active in the thread, as Django's test client does not reset it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _eager_tasks(settings):
    """Tasks run in-process unless a test starts a real worker (see tests/portal/test_celery.py)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from portal.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = True


@pytest.fixture
def agency(db):
    return AgencyFactory()


@pytest.fixture
def other_agency(db):
    return AgencyFactory()


@pytest.fixture
def citizen(db):
    return UserFactory(roles=["citizen"])


@pytest.fixture
def officer(agency):
    return make_officer(agency=agency, roles=["reception_officer"], with_totp=True)


@pytest.fixture
def officer_without_mfa(agency):
    return make_officer(agency=agency, roles=["reception_officer"], with_totp=False)


@pytest.fixture
def mfa_client(client):
    """A test client logged in through allauth's MFA step for a given officer."""

    def login(user, password="Pass-word-2026!"):
        response = client.post("/accounts/login/", {"login": user.email, "password": password})
        assert response.status_code == 302, response.content[:500]
        if response["Location"].startswith("/accounts/2fa/authenticate"):
            response = client.post(
                "/accounts/2fa/authenticate/", {"code": totp_code(user.demo_totp_secret)}
            )
            assert response.status_code == 302
        return client

    return login


@pytest.fixture
def celery_worker_process(transactional_db, settings):
    """Start real Celery worker processes (against the real Redis) on the test database.

    Returns a function ``start(queue, concurrency=1, pool="prefork", env=None)`` (``env``: extra
    environment variables of the worker); every process started is stopped at the end.
    The test process stops running tasks eagerly so ``.delay()`` goes through the broker.
    """
    import subprocess
    import sys
    import time
    from pathlib import Path

    from django.db import connection

    from portal.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    db = connection.settings_dict
    db_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    started: list[subprocess.Popen] = []

    def start(
        queue: str, concurrency: int = 1, pool: str = "prefork", env: dict | None = None
    ) -> subprocess.Popen:
        env = {**os.environ, "DATABASE_URL": db_url, **(env or {})}
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "-Q",
                queue,
                "-c",
                str(concurrency),
                "-P",
                pool,
                "-l",
                "warning",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{queue}-{len(started)}@%h",
            ],
            cwd=Path(__file__).resolve().parents[1],
            env=env,
        )
        started.append(proc)
        time.sleep(0.5)
        assert proc.poll() is None, "the Celery worker exited at start"
        return proc

    yield start
    for proc in started:
        proc.terminate()
    for proc in started:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
