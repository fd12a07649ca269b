"""Deploy checks (``manage.py check --deploy``) of the payment settings."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def sandbox_gateway_check(app_configs, **kwargs):
    """The sandbox gateway signs with a public demo secret: anyone can forge a paid notice. The
    settings refuse it in production unless PAYMENT_SANDBOX_ALLOWED (or DEMO_MODE) says it is a
    demonstration; the deploy check still names it, so a demo setting cannot go live unseen."""
    if settings.DEBUG or getattr(settings, "PAYMENT_PROVIDER", "") != "sandbox":
        return []
    return [
        Warning(
            "PAYMENT_PROVIDER=sandbox: payments go through the in-app sandbox gateway, whose "
            "signing secret is public, so a paid notice can be forged.",
            hint="Set PAYMENT_PROVIDER=vnpay with VNPAY_TMN_CODE and VNPAY_HASH_SECRET for real "
            "traffic; keep the sandbox for demonstrations.",
            id="payments.W001",
        )
    ]
