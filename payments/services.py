"""Writes of the payments app: assessing a dossier's fee, payment attempts, settling them from a
verified notification or a reconciliation query, and issuing the e-receipt.

Crediting rule: only a verified IPN or a reconciliation query settles an attempt, and always by
``UPDATE … WHERE status = 'pending'`` inside a transaction that holds the dossier and fee rows,
so a repeated or concurrent notification credits exactly once. A paid attempt appends a
``DossierEvent`` (action ``payment``; the status does not change) and queues the e-receipt.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from dossiers.models import Channel, Dossier, DossierEvent, DossierStatus
from dossiers.selectors import deliverable_email
from payments.models import (
    DossierFee,
    FeeDue,
    FeeReceipt,
    FeeStatus,
    Payment,
    PaymentStatus,
)
from payments.providers import get_provider
from payments.providers.base import (
    GatewayResult,
    PaymentRequest,
    ProviderError,
    QueryState,
    SignatureError,
)
from payments.providers.vnpay import CANCELLED_CODE, EXPIRED_CODE, site_url
from payments.text import amount_in_words, format_vnd
from portal.bilingual import vi_en
from portal.roles import Role
from procedures.models import FeeKind
from procedures.schema import fee_units_field
from procedures.services import fee_quote

logger = logging.getLogger(__name__)

# A dossier in one of these states can no longer be paid for.
CLOSED_STATUSES = frozenset(
    {DossierStatus.DRAFT, DossierStatus.WITHDRAWN, DossierStatus.REFUSED, DossierStatus.REJECTED}
)
# A reconciliation claim older than this is abandoned (the worker died): it may be claimed again.
CLAIM_TTL = dt.timedelta(minutes=5)
# Expired attempts the counter asks the gateway about before taking cash (the newest first).
COUNTER_QUERIES_MAX = 3


class PaymentError(Exception):
    """A payment that cannot be started; the message is for the citizen (vi + en)."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def attempt_minutes() -> int:
    return int(getattr(settings, "PAYMENT_ATTEMPT_MINUTES", 15) or 15)


def reconcile_after_minutes() -> int:
    default = attempt_minutes() + 5
    return int(getattr(settings, "PAYMENT_RECONCILE_AFTER_MINUTES", default) or default)


# -- the fee of a dossier --------------------------------------------------------------------------
def form_units(version, data: dict | None) -> int:
    """Copies/pages asked for, at least 1: the answer of the schema's ``fee_units`` field (or of
    a field named ``fee_units`` or ``copies``) in the form's answers ``data``."""
    data = data or {}
    named = fee_units_field(version.form_schema)
    for key in ([named] if named else []) + ["fee_units", "copies"]:
        try:
            value = int(data.get(key) or 0)
        except (TypeError, ValueError):
            continue
        if value > 0:
            return value
    return 1


def _rule_text(*, version, units: int, base: int, amount: int, waivers: tuple[str, ...]) -> str:
    if version.fee_kind == FeeKind.FREE:
        return "Thủ tục không thu phí, lệ phí (free procedure)."
    if version.fee_kind == FeeKind.PER_UNIT:
        unit = version.fee_unit or "bản"
        text = f"{format_vnd(version.fee_amount)} đồng/{unit} × {units} {unit}"
        if version.fee_cap and base == version.fee_cap:
            text += f", tối đa {format_vnd(version.fee_cap)} đồng"
    else:
        text = f"Mức cố định {format_vnd(version.fee_amount)} đồng/hồ sơ"
    text += f" = {format_vnd(base)} đồng"
    if waivers:
        text += f"; miễn, giảm: {'; '.join(waivers)} → {format_vnd(amount)} đồng"
    return text[:500]


