"""A VNPay-compatible provider: the gateway's published protocol, version 2.1.0.

Payment URL (``vnp_Command=pay``): the ``vnp_*`` parameters sorted by name, each value encoded
with ``urllib.parse.quote_plus`` (as VNPay's sample code does), joined with ``&``; that string is
signed with HMAC-SHA512 keyed by the merchant secret and the hex digest is appended as
``vnp_SecureHash``. The return and the IPN are verified the same way over every ``vnp_*``
parameter except ``vnp_SecureHash`` and ``vnp_SecureHashType`` (constant-time comparison).

Transaction query (``vnp_Command=querydr``): a JSON POST to the merchant API whose
``vnp_SecureHash`` signs the pipe-joined fields ``RequestId|Version|Command|TmnCode|TxnRef|
TransactionDate|CreateDate|IpAddr|OrderInfo``; the answer signs ``ResponseId|Command|
ResponseCode|Message|TmnCode|TxnRef|Amount|BankCode|PayDate|TransactionNo|TransactionType|
TransactionStatus|OrderInfo|PromotionCode|PromotionAmount``.

The same signing functions serve the sandbox gateway (``payments/views.py``), which plays the
gateway's part: demo and tests exercise this exact code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from payments.providers.base import (
    GatewayResult,
    PaymentProvider,
    PaymentRequest,
    ProviderError,
    QueryResult,
    QueryState,
    SignatureError,
)

VERSION = "2.1.0"
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DATE_FORMAT = "%Y%m%d%H%M%S"
HASH_FIELDS = ("vnp_SecureHash", "vnp_SecureHashType")
QUERY_REQUEST_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
QUERY_RESPONSE_FIELDS = (
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
)
# vnp_ResponseCode of a payment: 00 success, 24 cancelled by the customer, 11 payment window
# expired; querydr: 00 answered, 91 transaction not found. vnp_TransactionStatus: 00 success,
# 01 not completed yet, 02 error; 07 money taken, suspected fraud (held: pending for us until
# the gateway settles it, however long that takes).
CANCELLED_CODE = "24"
EXPIRED_CODE = "11"
QUERY_NOT_FOUND = "91"
NOT_COMPLETED_STATUS = "01"
HELD_STATUS = "07"

# Defaults when PAYMENT_PROVIDER = "sandbox": the gateway is our own sandbox page.
SANDBOX_TMN_CODE = "DVCDEMO1"
SANDBOX_HASH_SECRET = "SANDBOX-DEMO-SECRET-NOT-FOR-PRODUCTION"
VNPAY_SANDBOX_PAYMENT_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
VNPAY_SANDBOX_API_URL = "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction"


# -- the protocol's primitives (shared with the sandbox gateway) ---------------------------------
def vnp_format_date(value: dt.datetime) -> str:
    """``yyyyMMddHHmmss`` in Vietnam time (GMT+7)."""
    return value.astimezone(VN_TZ).strftime(DATE_FORMAT)


def vnp_parse_date(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(value, DATE_FORMAT).replace(tzinfo=VN_TZ)
    except (TypeError, ValueError):
        return None


def vnp_sign_data(params: Mapping[str, object]) -> str:
    """The string that is signed: sorted ``vnp_*`` parameters, values ``quote_plus``-encoded."""
    items = sorted(
        (str(k), str(v))
        for k, v in params.items()
        if str(k).startswith("vnp_") and k not in HASH_FIELDS and v is not None
    )
    return "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in items)


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode("utf-8"), hashlib.sha512).hexdigest()


def vnp_sign(params: Mapping[str, object], secret: str) -> str:
    return hmac_sha512(secret, vnp_sign_data(params))


def vnp_signed_query(params: Mapping[str, object], secret: str) -> str:
    """The query string to send: the signed data plus ``vnp_SecureHash``."""
    data = vnp_sign_data(params)
    return f"{data}&vnp_SecureHash={hmac_sha512(secret, data)}"


def vnp_verify(params: Mapping[str, str], secret: str) -> bool:
    """Whether ``params`` carry a valid ``vnp_SecureHash`` (constant-time comparison)."""
    given = str(params.get("vnp_SecureHash") or "").lower()
    return bool(given) and hmac.compare_digest(vnp_sign(params, secret), given)


def vnp_pipe_sign(params: Mapping[str, object], fields: tuple[str, ...], secret: str) -> str:
    """The querydr checksum: the listed fields' values joined by ``|`` (missing = empty)."""
    data = "|".join("" if params.get(f) is None else str(params.get(f)) for f in fields)
    return hmac_sha512(secret, data)


