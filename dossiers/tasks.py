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
