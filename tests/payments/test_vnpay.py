"""The VNPay 2.1.0 protocol: signature vectors computed by hand, verification of returns, the
querydr request and answer."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest

from payments.providers.base import PaymentRequest, ProviderError, QueryState, SignatureError
from payments.providers.vnpay import (
    QUERY_RESPONSE_FIELDS,
    VNPayConfig,
    VNPayProvider,
    vnp_pipe_sign,
)

SECRET = "DEMOSECRETKEYFORTESTS0123456789AB"
CONFIG = VNPayConfig(
    tmn_code="DEMOV210",
    hash_secret=SECRET,
    payment_url="https://sandbox.vnpayment.vn/paymentv2/vpcpay.html",
    api_url="https://sandbox.vnpayment.vn/merchant_webapi/api/transaction",
)
UTC = dt.UTC


def by_hand(data: str) -> str:
    return hmac.new(SECRET.encode(), data.encode(), hashlib.sha512).hexdigest()


def test_it_builds_the_payment_url_of_the_protocol():
    provider = VNPayProvider(CONFIG)
    url = provider.payment_url(
        PaymentRequest(
            txn_ref="5",
            amount=18_060,
            order_info="Thanh toan don hang :5",
            return_url="https://domainmerchant.vn/ReturnUrl",
            ip_addr="127.0.0.1",
            created_at=dt.datetime(2021, 8, 1, 8, 33, 33, tzinfo=UTC),  # 15:33:33 in Vietnam
            expires_at=dt.datetime(2021, 8, 1, 8, 48, 33, tzinfo=UTC),
        )
    )
    # Sorted by name, values quote_plus-encoded, joined with "&" (written out by hand).
    signed = (
        "vnp_Amount=1806000&vnp_Command=pay&vnp_CreateDate=20210801153333&vnp_CurrCode=VND"
        "&vnp_ExpireDate=20210801154833&vnp_IpAddr=127.0.0.1&vnp_Locale=vn"
        "&vnp_OrderInfo=Thanh+toan+don+hang+%3A5&vnp_OrderType=other"
        "&vnp_ReturnUrl=https%3A%2F%2Fdomainmerchant.vn%2FReturnUrl&vnp_TmnCode=DEMOV210"
        "&vnp_TxnRef=5&vnp_Version=2.1.0"
    )
    expected_hash = by_hand(signed)
    assert len(expected_hash) == 128
    assert url == f"{CONFIG.payment_url}?{signed}&vnp_SecureHash={expected_hash}"


def test_it_encodes_vietnamese_and_spaces_like_quote_plus():
    provider = VNPayProvider(CONFIG)
    url = provider.payment_url(
        PaymentRequest(
            txn_ref="ABC123",
            amount=50_000,
            order_info="Lệ phí hồ sơ H29.47-261123-0042",
            return_url="http://127.0.0.1:8000/payments/vnpay/return/",
            ip_addr="203.0.113.7",
            created_at=dt.datetime(2026, 1, 15, 1, 0, 0, tzinfo=UTC),
            expires_at=dt.datetime(2026, 1, 15, 1, 15, 0, tzinfo=UTC),
        )
    )
    signed = (
        "vnp_Amount=5000000&vnp_Command=pay&vnp_CreateDate=20260115080000&vnp_CurrCode=VND"
        "&vnp_ExpireDate=20260115081500&vnp_IpAddr=203.0.113.7&vnp_Locale=vn"
        "&vnp_OrderInfo=L%E1%BB%87+ph%C3%AD+h%E1%BB%93+s%C6%A1+H29.47-261123-0042"
        "&vnp_OrderType=other"
        "&vnp_ReturnUrl=http%3A%2F%2F127.0.0.1%3A8000%2Fpayments%2Fvnpay%2Freturn%2F"
        "&vnp_TmnCode=DEMOV210&vnp_TxnRef=ABC123&vnp_Version=2.1.0"
    )
    assert url.endswith(f"?{signed}&vnp_SecureHash={by_hand(signed)}")


KNOWN_RETURN = {
    "vnp_Amount": "1000000",
    "vnp_BankCode": "NCB",
    "vnp_BankTranNo": "VNP14226112",
    "vnp_CardType": "ATM",
    "vnp_OrderInfo": "Thanh toan don hang thoi gian: 2023-12-07 17:00:44",
    "vnp_PayDate": "20231207170112",
    "vnp_ResponseCode": "00",
    "vnp_TmnCode": "DEMOV210",
    "vnp_TransactionNo": "14226112",
    "vnp_TransactionStatus": "00",
    "vnp_TxnRef": "166117",
}
KNOWN_RETURN_DATA = (
    "vnp_Amount=1000000&vnp_BankCode=NCB&vnp_BankTranNo=VNP14226112&vnp_CardType=ATM"
    "&vnp_OrderInfo=Thanh+toan+don+hang+thoi+gian%3A+2023-12-07+17%3A00%3A44"
    "&vnp_PayDate=20231207170112&vnp_ResponseCode=00&vnp_TmnCode=DEMOV210"
    "&vnp_TransactionNo=14226112&vnp_TransactionStatus=00&vnp_TxnRef=166117"
)


def test_it_verifies_a_known_good_return():
    params = {**KNOWN_RETURN, "vnp_SecureHash": by_hand(KNOWN_RETURN_DATA)}
    result = VNPayProvider(CONFIG).verify_return(params)
    assert result.success
    assert result.txn_ref == "166117"
    assert result.amount == 10_000 and result.amount_exact
    assert result.gateway_txn_no == "14226112"
    assert result.pay_date == dt.datetime(2023, 12, 7, 10, 1, 12, tzinfo=UTC)


def test_it_ignores_the_hash_type_and_accepts_an_uppercase_hash():
    params = {
        **KNOWN_RETURN,
        "vnp_SecureHashType": "HmacSHA512",
        "vnp_SecureHash": by_hand(KNOWN_RETURN_DATA).upper(),
    }
    assert VNPayProvider(CONFIG).verify_ipn(params).success


@pytest.mark.parametrize(
    "change",
    [
        {"vnp_Amount": "100000000"},
        {"vnp_ResponseCode": "24"},
        {"vnp_TxnRef": "166118"},
        {"vnp_Extra": "1"},
    ],
)
def test_it_refuses_a_tampered_return(change):
    params = {**KNOWN_RETURN, "vnp_SecureHash": by_hand(KNOWN_RETURN_DATA), **change}
    with pytest.raises(SignatureError):
        VNPayProvider(CONFIG).verify_return(params)


def test_it_refuses_a_missing_hash_and_another_merchant():
    with pytest.raises(SignatureError):
        VNPayProvider(CONFIG).verify_return(KNOWN_RETURN)
    other = {**KNOWN_RETURN, "vnp_TmnCode": "OTHER001"}
    data = KNOWN_RETURN_DATA.replace("DEMOV210", "OTHER001")
    with pytest.raises(SignatureError):
        VNPayProvider(CONFIG).verify_return({**other, "vnp_SecureHash": by_hand(data)})


def test_it_signs_the_querydr_request_over_the_pipe_joined_fields():
    provider = VNPayProvider(CONFIG)
    params = provider.query_params(
        txn_ref="166117",
        created_at=dt.datetime(2023, 12, 7, 10, 0, 44, tzinfo=UTC),
        order_info="Thanh toan don hang",
        ip_addr="10.0.0.1",
        now=dt.datetime(2023, 12, 7, 11, 0, 0, tzinfo=UTC),
    )
    assert params["vnp_Command"] == "querydr" and params["vnp_Version"] == "2.1.0"
    assert params["vnp_TransactionDate"] == "20231207170044"
    assert params["vnp_CreateDate"] == "20231207180000"
    data = "|".join(
        [
            params["vnp_RequestId"],
            "2.1.0",
            "querydr",
            "DEMOV210",
            "166117",
            "20231207170044",
            "20231207180000",
            "10.0.0.1",
            "Thanh toan don hang",
        ]
    )
    assert params["vnp_SecureHash"] == by_hand(data)


def querydr_answer(**overrides):
    answer = {
        "vnp_ResponseId": "r1",
        "vnp_Command": "querydr",
        "vnp_ResponseCode": "00",
        "vnp_Message": "QueryDR Success",
        "vnp_TmnCode": "DEMOV210",
        "vnp_TxnRef": "166117",
        "vnp_Amount": "1000000",
        "vnp_BankCode": "NCB",
        "vnp_PayDate": "20231207170112",
        "vnp_TransactionNo": "14226112",
        "vnp_TransactionType": "01",
        "vnp_TransactionStatus": "00",
        "vnp_OrderInfo": "Thanh toan don hang",
        "vnp_PromotionCode": "",
        "vnp_PromotionAmount": "",
        **overrides,
    }
    data = "|".join(str(answer[f]) for f in QUERY_RESPONSE_FIELDS)
    answer["vnp_SecureHash"] = by_hand(data)
    return answer


def test_it_reads_querydr_answers():
    provider = VNPayProvider(CONFIG)
    paid = provider.parse_query_response(querydr_answer(), txn_ref="166117")
    assert paid.state == QueryState.PAID and paid.amount == 10_000
    pending = provider.parse_query_response(
        querydr_answer(vnp_TransactionStatus="01"), txn_ref="166117"
    )
    assert pending.state == QueryState.PENDING
    failed = provider.parse_query_response(
        querydr_answer(vnp_TransactionStatus="02"), txn_ref="166117"
    )
    assert failed.state == QueryState.FAILED
    missing = provider.parse_query_response(
        {"vnp_ResponseCode": "91", "vnp_Message": "not found"}, txn_ref="166117"
    )
    assert missing.state == QueryState.NOT_FOUND
    assert (
        vnp_pipe_sign(querydr_answer(), QUERY_RESPONSE_FIELDS, SECRET)
        == (querydr_answer()["vnp_SecureHash"])
    )


def test_it_refuses_a_forged_or_foreign_querydr_answer():
    provider = VNPayProvider(CONFIG)
    forged = {**querydr_answer(vnp_TransactionStatus="02"), "vnp_TransactionStatus": "00"}
    with pytest.raises(SignatureError):
        provider.parse_query_response(forged, txn_ref="166117")
    with pytest.raises(ProviderError):
        provider.parse_query_response(querydr_answer(), txn_ref="OTHER")
