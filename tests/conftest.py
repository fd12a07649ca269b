"""Shared fixtures. The suite runs on PostgreSQL + Redis (scripts/test sets the env)."""

from __future__ import annotations

import pytest

from tests.factories import (
    AgencyFactory,
    UserFactory,
    make_officer,
    totp_code,
)


@pytest.fixture(autouse=True)
def _clean_cache():
    """The cache is a Redis database of its own in tests (CACHE_URL); rate limits must not leak."""
    from django.core.cache import cache

    cache.clear()
    yield


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