def dossier_fee_assess(
    *, dossier: Dossier, units: int | None = None, beneficiary: bool = False
) -> DossierFee:
    """Tính phí, lệ phí at submission (idempotent: a dossier's fee is computed once).

    Reuses ``procedures.services.fee_quote`` with the dossier's channel (the "filed online"
    waiver) and the submission day. When the fee is due comes from the version's ``fee_due_on``
    when the catalog has it, else "on submission".
    """
    existing = DossierFee.objects.filter(dossier=dossier).first()
    if existing is not None:
        return existing
    version = dossier.version
    units = units or form_units(dossier.version, dossier.form_data)
    on = timezone.localdate(dossier.submitted_at) if dossier.submitted_at else timezone.localdate()
    quote = fee_quote(
        version=version,
        units=units,
        online=dossier.channel == Channel.ONLINE,
        beneficiary=beneficiary,
        on=on,
    )
    fee = DossierFee(
        dossier=dossier,
        fee_kind=version.fee_kind,
        unit_amount=version.fee_amount,
        units=units if version.fee_kind == FeeKind.PER_UNIT else 1,
        fee_unit=version.fee_unit,
        fee_cap=version.fee_cap,
        base_amount=quote.base,
        amount=quote.amount,
        waivers=list(quote.waivers),
        rule=_rule_text(
            version=version,
            units=units,
            base=quote.base,
            amount=quote.amount,
            waivers=quote.waivers,
        ),
        due_on=getattr(version, "fee_due_on", "") or FeeDue.SUBMISSION,
        status=FeeStatus.UNPAID if quote.amount else FeeStatus.NOT_REQUIRED,
    )
    try:
        with transaction.atomic():
            fee.save()
    except IntegrityError:
        return DossierFee.objects.get(dossier=dossier)
    return fee


# -- starting an attempt ---------------------------------------------------------------------------
def new_txn_ref(now: dt.datetime) -> str:
    """Alphanumeric, unique: ``yymmddHHMMSS`` + 8 random hex digits (uppercase)."""
    return f"{timezone.localtime(now):%y%m%d%H%M%S}{secrets.token_hex(4).upper()}"


def _order_info(dossier: Dossier) -> str:
    # VNPay asks for Vietnamese without diacritics in vnp_OrderInfo.
    return f"Thanh toan phi le phi ho so {dossier.code}"


def _check_payable(dossier: Dossier, fee: DossierFee | None) -> None:
    """PaymentError unless ``dossier`` owes ``fee`` now (online or at the counter)."""
    if fee is None or fee.status == FeeStatus.NOT_REQUIRED:
        raise PaymentError(
            translation.gettext("Hồ sơ này không phải nộp phí (nothing to pay)."),
            code="not_required",
        )
    if fee.status == FeeStatus.PAID:
        raise PaymentError(
            translation.gettext("Hồ sơ đã được thanh toán (already paid)."), code="paid"
        )
    if dossier.status in CLOSED_STATUSES:
        raise PaymentError(
            translation.gettext(
                "Hồ sơ không còn ở trạng thái thanh toán được (the dossier is closed)."
            ),
            code="closed",
        )


def payment_start(
    *,
    dossier: Dossier,
    payer,
    return_url: str,
    client_ip: str,
    now: dt.datetime | None = None,
) -> tuple[Payment, str]:
    """Một lần thanh toán mới: the attempt row and the gateway URL to send the citizen to.

    Earlier attempts stay as they are (recorded); a later success on one of them, once the fee
    is paid, is recorded as "refund due", never credited twice.
    """
    fee = DossierFee.objects.filter(dossier=dossier).first()
    if payer is None or payer.pk != dossier.applicant_id:
        raise PaymentError(
            translation.gettext("Chỉ người nộp hồ sơ mới thanh toán được (applicant only)."),
            code="owner",
        )
    _check_payable(dossier, fee)
    provider = get_provider()
    now = (now or timezone.now()).replace(microsecond=0)
    for _ in range(3):
        try:
            with transaction.atomic():
                # The dossier's lock, as a cash payment at the counter takes it: an attempt is
                # never started for a fee the counter has just been paid.
                list(Dossier.objects.select_for_update().filter(pk=dossier.pk).values_list("pk"))
                if DossierFee.objects.filter(pk=fee.pk, status=FeeStatus.PAID).exists():
                    raise PaymentError(
                        translation.gettext("Hồ sơ đã được thanh toán (already paid)."),
                        code="paid",
                    )
                payment = Payment.objects.create(
                    fee=fee,
                    dossier=dossier,
                    payer=payer,
                    provider=provider.code,
                    txn_ref=new_txn_ref(now),
                    amount=fee.amount,
                    order_info=_order_info(dossier),
                    client_ip=client_ip or "127.0.0.1",
                    created_at=now,
                    expires_at=now + dt.timedelta(minutes=attempt_minutes()),
                )
            break
        except IntegrityError:  # the same random reference twice: draw again
            continue
    else:  # pragma: no cover
        raise PaymentError(
            translation.gettext("Không tạo được giao dịch, vui lòng thử lại (try again).")
        )
    url = provider.payment_url(
        PaymentRequest(
            txn_ref=payment.txn_ref,
            amount=payment.amount,
            order_info=payment.order_info,
            return_url=return_url,
            ip_addr=payment.client_ip,
            created_at=payment.created_at,
            expires_at=payment.expires_at,
        )
    )
    return payment, url


