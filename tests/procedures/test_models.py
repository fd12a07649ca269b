"""Published versions are frozen (model guard and PostgreSQL trigger); one published per
procedure; constraints hold in the database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, connection, transaction
from django.utils import timezone

from procedures.models import (
    FeeWaiver,
    FrozenVersionError,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    VersionStatus,
)

from .factories import ProcedureFactory, VersionFactory, make_version

pytestmark = pytest.mark.django_db
DB_REFUSED = (IntegrityError, InternalError)


def test_a_published_version_refuses_changes_in_save():
    version = make_version()
    version.processing_days = 99
    with pytest.raises(FrozenVersionError, match="processing_days"):
        version.save()
    version.refresh_from_db()
    version.form_schema = {"fields": []}
    with pytest.raises(FrozenVersionError):
        version.save()
    version.refresh_from_db()
    version.status = VersionStatus.DRAFT
    with pytest.raises(FrozenVersionError):
        version.save()
    version.refresh_from_db()
    with pytest.raises(FrozenVersionError):
        version.delete()
    assert ProcedureVersion.objects.get(pk=version.pk).processing_days == 3


def test_documents_and_waivers_of_a_published_version_are_frozen():
    version = make_version()
    doc = version.documents.get()
    doc.name = "Khác"
    with pytest.raises(FrozenVersionError):
        doc.save()
    with pytest.raises(FrozenVersionError):
        RequiredDocument(version=version, key="new", name="Mới").save()
    with pytest.raises(FrozenVersionError):
        version.documents.get().delete()
    with pytest.raises(FrozenVersionError):
        FeeWaiver(version=version, condition="online", description="x").save()


def test_status_may_move_between_published_and_retired():
    version = make_version()
    version.status = VersionStatus.RETIRED
    version.retired_at = timezone.now()
    version.save(update_fields=["status", "retired_at"])
    version.status = VersionStatus.PUBLISHED
    version.save(update_fields=["status"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger is PostgreSQL only")
def test_the_database_refuses_changes_that_bypass_the_model():
    version = make_version()
    with pytest.raises(DB_REFUSED, match="frozen"), transaction.atomic():
        ProcedureVersion.objects.filter(pk=version.pk).update(processing_days=1)
    with pytest.raises(DB_REFUSED, match="frozen"), transaction.atomic():
        ProcedureVersion.objects.filter(pk=version.pk).update(form_schema={})
    with pytest.raises(DB_REFUSED, match="frozen"), transaction.atomic():
        ProcedureVersion.objects.filter(pk=version.pk).update(fee_due_on="result")
    with pytest.raises(DB_REFUSED, match="frozen"), transaction.atomic():
        ProcedureVersion.objects.filter(pk=version.pk).update(status="draft")
    with pytest.raises(DB_REFUSED, match="frozen|cannot be deleted"), transaction.atomic():
        ProcedureVersion.objects.filter(pk=version.pk).delete()
    with pytest.raises(DB_REFUSED, match="frozen"), transaction.atomic():
        RequiredDocument.objects.filter(version=version).update(name="x")
    with pytest.raises(DB_REFUSED, match="frozen"), transaction.atomic():
        RequiredDocument.objects.bulk_create([RequiredDocument(version=version, key="z", name="z")])
    with pytest.raises(DB_REFUSED, match="frozen"), transaction.atomic():
        FeeWaiver.objects.bulk_create(
            [FeeWaiver(version=version, condition="online", description="x")]
        )
    # Status moves and drafts stay free.
    ProcedureVersion.objects.filter(pk=version.pk).update(status="retired")
    draft = make_version(procedure=version.procedure, number=2, status="draft")
    ProcedureVersion.objects.filter(pk=draft.pk).update(processing_days=7)
    RequiredDocument.objects.filter(version=draft).update(name="y")
    ProcedureVersion.objects.filter(pk=draft.pk).delete()


def test_a_draft_can_be_edited_and_deleted():
    version = make_version(status="draft")
    version.processing_days = 10
    version.save()
    doc = version.documents.get()
    doc.name = "Đổi tên"
    doc.save()
    version.delete()


def test_only_one_version_is_published_per_procedure():
    first = make_version()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_version(procedure=first.procedure, number=2)
    make_version(procedure=first.procedure, number=3, status="draft")
    make_version(procedure=ProcedureFactory())  # another procedure is independent


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (Procedure, {"code": "1001612"}),
        (Procedure, {"field": "magic"}),
        (Procedure, {"online_level": "sometimes"}),
        (ProcedureVersion, {"status": "wip"}),
        (ProcedureVersion, {"fee_kind": "free", "fee_amount": 5}),
        (ProcedureVersion, {"fee_kind": "fixed", "fee_amount": 0}),
        (ProcedureVersion, {"status": "published", "published_at": None}),
    ],
)
def test_the_database_checks_codes_and_choices(model, values):
    obj = ProcedureFactory() if model is Procedure else VersionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=obj.pk).update(**values)


def test_the_schema_is_validated_on_save_and_names_the_field():
    version = make_version(status="draft")
    version.form_schema = {"fields": [{"name": "ngay", "kind": "datee", "label": "Ngày"}]}
    with pytest.raises(ValidationError, match='fields\\[0\\] "ngay"'):
        version.save()
    with pytest.raises(ValidationError) as excinfo:
        version.full_clean()
    assert "form_schema" in excinfo.value.message_dict


def test_search_text_is_normalised_on_save():
    procedure = ProcedureFactory(code="1.001193", name="Đăng ký khai sinh")
    assert procedure.search_text == "dang ki khai sinh 1.001193"
    procedure.name = "Đăng ký khai tử"
    procedure.save(update_fields=["name"])
    procedure.refresh_from_db()
    assert procedure.search_text == "dang ki khai tu 1.001193"
