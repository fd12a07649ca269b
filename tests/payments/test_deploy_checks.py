"""``manage.py check --deploy`` names the sandbox gateway when it would take real traffic."""

from __future__ import annotations

from django.core import checks

from payments.checks import sandbox_gateway_check


def test_the_sandbox_gateway_is_a_deploy_warning_in_production(settings):
    settings.DEBUG = False
    settings.PAYMENT_PROVIDER = "sandbox"
    warnings = sandbox_gateway_check(None)
    assert [w.id for w in warnings] == ["payments.W001"]
    assert "public" in warnings[0].msg
    # Registered with the deploy checks.
    found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert "payments.W001" in {w.id for w in found}


def test_vnpay_or_development_raise_no_warning(settings):
    settings.DEBUG = False
    settings.PAYMENT_PROVIDER = "vnpay"
    assert sandbox_gateway_check(None) == []
    settings.DEBUG = True
    settings.PAYMENT_PROVIDER = "sandbox"
    assert sandbox_gateway_check(None) == []
