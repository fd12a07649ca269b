"""Authentication backends that load the signed-in user for a request in one query.

Every back-office request needs, besides the user, their roles (groups), whether they have a
TOTP authenticator (the MFA guard) and their officer profile with its agency. Django's
``ModelBackend.get_user`` loads only the user; the rest came from three more queries on every
page. Here ``get_user`` reads them with the user: the profile and agency by ``select_related``
(a missing profile is cached as missing), the group names and the TOTP flag by subqueries on
PostgreSQL (written as constant SQL: the ORM compiled the equivalent expressions again on every
request). The values are left where ``portal.roles.role_names``
and ``portal.middleware.user_has_totp`` look first, so nothing is cached beyond the request: a
role taken away applies to the next request. On SQLite (the demo) only the profile is joined.
"""

from __future__ import annotations

import functools

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.mfa.models import Authenticator
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import BooleanField, CharField
from django.db.models.expressions import RawSQL


def _role_names_sql() -> str:
    """The user's group names as an SQL array (a correlated subquery on the user row).

    Written as SQL rather than as ``ArraySubquery(Group.objects.filter(user=OuterRef("pk")))``:
    the ORM spent about 0.8 ms compiling that expression on every request; this is a constant.
    """
    user_model = get_user_model()
    groups = Group._meta.db_table
    through = user_model.groups.through._meta.db_table
    users = user_model._meta.db_table
    # Table names from the models, no input.
    sql = 'ARRAY(SELECT g."name" FROM "{}" g JOIN "{}" ug ON ug."group_id" = g."id" '
    sql += 'WHERE ug."user_id" = "{}"."id")'
    return sql.format(groups, through, users)


def _has_totp_sql() -> str:
    """Whether the user has a TOTP authenticator, as constant SQL for the same reason as
    ``_role_names_sql`` (an ``Exists`` subquery is compiled again on every request)."""
    users = get_user_model()._meta.db_table
    sql = 'EXISTS(SELECT 1 FROM "{}" a WHERE a."user_id" = "{}"."id" AND a."type" = %s)'
    return sql.format(Authenticator._meta.db_table, users)


@functools.cache
def _users(vendor: str):
    """The queryset ``load_user`` filters, built once per process and database vendor."""
    users = get_user_model()._default_manager.select_related("officer_profile__agency")
    if vendor != "postgresql":
        return users
    from django.contrib.postgres.fields import ArrayField

    return users.annotate(
        loaded_role_names=RawSQL(  # noqa: S611 — constant SQL, no parameters
            _role_names_sql(), [], output_field=ArrayField(CharField())
        ),
        loaded_has_totp=RawSQL(  # noqa: S611 — constant SQL, the type is a bound parameter
            _has_totp_sql(), [Authenticator.Type.TOTP.value], output_field=BooleanField()
        ),
    )


def load_user(user_id):
    """The active-or-not user ``user_id`` with roles, TOTP flag and officer profile, or None."""
    try:
        user = _users(connection.vendor).get(pk=user_id)
    except get_user_model().DoesNotExist:
        return None
    if hasattr(user, "loaded_role_names"):
        user._role_names = set(user.loaded_role_names)
        user._has_totp = user.loaded_has_totp
    return user


class _OneQueryGetUser:
    def get_user(self, user_id):
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        return await sync_to_async(self.get_user)(user_id)


class ModelBackend(_OneQueryGetUser, DjangoModelBackend):
    """Django's backend (``force_login``, the admin's password check) with ``load_user``."""


class AuthenticationBackend(_OneQueryGetUser, AllauthBackend):
    """allauth's backend (e-mail log-in) with ``load_user``."""
