"""Factories for the catalog: a procedure with one published version."""

from __future__ import annotations

from procedures.models import ProcedureVersion, RequiredDocument
from procedures.services import version_publish
from tests.procedures.factories import ProcedureFactory

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


def published_version(
    *,
    agencies,
    processing_days: int = 3,
    schema: dict | None = None,
    fee: int = 0,
    documents: list[dict] | None = None,
    **procedure,
) -> ProcedureVersion:
    """A procedure offered by ``agencies`` with a published version: one required document, the
    birth certificate, and ``documents`` (``RequiredDocument`` fields) besides."""
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
    for document in documents or []:
        RequiredDocument.objects.create(version=version, **document)
    return version_publish(version=version)
