"""The request's user is loaded in one query with their roles, TOTP flag and officer profile;
a role taken away applies to the very next request."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dossiers import queues
from portal.auth import load_user
from portal.middleware import user_has_totp
from portal.roles import role_names
from tests.factories import UserFactory, make_officer

pytestmark = pytest.mark.django_db


def test_one_query_loads_user_roles_totp_and_agency(agency):
    officer = make_officer(agency=agency, roles=["reception_officer"], with_totp=True)
    with CaptureQueriesContext(connection) as ctx:
        user = load_user(officer.pk)
        assert role_names(user) == {"reception_officer"}
        assert user_has_totp(user) is True
        assert queues.officer_agency(user) == agency
    assert len(ctx.captured_queries) == 1


def test_a_citizen_without_profile_or_totp(db):
    citizen = UserFactory(roles=["citizen"])
    with CaptureQueriesContext(connection) as ctx:
        user = load_user(citizen.pk)
        assert (role_names(user), user_has_totp(user)) == ({"citizen"}, False)
        assert queues.officer_agency(user) is None
    assert len(ctx.captured_queries) == 1
    assert load_user(10**9) is None


def test_only_a_totp_authenticator_counts_as_totp(agency):
    from allauth.mfa.models import Authenticator

    user = UserFactory(roles=["citizen"])
    Authenticator.objects.create(user=user, type=Authenticator.Type.RECOVERY_CODES, data={})
    other = make_officer(agency=agency, roles=["reception_officer"], with_totp=True)
    assert user_has_totp(load_user(user.pk)) is False  # not someone else's TOTP either
    assert user_has_totp(load_user(other.pk)) is True


def test_roles_are_read_again_on_every_request(client, agency):
    officer = make_officer(agency=agency, roles=["reception_officer"], with_totp=True)
    client.force_login(officer)
    assert client.get("/officer/").status_code == 200
    officer.groups.remove(Group.objects.get(name="reception_officer"))
    assert client.get("/officer/").status_code == 403


@pytest.mark.parametrize(
    "old_backend",
    [
        "django.contrib.auth.backends.ModelBackend",
        "allauth.account.auth_backends.AuthenticationBackend",
    ],
)
def test_a_session_signed_in_with_the_old_backend_names_stays_signed_in(
    client, agency, old_backend
):
    from django.contrib.auth import BACKEND_SESSION_KEY

    officer = make_officer(agency=agency, roles=["reception_officer"], with_totp=True)
    client.force_login(officer)
    session = client.session
    session[BACKEND_SESSION_KEY] = old_backend
    session.save()
    assert client.get("/officer/").status_code == 200
    assert client.session[BACKEND_SESSION_KEY].startswith("portal.auth.")
