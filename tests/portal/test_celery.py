"""A real Celery worker, on the real Redis broker, runs a task that writes to PostgreSQL."""

import time
import uuid

import pytest
from django.db import connection, transaction

from portal.celery import app
from portal.models import Heartbeat
from portal.tasks import beat_heartbeat, enqueue_on_commit

pytestmark = pytest.mark.worker


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_it_runs_a_task_on_a_real_worker_and_writes_to_postgres(celery_worker_process):
    assert connection.vendor == "postgresql"
    assert app.conf.broker_url.startswith("redis://")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    celery_worker_process(queue)
    name = f"worker-test-{uuid.uuid4().hex[:6]}"
    beat_heartbeat.apply_async(args=[name], queue=queue)
    assert wait_for(lambda: Heartbeat.objects.filter(name=name).exists()), (
        "the worker never ran the task"
    )
    assert Heartbeat.objects.get(name=name).beats == 1


def test_tasks_are_enqueued_only_when_the_transaction_commits(celery_worker_process):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    celery_worker_process(queue)
    kept, dropped = f"kept-{uuid.uuid4().hex[:6]}", f"dropped-{uuid.uuid4().hex[:6]}"
    with transaction.atomic():
        enqueue_on_commit(beat_heartbeat, kept, queue=queue)
    try:
        with transaction.atomic():
            enqueue_on_commit(beat_heartbeat, dropped, queue=queue)
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert wait_for(lambda: Heartbeat.objects.filter(name=kept).exists())
    time.sleep(1.0)
    assert not Heartbeat.objects.filter(name=dropped).exists()


def test_celery_is_configured_for_a_government_service():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.task_time_limit and conf.task_soft_time_limit < conf.task_time_limit
    assert conf.worker_prefetch_multiplier == 1
    assert beat_heartbeat.retry_backoff is True and beat_heartbeat.max_retries == 5
    assert "beat-heartbeat" in conf.beat_schedule
