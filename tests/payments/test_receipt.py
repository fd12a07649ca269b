"""Biên lai thu phí, lệ phí điện tử: issued through the PDF pipeline on payment, stored, mailed
to the payer, downloadable by the payer and the agency's officers."""

from __future__ import annotations

import pytest
from django.core import mail

from dossiers.pdf import pdf_text
from payments.models import FeeReceipt
from payments.services import payment_ipn_process
from payments.tasks import issue_fee_receipt
from tests.payments.conftest import gateway_params

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(fee_dossier, start_payment, django_capture_on_commit_callbacks):
    payment, _ = start_payment(fee_dossier)
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_ipn_process(params=gateway_params(payment)).code == "00"
    payment.refresh_from_db()
    return payment


def test_it_issues_stores_and_mails_the_receipt(paid, fee_dossier):
    receipt = FeeReceipt.objects.get(payment=paid)
    assert receipt.number == f"BL-{paid.paid_at.year}-{paid.pk:07d}"
    with receipt.file.open("rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF")
    text = " ".join(pdf_text(pdf).split())
    for expected in [
        "BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ",
        "Nguyễn Thị Lan",
        fee_dossier.code,
        fee_dossier.version.procedure.name,
        "50.000 đồng",
        "Năm mươi nghìn đồng",
        paid.txn_ref,
        "14226112",
        receipt.number,
    ]:
        assert expected in text, expected
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [fee_dossier.applicant.email]
    assert fee_dossier.code in message.subject
    assert "Năm mươi nghìn đồng" in message.body
    (name, content, mimetype) = message.attachments[0]
    assert name == f"bien-lai-{receipt.number}.pdf" and mimetype == "application/pdf"
    assert content == pdf
    assert receipt.emailed_to == fee_dossier.applicant.email


def test_issuing_again_changes_nothing(paid):
    receipt = FeeReceipt.objects.get(payment=paid)
    issue_fee_receipt.delay(paid.pk)
    again = FeeReceipt.objects.get(payment=paid)
    assert (again.pk, again.file.name, again.emailed_at) == (
        receipt.pk,
        receipt.file.name,
        receipt.emailed_at,
    )
    assert FeeReceipt.objects.count() == 1 and len(mail.outbox) == 1


def test_no_receipt_for_an_unpaid_attempt(fee_dossier, start_payment):
    payment, _ = start_payment(fee_dossier)
    assert issue_fee_receipt.delay(payment.pk).get() is False
    assert not FeeReceipt.objects.exists()


def test_the_payer_and_the_agencys_officers_download_it(client, paid, people):
    from tests.dossiers.officer_support import with_totp

    url = f"/payments/receipt/{paid.public_id}/"
    assert client.get(url).status_code == 302  # log in first
    client.force_login(people.reception)
    assert client.get(url).status_code == 404  # an officer without MFA, as in the back office
    for user, status in [
        (people.applicant, 200),
        (with_totp(people.reception), 200),
        (people.other_citizen, 404),
        (with_totp(people.foreign_officer), 404),
    ]:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user
        if status == 200:
            assert response["Content-Type"] == "application/pdf"
            assert "attachment" in response["Content-Disposition"]
            assert b"".join(response.streaming_content).startswith(b"%PDF")
