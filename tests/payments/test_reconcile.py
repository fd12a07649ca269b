"""Đối soát: pending attempts older than the window are queried (querydr) and settled or
expired. The gateway's API is a local HTTP server answering like VNPay's merchant API."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.utils import timezone

from dossiers.models import DossierEvent, DossierStatus
from payments.models import DossierFee, FeeStatus, Payment, PaymentStatus
from payments.services import dossier_fee_assess, payments_reconcile
from payments.tasks import reconcile_payments
from tests.payments.conftest import SECRET, TMN, minutes

RESPONSE_FIELDS = [
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
]
REQUEST_FIELDS = [
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
]


def sign(values: dict, fields) -> str:
    data = "|".join(str(values.get(f, "")) for f in fields)
    return hmac.new(SECRET.encode(), data.encode(), hashlib.sha512).hexdigest()


class FakeVNPay:
    """``states[txn_ref] = ("00", amount_vnd)`` → paid; missing → 91 not found."""

    def __init__(self):
        self.states: dict[str, tuple[str, int]] = {}
        self.requests: Counter[str] = Counter()
        self.bad_requests = 0
        self.down = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if fake.down:
                    self.send_response(503)
                    self.end_headers()
                    return
                if body.get("vnp_SecureHash") != sign(body, REQUEST_FIELDS):
                    fake.bad_requests += 1
                ref = body["vnp_TxnRef"]
                fake.requests[ref] += 1
                answer = {
                    "vnp_ResponseId": "resp-" + body["vnp_RequestId"][:8],
                    "vnp_Command": "querydr",
                    "vnp_TmnCode": TMN,
                    "vnp_TxnRef": ref,
                }
                if ref not in fake.states:
                    answer.update(vnp_ResponseCode="91", vnp_Message="Transaction not found")
                else:
                    status, amount = fake.states[ref]
                    answer.update(
                        vnp_ResponseCode="00",
                        vnp_Message="QueryDR Success",
                        vnp_Amount=str(amount * 100),
                        vnp_BankCode="NCB",
                        vnp_PayDate=body["vnp_TransactionDate"],  # paid within the window
                        vnp_TransactionNo="99887766",
                        vnp_TransactionType="01",
                        vnp_TransactionStatus=status,
                        vnp_OrderInfo=body["vnp_OrderInfo"],
                        vnp_PromotionCode="",
                        vnp_PromotionAmount="",
                    )
                answer["vnp_SecureHash"] = sign(answer, RESPONSE_FIELDS)
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/merchant_webapi/api/transaction"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def old_attempt(start_payment, dossier, age=30):
    payment, _ = start_payment(dossier, now=timezone.now() - minutes(age))
    return payment


@pytest.mark.django_db
def test_a_pending_attempt_paid_at_the_gateway_becomes_paid(vnpay, fee_dossier, start_payment):
    payment = old_attempt(start_payment, fee_dossier)
    vnpay.states[payment.txn_ref] = ("00", 50_000)
    assert payments_reconcile() == {PaymentStatus.PAID: 1}
    payment.refresh_from_db()
    assert (payment.status, payment.settled_by) == (PaymentStatus.PAID, "reconcile")
    assert payment.gateway_txn_no == "99887766"
    assert DossierFee.objects.get(dossier=fee_dossier).status == FeeStatus.PAID
    assert DossierEvent.objects.filter(dossier=fee_dossier, action="payment").count() == 1
    assert vnpay.bad_requests == 0
    # Safe to repeat: nothing is pending any more, nothing is asked.
    assert payments_reconcile() == {}
    assert vnpay.requests[payment.txn_ref] == 1


@pytest.mark.django_db
def test_an_attempt_unknown_at_the_gateway_expires(vnpay, fee_dossier, start_payment):
    payment = old_attempt(start_payment, fee_dossier)
    assert payments_reconcile() == {PaymentStatus.EXPIRED: 1}
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.EXPIRED
    assert DossierFee.objects.get(dossier=fee_dossier).status == FeeStatus.UNPAID


@pytest.mark.django_db
def test_an_attempt_never_completed_expires_and_a_failed_one_fails(
    vnpay, fee_dossier, start_payment
):
    never = old_attempt(start_payment, fee_dossier)
    failed = old_attempt(start_payment, fee_dossier, age=40)
    vnpay.states[never.txn_ref] = ("01", 50_000)
    vnpay.states[failed.txn_ref] = ("02", 50_000)
    assert payments_reconcile() == {PaymentStatus.EXPIRED: 1, PaymentStatus.FAILED: 1}


@pytest.mark.django_db
def test_money_held_by_the_gateway_stays_pending_however_late(vnpay, fee_dossier, start_payment):
    """07: the customer's money is taken and the gateway checks it: never expired by us."""
    held = old_attempt(start_payment, fee_dossier, age=60 * 24)
    vnpay.states[held.txn_ref] = ("07", 50_000)
    assert payments_reconcile() == {"held": 1}
    held.refresh_from_db()
    assert held.status == PaymentStatus.PENDING
    vnpay.states[held.txn_ref] = ("00", 50_000)  # the gateway settles it
    assert payments_reconcile(now=timezone.now() + minutes(10)) == {PaymentStatus.PAID: 1}


@pytest.mark.django_db
def test_recent_attempts_are_left_alone(vnpay, fee_dossier, start_payment):
    recent = old_attempt(start_payment, fee_dossier, age=5)
    assert payments_reconcile() == {}
    assert vnpay.requests[recent.txn_ref] == 0
    assert Payment.objects.get(pk=recent.pk).status == PaymentStatus.PENDING


@pytest.mark.django_db
def test_a_gateway_outage_leaves_the_attempt_pending_for_the_next_run(
    vnpay, fee_dossier, start_payment
):
    payment = old_attempt(start_payment, fee_dossier)
    vnpay.down = True
    assert payments_reconcile() == {"error": 1}
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
    vnpay.down = False
    assert payments_reconcile() == {}  # claimed a moment ago: not asked again at once
    later = timezone.now() + minutes(6)
    assert payments_reconcile(now=later) == {PaymentStatus.EXPIRED: 1}


@pytest.mark.django_db
def test_the_beat_task_reconciles(vnpay, fee_dossier, start_payment):
    payment = old_attempt(start_payment, fee_dossier)
    vnpay.states[payment.txn_ref] = ("00", 50_000)
    reconcile_payments.delay()
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PAID


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_query_each_attempt_once(vnpay, people, paid_version, start_payment):
    refs = []
    for i in range(6):
        dossier = people.dossier(DossierStatus.SUBMITTED, version=paid_version)
        dossier_fee_assess(dossier=dossier)
        payment = old_attempt(start_payment, dossier, age=30 + i)
        refs.append(payment.txn_ref)
        if i % 2 == 0:
            vnpay.states[payment.txn_ref] = ("00", 50_000)
    barrier = threading.Barrier(2)
    results: list[dict] = []

    def worker():
        try:
            barrier.wait()
            results.append(payments_reconcile())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Counter()
    for result in results:
        total.update(result)
    assert total[PaymentStatus.PAID] == 3 and total[PaymentStatus.EXPIRED] == 3
    assert all(vnpay.requests[ref] == 1 for ref in refs)
    assert DossierEvent.objects.filter(action="payment").count() == 3
