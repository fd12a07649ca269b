"""Background work of dossiers: thin tasks that load by id and call a service."""

from __future__ import annotations

from celery import shared_task

from dossiers import notifications, outputs


@shared_task(
    name="dossiers.tasks.notify_status_change",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
    ignore_result=True,
)
def notify_status_change(event_id: int) -> bool:
    """E-mail the applicant about one status change (idempotent per event), and queue the
    documents the change issues (the acknowledgement of an online submission)."""
    outputs.outputs_for_event(event_id=event_id)
    return notifications.event_email_send(event_id=event_id)


@shared_task(
    name="dossiers.tasks.render_output",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    ignore_result=True,
)
def render_output(dossier_id: int, kind: str, key: str = "") -> int | None:
    """Render and store one issued document of a dossier (idempotent per dossier, kind, key)."""
    output = outputs.output_render(dossier_id=dossier_id, kind=kind, key=key)
    return output.pk if output is not None else None


APOLOGY_BATCH = 100


@shared_task(name="dossiers.tasks.deadline_sweep", ignore_result=True)
def deadline_sweep(queue: str | None = None) -> dict:
    """Celery beat (every 5 minutes): the set-based sweep, then one delivery task per batch of
    100 apologies and one per digest, so several workers share the work."""
    from dossiers.sweep import deadline_sweep_run
    from portal.tasks import heartbeat_record

    result = deadline_sweep_run()
    options = {"queue": queue} if queue else {}
    ids = result.apologies_to_deliver
    for start in range(0, len(ids), APOLOGY_BATCH):
        apology_deliver_batch.apply_async(args=[ids[start : start + APOLOGY_BATCH]], **options)
    for digest_id in result.digests_to_send:
        digest_send.apply_async(args=[digest_id], **options)
    heartbeat_record(name="deadline_sweep")
    return {
        "overdue": result.overdue,
        "apologies_created": result.apologies_created,
        "apologies_queued": len(ids),
        "digests": len(result.digests_to_send),
    }


@shared_task(
    name="dossiers.tasks.apology_deliver_batch",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
    ignore_result=True,
)
def apology_deliver_batch(apology_ids: list[int]) -> int:
    """Render and mail a batch of issued apologies (each once; acks late, safe to redo)."""
    from dossiers.apologies import apology_deliver

    return sum(apology_deliver(apology_id=pk) for pk in apology_ids)


@shared_task(
    name="dossiers.tasks.digest_send",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=8,
    ignore_result=True,
)
def digest_send(digest_id: int) -> bool:
    from dossiers.sweep import digest_send as send

    return send(digest_id=digest_id)


@shared_task(name="dossiers.tasks.held_uploads_purge", ignore_result=True)
def held_uploads_purge() -> int:
    """Delete the files kept between two posts of a form and never posted again (a day old)."""
    from dossiers.held_uploads import held_uploads_purge as purge

    return purge()
