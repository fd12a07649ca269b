"""Results are signed (PAdES) with the agency's certificate: the signature validates against that
certificate, and any change to the signed file breaks it."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dossiers import signing, workflow
from dossiers.apologies import apology_issue
from dossiers.models import DossierOutput, DossierStatus, OutputKind, SigningCertificate
from dossiers.pdf import pdf_text, render_pdf, sample_acknowledgement_context

pytestmark = pytest.mark.django_db
S = DossierStatus


@pytest.fixture
def certificate(people):
    call_command("make_agency_certificate", people.agency.code, stdout=io.StringIO())
    return SigningCertificate.objects.get(agency=people.agency, is_active=True)


def approve(people, django_capture_on_commit_callbacks):
    dossier = people.dossier(S.AWAITING_APPROVAL)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.dossier_approve(dossier=dossier, actor=people.approver, note="Cấp bản chính")
    return dossier


def signed_bytes(dossier) -> bytes:
    output = DossierOutput.objects.get(dossier=dossier, kind=OutputKind.RESULT, key="signed")
    with output.file.open("rb") as fh:
        return fh.read()


def test_the_command_makes_a_self_signed_agency_certificate(people, certificate):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    cert = x509.load_pem_x509_certificate(certificate.certificate_pem.encode())
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == people.agency.name
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == people.agency.code
    assert cert.issuer == subject
    validity = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert timedelta(days=730) <= validity <= timedelta(days=730, minutes=10)
    assert cert.public_key().key_size == 2048
    # The key is stored encrypted, never in clear.
    assert "ENCRYPTED PRIVATE KEY" in certificate.private_key_pem

    call_command("make_agency_certificate", people.agency.code, stdout=io.StringIO())
    assert SigningCertificate.objects.filter(agency=people.agency).count() == 2
    assert SigningCertificate.objects.filter(agency=people.agency, is_active=True).count() == 1
    call_command(
        "make_agency_certificate", people.agency.code, "--if-missing", stdout=io.StringIO()
    )
    assert SigningCertificate.objects.filter(agency=people.agency).count() == 2
    with pytest.raises(CommandError):
        call_command("make_agency_certificate", "NOPE", stdout=io.StringIO())


def test_approving_issues_a_signed_result_that_validates(
    people, certificate, django_capture_on_commit_callbacks
):
    dossier = approve(people, django_capture_on_commit_callbacks)

    output = DossierOutput.objects.get(dossier=dossier, kind=OutputKind.RESULT)
    assert (output.key, output.event) == ("signed", dossier.events.get(action="approve"))
    data = signed_bytes(dossier)
    status = signing.signature_status(pdf_bytes=data, certificate=certificate)
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert status.signing_cert.subject.native["common_name"] == people.agency.name

    text = "".join(pdf_text(data).split())
    for expected in [
        "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
        dossier.code,
        "Nguyễn Thị Lan",
        people.version.procedure.name,
        people.approver.get_full_name(),
        "Cấp bản chính",
    ]:
        assert "".join(expected.split()) in text, expected

    # Issued once: a retried task returns the same output.
    assert signing.result_issue(dossier=dossier) == output


def test_a_byte_changed_inside_the_signed_range_breaks_the_signature(
    people, certificate, django_capture_on_commit_callbacks
):
    data = signed_bytes(approve(people, django_capture_on_commit_callbacks))
    # A byte of the first content stream (inside the signed range: before /Contents <...>)
    start = data.index(b"stream", data.index(b"/Length")) + len(b"stream\n") + 20
    assert start < data.index(b"/ByteRange")
    tampered = data[:start] + bytes([data[start] ^ 0x01]) + data[start + 1 :]

    status = signing.signature_status(pdf_bytes=tampered, certificate=certificate)
    assert not status.intact
    assert not status.bottom_line


def test_an_incremental_update_that_alters_the_page_breaks_the_signature(
    people, certificate, django_capture_on_commit_callbacks
):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    data = signed_bytes(approve(people, django_capture_on_commit_callbacks))
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    overlay = writer.add_object(generic.StreamObject(stream_data=b"1 1 1 rg 0 0 600 800 re f"))
    writer.add_stream_to_page(0, overlay)  # paint the page over, after signing
    out = io.BytesIO()
    writer.write(out)

    status = signing.signature_status(pdf_bytes=out.getvalue(), certificate=certificate)
    assert status.intact  # the signed bytes are untouched ...
    assert not status.docmdp_ok  # ... but the page changed after signing
    assert not status.bottom_line


def test_an_uploaded_draft_is_signed_as_it_is(people, certificate):
    dossier = people.dossier(S.RESULT_READY)
    draft = render_pdf("pdf/acknowledgement.html", sample_acknowledgement_context(dossier.code))
    people.output(dossier, OutputKind.RESULT, key="draft", content=draft)

    output = signing.result_issue(dossier=dossier, actor=people.approver)

    with output.file.open("rb") as fh:
        data = fh.read()
    assert data.startswith(draft)  # an incremental update of the draft
    assert "GIẤY XÁC NHẬN NỘP HỒ SƠ TRỰC TUYẾN" in pdf_text(data)
    assert signing.signature_status(pdf_bytes=data, certificate=certificate).bottom_line


def test_a_certificate_of_another_agency_is_not_trusted(
    people, certificate, django_capture_on_commit_callbacks
):
    data = signed_bytes(approve(people, django_capture_on_commit_callbacks))
    other = signing.signing_certificate_create(agency=people.foreign_officer.officer_profile.agency)
    status = signing.signature_status(pdf_bytes=data, certificate=other)
    assert status.intact and status.valid  # the maths holds ...
    assert not status.trusted and not status.bottom_line  # ... but not by this agency


def test_without_a_certificate_approval_still_works_and_no_result_is_issued(
    people, django_capture_on_commit_callbacks
):
    dossier = approve(people, django_capture_on_commit_callbacks)
    assert dossier.status == S.RESULT_READY
    assert not DossierOutput.objects.filter(dossier=dossier, kind=OutputKind.RESULT).exists()
    with pytest.raises(signing.NoSigningCertificate):
        signing.result_issue(dossier=dossier)


def test_the_key_survives_a_secret_key_rotation(people, certificate, settings):
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "rotated-" + old
    settings.SECRET_KEY_FALLBACKS = [old]
    dossier = people.dossier(S.RESULT_READY)
    data = signing.result_sign(
        dossier=dossier,
        pdf_bytes=render_pdf(
            "pdf/acknowledgement.html", sample_acknowledgement_context(dossier.code)
        ),
    )
    assert signing.signature_status(pdf_bytes=data, certificate=certificate).bottom_line

    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(signing.NoSigningCertificate):
        signing.result_sign(dossier=dossier, pdf_bytes=data)


def test_the_demo_gives_each_agency_one_certificate(people):
    codes = [people.agency.code]
    assert len(signing.agency_certificates_ensure(codes=codes)) == 1
    assert signing.agency_certificates_ensure(codes=codes) == []
    assert SigningCertificate.objects.filter(agency=people.agency, is_active=True).count() == 1


def apology_pdf(people, dossier, capture) -> bytes:
    """Mẫu 04 of an apology issued by hand for ``dossier``."""
    with capture(execute=True):
        apology_issue(
            dossier=dossier,
            actor=people.specialist,
            new_appointment=timezone.now() + timedelta(days=5),
            reason="Cần xác minh thêm",
        )
    output = DossierOutput.objects.get(dossier=dossier, kind=OutputKind.APOLOGY_04)
    with output.file.open("rb") as fh:
        return fh.read()


def test_an_apology_letter_carries_the_agencys_signature_when_it_has_one(
    people, certificate, django_capture_on_commit_callbacks
):
    dossier = people.dossier(S.IN_REVIEW, received_at=timezone.now(), due_at=timezone.now())
    data = apology_pdf(people, dossier, django_capture_on_commit_callbacks)
    assert signing.signature_status(pdf_bytes=data, certificate=certificate).bottom_line
    assert "PHIẾU XIN LỖI" in pdf_text(data)


def test_an_agency_without_a_certificate_still_sends_its_apology(
    people, caplog, django_capture_on_commit_callbacks
):
    dossier = people.dossier(S.IN_REVIEW, received_at=timezone.now(), due_at=timezone.now())
    data = apology_pdf(people, dossier, django_capture_on_commit_callbacks)
    assert "PHIẾU XIN LỖI" in pdf_text(data)
    assert "unsigned" in caplog.text
