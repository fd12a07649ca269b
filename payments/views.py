"""Pages of the payments app.

The citizen's fee page (start a payment), the gateway's browser return (shows the outcome only),
the IPN endpoint (the only way, with reconciliation, that a payment becomes paid), the e-receipt
download, and the sandbox gateway: a page playing the gateway's part with the same signing
code, enabled only when ``PAYMENT_PROVIDER`` is "sandbox".
"""

from __future__ import annotations

import json
import logging
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from dossiers.models import Dossier
from dossiers.selectors import status_label
from payments import selectors, services
from payments.models import FeeStatus, Payment, PaymentStatus, SandboxTransaction
from payments.providers import get_provider
from payments.providers.base import SignatureError
from payments.providers.vnpay import (
    CANCELLED_CODE,
    EXPIRED_CODE,
    QUERY_NOT_FOUND,
    QUERY_REQUEST_FIELDS,
    QUERY_RESPONSE_FIELDS,
    VERSION,
    vnp_format_date,
    vnp_parse_date,
    vnp_pipe_sign,
    vnp_pipe_verify,
    vnp_signed_query,
    vnp_verify,
    vnpay_config,
)
from payments.text import amount_in_words, format_vnd
from portal.client_ip import client_ip
from portal.middleware import user_has_totp

logger = logging.getLogger(__name__)


# -- the citizen's fee page ------------------------------------------------------------------------
def _fee_context(dossier: Dossier) -> dict:
    fee = selectors.dossier_fee(dossier=dossier)
    attempts = list(selectors.dossier_attempts(dossier=dossier)) if fee else []
    paid = next((p for p in attempts if p.status == PaymentStatus.PAID), None)
    return {
        "dossier": dossier,
        "fee": fee,
        "amount_figures": format_vnd(fee.amount) if fee and fee.amount else "0",
        "amount_words": amount_in_words(fee.amount) if fee and fee.amount else "",
        "base_figures": format_vnd(fee.base_amount) if fee else "0",
        "attempts": attempts,
        "attempt_minutes": services.attempt_minutes(),
        "paid_payment": paid,
        "waiting": bool(
            fee
            and fee.status == FeeStatus.UNPAID
            and any(p.status == PaymentStatus.PENDING for p in attempts)
        ),
        "payable": bool(
            fee
            and fee.status == FeeStatus.UNPAID
            and dossier.status not in services.CLOSED_STATUSES
        ),
        # What of the region can change while it polls; it sends this back (?seen=) and start()
        # answers 204 while it is the same, so htmx swaps nothing (payments/_fee_status.html).
        "poll_state": ".".join(
            [fee.status, str(fee.amount), dossier.status] if fee else [dossier.status]
        )
        + "".join(f".{p.status}" for p in attempts),
    }


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, public_id) -> HttpResponse:
    """Thanh toán phí, lệ phí of one dossier: the amount, the waivers, the attempts; POST pays."""
    dossier = get_object_or_404(
        Dossier.objects.select_related("version__procedure", "agency"),
        public_id=public_id,
        applicant=request.user,
        owner_check_pending=False,  # a counter dossier waiting for the CCCD check
    )
    if dossier.code is None:
        raise Http404("Hồ sơ chưa nộp (not submitted).")
    if selectors.dossier_fee(dossier=dossier) is None:
        services.dossier_fee_assess(dossier=dossier)  # idempotent; normally done at submission
    if request.method == "POST":
        try:
            _payment, url = services.payment_start(
                dossier=dossier,
                payer=request.user,
                return_url=request.build_absolute_uri(reverse("payments:return")),
                client_ip=client_ip(request),
            )
        except services.PaymentError as exc:
            messages.error(request, exc.message)
            return redirect("payments:start", dossier.public_id)
        return redirect(url)
    context = _fee_context(dossier)
    if request.htmx:
        if request.GET.get("seen") == context["poll_state"]:
            return HttpResponse(status=204)  # unchanged: the polling region stays as it is
        return render(request, "payments/_fee_status.html", context)
    context["status_text"] = status_label(dossier.status)
    return render(request, "payments/start.html", context)


