"""One interface for payment gateways (cổng thanh toán).

A provider turns a :class:`PaymentRequest` into the URL the citizen is sent to, verifies what the
gateway sends back (the browser return and the server-to-server notification, IPN) and asks the
gateway for a transaction's state (reconciliation). It knows the protocol and nothing of
dossiers or fees; ``payments/services.py`` does the bookkeeping.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class ProviderError(Exception):
    """The gateway could not be reached or answered something unusable (retry later)."""


class SignatureError(ProviderError):
    """A message that claims to come from the gateway does not carry a valid signature."""


@dataclass(frozen=True)
class PaymentRequest:
    txn_ref: str
    amount: int  # VND
    order_info: str
    return_url: str
    ip_addr: str
    created_at: dt.datetime
    expires_at: dt.datetime
    locale: str = "vn"


@dataclass(frozen=True)
class GatewayResult:
    """A verified outcome of one transaction, as told by the gateway (return or IPN)."""

    txn_ref: str
    amount: int  # VND
    amount_exact: bool  # False when the gateway's minor units do not make whole đồng
    success: bool
    response_code: str
    transaction_status: str = ""
    gateway_txn_no: str = ""
    bank_code: str = ""
    pay_date: dt.datetime | None = None
    raw: dict = field(default_factory=dict)
    # The customer's money taken but held by the gateway while it checks the transaction: not a
    # success yet, not a failure either (reconciliation settles it later).
    held: bool = False


class QueryState(StrEnum):
    PAID = "paid"
    FAILED = "failed"
    PENDING = "pending"  # not completed (yet): the customer has not paid
    HELD = "held"  # the customer's money taken, the gateway holds it while it checks
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class QueryResult:
    state: QueryState
    txn_ref: str
    amount: int | None = None
    response_code: str = ""
    transaction_status: str = ""
    gateway_txn_no: str = ""
    bank_code: str = ""
    pay_date: dt.datetime | None = None
    raw: dict = field(default_factory=dict)

    def as_gateway_result(self) -> GatewayResult:
        return GatewayResult(
            txn_ref=self.txn_ref,
            amount=self.amount or 0,
            amount_exact=True,
            success=self.state == QueryState.PAID,
            response_code=self.response_code,
            transaction_status=self.transaction_status,
            gateway_txn_no=self.gateway_txn_no,
            bank_code=self.bank_code,
            pay_date=self.pay_date,
            raw=self.raw,
        )


class PaymentProvider(abc.ABC):
    code: str

    @abc.abstractmethod
    def payment_url(self, request: PaymentRequest) -> str:
        """The URL that sends the citizen to the gateway to pay."""

    @abc.abstractmethod
    def verify_return(self, params: Mapping[str, str]) -> GatewayResult:
        """Verify the browser return (raises :class:`SignatureError`). Only for display."""

    @abc.abstractmethod
    def verify_ipn(self, params: Mapping[str, str]) -> GatewayResult:
        """Verify a server-to-server notification (raises :class:`SignatureError`)."""

    @abc.abstractmethod
    def query(
        self, *, txn_ref: str, created_at: dt.datetime, order_info: str, ip_addr: str
    ) -> QueryResult:
        """Ask the gateway for a transaction's state (raises :class:`ProviderError`)."""

    @staticmethod
    def ipn_response(code: str, message: str) -> dict:
        """The body the gateway expects in answer to an IPN."""
        return {"RspCode": code, "Message": message}
