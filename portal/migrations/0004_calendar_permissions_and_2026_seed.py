"""Catalog admins edit the working-day calendar; seed what ``holidays`` 0.109 lacks for 2026.

The seed is the difference between the package and the official 2026 calendar: Văn bản số
12729/VPCP-KGVX ngày 25/12/2025 moved the working day of Friday 2/1/2026 to Saturday 10/1/2026
(Tết Dương lịch 1/1–4/1). Tết Nguyên đán (16–20/2), Giỗ Tổ (27/4, observed), 30/4–1/5 and
Quốc khánh (31/8 swapped with 22/8, 1–2/9) are already in the package.
"""

import datetime

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "catalog_admin"
CODENAMES = [f"{action}_calendarexception" for action in ("add", "change", "delete", "view")]
SEED = [
    (
        datetime.date(2026, 1, 2),
        "day_off",
        "Nghỉ Tết Dương lịch 2026, hoán đổi sang thứ Bảy 10/1/2026 (Văn bản 12729/VPCP-KGVX ngày 25/12/2025).",
    ),
    (
        datetime.date(2026, 1, 10),
        "working_day",
        "Làm bù cho thứ Sáu 2/1/2026 (Văn bản 12729/VPCP-KGVX ngày 25/12/2025).",
    ),
]


def grant_calendar_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); create them now.
    app_config = apps.get_app_config("portal")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="portal", codename__in=CODENAMES)
    )


def revoke_calendar_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=GROUP):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="portal", codename__in=CODENAMES)
        )


def seed_2026(apps, schema_editor):
    CalendarException = apps.get_model("portal", "CalendarException")
    for day, kind, reason in SEED:
        CalendarException.objects.get_or_create(
            date=day, agency=None, defaults={"kind": kind, "reason": reason}
        )


def unseed_2026(apps, schema_editor):
    CalendarException = apps.get_model("portal", "CalendarException")
    for day, kind, _reason in SEED:
        CalendarException.objects.filter(date=day, agency=None, kind=kind).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_calendarexception"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [
        migrations.RunPython(grant_calendar_permissions, revoke_calendar_permissions),
        migrations.RunPython(seed_2026, unseed_2026),
    ]
