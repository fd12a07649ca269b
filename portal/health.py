"""What /healthz reports: database, cache, broker and the Celery beat heartbeat."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from portal.celery import app as celery_app
from portal.models import Heartbeat
from portal.tasks import BEAT

log = logging.getLogger(__name__)


def _check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def _check_cache() -> dict:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    ok = cache.get(key) == "1"
    cache.delete(key)
    return {"ok": ok, "backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def _check_broker() -> dict:
    if celery_app.conf.task_always_eager:
        return {"ok": True, "mode": "eager (in-process, no broker)"}
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    return {"ok": True, "mode": "broker"}


SWEEP = "deadline_sweep"


def _sweep_max_age():
    entry = settings.CELERY_BEAT_SCHEDULE.get("deadline-sweep", {})
    return 3 * entry.get("schedule", timedelta(minutes=5))


def _check_sweep(now) -> dict:
    """The deadline sweep's last run (dossiers.tasks.deadline_sweep), within 3 intervals."""
    sweep = Heartbeat.objects.filter(name=SWEEP).first()
    if sweep is None:
        return {"ok": False, "last": None, "error": "no deadline sweep recorded yet"}
    age = now - sweep.at
    result = {"ok": age <= _sweep_max_age(), "last": sweep.at.isoformat()}
    result["age_s"] = round(age.total_seconds())
    if not result["ok"]:
        result["error"] = f"last sweep older than {int(_sweep_max_age().total_seconds())} s"
    return result


def _check_beat() -> dict:
    beat = Heartbeat.objects.filter(name=BEAT).first()
    if celery_app.conf.task_always_eager:
        return {
            "ok": True,
            "mode": "eager (no beat)",
            "last": beat.at.isoformat() if beat else None,
        }
    sweep = _check_sweep(timezone.now())
    if beat is None:
        return {"ok": False, "last": None, "error": "no heartbeat recorded yet"}
    age = timezone.now() - beat.at
    ok = age <= settings.HEALTHZ_BEAT_MAX_AGE
    result = {"ok": ok, "last": beat.at.isoformat(), "age_s": round(age.total_seconds())}
    if not ok:
        result["error"] = (
            f"last heartbeat older than {int(settings.HEALTHZ_BEAT_MAX_AGE.total_seconds())} s"
        )
    result["deadline_sweep"] = sweep
    if not sweep["ok"]:
        result["ok"] = False
        result.setdefault("error", sweep["error"])
    return result


CHECKS = {
    "database": _check_database,
    "cache": _check_cache,
    "broker": _check_broker,
    "beat": _check_beat,
}


def health_report() -> tuple[dict, bool]:
    report: dict = {}
    for name, check in CHECKS.items():
        try:
            report[name] = check()
        except Exception:  # a health check reports every failure, whatever its type
            # /healthz is public: the exception (host names, users, paths) goes to the log only.
            log.warning("healthz: %s check failed", name, exc_info=True)
            report[name] = {"ok": False, "error": "failed"}
    failing = [name for name, part in report.items() if not part["ok"]]
    report["status"] = "ok" if not failing else "fail"
    report["failing"] = failing
    return report, not failing
