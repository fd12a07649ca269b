"""Publishing, unpublishing, new drafts, comparing versions and fee quotes."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from procedures import services
from procedures.models import ProcedureVersion, VersionStatus

from .factories import ProcedureFactory, make_version

pytestmark = pytest.mark.django_db


def test_publishing_a_draft_retires_the_published_version():
    v1 = make_version()
    v2 = services.version_new_draft(procedure=v1.procedure, change_note="Phí mới")
    assert (v2.number, v2.status) == (2, VersionStatus.DRAFT)
    assert [d.key for d in v2.documents.all()] == ["cccd"]
    assert v2.form_schema == v1.form_schema
    services.version_publish(version=v2)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (VersionStatus.RETIRED, VersionStatus.PUBLISHED)
    assert v1.retired_at and v2.published_at
    assert ProcedureVersion.objects.filter(procedure=v1.procedure, status="published").count() == 1


def test_new_draft_returns_the_existing_draft():
    v1 = make_version()
    draft = services.version_new_draft(procedure=v1.procedure)
    assert services.version_new_draft(procedure=v1.procedure) == draft


def test_publish_refuses_a_version_with_dangling_document_slots_or_no_agency():
    procedure = ProcedureFactory(agencies=[])
    version = make_version(procedure=procedure, status="draft", documents=())
    with pytest.raises(ValidationError) as excinfo:
        services.version_publish(version=version)
    errors = excinfo.value.message_dict
    assert any('"tep_cccd"' in m and 'giấy tờ "cccd"' in m for m in errors["form_schema"])
    assert "procedure" in errors
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def test_unpublish_and_republish():
    version = make_version()
    services.version_unpublish(version=version)
    version.refresh_from_db()
    assert version.status == VersionStatus.RETIRED
    with pytest.raises(ValidationError):
        services.version_unpublish(version=version)
    published_at = version.published_at
    services.version_publish(version=version)
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert version.published_at == published_at


def test_compare_lists_what_changed():
    v1 = make_version(fee_kind="fixed", fee_amount=15000)
    draft = services.version_new_draft(procedure=v1.procedure)
    draft.fee_amount = 20000
    draft.form_schema = {
        "fields": [
            {"name": "ho_ten", "kind": "text", "label": "Họ tên đầy đủ", "required": True},
            {"name": "ngay_sinh", "kind": "date", "label": "Ngày sinh"},
        ]
    }
    draft.save()
    draft.documents.create(key="anh", name="Ảnh chân dung")
    diff = services.version_compare(old=v1, new=draft)
    assert ("Mức phí, VNĐ (Fee, VND)", "15000", "20000") in diff.changed
    assert diff.documents_added == ["Ảnh chân dung"]
    assert diff.fields_added == ["ngay_sinh"]
    assert diff.fields_removed == ["tep_cccd"]
    assert diff.fields_changed == ["ho_ten"]
    assert services.version_compare(old=v1, new=v1).is_empty


ONLINE = {
    "condition": "online",
    "percent": 100,
    "description": "Miễn khi nộp trực tuyến",
    "valid_from": dt.date(2025, 7, 1),
    "valid_until": dt.date(2026, 12, 31),
}


def test_fee_quote_applies_waivers_as_data():
    version = make_version(fee_kind="fixed", fee_amount=15000, waivers=[ONLINE])
    on = dt.date(2025, 9, 1)
    assert services.fee_quote(version=version, online=True, on=on).amount == 0
    assert services.fee_quote(version=version, online=False, on=on).amount == 15000
    assert services.fee_quote(version=version, online=True, on=dt.date(2027, 1, 1)).amount == 15000
    half = make_version(
        fee_kind="fixed",
        fee_amount=200000,
        waivers=[{"condition": "beneficiary", "percent": 50, "description": "Sinh viên"}],
    )
    assert services.fee_quote(version=half, beneficiary=True).amount == 100000
    assert services.fee_quote(version=half).amount == 200000


def test_fee_quote_per_unit_with_cap_and_free():
    version = make_version(fee_kind="per_unit", fee_amount=2000, fee_unit="trang", fee_cap=200000)
    assert services.fee_quote(version=version, units=3).amount == 6000
    assert services.fee_quote(version=version, units=500).amount == 200000
    assert services.fee_quote(version=make_version()).amount == 0
