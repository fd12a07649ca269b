"""Tính phí at submission (fee_quote reused) and the fee's hold on the workflow."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from dossiers.models import Channel, DossierStatus
from payments.models import DossierFee, FeeDue, FeeStatus
from payments.selectors import fee_blocking_message, fee_summary
from payments.services import dossier_fee_assess
from tests.payments.conftest import fee_version

pytestmark = pytest.mark.django_db

ONLINE_FREE = {
    "condition": "online",
    "percent": 100,
    "description": "Miễn lệ phí khi nộp hồ sơ trực tuyến",
}


def submitted(people, version, **kwargs):
    return people.dossier(
        DossierStatus.SUBMITTED, version=version, submitted_at=timezone.now(), **kwargs
    )


def test_it_stores_a_fixed_fee_with_its_rule(people, agency):
    fee = dossier_fee_assess(dossier=submitted(people, fee_version(agencies=[agency])))
    assert (fee.amount, fee.base_amount, fee.status) == (50_000, 50_000, FeeStatus.UNPAID)
    assert fee.due_on == FeeDue.SUBMISSION
    assert "Mức cố định 50.000 đồng/hồ sơ" in fee.rule
    assert fee.waivers == []


def test_it_multiplies_per_copy_fees_up_to_the_cap(people, agency):
    version = fee_version(
        agencies=[agency], fee_kind="per_unit", fee_amount=2_000, fee_unit="bản", fee_cap=10_000
    )
    three = dossier_fee_assess(dossier=submitted(people, version), units=3)
    assert (three.amount, three.units) == (6_000, 3)
    assert "2.000 đồng/bản × 3 bản" in three.rule
    many = dossier_fee_assess(dossier=submitted(people, version, form_data={"copies": "8"}))
    assert many.amount == 10_000 and "tối đa 10.000 đồng" in many.rule


def test_the_units_come_from_the_field_the_schema_marks(people, agency):
    """The catalog's own field ("Số trang") counts the pages, whatever its name."""
    schema = {
        "fields": [
            {"name": "so_trang", "kind": "number", "label": "Số trang", "fee_units": True},
            {"name": "so_ban", "kind": "number", "label": "Số bản"},
        ]
    }
    version = fee_version(
        agencies=[agency],
        fee_kind="per_unit",
        fee_amount=2_000,
        fee_unit="trang",
        fee_cap=200_000,
        form_schema=schema,
    )
    fee = dossier_fee_assess(
        dossier=submitted(people, version, form_data={"so_trang": 12, "so_ban": 3})
    )
    assert (fee.units, fee.amount) == (12, 24_000)
    assert "2.000 đồng/trang × 12 trang" in fee.rule
    capped = dossier_fee_assess(dossier=submitted(people, version, form_data={"so_trang": 150}))
    assert (capped.units, capped.amount) == (150, 200_000)


def test_it_applies_the_online_waiver_only_online(people, agency):
    version = fee_version(agencies=[agency], waivers=[ONLINE_FREE])
    online = dossier_fee_assess(dossier=submitted(people, version))
    assert (online.amount, online.base_amount, online.status) == (
        0,
        50_000,
        FeeStatus.NOT_REQUIRED,
    )
    assert online.waivers == ["Miễn lệ phí khi nộp hồ sơ trực tuyến"]
    counter = dossier_fee_assess(dossier=submitted(people, version, channel=Channel.COUNTER))
    assert (counter.amount, counter.status) == (50_000, FeeStatus.UNPAID)


def test_it_applies_a_partial_waiver(people, agency):
    half = {**ONLINE_FREE, "percent": 50, "description": "Giảm 50% khi nộp trực tuyến"}
    fee = dossier_fee_assess(
        dossier=submitted(people, fee_version(agencies=[agency], waivers=[half]))
    )
    assert (fee.amount, fee.base_amount) == (25_000, 50_000)
    assert "Giảm 50% khi nộp trực tuyến" in fee.rule and "25.000 đồng" in fee.rule


def test_it_marks_free_procedures_as_nothing_to_pay(people):
    fee = dossier_fee_assess(dossier=submitted(people, people.version))
    assert (fee.amount, fee.status) == (0, FeeStatus.NOT_REQUIRED)
    assert fee_summary(dossier=fee.dossier).citizen_label == "Không phải nộp phí"


def test_it_is_idempotent(fee_dossier):
    first = DossierFee.objects.get(dossier=fee_dossier)
    again = dossier_fee_assess(dossier=fee_dossier, units=9)
    assert again.pk == first.pk and DossierFee.objects.count() == 1


def test_an_unpaid_fee_due_on_submission_blocks_receive_and_return(fee_dossier):
    message = fee_blocking_message(dossier=fee_dossier, action="receive")
    assert "chưa thanh toán" in message and "cannot be received" in message
    assert "chưa thể trả kết quả" in fee_blocking_message(
        dossier=fee_dossier, action="return_result"
    )
    assert fee_blocking_message(dossier=fee_dossier, action="assign") is None
    with translation.override("en"):  # an English page: the English sentence alone
        english = fee_blocking_message(dossier=fee_dossier, action="return_result")
    amount = DossierFee.objects.get(dossier=fee_dossier).amount
    assert english == (
        f"The fee of {amount:,} VND is unpaid: the result cannot be handed back yet."
    )
    summary = fee_summary(dossier=fee_dossier)
    assert (summary.citizen_label, summary.officer_label) == ("Thanh toán", "chưa thanh toán")
    assert summary.is_payable


def test_a_fee_due_on_result_blocks_only_the_hand_back(fee_dossier):
    DossierFee.objects.filter(dossier=fee_dossier).update(due_on=FeeDue.RESULT)
    assert fee_blocking_message(dossier=fee_dossier, action="receive") is None
    assert fee_blocking_message(dossier=fee_dossier, action="return_result")


def test_a_paid_or_absent_fee_blocks_nothing(fee_dossier, people):
    DossierFee.objects.filter(dossier=fee_dossier).update(
        status=FeeStatus.PAID, paid_at=timezone.now()
    )
    assert fee_blocking_message(dossier=fee_dossier, action="receive") is None
    assert fee_blocking_message(dossier=fee_dossier, action="return_result") is None
    assert fee_summary(dossier=fee_dossier).officer_label == "đã thanh toán"
    no_fee = people.dossier(DossierStatus.SUBMITTED)
    assert fee_blocking_message(dossier=no_fee, action="receive") is None
