"""factory_boy factories for the portal's models."""

from __future__ import annotations

import base64
import datetime
import secrets

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from portal.models import AdministrativeUnit, Agency, CalendarException, OfficerProfile, User
from portal.roles import role_group

PASSWORD = "Pass-word-2026!"


def totp_code(secret: str, at: float | None = None) -> str:
    """The TOTP code at ``at`` (default: now). For "now", when the 30-second step is about to
    end it waits for the next one, so the code cannot expire on its way to the server."""
    import time

    if at is None:
        if time.time() % 30 > 26 or _LAST_STEP.get(secret) == int(time.time() // 30):
            # about to expire, or already used: allauth accepts a code once (replay protection)
            time.sleep(30 - time.time() % 30 + 0.2)
        at = time.time()
        _LAST_STEP[secret] = int(at // 30)
    return format_hotp_value(hotp_value(secret, int(at // 30)))


_LAST_STEP: dict[str, int] = {}


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit
        django_get_or_create = ("code",)

    code = "79"
    name = "Thành phố Hồ Chí Minh"
    level = AdministrativeUnit.Level.PROVINCE
    division_type = "thành phố trung ương"
    parent = None


class WardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit

    code = factory.Sequence(lambda n: f"{90000 + n}")
    name = factory.Sequence(lambda n: f"Phường Thử Nghiệm {n}")
    level = AdministrativeUnit.Level.WARD
    division_type = "phường"
    parent = factory.SubFactory(ProvinceFactory)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    admin_unit = factory.SubFactory(WardFactory)
    code = factory.LazyAttribute(lambda o: f"X{o.admin_unit.code}")
    name = factory.LazyAttribute(lambda o: f"Ủy ban nhân dân {o.admin_unit.name}")
    kind = Agency.Kind.WARD_COMMITTEE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.vn")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.save()
        EmailAddress.objects.get_or_create(
            user=self, email=self.email, defaults={"verified": True, "primary": True}
        )
        for name in extracted or []:
            self.groups.add(role_group(name))


class CalendarExceptionFactory(factory.django.DjangoModelFactory):
    """A city-wide day off unless told otherwise (agency=..., kind=WORKING_DAY)."""

    class Meta:
        model = CalendarException

    date = factory.Sequence(lambda n: datetime.date(2027, 3, 1) + datetime.timedelta(days=n))
    kind = CalendarException.Kind.DAY_OFF
    agency = None
    reason = "Nghỉ theo thông báo của Ủy ban nhân dân Thành phố (thử nghiệm)."


def make_officer(*, agency, roles, with_totp=True, **kwargs) -> User:
    user = UserFactory(roles=roles, **kwargs)
    OfficerProfile.objects.create(user=user, agency=agency)
    user.demo_totp_secret = None
    if with_totp:
        secret = base64.b32encode(secrets.token_bytes(20)).decode()
        TOTP.activate(user, secret)
        user.demo_totp_secret = secret
    return user
