"""Helpers of the back-office tests (issue 7)."""

from __future__ import annotations

import base64
import secrets

from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse


def with_totp(user):
    """Officers must have TOTP before any /officer/ page (the MFA guard)."""
    if not getattr(user, "demo_totp_secret", None):
        secret = base64.b32encode(secrets.token_bytes(20)).decode()
        TOTP.activate(user, secret)
        user.demo_totp_secret = secret
    return user


def login(client, user):
    client.force_login(with_totp(user))
    return client


def officer_url(name: str, dossier=None, **kwargs) -> str:
    if dossier is not None:
        kwargs["public_id"] = dossier.public_id
    return reverse(f"dossiers:officer:{name}", kwargs=kwargs)