COUNTER_PROVIDER = "counter"  # Payment.provider of a fee paid in cash at the one-stop counter


def online_attempt_open(payments, *, now: dt.datetime) -> Payment | None:
    """Of ``payments`` (a dossier's), an online attempt the citizen may still be paying: pending
    and not expired (the officer's page then offers no cash)."""
    return next(
        (
            p
            for p in payments
            if p.provider != COUNTER_PROVIDER
            and p.status == PaymentStatus.PENDING
            and p.expires_at > now
        ),
        None,
    )


def payment_record_counter(*, dossier: Dossier, officer, client_ip: str = "") -> Payment:
    """Thu phí tại quầy: a reception officer of the dossier's agency records that the applicant
    paid the fee in cash at the counter (a walk-in, or a citizen who would rather not pay
    online). The fee is then paid, the timeline says who took the money, and the receipt is
    issued and e-mailed as for an online payment."""
    from dossiers.queues import officer_agency
    from portal.roles import has_role

    agency = officer_agency(officer)
    if not has_role(officer, Role.RECEPTION) or agency is None or agency.pk != dossier.agency_id:
        raise PaymentError(
            translation.gettext(
                "Chỉ cán bộ một cửa của cơ quan tiếp nhận mới thu phí tại quầy được "
                "(reception officers of the receiving agency only)."
            ),
            code="officer",
        )
    now = timezone.now().replace(microsecond=0)
    # An expired attempt still pending may have been paid at the last moment (its notification
    # not in yet): ask the gateway now, as reconciliation would later, before taking cash. A few
    # at most (each query may take seconds): any left pending refuse the cash below, until the
    # reconciliation task has settled them.
    stale = Payment.objects.filter(
        dossier=dossier, status=PaymentStatus.PENDING, expires_at__lte=now
    ).exclude(provider=COUNTER_PROVIDER)
    for attempt in stale.order_by("-created_at")[:COUNTER_QUERIES_MAX]:
        payment_reconcile_one(payment=attempt, now=now)
    with transaction.atomic():
        # The dossier first, as the workflow locks it: two clicks do not take the money twice.
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        fee = DossierFee.objects.filter(dossier=locked).first()
        _check_payable(locked, fee)
        pending = list(
            Payment.objects.filter(fee=fee, status=PaymentStatus.PENDING).exclude(
                provider=COUNTER_PROVIDER
            )
        )
        online = online_attempt_open(pending, now=now)
        if online is not None:
            # The citizen may be paying at the gateway right now: taking cash too would charge
            # twice (the later one would only be recorded as "refund due").
            raise PaymentError(
                vi_en(
                    "Người nộp đang thanh toán trực tuyến (giao dịch "
                    f"{online.txn_ref}, hết hạn lúc {timezone.localtime(online.expires_at):%H:%M}): "
                    "chưa thu tiền mặt được, vui lòng chờ giao dịch kết thúc.",
                    f"The applicant is paying online (attempt {online.txn_ref}, expires at "
                    f"{timezone.localtime(online.expires_at):%H:%M}): wait for it to end before "
                    "taking cash.",
                ),
                code="pending_online",
            )
        if pending:  # expired, but the gateway did not answer whether it was paid
            raise PaymentError(
                vi_en(
                    f"Chưa xác nhận được với cổng thanh toán giao dịch {pending[0].txn_ref} đã "
                    "được thanh toán hay chưa: chưa thu tiền mặt được, vui lòng thử lại sau ít "
                    "phút.",
                    f"The gateway has not confirmed whether attempt {pending[0].txn_ref} was "
                    "paid: try again in a few minutes before taking cash.",
                ),
                code="pending_unconfirmed",
            )
        payment = Payment.objects.create(
            fee=fee,
            dossier=locked,
            payer=locked.applicant,
            provider=COUNTER_PROVIDER,
            txn_ref=new_txn_ref(now),
            amount=fee.amount,
            order_info=_order_info(locked),
            client_ip=client_ip or "127.0.0.1",
            created_at=now,
            expires_at=now,
            paid_at=now,
        )
        _settle(payment=payment, via=COUNTER_PROVIDER, status=PaymentStatus.PAID, actor=officer)
    return payment


