"""Thu phí tại quầy: a reception officer of the receiving agency records a fee paid in cash at
the counter; the fee is paid, the timeline says who took it, the receipt is issued and mailed,
and the result can then be handed back. Nobody else can record it, and never twice."""

from __future__ import annotations

import pytest
from django.core import mail

from dossiers import workflow
from dossiers.models import DossierEvent, DossierStatus
from dossiers.pdf import pdf_text
from payments.models import FeeReceipt, FeeStatus, Payment, PaymentStatus
from payments.services import PaymentError, dossier_fee_assess, payment_start
from tests.dossiers.officer_support import login, officer_url

pytestmark = pytest.mark.django_db

CONFIRMED = {"received": "yes"}  # "I received the cash", ticked


@pytest.fixture
def ready(people, paid_version):
    """A dossier with its result ready whose 50.000 đồng fee is still unpaid."""
    dossier = people.dossier(DossierStatus.RESULT_READY, version=paid_version)
    dossier_fee_assess(dossier=dossier)
    return dossier


def test_the_reception_officer_records_it_and_the_result_can_be_handed_back(
    client, people, ready, django_capture_on_commit_callbacks
):
    login(client, people.reception)
    page = client.get(officer_url("detail", ready)).content.decode()
    assert "50.000 đồng" in page and "Ghi nhận đã thu 50.000 đồng tại quầy" in page
    with pytest.raises(workflow.WorkflowError):  # unpaid: not yet
        workflow.dossier_return_result(dossier=ready, actor=people.reception, data={})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(officer_url("counter_payment", ready), CONFIRMED, follow=True)
    assert "Đã ghi nhận thu 50.000 đồng tại quầy" in response.content.decode()
    payment = Payment.objects.get(dossier=ready)
    assert (payment.provider, payment.status, payment.amount) == ("counter", "paid", 50_000)
    assert payment.payer == people.applicant and payment.paid_at is not None
    ready.fee.refresh_from_db()
    assert ready.fee.status == FeeStatus.PAID
    event = DossierEvent.objects.get(dossier=ready, action="payment")
    assert event.actor == people.reception and "tại Bộ phận Tiếp nhận" in event.note

    receipt = FeeReceipt.objects.get(payment=payment)
    with receipt.file.open("rb") as handle:
        text = " ".join(pdf_text(handle.read()).split())
    assert "Nộp tiền mặt tại Bộ phận Tiếp nhận và Trả kết quả" in text
    assert "Năm mươi nghìn đồng" in text
    receipts = [m for m in mail.outbox if any(receipt.number in a[0] for a in m.attachments)]
    assert [m.to for m in receipts] == [[people.applicant.email]]

    ready.refresh_from_db()
    workflow.dossier_return_result(dossier=ready, actor=people.reception, data={})
    ready.refresh_from_db()
    assert ready.status == DossierStatus.COMPLETED