def vnp_pipe_verify(params: Mapping[str, object], fields: tuple[str, ...], secret: str) -> bool:
    given = str(params.get("vnp_SecureHash") or "").lower()
    return bool(given) and hmac.compare_digest(vnp_pipe_sign(params, fields, secret), given)


# -- configuration ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class VNPayConfig:
    tmn_code: str
    hash_secret: str
    payment_url: str
    api_url: str


def site_url() -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def vnpay_config() -> VNPayConfig:
    """Merchant code, secret and gateway URLs from settings (empty values take the defaults).

    ``PAYMENT_PROVIDER="sandbox"`` (default): the gateway is the portal's sandbox page, signed
    with a demo secret. ``"vnpay"``: VNPay's own (sandbox unless told otherwise) gateway; the
    merchant code and secret must be set.
    """
    mode = getattr(settings, "PAYMENT_PROVIDER", "sandbox") or "sandbox"
    if mode == "sandbox":
        defaults = VNPayConfig(
            tmn_code=SANDBOX_TMN_CODE,
            hash_secret=SANDBOX_HASH_SECRET,
            payment_url=reverse("payments:sandbox_pay"),
            api_url=site_url() + reverse("payments:sandbox_api"),
        )
    elif mode == "vnpay":
        defaults = VNPayConfig("", "", VNPAY_SANDBOX_PAYMENT_URL, VNPAY_SANDBOX_API_URL)
    else:
        raise ImproperlyConfigured(f"PAYMENT_PROVIDER={mode!r}: expected 'sandbox' or 'vnpay'.")
    config = VNPayConfig(
        tmn_code=getattr(settings, "VNPAY_TMN_CODE", "") or defaults.tmn_code,
        hash_secret=getattr(settings, "VNPAY_HASH_SECRET", "") or defaults.hash_secret,
        payment_url=getattr(settings, "VNPAY_PAYMENT_URL", "") or defaults.payment_url,
        api_url=getattr(settings, "VNPAY_API_URL", "") or defaults.api_url,
    )
    if not config.tmn_code or not config.hash_secret:
        raise ImproperlyConfigured(
            "PAYMENT_PROVIDER=vnpay needs VNPAY_TMN_CODE and VNPAY_HASH_SECRET."
        )
    return config


