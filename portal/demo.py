"""Demo personas (seed_demo). Never used in production: the command refuses unless asked."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction

from portal.admin_units import admin_units_load, hcmc_agencies_load, ward_agency_code
from portal.models import Agency, OfficerProfile, User
from portal.roles import Role, role_group
from procedures.demo import seed_procedures

DEMO_PASSWORD = "demo-DVC-2026"  # printed for the demo; the demo is never production
WARD_A = "26740"  # Phường Sài Gòn
WARD_B = "26743"  # Phường Bến Thành


@dataclass(frozen=True)
class Persona:
    email: str
    full_name: str
    roles: tuple[str, ...]
    agency: str | None = None  # agency code
    staff: bool = False
    title: str = ""


PERSONAS = [
    Persona("citizen@demo.dvc.vn", "Nguyễn Thị Lan", (Role.CITIZEN,)),
    Persona(
        "reception.saigon@demo.dvc.vn",
        "Trần Văn Minh",
        (Role.RECEPTION,),
        ward_agency_code(WARD_A),
        title="Cán bộ một cửa",
    ),
    Persona(
        "specialist.saigon@demo.dvc.vn",
        "Lê Thị Hoa",
        (Role.SPECIALIST,),
        ward_agency_code(WARD_A),
        title="Công chức Tư pháp - Hộ tịch",
    ),
    Persona(
        "approver.saigon@demo.dvc.vn",
        "Phạm Quốc Bảo",
        (Role.APPROVER,),
        ward_agency_code(WARD_A),
        title="Phó Chủ tịch UBND phường",
    ),
    Persona(
        "reception.benthanh@demo.dvc.vn",
        "Võ Thị Thu",
        (Role.RECEPTION, Role.SPECIALIST),
        ward_agency_code(WARD_B),
        title="Cán bộ một cửa",
    ),
    Persona(
        "admin@demo.dvc.vn",
        "Đặng Hữu Nghĩa",
        (Role.CATALOG_ADMIN,),
        "STP",
        staff=True,
        title="Quản trị danh mục thủ tục",
    ),
    Persona(
        "supervisor@demo.dvc.vn",
        "Hoàng Minh Châu",
        (Role.SUPERVISOR,),
        "TTHCC-01",
        staff=True,  # the payment totals are in the admin (payments/admin.py)
        title="Giám sát",
    ),
]


def demo_totp_secret(email: str) -> str:
    """Deterministic TOTP secret per demo officer, so the printed secret stays valid."""
    return base64.b32encode(hashlib.sha256(f"demo-totp:{email}".encode()).digest()[:20]).decode()


@transaction.atomic
def seed_demo() -> list[dict]:
    """Idempotent: creates what is missing, leaves what exists."""
    if not Agency.objects.filter(code=ward_agency_code(WARD_A)).exists():
        admin_units_load()
        hcmc_agencies_load()
    printed = []
    for persona in PERSONAS:
        user, created = User.objects.get_or_create(
            email=persona.email,
            defaults={"full_name": persona.full_name, "is_staff": persona.staff},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=persona.email, defaults={"verified": True, "primary": True}
        )
        user.groups.add(*[role_group(role) for role in persona.roles])
        if persona.staff and Role.CATALOG_ADMIN in persona.roles:
            from django.contrib.auth.models import Permission

            user.user_permissions.add(
                *Permission.objects.filter(
                    content_type__app_label__in=["procedures", "portal"]
                ).exclude(codename__in=["delete_user", "add_user", "change_user"])
            )
        secret = None
        if persona.agency:
            OfficerProfile.objects.get_or_create(
                user=user,
                defaults={
                    "agency": Agency.objects.get(code=persona.agency),
                    "title": persona.title,
                    # Printed on Mẫu 02 ("whom to call"); a demo number, not a real line.
                    "phone": "028 3829 0000",
                },
            )
            secret = demo_totp_secret(persona.email)
            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                TOTP.activate(user, secret)
                RecoveryCodes.activate(user)
        printed.append(
            {
                "email": persona.email,
                "password": DEMO_PASSWORD,
                "roles": ", ".join(str(Role(r).label) for r in persona.roles),
                "agency": persona.agency or "",
                "totp_secret": secret or "",
            }
        )
    seed_procedures()  # the sample catalog (idempotent)
    from dossiers.signing import agency_certificates_ensure

    agency_certificates_ensure(codes=[ward_agency_code(WARD_A), ward_agency_code(WARD_B)])
    return printed
