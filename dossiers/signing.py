"""Digitally signed results (ký số kết quả giải quyết): the agency's key and certificate, PAdES
signatures with pyHanko, and issuing the signed result of an approved dossier.

Key storage: one active ``SigningCertificate`` per agency, in the database. The private key is
PKCS#8 PEM encrypted with a passphrase derived from ``SECRET_KEY`` (``salted_hmac`` salted with
the agency code), so a database dump or backup alone does not reveal it; ``SECRET_KEY_FALLBACKS``
are tried when decrypting, so a rotated secret keeps working until the certificates are
reissued. Production would keep the key in an HSM (pyHanko's PKCS#11 signer) with a certificate
issued by a recognised CA; here ``make_agency_certificate AGENCY_CODE`` creates a self-signed one
(RSA 2048, CN = agency name, O = agency code, valid 2 years).

The result is issued when a dossier is approved: ``outputs.outputs_for_event`` queues
``render_output(dossier_id, "result", "signed")`` on the ``approve`` event, which calls
``result_issue``. An uploaded draft (``DossierOutput(kind=RESULT, key="draft")``) is signed as
it is; without one, ``templates/pdf/result.html`` is rendered and signed.
"""

from __future__ import annotations

import hashlib
import io
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac

from dossiers.models import (
    RESULT_DRAFT_SLOT,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierOutput,
    OutputKind,
    SigningCertificate,
)

log = logging.getLogger(__name__)

RESULT_TEMPLATE = "pdf/result.html"
SIGNED_KEY = "signed"
DRAFT_KEY = "draft"
SIGNATURE_FIELD = "Signature1"
VALIDITY = timedelta(days=730)  # 2 years


class NoSigningCertificate(Exception):
    """The agency has no active, currently valid signing certificate."""


# --- keys and certificates --------------------------------------------------------------------


def _passphrase(agency_code: str, secret: str | None = None) -> bytes:
    return (
        salted_hmac("dossiers.signing.private-key", agency_code, secret=secret, algorithm="sha256")
        .hexdigest()
        .encode()
    )


def _secrets() -> list[str]:
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def signing_certificate_create(*, agency, validity: timedelta = VALIDITY) -> SigningCertificate:
    """A new self-signed certificate for ``agency`` (RSA 2048, CN = name, O = code), made the
    agency's active one (the previous active one is deactivated, not deleted)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency.code),
            x509.NameAttribute(NameOID.COMMON_NAME, agency.name),
        ]
    )
    now = datetime.now(UTC).replace(microsecond=0)
    not_before = now - timedelta(minutes=5)  # tolerate small clock skew between workers
    not_after = now + validity
    public_key = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # non-repudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_passphrase(agency.code)),
    ).decode()
    with transaction.atomic():
        SigningCertificate.objects.filter(agency=agency, is_active=True).update(is_active=False)
        return SigningCertificate.objects.create(
            agency=agency,
            subject=cert.subject.rfc4514_string(),
            serial_number=format(cert.serial_number, "x"),
            fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(),
            certificate_pem=cert_pem,
            private_key_pem=key_pem,
            not_before=not_before,
            not_after=not_after,
        )


def agency_certificates_ensure(*, codes: list[str]) -> list[SigningCertificate]:
    """Give each agency of ``codes`` an active certificate when it has none (the demo)."""
    from portal.models import Agency

    made = []
    for agency in Agency.objects.filter(code__in=codes).order_by("code"):
        if not SigningCertificate.objects.filter(agency=agency, is_active=True).exists():
            made.append(signing_certificate_create(agency=agency))
    return made


def agency_signing_certificate(agency) -> SigningCertificate:
    """The agency's active certificate, valid now; ``NoSigningCertificate`` otherwise."""
    now = datetime.now(UTC)
    found = SigningCertificate.objects.filter(
        agency=agency, is_active=True, not_before__lte=now, not_after__gt=now
    ).first()
    if found is None:
        raise NoSigningCertificate(
            f"Cơ quan {agency.code} chưa có chứng thư số còn hiệu lực "
            f"(run: manage.py make_agency_certificate {agency.code})."
        )
    return found


def certificate_asn1(certificate: SigningCertificate):
    """The certificate as the ``asn1crypto`` object pyHanko works with (also: trust roots)."""
    from pyhanko.keys import load_certs_from_pemder_data

    (cert,) = load_certs_from_pemder_data(certificate.certificate_pem.encode())
    return cert


def _private_key(certificate: SigningCertificate):
    from pyhanko.keys import load_private_key_from_pemder_data

    code = certificate.agency.code
    for secret in _secrets():
        try:
            return load_private_key_from_pemder_data(
                certificate.private_key_pem.encode(), passphrase=_passphrase(code, secret)
            )
        except ValueError:
            continue
    raise NoSigningCertificate(
        f"Không giải mã được khóa của cơ quan {code} (SECRET_KEY changed; reissue the certificate)."
    )


