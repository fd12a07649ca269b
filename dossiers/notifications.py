"""E-mails to citizens about their dossiers (Vietnamese, plain text and HTML)."""

from __future__ import annotations

from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from dossiers.deadlines import dossier_time_left, time_left_label
from dossiers.models import DossierEvent, DossierStatus
from dossiers.outputs import dossier_url


def event_email_send(*, event_id: int) -> bool:
    event = (
        DossierEvent.objects.select_related(
            "dossier__applicant", "dossier__agency", "dossier__version__procedure"
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None or event.to_status == DossierStatus.DRAFT:
        return False
    # A retried task must not mail twice: claim the event for 30 days.
    if not cache.add(f"dossier-event-mailed:{event_id}", 1, timeout=60 * 60 * 24 * 30):
        return False
    dossier = event.dossier
    recipient = dossier.applicant_data.get("email") or dossier.applicant.email
    if not recipient:
        return False
    with translation.override("vi"):
        context = {
            "event": event,
            "dossier": dossier,
            "status_label": DossierStatus(event.to_status).label.split(" (")[0],
            "procedure": dossier.version.procedure,
            "dossier_url": dossier_url(dossier),
            "time_left_text": time_left_label(dossier_time_left(dossier)),
        }
        subject = render_to_string("emails/dossier_status_subject.txt", context).strip()
        text = render_to_string("emails/dossier_status.txt", context)
        html = render_to_string("emails/dossier_status.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[recipient])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:
        cache.delete(f"dossier-event-mailed:{event_id}")
        raise
    return True
