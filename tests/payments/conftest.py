"""Fixtures of the payment tests: a procedure with a fee, a submitted dossier that owes it, and a
gateway stand-in that signs notifications by following the protocol by hand."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from dossiers.models import DossierStatus
from payments.services import dossier_fee_assess, payment_start
from procedures.models import FeeWaiver, ProcedureVersion, RequiredDocument
from procedures.services import version_publish
from tests.dossiers.conftest import Personas
from tests.factories.procedures import SIMPLE_SCHEMA, ProcedureFactory

TMN = "TESTTMN1"
SECRET = "test-hash-secret-0123456789"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
RETURN_URL = "http://testserver/payments/vnpay/return/"


@pytest.fixture(autouse=True)
def _gateway_settings(settings):
    settings.PAYMENT_PROVIDER = "sandbox"
    settings.VNPAY_TMN_CODE = TMN
    settings.VNPAY_HASH_SECRET = SECRET
    settings.PAYMENT_ATTEMPT_MINUTES = 15
    settings.PAYMENT_RECONCILE_AFTER_MINUTES = 20
    # Personas make six users each: a fast hasher keeps set-up short (no test is about hashing).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def fee_version(
    *,
    agencies,
    fee_kind="fixed",
    fee_amount=50_000,
    fee_unit="",
    fee_cap=None,
    waivers=(),
    form_schema=SIMPLE_SCHEMA,
) -> ProcedureVersion:
    """A published version of a new procedure with the given fee rule and waivers."""
    version = ProcedureVersion.objects.create(
        procedure=ProcedureFactory(agencies=agencies),
        number=1,
        processing_days=3,
        form_schema=form_schema,
        fee_kind=fee_kind,
        fee_amount=fee_amount,
        fee_unit=fee_unit,
        fee_cap=fee_cap,
    )
    RequiredDocument.objects.create(
        version=version, key="giay_chung_sinh", name="Giấy chứng sinh", position=1
    )
    for waiver in waivers:
        FeeWaiver.objects.create(version=version, **waiver)
    return version_publish(version=version)


@pytest.fixture
def people(agency, other_agency):
    return Personas(agency, other_agency)


@pytest.fixture
def paid_version(agency, other_agency):
    return fee_version(agencies=[agency, other_agency])


@pytest.fixture
def fee_dossier(people, paid_version):
    """A submitted online dossier owing 50.000 đồng, due on submission."""
    dossier = people.dossier(
        DossierStatus.SUBMITTED, version=paid_version, submitted_at=timezone.now()
    )
    dossier_fee_assess(dossier=dossier)
    return dossier


@pytest.fixture
def start_payment(people):
    def start(dossier, *, now=None):
        return payment_start(
            dossier=dossier,
            payer=dossier.applicant,
            return_url=RETURN_URL,
            client_ip="203.0.113.7",
            now=now,
        )

    return start


def sign_by_hand(params: dict, secret: str = SECRET) -> str:
    """The protocol's steps, written out independently of payments/providers/vnpay.py."""
    pairs = sorted((k, str(v)) for k, v in params.items() if k.startswith("vnp_"))
    data = "&".join(f"{k}={quote_plus(v)}" for k, v in pairs)
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def gateway_params(
    payment,
    *,
    code="00",
    status=None,
    amount=None,
    pay_date=None,
    txn_ref=None,
    secret=SECRET,
) -> dict[str, str]:
    """What the gateway sends back (return or IPN) about ``payment``, signed."""
    when = pay_date or timezone.now()
    params = {
        "vnp_Amount": str((payment.amount if amount is None else amount) * 100),
        "vnp_BankCode": "NCB",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": payment.order_info,
        "vnp_PayDate": when.astimezone(VN).strftime("%Y%m%d%H%M%S"),
        "vnp_ResponseCode": code,
        "vnp_TmnCode": TMN,
        "vnp_TransactionNo": "14226112",
        "vnp_TransactionStatus": status if status is not None else ("00" if code == "00" else "02"),
        "vnp_TxnRef": txn_ref or payment.txn_ref,
    }
    params["vnp_SecureHash"] = sign_by_hand(params, secret)
    return params


def minutes(n: int) -> dt.timedelta:
    return dt.timedelta(minutes=n)


@pytest.fixture
def vnpay(settings):
    """A fake VNPay querydr API on a local port (``tests/payments/test_reconcile.FakeVNPay``)."""
    from tests.payments.test_reconcile import FakeVNPay

    fake = FakeVNPay()
    settings.VNPAY_API_URL = fake.url
    yield fake
    fake.close()
