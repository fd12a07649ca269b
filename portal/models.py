"""Accounts, administrative units, agencies and officer profiles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.validators import validate_cccd, validate_vn_phone


def choices_check(
    field: str, choices: type[models.TextChoices], name: str
) -> models.CheckConstraint:
    """A database CheckConstraint keeping ``field`` within the values of ``choices``."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": choices.values}), name=name)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with an e-mail address (no username)."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("Họ và tên (Full name)"), max_length=150, blank=True)
    date_of_birth = models.DateField(_("Ngày sinh (Date of birth)"), null=True, blank=True)
    citizen_id = models.CharField(
        _("Số CCCD (Citizen ID)"), max_length=12, blank=True, validators=[validate_cccd]
    )
    phone = models.CharField(
        _("Số điện thoại (Phone)"), max_length=15, blank=True, validators=[validate_vn_phone]
    )
    address = models.CharField(_("Địa chỉ (Address)"), max_length=255, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        verbose_name = "Người dùng (User)"
        verbose_name_plural = "Người dùng (Users)"

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split()[-1] if self.full_name else self.email


class AdministrativeUnit(models.Model):
    """Đơn vị hành chính: a province or a ward/commune (two levels since 1 July 2025)."""

    class Level(models.TextChoices):
        PROVINCE = "province", "Tỉnh/Thành phố (Province)"
        WARD = "ward", "Phường/Xã/Đặc khu (Ward)"

    code = models.CharField(max_length=5, unique=True)
    name = models.CharField(max_length=120)
    level = models.CharField(max_length=10, choices=Level.choices)
    division_type = models.CharField(max_length=30)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = "Đơn vị hành chính (Administrative unit)"
        verbose_name_plural = "Đơn vị hành chính (Administrative units)"
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "name"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=["province", "ward"]), name="adminunit_level_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(level="province", parent__isnull=True)
                | models.Q(level="ward", parent__isnull=False),
                name="adminunit_ward_has_province",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """Cơ quan: a ward People's Committee, a city department or a service point."""

    class Kind(models.TextChoices):
        WARD_COMMITTEE = "ward", "UBND phường/xã (Ward People's Committee)"
        DEPARTMENT = "department", "Sở, ban, ngành (City department)"
        SERVICE_CENTER = "service_center", "Trung tâm Phục vụ hành chính công (Service centre)"

    code = models.CharField(
        "Mã cơ quan (Code)",
        max_length=12,
        unique=True,
        help_text="Short code used in dossier codes, e.g. X26734 or STP.",
    )
    name = models.CharField("Tên cơ quan (Name)", max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    admin_unit = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="agencies",
        help_text="The ward (for ward committees) or the province the agency serves.",
    )
    address = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    head_name = models.CharField(
        "Thủ trưởng cơ quan (Head of agency)",
        max_length=100,
        blank=True,
        help_text="Họ tên in dưới chữ ký của Phiếu xin lỗi (Mẫu 04); để trống thì ký, ghi tên bằng tay"
        " (the name printed under the signature of Mẫu 04; blank: signed and named by hand).",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "Cơ quan (Agency)"
        verbose_name_plural = "Cơ quan (Agencies)"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["ward", "department", "service_center"]),
                name="agency_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z0-9][A-Z0-9.\-]*$"), name="agency_code_format"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OfficerProfile(models.Model):
    """Ties an officer's account to exactly one agency; their roles are their groups."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="officer_profile")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="officers")
    title = models.CharField("Chức danh (Title)", max_length=120, blank=True)
    phone = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = "Hồ sơ cán bộ (Officer profile)"
        verbose_name_plural = "Hồ sơ cán bộ (Officer profiles)"

    def __str__(self) -> str:
        return f"{self.user} — {self.agency.code}"


class Heartbeat(models.Model):
    """Last time a periodic component reported in (the Celery beat heartbeat)."""

    name = models.CharField(max_length=50, unique=True)
    at = models.DateTimeField()
    beats = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} @ {self.at:%Y-%m-%d %H:%M:%S}"


class CalendarException(models.Model):
    """Ngày nghỉ / ngày làm bù: an admin-edited change to the working-day calendar.

    The base calendar is Monday–Friday minus Vietnam's public holidays (the ``holidays``
    package); a row here makes one date a day off (e.g. a bridge day the government announces)
    or a working day (a make-up Saturday, "làm bù"). ``agency`` null means city-wide; a row for
    an agency overrides the city-wide row of the same date for that agency.
    """

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", "Ngày nghỉ (Day off)"
        WORKING_DAY = "working_day", "Ngày làm việc bù (Make-up working day)"

    date = models.DateField("Ngày (Date)")
    kind = models.CharField("Loại (Kind)", max_length=12, choices=Kind.choices)
    agency = models.ForeignKey(
        Agency,
        verbose_name="Cơ quan (Agency)",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_exceptions",
        help_text="Để trống nếu áp dụng toàn thành phố (leave empty for city-wide).",
    )
    reason = models.CharField(
        "Lý do (Reason)",
        max_length=255,
        help_text="Căn cứ, ví dụ: Văn bản số 12729/VPCP-KGVX ngày 25/12/2025.",
    )
    created_by = models.ForeignKey(
        User,
        verbose_name="Người tạo (Created by)",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField("Tạo lúc (Created at)", auto_now_add=True)

    class Meta:
        verbose_name = "Ngày nghỉ/làm bù (Calendar exception)"
        verbose_name_plural = "Ngày nghỉ/làm bù (Calendar exceptions)"
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["day_off", "working_day"]),
                name="calendarexception_kind_valid",
            ),
            models.UniqueConstraint(
                fields=["date"],
                condition=models.Q(agency__isnull=True),
                name="calendarexception_unique_citywide_date",
            ),
            models.UniqueConstraint(
                fields=["date", "agency"], name="calendarexception_unique_agency_date"
            ),
        ]

    def __str__(self) -> str:
        where = self.agency.code if self.agency_id else "toàn thành phố"
        return f"{self.date:%d/%m/%Y} — {self.get_kind_display()} ({where})"