# -- settling an attempt ---------------------------------------------------------------------------
# Attempts that ended without money: a success the gateway reports for one later still counts.
ENDED_UNPAID = frozenset({PaymentStatus.EXPIRED, PaymentStatus.FAILED, PaymentStatus.CANCELLED})


def _failure_status(result: GatewayResult) -> str:
    if result.response_code == CANCELLED_CODE:
        return PaymentStatus.CANCELLED
    if result.response_code == EXPIRED_CODE:
        return PaymentStatus.EXPIRED
    return PaymentStatus.FAILED


@transaction.atomic
def _settle(
    *,
    payment: Payment,
    via: str,
    result: GatewayResult | None = None,
    status: str | None = None,
    note: str = "",
    actor=None,
    from_status: str = PaymentStatus.PENDING,
) -> str | None:
    """Move ``payment`` out of ``from_status`` (pending, or for a success the gateway reports
    late, the attempt's ended status); None when something else already did.

    With ``result`` and no ``status``, a success credits the fee unless the fee is already paid
    or the gateway's pay date is after the attempt expired (then "refund due": recorded, not
    credited, and told in the dossier's timeline).
    """
    # Same lock order as the workflow: the dossier, then what hangs off it.
    dossier = Dossier.objects.select_for_update().get(pk=payment.dossier_id)
    fee = DossierFee.objects.select_for_update().get(pk=payment.fee_id)
    now = timezone.now()
    if status is None:
        if result is None:  # pragma: no cover
            raise ValueError("a result or a status is needed")
        if not result.success:
            status = _failure_status(result)
        elif result.pay_date is not None and result.pay_date > payment.expires_at:
            status, note = PaymentStatus.REFUND_DUE, "Thanh toán sau khi giao dịch hết hạn."
        elif fee.status != FeeStatus.UNPAID:
            status, note = PaymentStatus.REFUND_DUE, "Phí của hồ sơ đã được thanh toán trước đó."
        elif dossier.status in CLOSED_STATUSES:
            # Withdrawn (or refused, rejected) while the citizen was at the gateway.
            status, note = (
                PaymentStatus.REFUND_DUE,
                f"Hồ sơ đã đóng ({dossier.status}) trước khi thanh toán.",
            )
        else:
            status = PaymentStatus.PAID
    values: dict[str, Any] = {"status": status, "settled_at": now, "settled_by": via}
    if note:
        values["note"] = note[:300]
    if result is not None:
        values.update(
            response_code=result.response_code[:4],
            gateway_txn_no=result.gateway_txn_no[:40],
            bank_code=result.bank_code[:20],
            paid_at=result.pay_date if result.success else None,
            gateway_data=result.raw,
        )
    changed = Payment.objects.filter(pk=payment.pk, status=from_status).update(**values)
    if not changed:
        return None
    if status == PaymentStatus.PAID:
        paid_at = (result.pay_date if result else None) or now
        fee.status, fee.paid_at = FeeStatus.PAID, paid_at
        fee.save(update_fields=["status", "paid_at"])
        gateway_no = result.gateway_txn_no if result else ""
        if payment.provider == COUNTER_PROVIDER:
            event_note = (
                f"Đã thu {format_vnd(payment.amount)} đồng phí, lệ phí tại Bộ phận Tiếp nhận và "
                f"Trả kết quả, mã giao dịch {payment.txn_ref}. Paid {payment.amount:,} VND at the "
                f"counter, reference {payment.txn_ref}."
            )
        else:
            event_note = (
                f"Đã thanh toán {format_vnd(payment.amount)} đồng phí, lệ phí trực tuyến, "
                f"mã giao dịch {payment.txn_ref}"
                + (f" (mã tại cổng thanh toán {gateway_no})" if gateway_no else "")
                + f". Paid {payment.amount:,} VND online, reference {payment.txn_ref}."
            )
        DossierEvent.objects.create(
            dossier=dossier,
            action="payment",
            from_status=dossier.status,
            to_status=dossier.status,
            actor=actor or payment.payer,
            note=event_note,
            data={
                # Who paid, as the timeline names them: the applicant online, the reception
                # officer who took the cash at the counter.
                "capacity": Role.RECEPTION.value if actor is not None else "applicant",
                "payment": str(payment.public_id),
                "amount": payment.amount,
                "provider": payment.provider,
                "txn_ref": payment.txn_ref,
                "gateway_txn_no": gateway_no,
                "via": via,
            },
        )
        from payments.tasks import issue_fee_receipt
        from portal.tasks import enqueue_on_commit

        enqueue_on_commit(issue_fee_receipt, payment.pk)
    elif status == PaymentStatus.REFUND_DUE:
        logger.warning("payment %s: paid at the gateway but not creditable (%s)", payment, note)
        amount = result.amount if result is not None and result.amount > 0 else payment.amount
        DossierEvent.objects.create(
            dossier=dossier,
            action="payment_refund_due",
            from_status=dossier.status,
            to_status=dossier.status,
            actor=None,
            note=(
                f"Cổng thanh toán báo đã nhận {format_vnd(amount)} đồng (mã giao dịch "
                f"{payment.txn_ref}) nhưng khoản này không được ghi vào phí của hồ sơ: {note} "
                f"Số tiền sẽ được hoàn lại. The gateway reports {amount:,} VND received "
                f"(reference {payment.txn_ref}) that is not credited to the fee; it will be "
                "refunded."
            ),
            data={
                "payment": str(payment.public_id),
                "amount": amount,
                "provider": payment.provider,
                "txn_ref": payment.txn_ref,
                "gateway_txn_no": result.gateway_txn_no if result is not None else "",
                "via": via,
                "reason": note,
            },
        )
    return status


