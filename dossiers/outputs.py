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
from django.utils import timezone

from dossiers.models import Channel, Dossier, DossierEvent, DossierOutput, OutputKind
from procedures.models import DocumentForm

log = logging.getLogger(__name__)

DEFAULT_SITE_URL = "http://127.0.0.1:8000"
RECEPTION_UNIT = "Bộ phận Tiếp nhận và Trả kết quả"
PLACE = "Thành phố Hồ Chí Minh"

# kind -> the template of templates/pdf/ that prints it (others are added with their forms)
TEMPLATES = {
    OutputKind.ACKNOWLEDGEMENT: "pdf/acknowledgement.html",
    OutputKind.RECEIPT_01: "pdf/form_01_receipt.html",
    OutputKind.SUPPLEMENT_02: "pdf/form_02_supplement.html",
    OutputKind.REFUSAL_03: "pdf/form_03_refusal.html",
    OutputKind.APOLOGY_04: "pdf/form_04_apology.html",  # context: dossiers.apologies
    OutputKind.RESULT: "pdf/result.html",  # rendered and signed by dossiers.signing
}
# kind -> the event that issues it; its context comes from that event (the one whose id is the
# output's key, else the latest of that action)
EVENT_ACTIONS = {
    OutputKind.ACKNOWLEDGEMENT: "submit",
    OutputKind.RECEIPT_01: "receive",
    OutputKind.SUPPLEMENT_02: "request_supplement",
    OutputKind.REFUSAL_03: "refuse",
    OutputKind.RESULT: "approve",
}
RESULT_DELIVERY_TEXT = {
    "online": "Trực tuyến trên Cổng Dịch vụ công (tải bản điện tử có chữ ký số)",
    "counter": RECEPTION_UNIT + " (nhận trực tiếp)",
    "post": "Qua dịch vụ bưu chính công ích",
}
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
    if kind == OutputKind.RESULT and key == "signed":
        return _result_issue(dossier)
    from dossiers.pdf import render_pdf

    event = output_event(dossier=dossier, kind=kind, key=key)
    builder = EVENT_CONTEXTS.get(OutputKind(kind))
    context = dossier_outputs_context(dossier)
    if builder is not None:
        context.update(builder(dossier, event))
    if kind == OutputKind.APOLOGY_04:  # one per lateness episode: the key is the episode
        from dossiers.apologies import apology_output_context

        context.update(apology_output_context(dossier=dossier, key=key))
    pdf = render_pdf(TEMPLATES[OutputKind(kind)], context)
    if kind == OutputKind.APOLOGY_04:
        pdf = _apology_seal(dossier, pdf)
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


def _apology_seal(dossier: Dossier, pdf: bytes) -> bytes:
    """Mẫu 04 is the agency's letter, signed and sealed by its head: the e-mailed copy carries
    the agency's digital signature (``dossiers.signing``) when it has a valid certificate. The
    apology is owed either way: without one it goes unsigned, and the log says so."""
    from dossiers.signing import NoSigningCertificate, agency_signing_certificate, pdf_sign

    try:
        certificate = agency_signing_certificate(dossier.agency)
    except NoSigningCertificate as exc:
        log.warning("Mẫu 04 of %s unsigned: %s", dossier.code, exc)
        return pdf
    return pdf_sign(
        pdf_bytes=pdf, certificate=certificate, reason=f"Phiếu xin lỗi, hồ sơ {dossier.code}"
    )


def outputs_for_event(*, event_id: int) -> list[str]:
    """Queue the documents a status change issues: the acknowledgement of an online submission,
    Mẫu 01 on receive, Mẫu 02 on each supplement request (keyed by the event id: one form a
    round), Mẫu 03 on refusal, and the signed result on approve (``dossiers.signing``)."""
    from dossiers.tasks import render_output

    event = (
        DossierEvent.objects.filter(pk=event_id)
        .select_related("dossier")
        .only("action", "dossier__channel")
        .first()
    )
    if event is None:
        return []
    if event.action == "submit":
        if event.dossier.channel != Channel.ONLINE:
            return []
        render_output.delay(event.dossier_id, OutputKind.ACKNOWLEDGEMENT.value)
        return [OutputKind.ACKNOWLEDGEMENT.value]
    issued = {
        "receive": (OutputKind.RECEIPT_01, ""),
        "request_supplement": (OutputKind.SUPPLEMENT_02, str(event.pk)),
        "refuse": (OutputKind.REFUSAL_03, str(event.pk)),
        "approve": (OutputKind.RESULT, "signed"),
    }.get(event.action)
    if issued is None:
        return []
    kind, key = issued
    render_output.delay(event.dossier_id, kind.value, key)
    return [kind.value]


# --- the context of each form, from the event that issued it --------------------------------


def person_name(user) -> str:
    """How a person is printed on a form (full name, else e-mail)."""
    return user.get_full_name() if user is not None else ""


def officer_phone(user, agency) -> str:
    """The officer's phone (OfficerProfile.phone), else the agency's."""
    profile = getattr(user, "officer_profile", None) if user is not None else None
    return (profile.phone if profile is not None else "") or (agency.phone if agency else "")


