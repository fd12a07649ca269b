"""Background tasks of the portal package."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from portal.models import Heartbeat

BEAT = "beat"


def heartbeat_record(*, name: str = BEAT) -> Heartbeat:
    """Record that a periodic component is alive (one row per component, counted)."""
    now = timezone.now()
    updated = Heartbeat.objects.filter(name=name).update(at=now, beats=F("beats") + 1)
    if not updated:
        Heartbeat.objects.get_or_create(name=name, defaults={"at": now, "beats": 1})
    return Heartbeat.objects.get(name=name)


@shared_task(
    name="portal.tasks.beat_heartbeat",
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
    ignore_result=True,
)
def beat_heartbeat(name: str = BEAT) -> int:
    """Scheduled by Celery beat; /healthz reads the row it writes."""
    return heartbeat_record(name=name).beats


def enqueue_on_commit(task, *args, queue: str | None = None, **kwargs) -> None:
    """Queue ``task`` once the surrounding transaction commits (never for a rolled-back one)."""
    options = {"queue": queue} if queue else {}
    transaction.on_commit(lambda: task.apply_async(args=args, kwargs=kwargs, **options))
