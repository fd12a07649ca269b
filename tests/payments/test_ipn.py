"""Safety of crediting: only a verified IPN (or a reconciliation query) pays, exactly once."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from dossiers.models import Dossier, DossierEvent, DossierStatus
from payments.models import DossierFee, FeeStatus, Payment, PaymentStatus
from payments.selectors import fee_blocking_message
from payments.services import payment_ipn_process
from tests.payments.conftest import RETURN_URL, TMN, gateway_params, minutes

pytestmark = pytest.mark.django_db


def fee_of(dossier) -> DossierFee:
    return DossierFee.objects.get(dossier=dossier)


def credits(dossier) -> int:
    return DossierEvent.objects.filter(dossier=dossier, action="payment").count()


def test_it_starts_an_attempt_with_a_signed_url(fee_dossier, start_payment):
    payment, url = start_payment(fee_dossier)
    assert payment.status == PaymentStatus.PENDING and payment.amount == 50_000
    assert payment.provider == "vnpay" and payment.txn_ref.isalnum()
    assert payment.expires_at - payment.created_at == minutes(15)
    assert url.startswith("/payments/sandbox/pay/?vnp_Amount=5000000&")
    assert f"vnp_TmnCode={TMN}" in url and "vnp_SecureHash=" in url


def test_a_valid_ipn_pays_the_fee_and_records_an_event(fee_dossier, start_payment):
    payment, _ = start_payment(fee_dossier)
    answer = payment_ipn_process(params=gateway_params(payment))
    assert answer.as_json() == {"RspCode": "00", "Message": "Confirm Success"}
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and payment.settled_by == "ipn"
    assert payment.gateway_txn_no == "14226112"
    fee = fee_of(fee_dossier)
    assert fee.status == FeeStatus.PAID and fee.paid_at is not None
    event = DossierEvent.objects.get(dossier=fee_dossier, action="payment")
    assert event.from_status == event.to_status == "submitted"
    assert "50.000 đồng" in event.note and payment.txn_ref in event.note
    assert event.data["txn_ref"] == payment.txn_ref
    assert fee_blocking_message(dossier=fee_dossier, action="receive") is None


def test_a_tampered_signature_answers_97_and_changes_nothing(fee_dossier, start_payment):
    payment, _ = start_payment(fee_dossier)
    params = gateway_params(payment)
    params["vnp_SecureHash"] = params["vnp_SecureHash"][:-1] + (
        "0" if params["vnp_SecureHash"][-1] != "0" else "1"
    )
    assert payment_ipn_process(params=params).code == "97"
    forged = gateway_params(payment, secret="not-the-merchant-secret")
    assert payment_ipn_process(params=forged).code == "97"
    resigned_amount = {**gateway_params(payment), "vnp_Amount": "1"}
    assert payment_ipn_process(params=resigned_amount).code == "97"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert fee_of(fee_dossier).status == FeeStatus.UNPAID and credits(fee_dossier) == 0


def test_a_different_amount_answers_04(fee_dossier, start_payment):
    payment, _ = start_payment(fee_dossier)
    assert payment_ipn_process(params=gateway_params(payment, amount=5_000)).code == "04"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and credits(fee_dossier) == 0


def test_an_unknown_reference_answers_01(fee_dossier, start_payment):
    payment, _ = start_payment(fee_dossier)
    answer = payment_ipn_process(params=gateway_params(payment, txn_ref="NOSUCHREF0001"))
    assert answer.as_json() == {"RspCode": "01", "Message": "Order not found"}
    assert credits(fee_dossier) == 0


def test_the_same_ipn_twice_answers_02_and_credits_once(fee_dossier, start_payment):
    payment, _ = start_payment(fee_dossier)
    params = gateway_params(payment)
    assert payment_ipn_process(params=params).code == "00"
    assert payment_ipn_process(params=params).as_json() == {
        "RspCode": "02",
        "Message": "Order already confirmed",
    }
    assert credits(fee_dossier) == 1


def test_the_ipn_endpoint_answers_the_gateways_json(client, fee_dossier, start_payment):
    payment, _ = start_payment(fee_dossier)
    response = client.get("/payments/vnpay/ipn/", gateway_params(payment))
    assert response.status_code == 200
    assert response.json() == {"RspCode": "00", "Message": "Confirm Success"}
    assert client.get("/payments/vnpay/ipn/", {"vnp_TxnRef": "x"}).json()["RspCode"] == "97"


def test_a_failed_ipn_is_recorded_and_a_second_attempt_works(fee_dossier, start_payment):
    first, _ = start_payment(fee_dossier)
    assert payment_ipn_process(params=gateway_params(first, code="24")).code == "00"
    first.refresh_from_db()
    assert first.status == PaymentStatus.CANCELLED
    assert fee_of(fee_dossier).status == FeeStatus.UNPAID
    second, _ = start_payment(fee_dossier)
    assert second.txn_ref != first.txn_ref
    assert payment_ipn_process(params=gateway_params(second)).code == "00"
    assert fee_of(fee_dossier).status == FeeStatus.PAID
    first.refresh_from_db()
    assert first.status == PaymentStatus.CANCELLED  # still recorded as it was
    assert Payment.objects.filter(dossier=fee_dossier).count() == 2
    # A repeat of the cancellation changes nothing; a success the gateway reports later for the
    # cancelled attempt is money taken after all: recorded as refund due, never credited twice.
    assert payment_ipn_process(params=gateway_params(first, code="24")).code == "02"
    assert payment_ipn_process(params=gateway_params(first)).code == "00"
    first.refresh_from_db()
    assert first.status == PaymentStatus.REFUND_DUE
    assert credits(fee_dossier) == 1


def refunds_due(dossier) -> list[DossierEvent]:
    return list(DossierEvent.objects.filter(dossier=dossier, action="payment_refund_due"))


def test_a_payment_after_the_window_is_not_creditable(fee_dossier, start_payment):
    # Paid at the gateway after the attempt's window: recorded as refund due, never credited.
    late, _ = start_payment(fee_dossier, now=timezone.now() - minutes(30))
    assert payment_ipn_process(params=gateway_params(late)).code == "00"
    late.refresh_from_db()
    assert late.status == PaymentStatus.REFUND_DUE
    assert fee_of(fee_dossier).status == FeeStatus.UNPAID and credits(fee_dossier) == 0
    (event,) = refunds_due(fee_dossier)  # and the dossier's timeline says so
    assert late.txn_ref in event.note and "50.000" in event.note
    assert "sẽ được hoàn lại" in event.note and event.data["amount"] == 50_000


def expire(payment, status=PaymentStatus.EXPIRED):
    Payment.objects.filter(pk=payment.pk).update(status=status, settled_at=timezone.now())


@pytest.mark.parametrize("ended", [PaymentStatus.EXPIRED, PaymentStatus.FAILED])
def test_a_success_for_an_attempt_we_had_ended_still_counts(fee_dossier, start_payment, ended):
    """Reconciliation expired it while the bank was still settling it: the money is credited
    when the fee still owes it, once."""
    attempt, _ = start_payment(fee_dossier)
    expire(attempt, ended)
    assert payment_ipn_process(params=gateway_params(attempt)).code == "00"
    attempt.refresh_from_db()
    assert attempt.status == PaymentStatus.PAID and attempt.settled_by == "ipn"
    assert fee_of(fee_dossier).status == FeeStatus.PAID and credits(fee_dossier) == 1
    assert payment_ipn_process(params=gateway_params(attempt)).code == "02"
    assert credits(fee_dossier) == 1


def test_a_late_success_after_the_fee_was_paid_otherwise_is_recorded_as_refund_due(
    fee_dossier, start_payment
):
    attempt, _ = start_payment(fee_dossier)
    expire(attempt)
    other, _ = start_payment(fee_dossier)
    assert payment_ipn_process(params=gateway_params(other)).code == "00"  # the fee is paid
    assert payment_ipn_process(params=gateway_params(attempt)).code == "00"
    attempt.refresh_from_db()
    assert attempt.status == PaymentStatus.REFUND_DUE and credits(fee_dossier) == 1
    assert [e.data["txn_ref"] for e in refunds_due(fee_dossier)] == [attempt.txn_ref]


def test_a_failure_for_an_ended_attempt_changes_nothing(fee_dossier, start_payment):
    attempt, _ = start_payment(fee_dossier)
    expire(attempt)
    assert payment_ipn_process(params=gateway_params(attempt, code="24")).code == "02"
    attempt.refresh_from_db()
    assert attempt.status == PaymentStatus.EXPIRED and refunds_due(fee_dossier) == []


def test_a_second_success_after_the_fee_is_paid_is_not_credited_twice(fee_dossier, start_payment):
    a, _ = start_payment(fee_dossier)
    b, _ = start_payment(fee_dossier)
    assert payment_ipn_process(params=gateway_params(a)).code == "00"
    assert payment_ipn_process(params=gateway_params(b)).code == "00"
    b.refresh_from_db()
    assert b.status == PaymentStatus.REFUND_DUE
    assert credits(fee_dossier) == 1
    assert [e.data["txn_ref"] for e in refunds_due(fee_dossier)] == [b.txn_ref]


def test_a_payment_for_a_dossier_withdrawn_meanwhile_is_refunded_not_credited(
    client, fee_dossier, start_payment
):
    payment, _ = start_payment(fee_dossier)
    Dossier.objects.filter(pk=fee_dossier.pk).update(status=DossierStatus.WITHDRAWN)
    assert payment_ipn_process(params=gateway_params(payment)).code == "00"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUND_DUE and "đã đóng" in payment.note
    assert fee_of(fee_dossier).status == FeeStatus.UNPAID and credits(fee_dossier) == 0
    client.force_login(fee_dossier.applicant)
    response = client.get("/payments/vnpay/return/", gateway_params(payment), follow=True)
    assert "số tiền sẽ được hoàn lại" in response.content.decode()


def test_a_forged_success_return_credits_nothing(client, fee_dossier, start_payment):
    payment, _ = start_payment(fee_dossier)
    client.force_login(fee_dossier.applicant)
    forged = gateway_params(payment, secret="guessed-secret")
    response = client.get("/payments/vnpay/return/", forged, follow=True)
    assert "không hợp lệ" in response.content.decode()
    # A genuine success return still only shows the outcome: the IPN has not come.
    response = client.get("/payments/vnpay/return/", gateway_params(payment), follow=True)
    assert "đang chờ xác nhận" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert fee_of(fee_dossier).status == FeeStatus.UNPAID and credits(fee_dossier) == 0


def test_one_payment_per_gateway_reference_by_constraint(fee_dossier, start_payment):
    payment, _ = start_payment(fee_dossier)
    payment.pk, payment.public_id = None, None
    import uuid

    payment.public_id = uuid.uuid4()
    with pytest.raises(IntegrityError), transaction.atomic():
        payment.save(force_insert=True)


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_copies_of_a_valid_ipn_credit_exactly_once(fee_dossier, start_payment):
    payment, _ = start_payment(fee_dossier)
    params = gateway_params(payment)
    barrier = threading.Barrier(20)
    codes: list[str] = []
    errors: list[BaseException] = []

    def send():
        try:
            barrier.wait()
            codes.append(payment_ipn_process(params=dict(params)).code)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(codes) == ["00"] + ["02"] * 19
    assert credits(fee_dossier) == 1
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PAID
    assert fee_of(fee_dossier).status == FeeStatus.PAID


def test_the_return_url_is_for_the_payer_only(client, fee_dossier, start_payment, people):
    payment, _ = start_payment(fee_dossier)
    client.force_login(people.other_citizen)
    assert client.get("/payments/vnpay/return/", gateway_params(payment)).status_code == 404
    assert RETURN_URL.endswith("/payments/vnpay/return/")


@pytest.mark.parametrize(("code", "status"), [("07", "07"), ("00", "07"), ("07", "02")])
def test_money_the_gateway_holds_for_review_keeps_the_attempt_pending(
    client, fee_dossier, start_payment, code, status
):
    """VNPay's 07 (money taken, transaction under review): neither a credit nor a failure; the
    attempt stays pending, so no cash is taken at the counter and reconciliation settles it."""
    payment, _ = start_payment(fee_dossier)
    held = gateway_params(payment, code=code, status=status)
    assert payment_ipn_process(params=held).code == "00"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert fee_of(fee_dossier).status == FeeStatus.UNPAID and credits(fee_dossier) == 0
    client.force_login(fee_dossier.applicant)
    page = client.get("/payments/vnpay/return/", held, follow=True).content.decode()
    assert "Bạn không cần thanh toán lại" in page
    # The gateway's later verdict settles it as for any attempt.
    assert payment_ipn_process(params=gateway_params(payment)).code == "00"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and credits(fee_dossier) == 1