@dataclass(frozen=True)
class IpnAnswer:
    code: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"RspCode": self.code, "Message": self.message}


IPN_MESSAGES = {
    "00": "Confirm Success",
    "01": "Order not found",
    "02": "Order already confirmed",
    "04": "Invalid amount",
    "97": "Invalid signature",
    "99": "Unknown error",
}


def _answer(code: str) -> IpnAnswer:
    return IpnAnswer(code, IPN_MESSAGES[code])


def payment_ipn_process(*, params: dict[str, str]) -> IpnAnswer:
    """Handle the gateway's server-to-server notification; the answer is what it expects.

    97 invalid signature · 01 unknown reference · 04 amount differs · 02 already settled
    (a repeat changes nothing) · 00 recorded (paid, or the failure/cancellation noted).
    """
    provider = get_provider()
    try:
        result = provider.verify_ipn(params)
    except SignatureError:
        return _answer("97")
    payment = Payment.objects.filter(provider=provider.code, txn_ref=result.txn_ref).first()
    if payment is None:
        return _answer("01")
    if not result.amount_exact or result.amount != payment.amount:
        return _answer("04")
    if payment.status in ENDED_UNPAID and result.success:
        # Money taken after we had ended the attempt (expired by reconciliation while the bank
        # was still settling it, say): never dropped: credited if the fee still wants it, else
        # recorded as refund due, as for any other success.
        if _settle(payment=payment, result=result, via="ipn", from_status=payment.status) is None:
            return _answer("02")
        return _answer("00")
    if payment.status != PaymentStatus.PENDING:
        return _answer("02")
    if result.held:
        # Money taken, the gateway still checking it (07): the attempt stays pending (no cash at
        # the counter meanwhile) until a later notification or reconciliation settles it.
        logger.warning("IPN %s: the gateway holds the money for review", payment)
        return _answer("00")
    if _settle(payment=payment, result=result, via="ipn") is None:
        return _answer("02")
    return _answer("00")


