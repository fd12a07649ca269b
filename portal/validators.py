"""Validators for Vietnamese identifiers, shared by profiles and (later) form schemas."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Province codes that open a 12-digit citizen ID (Thông tư 07/2016/TT-BCA, 63 provinces as
# they were when the numbers were issued; reorganised provinces keep the old prefixes).
CCCD_PROVINCE_CODES = frozenset(
    [
        "001",
        "002",
        "004",
        "006",
        "008",
        "010",
        "011",
        "012",
        "014",
        "015",
        "017",
        "019",
        "020",
        "022",
        "024",
        "025",
        "026",
        "027",
        "030",
        "031",
        "033",
        "034",
        "035",
        "036",
        "037",
        "038",
        "040",
        "042",
        "044",
        "045",
        "046",
        "048",
        "049",
        "051",
        "052",
        "054",
        "056",
        "058",
        "060",
        "062",
        "064",
        "066",
        "067",
        "068",
        "070",
        "072",
        "074",
        "075",
        "077",
        "079",
        "080",
        "082",
        "083",
        "084",
        "086",
        "087",
        "089",
        "091",
        "092",
        "093",
        "094",
        "095",
        "096",
    ]
)
# 4th digit: century and gender. 0/1 = born 1900-1999 (male/female), 2/3 = 2000-2099.
CCCD_CENTURY = {"0": 1900, "1": 1900, "2": 2000, "3": 2000}

_CCCD_RE = re.compile(r"^\d{12}$")
_PHONE_RE = re.compile(r"^0(3|5|7|8|9)\d{8}$")


def cccd_birth_year(number: str) -> int:
    return CCCD_CENTURY[number[3]] + int(number[4:6])


def validate_cccd(value: str, *, date_of_birth: date | None = None) -> None:
    """Số định danh cá nhân / CCCD: 12 digits, valid province and century-gender prefix."""
    if not _CCCD_RE.match(value or ""):
        raise ValidationError(
            _("Số CCCD phải gồm đúng 12 chữ số (CCCD must be exactly 12 digits)."),
            code="cccd_format",
        )
    if value[:3] not in CCCD_PROVINCE_CODES:
        raise ValidationError(
            _("Ba số đầu %(prefix)s không phải mã tỉnh hợp lệ (invalid province code).")
            % {"prefix": value[:3]},
            code="cccd_province",
        )
    if value[3] not in CCCD_CENTURY:
        raise ValidationError(
            _("Chữ số thứ 4 (thế kỷ và giới tính) không hợp lệ (invalid century/gender digit)."),
            code="cccd_century",
        )
    if date_of_birth is not None and cccd_birth_year(value) != date_of_birth.year:
        raise ValidationError(
            _(
                "Năm sinh trong số CCCD (%(year)s) không khớp ngày sinh (does not match date of birth)."
            )
            % {"year": cccd_birth_year(value)},
            code="cccd_birth_year",
        )


def normalize_phone(value: str) -> str:
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def validate_vn_phone(value: str) -> None:
    """Vietnamese mobile number: 10 digits starting 03/05/07/08/09 (or +84)."""
    if not _PHONE_RE.match(normalize_phone(value)):
        raise ValidationError(
            _(
                "Số điện thoại di động không hợp lệ, ví dụ 0912345678 (invalid Vietnamese mobile number)."
            ),
            code="phone",
        )
