"""TRUSTED_PROXY_COUNT: the client's address behind reverse proxies, for every rate limit.

With 0 X-Forwarded-For is ignored; with N the N-th entry from the right (the one the outermost
trusted proxy appended) is the client, and the entries left of it, which the client sent, are
never used. The look-up (django-ratelimit) and the login (allauth) limits follow it.
"""

from __future__ import annotations

import pytest
from allauth.account.adapter import get_adapter
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings
from django.urls import reverse

from portal.client_ip import client_ip
from tests.portal.test_settings import run_django

PROXY = "10.0.0.254"  # every request reaches the app from the proxy
ALICE, BOB = "203.0.113.1", "203.0.113.2"


def behind_proxies(count: int):
    """What TRUSTED_PROXY_COUNT=count sets at start (portal/settings.py)."""
    return override_settings(TRUSTED_PROXY_COUNT=count, ALLAUTH_TRUSTED_PROXY_COUNT=count)


def request(remote_addr: str = PROXY, xff: str | None = None):
    extra = {"REMOTE_ADDR": remote_addr}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


# --- the function ---------------------------------------------------------------------------


def test_without_trusted_proxies_a_forwarded_for_header_is_ignored():
    with behind_proxies(0):
        assert client_ip(request(ALICE, xff="6.6.6.6")) == ALICE
        assert client_ip(request(ALICE, xff=f"6.6.6.6, {BOB}")) == ALICE


@pytest.mark.parametrize(
    ("count", "xff", "expected"),
    [
        (1, ALICE, ALICE),
        (1, f"6.6.6.6, {ALICE}", ALICE),  # spoofed leftmost entry, the proxy appended ALICE
        (1, f"6.6.6.6,7.7.7.7,{ALICE}", ALICE),
        (2, f"6.6.6.6, {ALICE}, 10.0.0.3", ALICE),  # CDN appended ALICE, then the proxy 10.0.0.3
        (1, f"6.6.6.6, {ALICE}:51234", ALICE),  # a port is dropped
        (1, "6.6.6.6, [2001:db8::1]:443", "2001:db8::1"),
        (1, "6.6.6.6, 2001:DB8::1", "2001:db8::1"),
    ],
)
def test_behind_proxies_it_is_the_address_the_outermost_trusted_proxy_appended(
    count, xff, expected
):
    with behind_proxies(count):
        assert client_ip(request(xff=xff)) == expected


@pytest.mark.parametrize(
    ("count", "xff"),
    [
        (1, None),  # a request that did not come through the proxy (health check)
        (1, ""),
        (2, ALICE),  # fewer entries than proxies: never fall back to a client-sent entry
        (1, "6.6.6.6, unknown"),
    ],
)
def test_without_a_usable_forwarded_address_it_is_the_peer(count, xff):
    with behind_proxies(count):
        assert client_ip(request(PROXY, xff=xff)) == PROXY


def test_it_refuses_to_guess_without_any_address():
    with behind_proxies(0), pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXY_COUNT"):
        client_ip(request(""))


@pytest.mark.parametrize(
    ("count", "xff"),
    [(0, "6.6.6.6"), (1, f"6.6.6.6, {ALICE}"), (1, ALICE), (2, f"6.6.6.6, {ALICE}, 10.0.0.3")],
)
def test_allauth_sees_the_same_client(count, xff):
    with behind_proxies(count):
        req = request(xff=xff)
        assert get_adapter(req).get_client_ip(req) == client_ip(req)


def test_the_environment_variable_sets_both_libraries(monkeypatch):
    code = (
        "from django.conf import settings as s;"
        "print(s.TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_PROXY_COUNT, s.RATELIMIT_IP_META_KEY)"
    )
    monkeypatch.delenv("TRUSTED_PROXY_COUNT", raising=False)
    default = run_django({}, "shell", "-v", "0", "-c", code)
    assert default.returncode == 0, default.stderr
    assert default.stdout.split() == ["0", "0", "portal.client_ip.client_ip"]
    one = run_django({"TRUSTED_PROXY_COUNT": "1"}, "shell", "-v", "0", "-c", code)
    assert one.returncode == 0, one.stderr
    assert one.stdout.split() == ["1", "1", "portal.client_ip.client_ip"]
    negative = run_django({"TRUSTED_PROXY_COUNT": "-1"}, "shell", "-v", "0", "-c", code)
    assert negative.returncode != 0
    assert "Environment variable TRUSTED_PROXY_COUNT" in negative.stderr


# --- the rate limits ------------------------------------------------------------------------

LOOKUP = reverse("dossiers:lookup")


def look_up(client, remote_addr=PROXY, xff=None):
    headers = {"X-Forwarded-For": xff} if xff is not None else {}
    data = {"code": "X26740-260115-0001", "last4": "0000"}  # valid, unknown: "not found", 200
    return client.post(LOOKUP, data, REMOTE_ADDR=remote_addr, headers=headers)


@pytest.mark.django_db
def test_the_lookup_limit_ignores_a_spoofed_header_without_trusted_proxies(client):
    with behind_proxies(0):
        for n in range(10):
            assert look_up(client, ALICE, xff=f"6.6.6.{n}").status_code == 200
        assert look_up(client, ALICE, xff="6.6.6.99").status_code == 429


@pytest.mark.django_db
def test_two_clients_behind_the_proxy_have_separate_lookup_limits(client):
    with behind_proxies(1):
        for n in range(10):  # a new spoofed leftmost entry each time does not help
            assert look_up(client, xff=f"6.6.6.{n}, {ALICE}").status_code == 200
        assert look_up(client, xff=f"6.6.6.99, {ALICE}").status_code == 429
        assert look_up(client, xff=BOB).status_code == 200
        assert look_up(client, xff=f"{ALICE}, {BOB}").status_code == 200


def log_in_fails(client, n, remote_addr=PROXY, xff=None):
    """A failed login; True when allauth refused it as one too many."""
    headers = {"X-Forwarded-For": xff} if xff is not None else {}
    response = client.post(
        "/accounts/login/",
        # a new e-mail each time: only the per-address limit (10/m) applies, not the per-account one
        {"login": f"nobody{n}@example.vn", "password": "wrong-password-1"},
        REMOTE_ADDR=remote_addr,
        headers=headers,
    )
    assert response.status_code == 200
    codes = {e.code for e in response.context["form"].errors.as_data().get("__all__", [])}
    return "too_many_login_attempts" in codes


@pytest.mark.django_db
def test_the_login_limit_ignores_a_spoofed_header_without_trusted_proxies(client):
    with behind_proxies(0):
        for n in range(10):
            assert not log_in_fails(client, n, ALICE, xff=f"6.6.6.{n}")
        assert log_in_fails(client, 99, ALICE, xff="6.6.6.99")


@pytest.mark.django_db
def test_two_clients_behind_the_proxy_have_separate_login_limits(client):
    with behind_proxies(1):
        for n in range(10):
            assert not log_in_fails(client, n, xff=f"6.6.6.{n}, {ALICE}")
        assert log_in_fails(client, 99, xff=f"6.6.6.99, {ALICE}")
        assert not log_in_fails(client, 100, xff=BOB)