# -- reconciliation --------------------------------------------------------------------------------
def payment_reconcile_one(*, payment: Payment, now: dt.datetime | None = None) -> str:
    """Ask the gateway about one pending attempt and settle it (paid, failed or expired)."""
    now = now or timezone.now()
    provider = get_provider(payment.provider)
    try:
        answer = provider.query(
            txn_ref=payment.txn_ref,
            created_at=payment.created_at,
            order_info=payment.order_info,
            # querydr wants the address of the server that calls the API, not the payer's.
            ip_addr=getattr(settings, "PAYMENT_SERVER_IP", "") or "127.0.0.1",
        )
    except ProviderError as exc:
        logger.warning("reconcile %s: %s", payment, exc)
        return "error"
    if answer.state == QueryState.PAID:
        result = answer.as_gateway_result()
        if answer.amount != payment.amount:
            outcome = _settle(
                payment=payment,
                via="reconcile",
                result=result,
                status=PaymentStatus.REFUND_DUE,
                note=f"Số tiền tại cổng ({answer.amount}) khác số tiền giao dịch.",
            )
        else:
            outcome = _settle(payment=payment, via="reconcile", result=result)
    elif answer.state == QueryState.FAILED:
        outcome = _settle(payment=payment, via="reconcile", result=answer.as_gateway_result())
    elif answer.state == QueryState.HELD:
        # Money taken, the gateway still checking it: pending until it says paid or failed (no
        # cash at the counter meanwhile), however long the window is over.
        return "held"
    elif now >= payment.expires_at:  # not found or never completed, and the window is over
        outcome = _settle(
            payment=payment,
            via="reconcile",
            status=PaymentStatus.EXPIRED,
            note="Hết hạn thanh toán (đối soát).",
        )
    else:
        return "pending"
    return outcome or "skipped"


def payments_reconcile(*, now: dt.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Đối soát: pending attempts older than the window are queried and settled or expired.

    Safe to repeat and to run on several workers at once: each row is claimed by a conditional
    update before its query; a claim left by a dead worker lapses after ``CLAIM_TTL``.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=reconcile_after_minutes())
    claimable = Q(reconcile_claimed_at__isnull=True) | Q(reconcile_claimed_at__lt=now - CLAIM_TTL)
    pending = Payment.objects.filter(status=PaymentStatus.PENDING, created_at__lt=cutoff)
    ids = list(
        pending.filter(claimable).order_by("created_at").values_list("pk", flat=True)[:limit]
    )
    counts: Counter[str] = Counter()
    for pk in ids:
        claimed = (
            Payment.objects.filter(pk=pk, status=PaymentStatus.PENDING)
            .filter(claimable)
            .update(reconcile_claimed_at=now, reconcile_attempts=F("reconcile_attempts") + 1)
        )
        if not claimed:
            counts["skipped"] += 1
            continue
        counts[payment_reconcile_one(payment=Payment.objects.get(pk=pk), now=now)] += 1
    return dict(counts)


# -- the e-receipt ---------------------------------------------------------------------------------
def receipt_number(payment: Payment) -> str:
    year = timezone.localtime(payment.paid_at or payment.settled_at or timezone.now()).year
    return f"BL-{year}-{payment.pk:07d}"


def lookup_url(dossier: Dossier) -> str:
    """The public look-up page printed (and QR-coded) on documents."""
    for name, kwargs in (("dossiers:lookup", {}), ("portal:home", {})):
        try:
            return site_url() + reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return site_url() + "/"  # pragma: no cover


PROVIDER_NAMES = {
    "vnpay": "Cổng thanh toán VNPAY",
    COUNTER_PROVIDER: "Bộ phận Tiếp nhận và Trả kết quả",
}


