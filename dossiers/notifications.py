"""E-mails to citizens about their dossiers (Vietnamese, plain text and HTML)."""

from __future__ import annotations

from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from dossiers.deadlines import dossier_time_left, time_left_label
from dossiers.models import DossierEvent, DossierStatus
from dossiers.outputs import dossier_url
from dossiers.selectors import INTERNAL_NOTE_ACTIONS, deliverable_email


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
    recipient = deliverable_email(dossier.applicant_data.get("email"), dossier.applicant.email)
    if not recipient:
        return False
    if dossier.owner_check_pending:
        return _owner_check_email_send(event=event, recipient=recipient)
    with translation.override("vi"):
        context = {
            "event": event,
            "dossier": dossier,
            "status_label": DossierStatus(event.to_status).label.split(" (")[0],
            "procedure": dossier.version.procedure,
            "dossier_url": dossier_url(dossier),
            "time_left_text": time_left_label(dossier_time_left(dossier)),
            # The agency's own notes (proposal, assignment, approval) are not the citizen's to
            # read, here as on the dossier page (selectors.INTERNAL_NOTE_ACTIONS).
            "note": "" if event.action in INTERNAL_NOTE_ACTIONS else event.note,
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


OWNER_CHECK_SUBJECT = "Có hồ sơ nộp tại quầy gắn với địa chỉ thư điện tử này"
OWNER_CHECK_BODY = """Kính gửi Ông/Bà,

Một hồ sơ thủ tục hành chính đã được nộp tại quầy một cửa với địa chỉ thư điện tử này.
Để xem và theo dõi hồ sơ, Ông/Bà đăng nhập Cổng Dịch vụ công bằng địa chỉ này (chọn "Quên mật
khẩu" nếu chưa có mật khẩu) rồi nhập số CCCD đã khai khi nộp hồ sơ tại:
{url}

Nếu Ông/Bà không nộp hồ sơ nào, xin bỏ qua thư này.

(A dossier was filed at a service counter with this e-mail address. To follow it, sign in with
this address and type the citizen ID given at the counter at the link above. If you filed
nothing, ignore this e-mail.)
"""


def _owner_check_email_send(*, event, recipient: str) -> bool:
    """While a counter dossier waits for its owner's CCCD, the address may be mistyped: one
    neutral e-mail (on filing) with no code, name, procedure or note; nothing on later events."""
    from django.conf import settings
    from django.urls import reverse

    if event.action != "submit":
        return False
    url = settings.SITE_URL.rstrip("/") + reverse("dossiers:owner_check")
    message = EmailMultiAlternatives(
        subject=OWNER_CHECK_SUBJECT, body=OWNER_CHECK_BODY.format(url=url), to=[recipient]
    )
    try:
        message.send()
    except Exception:
        cache.delete(f"dossier-event-mailed:{event.pk}")
        raise
    return True
