"""The citizen's fee page, the sandbox gateway and its querydr API, and the admin lists."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.utils import timezone

from dossiers.models import DossierStatus
from payments.models import DossierFee, FeeStatus, Payment, PaymentStatus, SandboxTransaction
from payments.providers import get_provider
from payments.services import payment_ipn_process
from tests.factories import make_officer
from tests.payments.conftest import TMN, gateway_params, minutes, sign_by_hand

pytestmark = pytest.mark.django_db


def start_url(dossier) -> str:
    return f"/payments/dossier/{dossier.public_id}/"


def test_the_fee_page_shows_amount_and_waiver_to_the_owner_only(client, fee_dossier, people):
    client.force_login(people.applicant)
    page = client.get(start_url(fee_dossier)).content.decode()
    assert "50.000 đồng" in page and "Năm mươi nghìn đồng" in page
    assert "Chưa thanh toán" in page and ">Thanh toán</button>" in page
    for outsider in (people.other_citizen, people.reception):
        client.force_login(outsider)
        assert client.get(start_url(fee_dossier)).status_code == 404
    client.logout()
    assert client.get(start_url(fee_dossier)).status_code == 302


def test_the_fee_page_assesses_a_submitted_dossier_without_a_fee(client, people):
    dossier = people.dossier(DossierStatus.SUBMITTED)
    client.force_login(people.applicant)
    page = client.get(start_url(dossier)).content.decode()
    assert "Không phải nộp phí" in page
    assert DossierFee.objects.get(dossier=dossier).status == FeeStatus.NOT_REQUIRED
    draft = people.dossier(DossierStatus.DRAFT)
    assert client.get(start_url(draft)).status_code == 404


def test_paying_redirects_to_the_gateway_with_a_signed_request(client, fee_dossier):
    client.force_login(fee_dossier.applicant)
    response = client.post(start_url(fee_dossier))
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert url.path == "/payments/sandbox/pay/"
    params = dict(parse_qsl(url.query))
    assert params["vnp_ReturnUrl"] == "http://testserver/payments/vnpay/return/"
    assert params["vnp_Amount"] == "5000000" and params["vnp_TmnCode"] == TMN
    assert params["vnp_SecureHash"] == sign_by_hand(
        {k: v for k, v in params.items() if k != "vnp_SecureHash"}
    )
    payment = Payment.objects.get(dossier=fee_dossier)
    assert params["vnp_TxnRef"] == payment.txn_ref and payment.client_ip == "127.0.0.1"


def test_a_paid_fee_cannot_be_paid_again(client, fee_dossier, start_payment):
    payment, _ = start_payment(fee_dossier)
    payment_ipn_process(params=gateway_params(payment))
    client.force_login(fee_dossier.applicant)
    response = client.post(start_url(fee_dossier), follow=True)
    assert "đã được thanh toán" in response.content.decode()
    page = client.get(start_url(fee_dossier)).content.decode()
    assert "Đã thanh toán" in page and ">Thanh toán</button>" not in page
    assert Payment.objects.filter(dossier=fee_dossier).count() == 1


def test_the_sandbox_shows_a_signed_request_and_refuses_a_forged_one(client, fee_dossier):
    client.force_login(fee_dossier.applicant)
    location = client.post(start_url(fee_dossier))["Location"]
    page = client.get(location)
    assert page.status_code == 200 and "50.000 đồng" in page.content.decode()
    forged = location.replace("vnp_Amount=5000000", "vnp_Amount=100")
    assert client.get(forged).status_code == 400
    params = dict(parse_qsl(urlsplit(location).query))
    params["vnp_ReturnUrl"] = "https://evil.example/steal"
    params["vnp_SecureHash"] = sign_by_hand(
        {k: v for k, v in params.items() if k != "vnp_SecureHash"}
    )
    assert client.get("/payments/sandbox/pay/", params).status_code == 400  # no open redirect


def test_the_sandbox_is_off_with_the_real_gateway(client, settings):
    settings.PAYMENT_PROVIDER = "vnpay"
    assert client.get("/payments/sandbox/pay/").status_code == 404
    assert (
        client.post("/payments/sandbox/api/", "{}", content_type="application/json").status_code
        == 404
    )
    provider = get_provider()
    assert provider.config.payment_url == "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"


def test_the_sandbox_querydr_api_answers_signed(client, fee_dossier, start_payment, settings):
    payment, _ = start_payment(fee_dossier)
    provider = get_provider()
    query = provider.query_params(
        txn_ref=payment.txn_ref,
        created_at=payment.created_at,
        order_info=payment.order_info,
        ip_addr="127.0.0.1",
    )

    def ask(body):
        response = client.post("/payments/sandbox/api/", json.dumps(body), "application/json")
        return response.json()

    assert ask(query)["vnp_ResponseCode"] == "91"
    assert ask({**query, "vnp_TxnRef": "X"})["vnp_ResponseCode"] == "97"
    SandboxTransaction.objects.create(
        tmn_code=TMN,
        txn_ref=payment.txn_ref,
        amount=5_000_000,
        order_info=payment.order_info,
        response_code="00",
        transaction_status="00",
        transaction_no="12345678",
        pay_date=timezone.localtime().strftime("%Y%m%d%H%M%S"),
    )
    answer = ask(query)
    result = provider.parse_query_response(answer, txn_ref=payment.txn_ref)
    assert result.state == "paid" and result.amount == 50_000


@pytest.mark.django_db(transaction=True)
def test_the_sandbox_pays_and_notifies_over_http(
    live_server, client, settings, people, paid_version
):
    """The whole loop with the eager task: sandbox → IPN over HTTP to the live server."""
    from payments.services import dossier_fee_assess

    settings.SITE_URL = live_server.url
    dossier = people.dossier(DossierStatus.SUBMITTED, version=paid_version)
    dossier_fee_assess(dossier=dossier)
    client.force_login(people.applicant)
    location = client.post(start_url(dossier))["Location"]
    params = dict(parse_qsl(urlsplit(location).query))
    response = client.post("/payments/sandbox/pay/", {**params, "outcome": "pay"})
    assert response.status_code == 302
    back = urlsplit(response["Location"])
    assert back.path == "/payments/vnpay/return/"
    payment = Payment.objects.get(dossier=dossier)
    assert payment.status == PaymentStatus.PAID and payment.settled_by == "ipn"
    page = client.get(f"{back.path}?{back.query}", follow=True).content.decode()
    assert "Thanh toán thành công" in page and "Đã thanh toán" in page
    # The gateway settles a transaction once: pressing "pay" again changes nothing.
    client.post("/payments/sandbox/pay/", {**params, "outcome": "pay"})
    assert SandboxTransaction.objects.count() == 1


def test_the_sandbox_refuses_to_pay_after_expiry(client, fee_dossier, start_payment, settings):
    settings.SITE_URL = "http://127.0.0.1:9"  # nothing listens: the IPN task must not be needed
    payment, location = start_payment(fee_dossier, now=timezone.now() - minutes(20))
    page = client.get(location).content.decode()
    assert "đã hết hạn" in page and "Xác nhận thanh toán" not in page


def test_officers_see_their_agencys_payments_and_supervisors_the_totals(
    client, fee_dossier, start_payment, people, other_agency, paid_version
):
    payment, _ = start_payment(fee_dossier)
    payment_ipn_process(params=gateway_params(payment))
    other = people.dossier(DossierStatus.SUBMITTED, version=paid_version, agency=other_agency)
    from payments.services import dossier_fee_assess

    dossier_fee_assess(dossier=other)
    foreign, _ = start_payment(other)
    officer = make_officer(agency=people.agency, roles=["reception_officer"], is_staff=True)
    client.force_login(officer)
    page = client.get("/admin/payments/payment/").content.decode()
    assert payment.txn_ref in page and foreign.txn_ref not in page
    assert client.get("/admin/payments/paymentdailytotal/").status_code == 403
    supervisor = make_officer(agency=people.agency, roles=["supervisor"], is_staff=True)
    client.force_login(supervisor)
    page = client.get("/admin/payments/paymentdailytotal/").content.decode()
    assert fee_dossier.version.procedure.code in page and "50000" in page
    assert client.get("/admin/payments/payment/").status_code == 200


def test_the_fee_region_refreshes_itself_while_an_attempt_is_pending(
    client, fee_dossier, start_payment
):
    start_payment(fee_dossier)
    client.force_login(fee_dossier.applicant)
    page = client.get(start_url(fee_dossier)).content.decode()
    assert 'hx-trigger="every 3s"' in page and "tải lại trang" in page
    partial = client.get(start_url(fee_dossier), headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<section id="fee-status"')
    assert "<html" not in partial


def test_officers_of_the_agency_see_the_payment_attempts_on_the_dossier(
    client, fee_dossier, start_payment, people
):
    from django.urls import reverse

    from tests.dossiers.officer_support import login

    payment, _ = start_payment(fee_dossier)
    payment_ipn_process(params=gateway_params(payment))
    login(client, people.reception)
    url = reverse("dossiers:officer:detail", args=[fee_dossier.public_id])
    page = client.get(url).content.decode()
    assert payment.txn_ref in page and "đã thanh toán" in page
    login(client, people.foreign_officer)
    assert client.get(url).status_code == 404
