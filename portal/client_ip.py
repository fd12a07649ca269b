"""The client's address behind TRUSTED_PROXY_COUNT reverse proxies (settings.py).

Each proxy appends the address it received the request from to X-Forwarded-For, so with N
trusted proxies the client is the N-th entry counted from the right. Entries further left were
sent by the client and are never trusted. With 0 (the default) the header is ignored and the
address is REMOTE_ADDR, the peer of the connection.

django-ratelimit (RATELIMIT_IP_META_KEY), allauth (the account adapter's ``get_client_ip``)
and the payment gateway's client address all call ``client_ip``.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest


def _address(value: str) -> str | None:
    """``value`` as a normalised IP address (a port or IPv6 brackets removed), or None."""
    value = value.strip()
    if value.startswith("["):  # [2001:db8::1] or [2001:db8::1]:443
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # 203.0.113.7:443
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def forwarded_ip(xff: str, trusted_proxy_count: int) -> str | None:
    """The address the ``trusted_proxy_count``-th proxy from the app appended to ``xff``."""
    if trusted_proxy_count <= 0 or not xff:
        return None
    entries = xff.split(",")
    if len(entries) < trusted_proxy_count:  # fewer hops than proxies: not all of them added one
        return None
    return _address(entries[-trusted_proxy_count])


def client_ip(request: HttpRequest) -> str:
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    ip = forwarded_ip(request.META.get("HTTP_X_FORWARDED_FOR", ""), count)
    if ip is None:
        ip = _address(request.META.get("REMOTE_ADDR") or "")
    if ip is None:
        raise ImproperlyConfigured(
            "No client address: REMOTE_ADDR is empty or invalid (a proxy connecting over a Unix "
            "socket?). Set TRUSTED_PROXY_COUNT to the number of reverse proxies in front."
        )
    return ip
