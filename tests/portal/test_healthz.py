"""/healthz: database, cache, broker and the beat heartbeat; 503 naming what fails."""

import logging
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from portal import health
from portal.celery import app
from portal.models import Heartbeat
from portal.tasks import heartbeat_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_mode(settings):
    """Real broker mode (as in production): tasks are not eager, the broker is the real Redis."""
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


def test_it_is_healthy_with_real_postgres_redis_and_a_fresh_beat(client, broker_mode):
    heartbeat_record()
    heartbeat_record(name="deadline_sweep")
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert body["database"] == {"ok": True, "vendor": "postgresql"}
    assert body["cache"]["backend"] == "RedisCache"
    assert body["broker"] == {"ok": True, "mode": "broker"}
    assert body["beat"]["ok"] is True and body["beat"]["last"]


def test_it_fails_naming_the_broker_when_the_broker_is_down(client, broker_mode):
    heartbeat_record()
    heartbeat_record(name="deadline_sweep")
    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert body["broker"] == {"ok": False, "error": "failed"}
    assert "127.0.0.1:1" not in response.content.decode()  # the exception is only logged


def test_it_fails_naming_the_cache_when_the_cache_is_down(client, broker_mode, settings):
    heartbeat_record()
    heartbeat_record(name="deadline_sweep")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "cache" in response.json()["failing"]
    assert response.json()["cache"] == {"ok": False, "error": "failed"}
    assert "127.0.0.1:1" not in response.content.decode()


def test_a_failure_is_logged_but_its_details_are_not_published(
    client, broker_mode, monkeypatch, caplog
):
    """/healthz is public: host, user and database names stay in the log."""
    heartbeat_record()
    heartbeat_record(name="deadline_sweep")
    detail = (
        'connection to server at "db.internal.example" (10.1.2.3), port 5432 failed: '
        'FATAL:  password authentication failed for user "portal_prod"'
    )

    def database_down():
        raise OperationalError(detail)

    monkeypatch.setitem(health.CHECKS, "database", database_down)
    with caplog.at_level(logging.WARNING, logger="portal.health"):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["database"] == {"ok": False, "error": "failed"}
    text = response.content.decode()
    for secret in ("db.internal.example", "10.1.2.3", "portal_prod", "OperationalError"):
        assert secret not in text
    [record] = [r for r in caplog.records if r.name == "portal.health"]
    assert "database" in record.getMessage()
    assert record.exc_info and str(record.exc_info[1]) == detail


def test_it_fails_naming_the_beat_when_the_heartbeat_is_stale(client, broker_mode, settings):
    Heartbeat.objects.create(name="beat", at=timezone.now() - 4 * timedelta(seconds=60), beats=3)
    settings.HEALTHZ_BEAT_MAX_AGE = timedelta(seconds=180)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["beat"]
    assert body["beat"]["age_s"] >= 240


def test_it_fails_when_no_heartbeat_was_ever_recorded(client, broker_mode):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["beat"]


def test_heartbeat_counts_up():
    assert heartbeat_record().beats == 1
    assert heartbeat_record().beats == 2