def receipt_context(receipt: FeeReceipt) -> dict[str, Any]:
    payment = receipt.payment
    dossier = payment.dossier
    applicant = dossier.applicant_data or {}
    paid_at = timezone.localtime(payment.paid_at or payment.settled_at)
    return {
        "agency_name": dossier.agency.name if dossier.agency else "",
        "reception_unit": "Bộ phận Tiếp nhận và Trả kết quả",
        "issued_at": paid_at,
        "dossier_code": dossier.code,
        "lookup_url": lookup_url(dossier),
        "receipt_number": receipt.number,
        "payer": {
            "name": applicant.get("full_name") or payment.payer.full_name or payment.payer.email,
            "citizen_id": applicant.get("citizen_id", ""),
            "address": applicant.get("address", ""),
            "email": applicant.get("email") or payment.payer.email,
        },
        "procedure_name": dossier.version.procedure.name,
        "procedure_code": dossier.version.procedure.code,
        "fee_rule": payment.fee.rule,
        "amount": payment.amount,
        "amount_figures": format_vnd(payment.amount),
        "amount_words": amount_in_words(payment.amount),
        "provider_name": PROVIDER_NAMES.get(payment.provider, payment.provider),
        "at_counter": payment.provider == COUNTER_PROVIDER,
        "txn_ref": payment.txn_ref,
        "gateway_txn_no": payment.gateway_txn_no,
        "bank_code": payment.bank_code,
        "paid_at": paid_at,
    }


def receipt_issue(*, payment_id: int) -> FeeReceipt | None:
    """Biên lai thu phí, lệ phí điện tử for a paid payment: rendered once and stored."""
    from dossiers.pdf import render_pdf

    payment = (
        Payment.objects.select_related(
            "fee", "payer", "dossier__agency", "dossier__version__procedure"
        )
        .filter(pk=payment_id, status=PaymentStatus.PAID)
        .first()
    )
    if payment is None:
        return None
    with transaction.atomic():
        try:
            with transaction.atomic():
                receipt, _ = FeeReceipt.objects.get_or_create(
                    payment=payment, defaults={"number": receipt_number(payment)}
                )
        except IntegrityError:  # a concurrent task created it
            pass
        receipt = FeeReceipt.objects.select_for_update().get(payment=payment)
        receipt.payment = payment
        if not receipt.file:
            pdf = render_pdf("pdf/receipt_fee.html", receipt_context(receipt))
            receipt.file.save(f"{receipt.number}.pdf", ContentFile(pdf), save=False)
            receipt.save(update_fields=["file"])
    return receipt


def receipts_send_waiting(*, dossier_ids: list[int]) -> int:
    """Queue the receipts these dossiers' paid payments have not e-mailed yet: the receipts of a
    counter dossier wait for its owner's CCCD check (``receipt_email``); call once it passed."""
    from payments.tasks import issue_fee_receipt
    from portal.tasks import enqueue_on_commit

    waiting = Payment.objects.filter(dossier_id__in=dossier_ids, status=PaymentStatus.PAID).filter(
        Q(receipt__isnull=True) | Q(receipt__emailed_at__isnull=True)
    )
    ids = list(waiting.values_list("pk", flat=True))
    for payment_id in ids:
        enqueue_on_commit(issue_fee_receipt, payment_id)
    return len(ids)


def receipt_email(*, receipt: FeeReceipt) -> bool:
    """E-mail the receipt to the payer once (claimed by a conditional update)."""
    payment = receipt.payment
    dossier = payment.dossier
    recipient = deliverable_email((dossier.applicant_data or {}).get("email"), payment.payer.email)
    if not recipient or not receipt.file or dossier.owner_check_pending:
        return False  # (a counter dossier waiting for its owner's CCCD: the address may be wrong)
    claimed = FeeReceipt.objects.filter(pk=receipt.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now(), emailed_to=recipient
    )
    if not claimed:
        return False
    try:
        with translation.override("vi"):
            context = receipt_context(receipt)
            subject = render_to_string("payments/email_receipt_subject.txt", context).strip()
            body = render_to_string("payments/email_receipt.txt", context)
        message = EmailMultiAlternatives(subject=subject, body=body, to=[recipient])
        with receipt.file.open("rb") as handle:
            message.attach(f"bien-lai-{receipt.number}.pdf", handle.read(), "application/pdf")
        message.send()
    except Exception:
        FeeReceipt.objects.filter(pk=receipt.pk).update(emailed_at=None, emailed_to="")
        raise
    return True