# -- the provider ----------------------------------------------------------------------------------
class VNPayProvider(PaymentProvider):
    code = "vnpay"

    def __init__(self, config: VNPayConfig | None = None) -> None:
        self.config = config or vnpay_config()

    def payment_params(self, request: PaymentRequest) -> dict[str, str]:
        return {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.config.tmn_code,
            "vnp_Amount": str(request.amount * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": request.txn_ref,
            "vnp_OrderInfo": request.order_info,
            "vnp_OrderType": "other",
            "vnp_Locale": request.locale,
            "vnp_ReturnUrl": request.return_url,
            "vnp_IpAddr": request.ip_addr,
            "vnp_CreateDate": vnp_format_date(request.created_at),
            "vnp_ExpireDate": vnp_format_date(request.expires_at),
        }

    def payment_url(self, request: PaymentRequest) -> str:
        query = vnp_signed_query(self.payment_params(request), self.config.hash_secret)
        separator = "&" if "?" in self.config.payment_url else "?"
        return f"{self.config.payment_url}{separator}{query}"

    def _verify(self, params: Mapping[str, str]) -> GatewayResult:
        if not vnp_verify(params, self.config.hash_secret):
            raise SignatureError("invalid vnp_SecureHash")
        if params.get("vnp_TmnCode") != self.config.tmn_code:
            raise SignatureError("vnp_TmnCode is not ours")
        try:
            minor = int(params.get("vnp_Amount", ""))
        except ValueError:
            minor = -1
        response_code = params.get("vnp_ResponseCode", "")
        status = params.get("vnp_TransactionStatus", "")
        return GatewayResult(
            txn_ref=params.get("vnp_TxnRef", ""),
            amount=minor // 100 if minor >= 0 else -1,
            amount_exact=minor >= 0 and minor % 100 == 0,
            success=response_code == "00" and status == "00",
            held=HELD_STATUS in (response_code, status),
            response_code=response_code,
            transaction_status=status,
            gateway_txn_no=params.get("vnp_TransactionNo", ""),
            bank_code=params.get("vnp_BankCode", ""),
            pay_date=vnp_parse_date(params.get("vnp_PayDate", "")),
            raw={k: v for k, v in params.items() if k.startswith("vnp_")},
        )

    def verify_return(self, params: Mapping[str, str]) -> GatewayResult:
        return self._verify(params)

    def verify_ipn(self, params: Mapping[str, str]) -> GatewayResult:
        return self._verify(params)

    def query_params(
        self,
        *,
        txn_ref: str,
        created_at: dt.datetime,
        order_info: str,
        ip_addr: str,
        now: dt.datetime | None = None,
    ) -> dict[str, str]:
        now = now or dt.datetime.now(tz=VN_TZ)
        params = {
            "vnp_RequestId": secrets.token_hex(16),
            "vnp_Version": VERSION,
            "vnp_Command": "querydr",
            "vnp_TmnCode": self.config.tmn_code,
            "vnp_TxnRef": txn_ref,
            "vnp_OrderInfo": order_info,
            "vnp_TransactionDate": vnp_format_date(created_at),
            "vnp_CreateDate": vnp_format_date(now),
            "vnp_IpAddr": ip_addr,
        }
        params["vnp_SecureHash"] = vnp_pipe_sign(
            params, QUERY_REQUEST_FIELDS, self.config.hash_secret
        )
        return params

    def query(
        self, *, txn_ref: str, created_at: dt.datetime, order_info: str, ip_addr: str
    ) -> QueryResult:
        body = json.dumps(
            self.query_params(
                txn_ref=txn_ref, created_at=created_at, order_info=order_info, ip_addr=ip_addr
            )
        ).encode()
        if not self.config.api_url.startswith(("http://", "https://")):
            raise ProviderError(f"VNPAY_API_URL must be an http(s) URL: {self.config.api_url!r}")
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            self.config.api_url,
            data=body,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                answer = json.loads(response.read().decode("utf-8"))
        except (OSError, ValueError) as exc:  # URLError is an OSError; bad JSON a ValueError
            raise ProviderError(f"querydr failed: {exc}") from exc
        if not isinstance(answer, dict):
            raise ProviderError("querydr answered something that is not a JSON object")
        return self.parse_query_response(answer, txn_ref=txn_ref)

    def parse_query_response(self, answer: Mapping[str, object], *, txn_ref: str) -> QueryResult:
        code = str(answer.get("vnp_ResponseCode", ""))
        if code == QUERY_NOT_FOUND:
            # An error answer may be unsigned; "not found" only lets an attempt expire, never pay.
            return QueryResult(state=QueryState.NOT_FOUND, txn_ref=txn_ref, response_code=code)
        if not vnp_pipe_verify(answer, QUERY_RESPONSE_FIELDS, self.config.hash_secret):
            raise SignatureError("querydr answer: invalid vnp_SecureHash")
        if code != "00":
            raise ProviderError(f"querydr answered {code}: {answer.get('vnp_Message', '')}")
        if answer.get("vnp_TxnRef") != txn_ref or answer.get("vnp_TmnCode") != self.config.tmn_code:
            raise ProviderError("querydr answered about another transaction")
        status = str(answer.get("vnp_TransactionStatus", ""))
        if status == "00":
            state = QueryState.PAID
        elif status == NOT_COMPLETED_STATUS:
            state = QueryState.PENDING
        elif status == HELD_STATUS:
            state = QueryState.HELD
        else:
            state = QueryState.FAILED
        try:
            minor = int(str(answer.get("vnp_Amount", "")))
            amount = minor // 100 if minor % 100 == 0 else -1
        except ValueError:
            amount = -1
        return QueryResult(
            state=state,
            txn_ref=txn_ref,
            amount=amount,
            response_code=code,
            transaction_status=status,
            gateway_txn_no=str(answer.get("vnp_TransactionNo", "")),
            bank_code=str(answer.get("vnp_BankCode", "")),
            pay_date=vnp_parse_date(str(answer.get("vnp_PayDate", ""))),
            raw=dict(answer),
        )
