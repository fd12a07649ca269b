"""Factories for catalog tests."""

from __future__ import annotations

import itertools

import factory
from django.utils import timezone

from procedures.models import (
    FeeWaiver,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    VersionStatus,
)
from tests.factories import AgencyFactory

_codes = itertools.count(100001)

SIMPLE_SCHEMA = {
    "fields": [
        {
            "name": "ho_ten",
            "kind": "text",
            "label": "Họ và tên",
            "label_en": "Full name",
            "required": True,
        },
        {"name": "tep_cccd", "kind": "document", "document": "cccd"},
    ]
}


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        skip_postgeneration_save = True

    code = factory.LazyFunction(lambda: f"9.{next(_codes):06d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm số {n}")
    field = "civil_status"
    agency_level = "ward"
    online_level = "full"
    steps = "Nộp hồ sơ\nNhận kết quả"
    result_type = "Giấy chứng nhận"
    legal_basis = "Luật thử nghiệm"

    @factory.post_generation
    def agencies(self, create, extracted, **kwargs):
        if create:
            self.agencies.set(extracted if extracted is not None else [AgencyFactory()])


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureVersion

    procedure = factory.SubFactory(ProcedureFactory)
    number = factory.Sequence(lambda n: n + 1)
    processing_days = 3
    form_schema = factory.LazyFunction(lambda: {"fields": list(SIMPLE_SCHEMA["fields"])})


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequiredDocument

    version = factory.SubFactory(VersionFactory)
    key = factory.Sequence(lambda n: f"doc{n}")
    name = factory.Sequence(lambda n: f"Giấy tờ {n}")


def make_version(
    *,
    procedure=None,
    number=1,
    status=VersionStatus.PUBLISHED,
    documents=("cccd",),
    waivers=(),
    **kwargs,
) -> ProcedureVersion:
    """A version with documents (and waivers), moved to ``status`` the way the service does."""
    procedure = procedure or ProcedureFactory()
    version = VersionFactory(procedure=procedure, number=number, **kwargs)
    for i, key in enumerate(documents):
        RequiredDocument.objects.create(version=version, key=key, name=f"Giấy tờ {key}", position=i)
    for waiver in waivers:
        FeeWaiver.objects.create(version=version, **waiver)
    if status != VersionStatus.DRAFT:
        version.status = status
        version.published_at = timezone.now()
        version.save(update_fields=["status", "published_at"])
    return version