def certificate_signer(certificate: SigningCertificate):
    """A pyHanko ``SimpleSigner`` for ``certificate`` (its key decrypted in memory)."""
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    cert = certificate_asn1(certificate)
    return signers.SimpleSigner(
        signing_cert=cert,
        signing_key=_private_key(certificate),
        cert_registry=SimpleCertificateStore.from_certs([cert]),
    )


# --- signing ----------------------------------------------------------------------------------


def pdf_sign(*, pdf_bytes: bytes, certificate: SigningCertificate, reason: str = "") -> bytes:
    """``pdf_bytes`` with a PAdES B-B signature (SHA-256) in the field ``Signature1``, appended
    as an incremental update (the signed bytes are the original file)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location="Việt Nam",
        name=certificate.agency.name,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    out = signers.PdfSigner(meta, signer=certificate_signer(certificate)).sign_pdf(writer)
    return out.getvalue()


def result_sign(*, dossier: Dossier, pdf_bytes: bytes) -> bytes:
    """Sign a result document of ``dossier`` with its agency's active certificate."""
    certificate = agency_signing_certificate(dossier.agency)
    return pdf_sign(
        pdf_bytes=pdf_bytes,
        certificate=certificate,
        reason=f"Kết quả giải quyết hồ sơ {dossier.code}",
    )


def result_context(dossier: Dossier, event: DossierEvent | None, actor=None) -> dict[str, Any]:
    """The context of ``templates/pdf/result.html``: the dossier's documents context plus the
    decision (the approve event's note) and who decided (its actor: the agency head)."""
    from dossiers.outputs import dossier_outputs_context, person_name

    decider = actor if actor is not None else (event.actor if event else None)
    profile = getattr(decider, "officer_profile", None) if decider is not None else None
    decided_at = (event.created_at if event else None) or dossier.decided_at
    return {
        **dossier_outputs_context(dossier),
        "issued_at": decided_at or datetime.now(UTC),
        "decided_at": decided_at,
        "decision_note": event.note if event else "",
        "head_name": person_name(decider),
        "head_title": (profile.title if profile and profile.title else "") or "THỦ TRƯỞNG CƠ QUAN",
    }


def result_issue(*, dossier: Dossier, actor=None) -> DossierOutput:
    """Issue the signed result of an approved dossier, once: ``DossierOutput(kind=RESULT,
    key="signed")``. Signs the uploaded draft (key ``"draft"``) when there is one, otherwise
    renders ``pdf/result.html``. ``actor`` is the approver (default: the approve event's actor).
    A second call returns the stored output; ``NoSigningCertificate`` when the agency has none.
    """
    existing = DossierOutput.objects.filter(
        dossier=dossier, kind=OutputKind.RESULT, key=SIGNED_KEY
    ).first()
    if existing is not None:
        return existing
    event = (
        DossierEvent.objects.filter(dossier=dossier, action="approve")
        .select_related("actor__officer_profile")
        .order_by("-id")
        .first()
    )
    # The draft the specialist uploaded when proposing (document slot "result_draft"), or one
    # stored as an output.
    draft = (
        DossierDocument.objects.filter(dossier=dossier, slot=RESULT_DRAFT_SLOT)
        .order_by("-id")
        .first()
        or DossierOutput.objects.filter(
            dossier=dossier, kind=OutputKind.RESULT, key=DRAFT_KEY
        ).first()
    )
    if draft is not None:
        with draft.file.open("rb") as fh:
            unsigned = fh.read()
    else:
        from dossiers.pdf import render_pdf

        unsigned = render_pdf(RESULT_TEMPLATE, result_context(dossier, event, actor))
    signed = result_sign(dossier=dossier, pdf_bytes=unsigned)
    output = DossierOutput(dossier=dossier, kind=OutputKind.RESULT, key=SIGNED_KEY, event=event)
    output.file.save("result.pdf", ContentFile(signed), save=False)
    try:
        with transaction.atomic():
            output.save()
    except IntegrityError:
        output.file.delete(save=False)
        return DossierOutput.objects.get(dossier=dossier, kind=OutputKind.RESULT, key=SIGNED_KEY)
    log.info(
        "signed result of %s (%s bytes, sha256 %s)",
        dossier.code,
        len(signed),
        hashlib.sha256(signed).hexdigest()[:16],
    )
    return output


def signature_status(*, pdf_bytes: bytes, certificate: SigningCertificate):
    """pyHanko's status of the first signature of ``pdf_bytes``, trusting ``certificate`` only
    (``.intact``, ``.valid``, ``.trusted``, ``.bottom_line``; tests and an admin check)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
    context = ValidationContext(trust_roots=[certificate_asn1(certificate)])
    return validate_pdf_signature(reader.embedded_signatures[0], context)