def test_a_waiting_owners_receipt_is_mailed_once_the_cccd_is_typed(
    client, people, paid_version, django_capture_on_commit_callbacks
):
    """A counter dossier under an account made at the counter: the address may be mistyped, so
    the receipt waits for the owner's CCCD check, then goes."""
    from django.urls import reverse

    dossier = people.dossier(
        DossierStatus.RESULT_READY,
        version=paid_version,
        channel="counter",
        owner_check_pending=True,
        applicant_data={"full_name": "Phạm Thị Hoa", "citizen_id": "079190000123"},
    )
    dossier_fee_assess(dossier=dossier)
    login(client, people.reception)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(officer_url("counter_payment", dossier), CONFIRMED)
    receipt = FeeReceipt.objects.get(payment__dossier=dossier)
    assert receipt.file and receipt.emailed_at is None and mail.outbox == []

    client.logout()
    client.force_login(people.applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dossiers:owner_check"), {"citizen_id": "079190000123"})
    assert response.status_code == 302
    receipt.refresh_from_db()
    assert receipt.emailed_to == people.applicant.email
    assert [m.to for m in mail.outbox] == [[people.applicant.email]]
    assert receipt.number in mail.outbox[0].attachments[0][0]


def test_a_second_click_takes_nothing_more(client, people, ready):
    login(client, people.reception)
    client.post(officer_url("counter_payment", ready), CONFIRMED)
    response = client.post(officer_url("counter_payment", ready), CONFIRMED, follow=True)
    assert "Hồ sơ đã được thanh toán" in response.content.decode()
    assert Payment.objects.filter(dossier=ready, status=PaymentStatus.PAID).count() == 1
    assert "Ghi nhận đã thu" not in client.get(officer_url("detail", ready)).content.decode()


def test_other_roles_and_agencies_cannot_record_it(client, people, ready):
    login(client, people.specialist)
    assert "Ghi nhận đã thu" not in client.get(officer_url("detail", ready)).content.decode()
    assert client.post(officer_url("counter_payment", ready), CONFIRMED).status_code == 403
    login(client, people.foreign_officer)
    assert client.post(officer_url("counter_payment", ready), CONFIRMED).status_code == 404
    client.force_login(people.applicant)
    assert client.post(officer_url("counter_payment", ready), CONFIRMED).status_code == 403
    assert not Payment.objects.exists()
    ready.fee.refresh_from_db()
    assert ready.fee.status == FeeStatus.UNPAID


def test_a_closed_dossier_takes_no_money(client, people, paid_version):
    withdrawn = people.dossier(DossierStatus.WITHDRAWN, version=paid_version)
    dossier_fee_assess(dossier=withdrawn)
    login(client, people.reception)
    assert "Ghi nhận đã thu" not in client.get(officer_url("detail", withdrawn)).content.decode()
    response = client.post(officer_url("counter_payment", withdrawn), CONFIRMED, follow=True)
    assert "không còn ở trạng thái thanh toán được" in response.content.decode()
    assert not Payment.objects.exists()


def test_nothing_is_recorded_without_confirming_the_cash_was_received(client, people, ready):
    login(client, people.reception)
    response = client.post(officer_url("counter_payment", ready), follow=True)
    assert "xác nhận đã nhận đủ tiền" in response.content.decode()
    assert not Payment.objects.exists()


def start(dossier, people):
    attempt, _ = payment_start(
        dossier=dossier, payer=people.applicant, return_url="http://testserver/r/", client_ip=""
    )
    return attempt


def expire(attempt):
    Payment.objects.filter(pk=attempt.pk).update(expires_at=attempt.created_at)


def test_no_cash_while_the_applicant_is_paying_online(client, people, ready):
    """Paid twice otherwise: the gateway's later success would only be a "refund due"."""
    attempt = start(ready, people)
    login(client, people.reception)
    page = client.get(officer_url("detail", ready)).content.decode()
    assert "Người nộp đang thanh toán trực tuyến" in page and "Ghi nhận đã thu" not in page
    response = client.post(officer_url("counter_payment", ready), CONFIRMED, follow=True)
    assert attempt.txn_ref in response.content.decode()
    assert not Payment.objects.filter(provider="counter").exists()


@pytest.mark.parametrize(
    "gateway, message, status",
    [
        # paid in its last second, its notification not in yet
        ("00", "Hồ sơ đã được thanh toán", PaymentStatus.PAID),
        # the money taken, under the gateway's review: no cash meanwhile
        ("07", "Chưa xác nhận được với cổng thanh toán", PaymentStatus.PENDING),
    ],
)
def test_an_expired_attempt_is_checked_with_the_gateway_before_cash(
    client, people, ready, vnpay, gateway, message, status
):
    attempt = start(ready, people)
    expire(attempt)
    vnpay.states[attempt.txn_ref] = (gateway, attempt.amount)
    login(client, people.reception)
    response = client.post(officer_url("counter_payment", ready), CONFIRMED, follow=True)
    assert message in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == status
    assert not Payment.objects.filter(provider="counter").exists()


def test_cash_after_the_gateway_says_the_expired_attempt_was_not_paid(
    client, people, paid_version, vnpay
):
    dossier = people.dossier(DossierStatus.RESULT_READY, version=paid_version)
    dossier_fee_assess(dossier=dossier)
    abandoned = start(dossier, people)
    expire(abandoned)
    login(client, people.reception)
    vnpay.down = True  # the gateway does not answer: no cash yet
    response = client.post(officer_url("counter_payment", dossier), CONFIRMED, follow=True)
    assert "Chưa xác nhận được với cổng thanh toán" in response.content.decode()
    assert not Payment.objects.filter(provider="counter").exists()
    vnpay.down = False  # "not found": the attempt expires, the cash is taken
    client.post(officer_url("counter_payment", dossier), CONFIRMED)
    abandoned.refresh_from_db()
    assert abandoned.status == PaymentStatus.EXPIRED
    assert Payment.objects.get(provider="counter").status == PaymentStatus.PAID
    with pytest.raises(PaymentError):  # and no online attempt starts after the cash
        start(dossier, people)


def test_the_counter_asks_about_a_few_expired_attempts_at_most(client, people, ready, vnpay):
    attempts = [start(ready, people) for _ in range(5)]
    for attempt in attempts:
        expire(attempt)
    login(client, people.reception)
    response = client.post(officer_url("counter_payment", ready), CONFIRMED, follow=True)
    assert sum(vnpay.requests.values()) == 3  # "not found": three expire, two wait
    assert "Chưa xác nhận được với cổng thanh toán" in response.content.decode()
    assert Payment.objects.filter(status=PaymentStatus.PENDING).count() == 2
    assert not Payment.objects.filter(provider="counter").exists()


def test_the_citizens_timeline_names_the_payment_in_words(client, people, ready):
    login(client, people.reception)
    client.post(officer_url("counter_payment", ready), CONFIRMED)
    client.force_login(people.applicant)
    page = client.get(f"/dossiers/{ready.public_id}/").content.decode()
    assert "Thanh toán phí, lệ phí" in page
