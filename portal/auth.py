"""Authentication backends that load the signed-in user for a request in one query.

Every back-office request needs, besides the user, their roles (groups), whether they have a
TOTP authenticator (the MFA guard) and their officer profile with its agency. Django's
``ModelBackend.get_user`` loads only the user; the rest came from three more queries on every
page. Here ``get_user`` reads them with the user in one constant query (``_plan``): the profile
and agency joined as ``select_related`` would (a missing profile is cached as missing), the
group names and the TOTP flag by subqueries on PostgreSQL. The ORM compiled that query again on
every request; it is written once per process from the models' metadata. The values are left
where ``portal.roles.role_names`` and ``portal.middleware.user_has_totp`` look first, so nothing
is cached beyond the request: a role taken away applies to the next request. On SQLite (the
demo) only the profile and agency are joined.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.mfa.models import Authenticator
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import Group
from django.db import connection


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


@dataclass(frozen=True)
class _Part:
    """One model of the row ``load_user`` reads: its columns' slice and their converters."""

    model: type
    attnames: tuple[str, ...]
    start: int
    converters: tuple[tuple[int, object, tuple], ...]  # (index in the part, column, converters)

    def build(self, row: tuple, db: str):
        values = list(row[self.start : self.start + len(self.attnames)])
        for index, col, converters in self.converters:
            for convert in converters:
                values[index] = convert(values[index], col, connection)
        return self.model.from_db(db, self.attnames, values)


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple
    user: _Part
    profile: _Part
    agency: _Part
    extras: int  # role names and TOTP flag after the models' columns (PostgreSQL)


@functools.cache
def _plan(vendor: str) -> _Plan:
    """The one query of ``load_user``, written once per process and database vendor.

    It is what ``User.objects.select_related("officer_profile__agency").get(pk=…)`` runs, with
    the role names and the TOTP flag as two more columns on PostgreSQL. The ORM compiled that
    query again on every request (≈0.4 ms) and built the three objects through its generic
    row machinery (≈0.4 ms); here the SQL is a constant and the objects come from ``from_db``
    with each column's database converters, as the ORM applies them.
    """
    users = get_user_model()
    profiles = users.officer_profile.related.related_model
    agencies = profiles.agency.field.related_model
    quote = connection.ops.quote_name
    columns, parts, start = [], [], 0
    for model in (users, profiles, agencies):
        fields = model._meta.concrete_fields
        table = quote(model._meta.db_table)
        columns += [f"{table}.{quote(f.column)}" for f in fields]
        converters = []
        for index, f in enumerate(fields):
            col = f.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
            if found:
                converters.append((index, col, tuple(found)))
        attnames = tuple(f.attname for f in fields)
        parts.append(_Part(model, attnames, start, tuple(converters)))
        start += len(fields)
    params, extras = [], 0
    if vendor == "postgresql":
        columns += [_role_names_sql(), _has_totp_sql()]
        params, extras = [Authenticator.Type.TOTP.value], 2
    user_table, profile_table = quote(users._meta.db_table), quote(profiles._meta.db_table)
    agency_table = quote(agencies._meta.db_table)
    pk = quote(users._meta.pk.column)
    sql = (  # table and column names from the models; the user id is bound
        f"SELECT {', '.join(columns)} FROM {user_table}"  # noqa: S608
        f" LEFT OUTER JOIN {profile_table}"
        f" ON {profile_table}.{quote(profiles.user.field.column)} = {user_table}.{pk}"
        f" LEFT OUTER JOIN {agency_table}"
        f" ON {agency_table}.{quote(agencies._meta.pk.column)}"
        f" = {profile_table}.{quote(profiles.agency.field.column)}"
        f" WHERE {user_table}.{pk} = %s"
    )
    return _Plan(sql, tuple(params), *parts, extras=extras)


def load_user(user_id):
    """The active-or-not user ``user_id`` with roles, TOTP flag and officer profile, or None."""
    plan = _plan(connection.vendor)
    users = plan.user.model
    with connection.cursor() as cursor:
        cursor.execute(
            plan.sql, [*plan.params, users._meta.pk.get_db_prep_value(user_id, connection)]
        )
        row = cursor.fetchone()
    if row is None:
        return None
    db = connection.alias
    user = plan.user.build(row, db)
    profile = None
    if row[plan.profile.start] is not None:  # the profile's primary key: LEFT JOIN found one
        profile = plan.profile.build(row, db)
        plan.profile.model.user.field.set_cached_value(profile, user)
        plan.profile.model.agency.field.set_cached_value(profile, plan.agency.build(row, db))
    users.officer_profile.related.set_cached_value(user, profile)  # None: known to be missing
    if plan.extras:
        user._role_names = set(row[-2])
        user._has_totp = row[-1]
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
