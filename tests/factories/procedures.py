"""Factories for the catalog: a procedure with one published version."""

from __future__ import annotations

import factory

from procedures.models import Procedure, ProcedureVersion, RequiredDocument
from procedures.services import version_publish

SIMPLE_SCHEMA = {
    "fields": [
        {"name": "child_name", "kind": "text", "label": "Họ tên của trẻ", "required": True},
        {
            "name": "birth_cert",
            "kind": "document",
            "document": "giay_chung_sinh",
            "label": "Giấy chứng sinh",
        },
    ]
}


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"9.{n:06d}")
    name = factory.Sequence(lambda n: f"Đăng ký khai sinh thử nghiệm {n}")
    field = "civil_status"
    agency_level = "ward"
    online_level = "full"

    @factory.post_generation
    def agencies(self, create, extracted, **kwargs):
        if extracted:
            self.agencies.add(*extracted)


def published_version(
    *,
    agencies,
    processing_days: int = 3,
    schema: dict | None = None,
    fee: int = 0,
    **procedure,
) -> ProcedureVersion:
    """A procedure offered by ``agencies`` with a published version (one required document)."""
    proc = ProcedureFactory(agencies=agencies, **procedure)
    version = ProcedureVersion.objects.create(
        procedure=proc,
        number=1,
        processing_days=processing_days,
        form_schema=schema or SIMPLE_SCHEMA,
        fee_kind="fixed" if fee else "free",
        fee_amount=fee,
    )
    RequiredDocument.objects.create(
        version=version, key="giay_chung_sinh", name="Giấy chứng sinh", position=1
    )
    return version_publish(version=version)
