"""Roles are Django groups (created by a data migration); these are their names."""

from __future__ import annotations

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Role(TextChoices):
    CITIZEN = "citizen", _("Công dân (Citizen)")
    RECEPTION = "reception_officer", _("Cán bộ một cửa (Reception officer)")
    SPECIALIST = "specialist", _("Chuyên viên (Specialist)")
    APPROVER = "approver", _("Lãnh đạo phê duyệt (Approver)")
    CATALOG_ADMIN = "catalog_admin", _("Quản trị danh mục (Catalog admin)")
    SUPERVISOR = "supervisor", _("Giám sát (Supervisor)")


OFFICER_ROLES = frozenset({Role.RECEPTION, Role.SPECIALIST, Role.APPROVER})
# Roles that reach the back office or the admin and therefore must use MFA.
STAFF_ROLES = OFFICER_ROLES | {Role.CATALOG_ADMIN, Role.SUPERVISOR}


def role_names(user) -> set[str]:
    """Group names of a user, cached on the instance for the request."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(role_names(user) & set(roles))


def needs_mfa(user) -> bool:
    """Officers, admins and Django staff must use MFA before any back-office page."""
    return user.is_authenticated and (
        user.is_staff or user.is_superuser or has_role(user, *STAFF_ROLES)
    )


def role_group(name: str):
    """The group of a role. Created by migration; re-created if a test flush removed it."""
    from django.contrib.auth.models import Group

    return Group.objects.get_or_create(name=name)[0]
