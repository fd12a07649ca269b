import pytest
from django.core.management import call_command

from portal.models import AdministrativeUnit, Agency

pytestmark = pytest.mark.django_db


def counts():
    return (
        AdministrativeUnit.objects.filter(level="province").count(),
        AdministrativeUnit.objects.filter(level="ward", parent__code="79").count(),
        AdministrativeUnit.objects.count(),
        Agency.objects.count(),
        Agency.objects.filter(kind="ward").count(),
    )


def test_it_loads_34_provinces_and_168_hcmc_wards_idempotently():
    call_command("load_admin_units")
    first = counts()
    assert first[0] == 34
    assert first[1] == 168
    assert first[4] == 168  # one People's Committee per HCMC ward
    assert Agency.objects.filter(kind="department").count() >= 3
    assert Agency.objects.filter(kind="service_center").exists()
    call_command("load_admin_units")
    assert counts() == first
    saigon = AdministrativeUnit.objects.get(code="26740")
    assert saigon.name == "Phường Sài Gòn" and saigon.parent.code == "79"
    assert Agency.objects.get(code="X26740").name == "Ủy ban nhân dân Phường Sài Gòn"
    # The source spells a few names with doubled spaces; they would sort and search oddly.
    assert not AdministrativeUnit.objects.filter(name__contains="  ").exists()
    assert AdministrativeUnit.objects.filter(name="Phường Rạch Dừa").exists()


def test_seed_demo_is_idempotent_and_prints_logins(settings, capsys):
    from portal.models import OfficerProfile, User

    settings.DEMO_MODE = True
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "citizen@demo.dvc.vn" in out and "TOTP secret" in out
    users, profiles = User.objects.count(), OfficerProfile.objects.count()
    call_command("seed_demo")
    assert (User.objects.count(), OfficerProfile.objects.count()) == (users, profiles)
    wards = set(
        OfficerProfile.objects.filter(agency__kind="ward").values_list("agency__code", flat=True)
    )
    assert len(wards) == 2  # officers of two different wards


def test_seed_demo_refuses_in_production(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_demo_totp_prints_a_code_that_logs_the_officer_in(settings, capsys, client):
    settings.DEMO_MODE = True
    call_command("seed_demo", "--quiet-logins")
    call_command("demo_totp")
    line = next(
        x for x in capsys.readouterr().out.splitlines() if x.startswith("reception.saigon@")
    )
    code = line.split()[1]
    client.post(
        "/accounts/login/", {"login": "reception.saigon@demo.dvc.vn", "password": "demo-DVC-2026"}
    )
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert client.get("/officer/").status_code == 200


def test_the_demo_supervisor_lands_on_links_to_the_payment_totals(settings, capsys, client):
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import get_user_model

    settings.DEMO_MODE = True
    call_command("seed_demo", "--quiet-logins")
    supervisor = get_user_model().objects.get(email="supervisor@demo.dvc.vn")
    assert supervisor.is_staff
    assert Authenticator.objects.filter(user=supervisor, type="totp").exists()
    client.force_login(supervisor)
    session = client.session
    session["account_authentication_methods"] = [{"method": "mfa", "type": "totp"}]
    session.save()
    page = client.get("/officer/").content.decode()
    assert "/admin/payments/paymentdailytotal/" in page
    assert client.get("/admin/payments/paymentdailytotal/").status_code == 200
