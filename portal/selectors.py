"""Read-only queries of the portal package."""

from __future__ import annotations

from portal.models import AdministrativeUnit, Agency, OfficerProfile
from portal.roles import Role


def officer_profile(user) -> OfficerProfile | None:
    return (
        OfficerProfile.objects.select_related("agency", "agency__admin_unit__parent")
        .filter(user=user)
        .first()
    )


def role_labels(names) -> list[str]:
    return [str(Role(name).label) for name in sorted(names) if name in Role.values]


def home_stats() -> dict[str, int]:
    return {
        "wards": AdministrativeUnit.objects.filter(
            level=AdministrativeUnit.Level.WARD, parent__code="79"
        ).count(),
        "agencies": Agency.objects.filter(is_active=True).count(),
    }
