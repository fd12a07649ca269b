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


def _values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_the_one_query_builds_what_the_orm_would(agency):
    """Every column of the user, profile and agency, converted as the ORM converts it."""
    import datetime as dt

    officer = make_officer(
        agency=agency,
        roles=["reception_officer"],
        date_of_birth=dt.date(1990, 2, 28),
        full_name="Trần Thị Ánh",
        is_staff=True,
    )
    officer.last_login = dt.datetime(2026, 11, 30, 8, 15, tzinfo=dt.UTC)
    officer.save()
    expected = type(officer).objects.select_related("officer_profile__agency").get(pk=officer.pk)
    user = load_user(officer.pk)
    assert _values(user) == _values(expected)
    assert isinstance(user.date_of_birth, dt.date) and user.is_staff is True
    assert user.last_login == officer.last_login and user.last_login.tzinfo is not None
    with CaptureQueriesContext(connection) as ctx:
        assert _values(user.officer_profile) == _values(expected.officer_profile)
        assert _values(user.officer_profile.agency) == _values(expected.officer_profile.agency)
        assert user.officer_profile.user is user
    assert ctx.captured_queries == []  # all of it came with the one query
    assert user._state.adding is False and user._state.db == "default"
    user.full_name = "Trần Thị Ánh Tuyết"
    user.save(update_fields=["full_name"])  # a loaded user saves as an existing row
    assert type(officer).objects.get(pk=officer.pk).full_name == "Trần Thị Ánh Tuyết"


def test_a_user_without_profile_is_known_to_have_none(db):
    from django.core.exceptions import ObjectDoesNotExist

    citizen = load_user(UserFactory(roles=["citizen"]).pk)
    with CaptureQueriesContext(connection) as ctx, pytest.raises(ObjectDoesNotExist):
        citizen.officer_profile  # noqa: B018 — the access is the test
    assert ctx.captured_queries == []
