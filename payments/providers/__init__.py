"""Gateway providers behind one interface (``base.PaymentProvider``)."""

from __future__ import annotations

from payments.providers.base import PaymentProvider


def get_provider(code: str = "vnpay") -> PaymentProvider:
    """The provider that speaks ``code``'s protocol, configured from settings.

    ``PAYMENT_PROVIDER`` ("sandbox" or "vnpay") only chooses where the VNPay protocol points
    (our sandbox page or VNPay); both are the ``vnpay`` provider.
    """
    if code == "vnpay":
        from payments.providers.vnpay import VNPayProvider

        return VNPayProvider()
    raise LookupError(f"unknown payment provider {code!r}")