@login_required
def gateway_return(request: HttpRequest) -> HttpResponse:
    """Where the gateway sends the citizen back. Shows the outcome; never credits anything."""
    provider = get_provider()
    params = request.GET.dict()
    payment = (
        Payment.objects.select_related("dossier")
        .filter(provider=provider.code, txn_ref=params.get("vnp_TxnRef", ""), payer=request.user)
        .first()
    )
    if payment is None:
        raise Http404("Không tìm thấy giao dịch (no such payment).")
    try:
        result = provider.verify_return(params)
    except SignatureError:
        messages.error(
            request,
            gettext(
                "Kết quả trả về từ cổng thanh toán không hợp lệ nên không được ghi nhận "
                "(the gateway's answer has an invalid signature)."
            ),
        )
        return redirect("payments:start", payment.dossier.public_id)
    if payment.status == PaymentStatus.PAID:
        messages.success(request, gettext("Thanh toán thành công (payment received)."))
    elif payment.status == PaymentStatus.REFUND_DUE:
        messages.warning(
            request,
            gettext(
                "Khoản thanh toán này không được ghi nhận cho hồ sơ (phí đã được thanh toán "
                "trước đó, hoặc hồ sơ đã rút hay đã đóng); số tiền sẽ được hoàn lại cho bạn "
                "(not credited: the amount will be refunded)."
            ),
        )
    elif result.success:
        messages.info(
            request,
            gettext(
                "Cổng thanh toán báo giao dịch thành công; hệ thống đang chờ xác nhận "
                "(waiting for the gateway's confirmation)."
            ),
        )
    elif result.held and payment.status == PaymentStatus.PENDING:
        messages.info(
            request,
            gettext(
                "Ngân hàng đã trừ tiền; cổng thanh toán đang kiểm tra giao dịch. Bạn không cần "
                "thanh toán lại: hồ sơ sẽ được ghi nhận đã thanh toán khi cổng xác nhận "
                "(the gateway is checking the payment: do not pay again)."
            ),
        )
    elif result.response_code == CANCELLED_CODE:
        messages.warning(
            request,
            gettext(
                "Bạn đã hủy giao dịch; hồ sơ chưa được thanh toán, bạn có thể thanh toán lại "
                "(payment cancelled; you can pay again)."
            ),
        )
    elif result.response_code == EXPIRED_CODE:
        messages.warning(
            request,
            gettext(
                "Giao dịch đã hết hạn; bạn có thể thanh toán lại (the payment expired; pay again)."
            ),
        )
    else:
        messages.error(
            request,
            gettext(
                "Giao dịch không thành công (mã %(code)s); bạn có thể thanh toán lại "
                "(the payment failed; you can pay again)."
            )
            % {"code": result.response_code},
        )
    return redirect("payments:start", payment.dossier.public_id)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def ipn(request: HttpRequest) -> JsonResponse:
    """The gateway's server-to-server notification (IPN URL registered at the gateway)."""
    params = (request.GET if request.method == "GET" else request.POST).dict()
    try:
        answer = services.payment_ipn_process(params=params)
    except Exception:
        logger.exception("IPN failed")
        answer = services.IpnAnswer("99", services.IPN_MESSAGES["99"])
    return JsonResponse(answer.as_json())


@login_required
def receipt(request: HttpRequest, public_id) -> FileResponse:
    """Biên lai điện tử (PDF): the payer, or officers of the dossier's agency."""
    payment = get_object_or_404(
        Payment.objects.select_related("dossier"), public_id=public_id, status=PaymentStatus.PAID
    )
    payer = payment.dossier.applicant_id == request.user.pk
    if not (payer and not payment.dossier.owner_check_pending) and not (
        # Officers as the back office wants them: MFA set up (this URL is outside /officer/).
        user_has_totp(request.user)
        and selectors.payments_visible_to(request.user).filter(pk=payment.pk).exists()
    ):
        raise Http404("Không tìm thấy biên lai (no such receipt).")
    issued = services.receipt_issue(payment_id=payment.pk)  # stored once; rendered if missing
    if issued is None or not issued.file:
        raise Http404("Biên lai chưa được lập (not issued yet).")
    return FileResponse(
        issued.file.open("rb"),
        as_attachment=True,
        filename=f"bien-lai-{issued.number}.pdf",
        content_type="application/pdf",
    )


# -- the sandbox gateway ---------------------------------------------------------------------------
def _sandbox_enabled() -> bool:
    return (getattr(settings, "PAYMENT_PROVIDER", "sandbox") or "sandbox") == "sandbox"


def _sandbox_result(txn: SandboxTransaction) -> dict[str, str]:
    result = {
        "vnp_Amount": str(txn.amount),
        "vnp_BankCode": txn.bank_code,
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": txn.order_info,
        "vnp_PayDate": txn.pay_date,
        "vnp_ResponseCode": txn.response_code,
        "vnp_TmnCode": txn.tmn_code,
        "vnp_TransactionNo": txn.transaction_no,
        "vnp_TransactionStatus": txn.transaction_status,
        "vnp_TxnRef": txn.txn_ref,
    }
    if txn.response_code == "00":
        result["vnp_BankTranNo"] = f"VNP{txn.transaction_no}"
    return result


