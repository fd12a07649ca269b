"""Settings fail loudly on a bad environment value; production settings pass check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DROPPED = {
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests; check --deploy rejects it
    "PAYMENT_PROVIDER",
    "PAYMENT_SANDBOX_ALLOWED",
    "DEBUG",
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_URL",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
}
PRODUCTION_PAYMENTS = {
    "PAYMENT_PROVIDER": "vnpay",
    "VNPAY_TMN_CODE": "CITEST01",
    "VNPAY_HASH_SECRET": "a-merchant-secret",
}


GOOD_KEY = "k" * 20 + "-production-secret-0123456789-abcdefghijklmnop"


def run_django(env_overrides: dict, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env.update(
        {"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "dichvucong.example.vn", **PRODUCTION_PAYMENTS}
    )
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *(args or ("check",))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "nosuchdb://x"),
        ("REDIS_URL", "http://127.0.0.1:6379/0"),
        ("EMAIL_URL", "pigeon://loft"),
        ("CSRF_TRUSTED_ORIGINS", "dichvucong.example.vn"),
        ("SECURE_HSTS_SECONDS", "one-year"),
        ("SECRET_KEY", "short"),
        ("PAYMENT_PROVIDER", "paypal"),
        ("SITE_URL", "dichvucong.example.vn"),
    ],
)
def test_it_fails_at_start_naming_the_bad_variable(name, value):
    result = run_django({name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Environment variable {name}" in result.stderr


def test_it_requires_a_secret_key_when_debug_is_off():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**env, "DEBUG": "false"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Environment variable SECRET_KEY is required" in result.stderr


def test_it_refuses_the_payment_sandbox_or_a_vnpay_without_credentials_in_production():
    sandbox = run_django({"DEBUG": "false", "PAYMENT_PROVIDER": "sandbox"})
    assert sandbox.returncode != 0 and "PAYMENT_PROVIDER=sandbox" in sandbox.stderr
    bare = run_django({"DEBUG": "false", "VNPAY_TMN_CODE": "", "VNPAY_HASH_SECRET": ""})
    assert bare.returncode != 0 and "VNPAY_TMN_CODE and VNPAY_HASH_SECRET" in bare.stderr


def test_it_passes_check_deploy_with_production_env():
    result = run_django(
        {"DEBUG": "false", "DATABASE_URL": "sqlite:///:memory:", **PRODUCTION_PAYMENTS},
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_reads_services_from_the_environment():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER,"
        " s.CACHES['default']['BACKEND'], s.TIME_ZONE, s.LANGUAGE_CODE, s.DEBUG)"
    )
    result = run_django(
        {
            "DATABASE_URL": "postgres://u@db.example:5432/p",
            "REDIS_URL": "redis://cache.example:6379/0",
        },
        "shell",
        "-v",
        "0",
        "-c",
        code,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "redis://cache.example:6379/0",
        "False",
        "portal.cache.RedisCache",
        "Asia/Ho_Chi_Minh",
        "vi",
        "False",
    ]
    demo = run_django({"DEBUG": "true"}, "shell", "-v", "0", "-c", code)
    assert demo.stdout.split()[0] == "django.db.backends.sqlite3"
    assert demo.stdout.split()[1:4] == [
        "memory://",
        "True",
        "django.core.cache.backends.locmem.LocMemCache",
    ]


def test_production_responses_carry_security_headers(client, settings):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "'self'" in script_src
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.fixture(autouse=True)
def _db(db):
    pass


SQLITE_WRITERS = """
import threading, time
from django.db import connection, connections, transaction
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE counter (n integer)")
    cursor.execute("INSERT INTO counter VALUES (0)")
errors = []
def work():
    try:
        for _ in range(15):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT n FROM counter")
                n = cursor.fetchone()[0]
                time.sleep(0.002)
                cursor.execute("UPDATE counter SET n = %s", [n + 1])
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connections.close_all()
threads = [threading.Thread(target=work) for _ in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
with connection.cursor() as cursor:
    cursor.execute("SELECT n FROM counter")
    print(cursor.fetchone()[0], errors)
"""


def test_the_demo_sqlite_queues_concurrent_read_then_write_transactions(tmp_path):
    """The demo's SQLite: transactions that read, then write (an autosave, a step's post) from
    concurrent requests wait for each other instead of failing with "database is locked"."""
    result = run_django(
        {"DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"},
        "shell",
        "--no-imports",
        "-c",
        SQLITE_WRITERS,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "60 []"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_dates_are_typed_day_first_in_both_languages(language):
    """The admin's date fields (calendar exceptions…) read 07/12/2026 as 7 December."""
    import datetime as dt

    from django import forms
    from django.utils import translation

    with translation.override(language):
        field = forms.DateField()
        assert field.clean("07/12/2026") == dt.date(2026, 12, 7)
        assert field.clean("25/12/2026") == dt.date(2026, 12, 25)
        assert field.clean("2026-12-25") == dt.date(2026, 12, 25)  # <input type="date">
        assert forms.DateInput().format_value(dt.date(2026, 12, 7)) == "07/12/2026"
