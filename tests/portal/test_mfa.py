"""Officers and admins cannot open the back office until MFA is set up; log-in asks for TOTP."""

import pytest
from django.contrib.auth.models import Group

from tests.factories import PASSWORD, UserFactory, make_officer, totp_code

pytestmark = pytest.mark.django_db

BACK_OFFICE_URLS = ["/officer/", "/admin/", "/admin/portal/agency/", "/admin/portal/user/"]


def login_password(client, user):
    return client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})


@pytest.mark.parametrize(
    "role", ["reception_officer", "specialist", "approver", "catalog_admin", "supervisor"]
)
def test_it_redirects_an_officer_without_mfa_from_every_back_office_url(client, agency, role):
    officer = make_officer(agency=agency, roles=[role], with_totp=False)
    officer.is_staff = role == "catalog_admin"
    officer.save()
    response = login_password(client, officer)
    assert response.status_code == 302
    for url in BACK_OFFICE_URLS:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/2fa/totp/activate/"), (
            url,
            response["Location"],
        )


def test_it_asks_for_the_totp_code_and_then_lets_the_officer_in(client, officer):
    response = login_password(client, officer)
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert client.get("/officer/").status_code == 302  # not logged in before the code
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200
    assert client.get("/officer/").status_code == 302
    response = client.post(
        "/accounts/2fa/authenticate/", {"code": totp_code(officer.demo_totp_secret)}
    )
    assert response.status_code == 302
    page = client.get("/officer/")
    assert page.status_code == 200
    assert officer.officer_profile.agency.name in page.content.decode()


def test_a_citizen_is_not_forced_into_mfa_and_gets_403_in_the_back_office(client, citizen):
    login_password(client, citizen)
    assert client.get("/profile/").status_code == 200
    assert client.get("/officer/").status_code == 403
    assert client.get("/admin/").status_code == 403


def test_a_staff_admin_with_mfa_reaches_the_admin(client, agency):
    admin_user = make_officer(agency=agency, roles=["catalog_admin"], with_totp=True)
    admin_user.is_staff = True
    admin_user.save()
    login_password(client, admin_user)
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(admin_user.demo_totp_secret)})
    assert client.get("/admin/").status_code == 200


def test_the_admin_log_in_form_never_signs_anyone_in(client, agency):
    """Django's admin log-in form is not used: a signed-in admin posting another admin's
    password to it stays who they are (no way round the other admin's second factor, nor
    allauth's rate limits); anonymous visitors are sent to allauth's log-in page."""
    from django.contrib.auth import get_user

    response = client.get("/admin/login/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    admin_user = make_officer(agency=agency, roles=["catalog_admin"], with_totp=True)
    other = make_officer(agency=agency, roles=["supervisor"], with_totp=True)
    for user in (admin_user, other):
        user.is_staff = True
    other.is_superuser = True
    admin_user.save()
    other.save()
    login_password(client, admin_user)
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(admin_user.demo_totp_secret)})

    response = client.post("/admin/login/", {"username": other.email, "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert get_user(client).pk == admin_user.pk
    assert client.get("/admin/portal/user/").status_code == 403  # still not a superuser


def test_roles_exist_as_groups_created_by_migration():
    from portal.roles import Role

    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_after_login_sends_each_persona_to_their_page(client, officer, mfa_client):
    citizen = UserFactory(roles=["citizen"])
    client.force_login(citizen)
    assert client.get("/after-login/")["Location"] == "/my/dossiers/"
    client.logout()
    c = mfa_client(officer)
    assert c.get("/after-login/")["Location"] == "/officer/"
