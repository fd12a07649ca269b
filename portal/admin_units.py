"""Load provinces and wards (post-July-2025 data) from the vietnam-provinces package."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from vietnam_provinces import Province, Ward

from portal.models import AdministrativeUnit, Agency

HCMC_CODE = "79"


@dataclass
class LoadResult:
    provinces: int
    wards: int
    created: int
    updated: int


def _code(value, width: int) -> str:
    return str(int(value)).zfill(width)


@transaction.atomic
def admin_units_load() -> LoadResult:
    """Idempotent upsert: running it twice changes nothing the second time."""
    existing = {u.code: u for u in AdministrativeUnit.objects.all()}
    created = updated = 0

    def upsert(code: str, name: str, level: str, division_type: str, parent) -> AdministrativeUnit:
        nonlocal created, updated
        name = " ".join(name.split())  # the source has a few doubled spaces ("Phường  Rạch Dừa")
        unit = existing.get(code)
        if unit is None:
            unit = AdministrativeUnit.objects.create(
                code=code, name=name, level=level, division_type=division_type, parent=parent
            )
            existing[code] = unit
            created += 1
        elif (unit.name, unit.level, unit.division_type, unit.parent_id) != (
            name,
            level,
            division_type,
            parent.pk if parent else None,
        ):
            unit.name, unit.level, unit.division_type, unit.parent = (
                name,
                level,
                division_type,
                parent,
            )
            unit.save(update_fields=["name", "level", "division_type", "parent"])
            updated += 1
        return unit

    provinces = {}
    for province in Province.iter_all():
        code = _code(province.code, 2)
        provinces[code] = upsert(
            code,
            province.name,
            AdministrativeUnit.Level.PROVINCE,
            province.division_type.value,
            None,
        )
    new_wards = []
    ward_count = 0
    for ward in Ward.iter_all():
        ward_count += 1
        code = _code(ward.code, 5)
        parent = provinces[_code(ward.province_code, 2)]
        if code not in existing:
            new_wards.append(
                AdministrativeUnit(
                    code=code,
                    name=ward.name,
                    level=AdministrativeUnit.Level.WARD,
                    division_type=ward.division_type.value,
                    parent=parent,
                )
            )
        else:
            upsert(code, ward.name, AdministrativeUnit.Level.WARD, ward.division_type.value, parent)
    AdministrativeUnit.objects.bulk_create(new_wards, batch_size=1000)
    created += len(new_wards)
    return LoadResult(provinces=len(provinces), wards=ward_count, created=created, updated=updated)


# City departments and service points of Ho Chi Minh City used by the demo and as sample data.
HCMC_DEPARTMENTS = [
    ("STP", "Sở Tư pháp Thành phố Hồ Chí Minh"),
    ("SXD", "Sở Xây dựng Thành phố Hồ Chí Minh"),
    ("STC", "Sở Tài chính Thành phố Hồ Chí Minh"),
    ("SNNMT", "Sở Nông nghiệp và Môi trường Thành phố Hồ Chí Minh"),
    ("SYT", "Sở Y tế Thành phố Hồ Chí Minh"),
    ("SGDDT", "Sở Giáo dục và Đào tạo Thành phố Hồ Chí Minh"),
    ("SCT", "Sở Công Thương Thành phố Hồ Chí Minh"),
]
HCMC_SERVICE_CENTERS = [
    ("TTHCC-01", "Trung tâm Phục vụ hành chính công Thành phố — Chi nhánh 1"),
    ("TTHCC-02", "Trung tâm Phục vụ hành chính công Thành phố — Chi nhánh 2"),
    ("TTHCC-03", "Trung tâm Phục vụ hành chính công Thành phố — Chi nhánh 3"),
]


def ward_agency_code(ward_code: str) -> str:
    return f"X{ward_code}"


@transaction.atomic
def hcmc_agencies_load() -> int:
    """One People's Committee per HCMC ward, the departments and service points (idempotent)."""
    city = AdministrativeUnit.objects.get(code=HCMC_CODE)
    wanted = [
        (ward_agency_code(w.code), f"Ủy ban nhân dân {w.name}", Agency.Kind.WARD_COMMITTEE, w)
        for w in AdministrativeUnit.objects.filter(parent=city).order_by("code")
    ]
    wanted += [(c, n, Agency.Kind.DEPARTMENT, city) for c, n in HCMC_DEPARTMENTS]
    wanted += [(c, n, Agency.Kind.SERVICE_CENTER, city) for c, n in HCMC_SERVICE_CENTERS]
    have = set(Agency.objects.values_list("code", flat=True))
    Agency.objects.bulk_create(
        [Agency(code=c, name=n, kind=k, admin_unit=u) for c, n, k, u in wanted if c not in have]
    )
    return len(wanted)