def output_event(*, dossier: Dossier, kind: str, key: str = "") -> DossierEvent | None:
    """The event an output is printed from: the one whose id is ``key``, else the latest."""
    action = EVENT_ACTIONS.get(OutputKind(kind))
    if action is None:
        return None
    events = DossierEvent.objects.filter(dossier=dossier, action=action).select_related(
        "actor__officer_profile"
    )
    if key.isdigit():
        found = events.filter(pk=int(key)).first()
        if found is not None:
            return found
    return events.order_by("-id").first()


# DocumentForm -> how Mẫu 01 prints a paper document received at the counter
PRINTED_FORM = {
    DocumentForm.ORIGINAL: "Bản chính",
    DocumentForm.COPY: "Bản sao",
    DocumentForm.CERTIFIED_COPY: "Bản sao chứng thực",
    DocumentForm.ORIGINAL_OR_COPY: "Bản chính hoặc bản sao",
}


def received_documents(dossier: Dossier) -> list[dict[str, Any]]:
    """Mẫu 01's rows: the procedure's documents the dossier holds, in the catalog's order.

    Filed online, each is "Bản điện tử" and counts its files; at the counter, the form and the
    number of copies the procedure asks for (what the officer checked). Files in slots that
    are not the procedure's documents (the agency's own, such as a draft result) are not listed.
    """
    files: dict[str, int] = {}
    for slot in dossier.documents.values_list("slot", flat=True):
        files[slot] = files.get(slot, 0) + 1
    online = dossier.channel == Channel.ONLINE
    return [
        {
            "name": required.name,
            "kind": "Bản điện tử" if online else PRINTED_FORM.get(required.form, "Bản chính"),
            "count": files[required.key] if online else required.copies,
        }
        for required in dossier.version.documents.all()
        if required.key in files
    ]


def receipt_context(dossier: Dossier, event: DossierEvent | None) -> dict[str, Any]:
    """Mẫu 01 (Giấy tiếp nhận hồ sơ và hẹn trả kết quả), from the ``receive`` event."""
    received = dossier.received_at or (event.created_at if event else None)
    number = dossier.logbook_number  # given on reception (workflow.next_logbook_number)
    if number is None and received is not None:  # a dossier put in place without the workflow
        number = Dossier.objects.filter(
            agency_id=dossier.agency_id,
            received_at__year=timezone.localtime(received).year,
            received_at__lte=received,
        ).count()
    delivery = RESULT_DELIVERY_TEXT.get(dossier.result_delivery, "")
    if dossier.result_delivery == "post" and dossier.delivery_address:
        delivery = f"{delivery}: {dossier.delivery_address}"
    elif dossier.result_delivery == "counter" and dossier.agency:
        delivery = f"{RECEPTION_UNIT} – {dossier.agency.name} (nhận trực tiếp)"
    return {
        "issued_at": received,
        "received_at": received,
        "documents": received_documents(dossier),
        "sets_count": 1,
        "result_delivery": delivery,
        # the logbook's year is the local one, as the number's count above
        "logbook_volume": f"{timezone.localtime(received):%Y}" if received else "",
        "logbook_number": number or "",
        "receiving_officer": person_name(event.actor if event else None),
    }


def supplement_context(dossier: Dossier, event: DossierEvent | None) -> dict[str, Any]:
    """Mẫu 02 (Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ), from a ``request_supplement`` event:
    every item with its reason (asked once), who to call, the guiding officer."""
    actor = event.actor if event else None
    return {
        "issued_at": event.created_at if event else None,
        "items": list((event.data or {}).get("items", [])) if event else [],
        "note": event.note if event else "",
        "officer_name": person_name(actor),
        "officer_phone": officer_phone(actor, dossier.agency),
        "round": (
            DossierEvent.objects.filter(
                dossier=dossier, action="request_supplement", id__lte=event.pk
            ).count()
            if event
            else 1
        ),
    }


def refusal_context(dossier: Dossier, event: DossierEvent | None) -> dict[str, Any]:
    """Mẫu 03 (Phiếu từ chối tiếp nhận giải quyết hồ sơ), from the ``refuse`` event."""
    reasons = event.note if event else ""
    return {
        "issued_at": event.created_at if event else None,
        "reasons": [line.strip(" -•\t") for line in reasons.splitlines() if line.strip(" -•\t")],
        "officer_name": person_name(event.actor if event else None),
    }


EVENT_CONTEXTS = {
    OutputKind.RECEIPT_01: receipt_context,
    OutputKind.SUPPLEMENT_02: supplement_context,
    OutputKind.REFUSAL_03: refusal_context,
}


def _result_issue(dossier: Dossier) -> DossierOutput | None:
    """The signed result (queued on approve); None, logged, when the agency cannot sign yet."""
    from dossiers.signing import NoSigningCertificate, result_issue

    try:
        return result_issue(dossier=dossier)
    except NoSigningCertificate as exc:
        log.warning("result of %s not issued: %s", dossier.code, exc)
        return None
