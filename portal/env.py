"""Typed environment readers that fail loudly, naming the variable.

django-environ parses URLs (database, cache, e-mail); these helpers add the strictness it
lacks (``DEBUG=maybe`` must not silently mean ``False``).
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

_env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _bad(name: str, value: str, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"Environment variable {name}={value!r} is invalid: expected {expected}."
    )


def str_(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required but not set.")
        return default
    return value


def bool_(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    low = value.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise _bad(name, value, "one of true/false/1/0/yes/no/on/off")


def int_(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise _bad(name, value, "an integer") from None
    if minimum is not None and number < minimum:
        raise _bad(name, value, f"an integer >= {minimum}")
    return number


def list_(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def url_list(name: str, default: list[str]) -> list[str]:
    items = list_(name, default)
    for item in items:
        parts = urlsplit(item)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise _bad(
                name, os.environ.get(name, ""), "a comma-separated list of http(s)://host origins"
            )
    return items


def database(name: str, default: str) -> dict:
    value = os.environ.get(name, default)
    try:
        config = _env.db_url_config(value)
    except Exception as exc:  # django-environ raises several types here
        raise _bad(
            name, value, f"a database URL such as postgres://user@host:5432/db ({exc})"
        ) from None
    if config.get("ENGINE") not in set(environ.Env.DB_SCHEMES.values()):
        raise _bad(name, value, "a database URL with a known scheme (postgres://, sqlite:///)")
    return config


def email(name: str, default: str) -> dict:
    value = os.environ.get(name, default)
    try:
        config = _env.email_url_config(value)
    except Exception as exc:
        raise _bad(
            name, value, f"an e-mail URL such as smtp://host:25 or consolemail:// ({exc})"
        ) from None
    if not config.get("EMAIL_BACKEND"):
        raise _bad(name, value, "an e-mail URL with a known scheme")
    return config


def redis_url(name: str) -> str | None:
    value = os.environ.get(name)
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
        raise _bad(name, value, "a redis://host:port/db URL")
    return value