@require_http_methods(["GET", "POST"])
def sandbox_pay(request: HttpRequest) -> HttpResponse:
    """Cổng thanh toán thử nghiệm: checks the signed request like the gateway, lets the person
    pay, cancel or let it expire, sends the signed IPN (a task, over HTTP) and redirects back
    with the signed return."""
    if not _sandbox_enabled():
        raise Http404("Cổng thử nghiệm đã tắt (sandbox disabled).")
    config = vnpay_config()
    source = request.GET if request.method == "GET" else request.POST
    vnp = {k: v for k, v in source.items() if k.startswith("vnp_")}
    valid = (
        vnp_verify(vnp, config.hash_secret)
        and vnp.get("vnp_TmnCode") == config.tmn_code
        and vnp.get("vnp_Command") == "pay"
        and vnp.get("vnp_Version") == VERSION
        and vnp.get("vnp_Amount", "").isdigit()
        and url_has_allowed_host_and_scheme(
            vnp.get("vnp_ReturnUrl", ""), allowed_hosts={request.get_host()}
        )
    )
    if not valid:
        return render(request, "payments/sandbox.html", {"invalid": True}, status=400)
    expires = vnp_parse_date(vnp.get("vnp_ExpireDate", ""))
    expired = expires is not None and timezone.now() > expires
    amount = int(vnp["vnp_Amount"]) // 100
    if request.method == "GET":
        return render(
            request,
            "payments/sandbox.html",
            {
                "vnp": vnp,
                "amount_figures": format_vnd(amount),
                "expires": expires,
                "expired": expired,
            },
        )
    outcome = request.POST.get("outcome", "")
    txn = SandboxTransaction.objects.filter(
        tmn_code=config.tmn_code, txn_ref=vnp["vnp_TxnRef"]
    ).first()
    if txn is None:  # the gateway settles a transaction once
        if outcome == "pay" and not expired:
            code = "00"
        elif outcome == "cancel":
            code = CANCELLED_CODE
        else:
            code = EXPIRED_CODE
        txn = SandboxTransaction.objects.create(
            tmn_code=config.tmn_code,
            txn_ref=vnp["vnp_TxnRef"],
            amount=int(vnp["vnp_Amount"]),
            order_info=vnp.get("vnp_OrderInfo", ""),
            response_code=code,
            transaction_status="00" if code == "00" else "02",
            transaction_no=f"{secrets.randbelow(10**8):08d}",
            pay_date=vnp_format_date(timezone.now()),
        )
        query = vnp_signed_query(_sandbox_result(txn), config.hash_secret)
        from payments.tasks import sandbox_send_ipn
        from portal.tasks import enqueue_on_commit

        enqueue_on_commit(sandbox_send_ipn, query)
    else:
        query = vnp_signed_query(_sandbox_result(txn), config.hash_secret)
    return_url = vnp["vnp_ReturnUrl"]
    return redirect(f"{return_url}{'&' if '?' in return_url else '?'}{query}")


@csrf_exempt
@require_POST
def sandbox_api(request: HttpRequest) -> JsonResponse:
    """The sandbox gateway's merchant API: ``querydr`` (JSON in, signed JSON out)."""
    if not _sandbox_enabled():
        raise Http404("Cổng thử nghiệm đã tắt (sandbox disabled).")
    config = vnpay_config()
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        body = None
    if not isinstance(body, dict):
        return JsonResponse({"vnp_ResponseCode": "99", "vnp_Message": "Invalid request"})
    if not vnp_pipe_verify(body, QUERY_REQUEST_FIELDS, config.hash_secret):
        return JsonResponse({"vnp_ResponseCode": "97", "vnp_Message": "Invalid Checksum"})
    if body.get("vnp_Command") != "querydr" or body.get("vnp_TmnCode") != config.tmn_code:
        return JsonResponse({"vnp_ResponseCode": "99", "vnp_Message": "Invalid request"})
    txn = SandboxTransaction.objects.filter(
        tmn_code=config.tmn_code, txn_ref=body.get("vnp_TxnRef", "")
    ).first()
    answer = {
        "vnp_ResponseId": secrets.token_hex(16),
        "vnp_Command": "querydr",
        "vnp_TmnCode": config.tmn_code,
        "vnp_TxnRef": body.get("vnp_TxnRef", ""),
    }
    if txn is None:
        answer.update(vnp_ResponseCode=QUERY_NOT_FOUND, vnp_Message="Transaction not found")
    else:
        answer.update(
            vnp_ResponseCode="00",
            vnp_Message="QueryDR Success",
            vnp_Amount=str(txn.amount),
            vnp_BankCode=txn.bank_code,
            vnp_PayDate=txn.pay_date,
            vnp_TransactionNo=txn.transaction_no,
            vnp_TransactionType="01",
            vnp_TransactionStatus=txn.transaction_status,
            vnp_OrderInfo=txn.order_info,
            vnp_PromotionCode="",
            vnp_PromotionAmount="",
        )
    answer["vnp_SecureHash"] = vnp_pipe_sign(answer, QUERY_RESPONSE_FIELDS, config.hash_secret)
    return JsonResponse(answer)
