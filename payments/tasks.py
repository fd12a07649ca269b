"""Background work of payments: thin tasks that call a service."""

from __future__ import annotations

import json
import logging
import urllib.request

from celery import shared_task
from django.urls import reverse

from payments import services
from payments.providers.vnpay import site_url

logger = logging.getLogger(__name__)


@shared_task(
    name="payments.tasks.reconcile_payments",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def reconcile_payments() -> dict[str, int]:
    """Beat, every 15 minutes: settle or expire pending attempts older than the window."""
    return services.payments_reconcile()


@shared_task(
    name="payments.tasks.issue_fee_receipt",
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
    ignore_result=True,
)
def issue_fee_receipt(payment_id: int) -> bool:
    """Render, store and e-mail the e-receipt of a paid payment (idempotent)."""
    receipt = services.receipt_issue(payment_id=payment_id)
    if receipt is None:
        return False
    services.receipt_email(receipt=receipt)
    return True


class IpnNotAccepted(Exception):
    """The merchant did not answer 00 or 02: the gateway tries again later."""


@shared_task(
    name="payments.tasks.sandbox_send_ipn",
    autoretry_for=(OSError, IpnNotAccepted),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=10,
    ignore_result=True,
)
def sandbox_send_ipn(query: str) -> str:
    """The sandbox gateway's server-to-server notification: GET the portal's IPN URL over HTTP,
    like the real gateway does, and retry until the merchant answers 00 or 02."""
    url = f"{site_url()}{reverse('payments:ipn')}?{query}"
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"SITE_URL must be an http(s) URL: {url!r}")
    with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 (scheme checked)
        answer = json.loads(response.read().decode("utf-8"))
    code = str(answer.get("RspCode", ""))
    if code not in ("00", "02"):
        logger.warning("sandbox IPN answered %s: %s", code, answer.get("Message"))
        if code == "99":
            raise IpnNotAccepted(code)
    return code
