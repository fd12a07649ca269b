"""Issued documents of a dossier (DossierOutput): building their context, rendering them to
PDF through ``dossiers.pdf`` and storing them through Django's storage API, once.

The online-submission acknowledgement (Giấy xác nhận nộp hồ sơ trực tuyến) is queued when a
dossier's ``submit`` event is notified (``dossiers.tasks.notify_status_change`` runs on commit of
the transition) and rendered by ``dossiers.tasks.render_output``.

Absolute links (the QR code's look-up page, the dossier page in e-mails) do not depend on a
request: they start with ``settings.SITE_URL`` (default ``http://127.0.0.1:8000``).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from dossiers.models import Channel, Dossier, DossierEvent, DossierOutput, OutputKind

log = logging.getLogger(__name__)

DEFAULT_SITE_URL = "http://127.0.0.1:8000"
RECEPTION_UNIT = "Bộ phận Tiếp nhận và Trả kết quả"
PLACE = "Thành phố Hồ Chí Minh"

# kind -> the template of templates/pdf/ that prints it (others are added with their forms)
TEMPLATES = {OutputKind.ACKNOWLEDGEMENT: "pdf/acknowledgement.html"}
# kind -> the file name a citizen downloads (the dossier code is appended)
DOWNLOAD_NAMES = {
    OutputKind.ACKNOWLEDGEMENT: "giay-xac-nhan-nop-ho-so",
    OutputKind.RECEIPT_01: "mau-01-giay-tiep-nhan",
    OutputKind.SUPPLEMENT_02: "mau-02-yeu-cau-bo-sung",
    OutputKind.REFUSAL_03: "mau-03-tu-choi-tiep-nhan",
    OutputKind.APOLOGY_04: "mau-04-phieu-xin-loi",
    OutputKind.RESULT: "ket-qua",
}


def site_url() -> str:
    return str(getattr(settings, "SITE_URL", DEFAULT_SITE_URL) or DEFAULT_SITE_URL).rstrip("/")


def absolute_url(path: str) -> str:
    return site_url() + path


def dossier_url(dossier: Dossier) -> str:
    """The dossier page, absolute (e-mails)."""
    return absolute_url(reverse("dossiers:detail", args=[dossier.public_id]))


def lookup_url(dossier: Dossier) -> str:
    """The public look-up page with the code filled in (QR codes); the viewer still has to give
    the last digits of the phone number or citizen ID to see anything."""
    return absolute_url(reverse("dossiers:lookup") + "?" + urlencode({"code": dossier.code or ""}))


def download_filename(output: DossierOutput) -> str:
    base = DOWNLOAD_NAMES.get(output.kind, output.kind)
    suffix = f"-{output.key}" if output.key else ""
    return f"{base}-{output.dossier.code or output.dossier.public_id.hex[:8]}{suffix}.pdf"


def _address(value: Any) -> str:
    if isinstance(value, dict):
        parts = [value.get("street"), value.get("ward_name"), value.get("province_name")]
        return ", ".join(p for p in parts if p)
    return str(value or "")


def dossier_outputs_context(dossier: Dossier) -> dict[str, Any]:
    """The context of the dossier's printed documents (``dossiers.pdf`` keys): agency,
    applicant, procedure, documents, times and the look-up URL of the QR code."""
    data = dossier.applicant_data or {}
    applicant = dossier.applicant
    required = {d.key: d.name for d in dossier.version.documents.all()}
    return {
        "agency_name": dossier.agency.name if dossier.agency else "",
        "reception_unit": RECEPTION_UNIT,
        "place": PLACE,
        "dossier_code": dossier.code or "",
        "lookup_url": lookup_url(dossier),
        "issued_at": dossier.submitted_at,
        "submitted_at": dossier.submitted_at,
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "applicant": {
            "name": data.get("full_name") or applicant.get_full_name(),
            "address": _address(data.get("address") or applicant.address),
            "phone": data.get("phone") or applicant.phone,
            "email": data.get("email") or applicant.email,
        },
        "procedure_name": dossier.version.procedure.name,
        "procedure_code": dossier.version.procedure.code,
        "processing_days": dossier.version.processing_days,
        "documents": [
            {"name": required.get(doc.slot, doc.slot), "filename": doc.original_name}
            for doc in dossier.documents.all()
        ],
    }


def output_render(*, dossier_id: int, kind: str, key: str = "") -> DossierOutput | None:
    """Render and store one output of a dossier, once: a second call (a retried task, a
    duplicate message) returns the stored one; the unique (dossier, kind, key) constraint
    settles a race between two workers. None when the dossier is gone or not filed."""
    existing = DossierOutput.objects.filter(dossier_id=dossier_id, kind=kind, key=key).first()
    if existing is not None:
        return existing
    dossier = (
        Dossier.objects.select_related("applicant", "agency", "version__procedure")
        .filter(pk=dossier_id)
        .first()
    )
    if dossier is None or not dossier.code:
        return None
    from dossiers.pdf import render_pdf

    pdf = render_pdf(TEMPLATES[OutputKind(kind)], dossier_outputs_context(dossier))
    event = (
        DossierEvent.objects.filter(dossier=dossier, action="submit").order_by("-id").first()
        if kind == OutputKind.ACKNOWLEDGEMENT
        else None
    )
    output = DossierOutput(dossier=dossier, kind=kind, key=key, event=event)
    output.file.save("output.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            output.save()
    except IntegrityError:
        # Another worker stored it first: keep theirs, drop our file.
        output.file.delete(save=False)
        return DossierOutput.objects.get(dossier_id=dossier_id, kind=kind, key=key)
    return output


def outputs_for_event(*, event_id: int) -> list[str]:
    """Queue the documents a status change issues (now: the acknowledgement on submit)."""
    from dossiers.tasks import render_output

    event = (
        DossierEvent.objects.filter(pk=event_id)
        .select_related("dossier")
        .only("action", "dossier__channel")
        .first()
    )
    if event is None or event.action != "submit" or event.dossier.channel != Channel.ONLINE:
        return []
    render_output.delay(event.dossier_id, OutputKind.ACKNOWLEDGEMENT.value)
    return [OutputKind.ACKNOWLEDGEMENT.value]
