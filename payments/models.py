"""Phí, lệ phí of a dossier, its payment attempts at a gateway, and the e-receipts (biên lai).

Amounts are integers in VND. Only ``payments/services.py`` changes a payment's status, always by
a conditional update from ``pending`` so that a repeated or concurrent notification credits once.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models import choices_check


class FeeDue(models.TextChoices):
    """When the fee must be paid (thời điểm nộp phí)."""

    SUBMISSION = "submission", _("Khi nộp hồ sơ (On submission)")
    RESULT = "result", _("Khi nhận kết quả (On handing back the result)")


class FeeStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", "Không phải nộp (Nothing to pay)"
    UNPAID = "unpaid", "Chưa thanh toán (Unpaid)"
    PAID = "paid", "Đã thanh toán (Paid)"


class DossierFee(models.Model):
    """Phí, lệ phí của hồ sơ: computed once at submission from the procedure version."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="fee")
    fee_kind = models.CharField(
        "Cách tính (Rule)", max_length=10, help_text="fee_kind of the version: free/fixed/per_unit."
    )
    unit_amount = models.PositiveIntegerField("Mức phí, VNĐ (Rate, VND)", default=0)
    units = models.PositiveIntegerField("Số bản/trang (Units)", default=1)
    fee_unit = models.CharField("Đơn vị tính (Unit)", max_length=30, blank=True)
    fee_cap = models.PositiveIntegerField("Mức tối đa (Cap)", null=True, blank=True)
    base_amount = models.PositiveIntegerField("Số tiền trước miễn giảm (Before waivers)")
    amount = models.PositiveIntegerField("Số tiền phải nộp, VNĐ (Amount due, VND)")
    waivers = models.JSONField("Miễn, giảm đã áp dụng (Waivers applied)", default=list, blank=True)
    rule = models.CharField("Căn cứ tính phí (How it was computed)", max_length=500)
    due_on = models.CharField(
        "Thời điểm nộp (Due on)", max_length=12, choices=FeeDue.choices, default=FeeDue.SUBMISSION
    )
    status = models.CharField(max_length=12, choices=FeeStatus.choices)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Phí, lệ phí hồ sơ (Dossier fee)"
        verbose_name_plural = "Phí, lệ phí hồ sơ (Dossier fees)"
        constraints = [
            choices_check("status", FeeStatus, "fee_status_valid"),
            choices_check("due_on", FeeDue, "fee_due_on_valid"),
            models.CheckConstraint(
                condition=Q(amount__lte=models.F("base_amount")), name="fee_amount_le_base"
            ),
            models.CheckConstraint(
                condition=(Q(status="not_required") & Q(amount=0))
                | (~Q(status="not_required") & Q(amount__gt=0)),
                name="fee_status_matches_amount",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False), name="fee_paid_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier} — {self.amount} đ ({self.status})"

    @property
    def is_payable(self) -> bool:
        return self.status == FeeStatus.UNPAID


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Đang chờ thanh toán (Pending)"
    PAID = "paid", "Đã thanh toán (Paid)"
    FAILED = "failed", "Không thành công (Failed)"
    CANCELLED = "cancelled", "Đã hủy (Cancelled)"
    EXPIRED = "expired", "Hết hạn (Expired)"
    REFUND_DUE = "refund_due", "Cần hoàn tiền (Paid but not creditable: refund due)"


class Payment(models.Model):
    """Một lần thanh toán: one attempt at a gateway, identified there by ``txn_ref``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fee = models.ForeignKey(DossierFee, on_delete=models.PROTECT, related_name="payments")
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="payments"
    )
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments"
    )
    provider = models.CharField("Cổng thanh toán (Provider)", max_length=20)
    txn_ref = models.CharField("Mã giao dịch (Reference)", max_length=100)
    amount = models.PositiveIntegerField("Số tiền, VNĐ (Amount, VND)")
    status = models.CharField(
        max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    order_info = models.CharField(max_length=255)
    client_ip = models.CharField(max_length=45)
    created_at = models.DateTimeField(
        help_text="Also the gateway's CreateDate / TransactionDate (second precision)."
    )
    expires_at = models.DateTimeField()
    settled_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.CharField(
        max_length=12, blank=True, help_text="ipn or reconcile: what settled the attempt."
    )
    response_code = models.CharField(max_length=4, blank=True)
    gateway_txn_no = models.CharField(
        "Mã giao dịch tại cổng (Gateway no.)", max_length=40, blank=True
    )
    bank_code = models.CharField(max_length=20, blank=True)
    paid_at = models.DateTimeField("Thời điểm thanh toán (Paid at)", null=True, blank=True)
    gateway_data = models.JSONField(default=dict, blank=True)
    reconcile_claimed_at = models.DateTimeField(null=True, blank=True)
    reconcile_attempts = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "Giao dịch thanh toán (Payment)"
        verbose_name_plural = "Giao dịch thanh toán (Payments)"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "txn_ref"], name="payment_unique_ref"),
            models.UniqueConstraint(
                fields=["fee"], condition=Q(status="paid"), name="payment_one_paid_per_fee"
            ),
            choices_check("status", PaymentStatus, "payment_status_valid"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(settled_at__isnull=False),
                name="payment_settled_has_date",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(status="pending"),
                name="payment_pending_idx",
            ),
            models.Index(fields=["dossier", "-created_at"], name="payment_dossier_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.txn_ref} {self.amount} đ ({self.status})"


def receipt_upload_to(instance: FeeReceipt, filename: str) -> str:
    return f"receipts/{instance.payment.dossier.public_id.hex}/{instance.number}-{uuid.uuid4().hex}.pdf"


class FeeReceipt(models.Model):
    """Biên lai thu phí, lệ phí điện tử: issued once per paid payment, stored and e-mailed."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    number = models.CharField("Số biên lai (Number)", max_length=30, unique=True)
    file = models.FileField(upload_to=receipt_upload_to, max_length=200, blank=True)
    emailed_to = models.CharField(max_length=254, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Biên lai điện tử (E-receipt)"
        verbose_name_plural = "Biên lai điện tử (E-receipts)"

    def __str__(self) -> str:
        return self.number


class SandboxTransaction(models.Model):
    """The sandbox gateway's own ledger (what the gateway knows), answered by its querydr API.

    Kept apart from :class:`Payment`: the payment code never reads it.
    """

    tmn_code = models.CharField(max_length=20)
    txn_ref = models.CharField(max_length=100)
    amount = models.PositiveBigIntegerField(help_text="vnp_Amount: VND × 100.")
    order_info = models.CharField(max_length=255)
    response_code = models.CharField(max_length=4)
    transaction_status = models.CharField(max_length=4)
    transaction_no = models.CharField(max_length=20)
    bank_code = models.CharField(max_length=20, default="NCB")
    pay_date = models.CharField(max_length=14)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Giao dịch cổng thử nghiệm (Sandbox transaction)"
        constraints = [
            models.UniqueConstraint(fields=["tmn_code", "txn_ref"], name="sandbox_unique_ref")
        ]

    def __str__(self) -> str:
        return f"sandbox {self.txn_ref} {self.response_code}"


class PaymentDailyTotal(Payment):
    """Read-only admin view: paid amounts summed by day and procedure (supervisors)."""

    class Meta:
        proxy = True
        verbose_name = "Tổng thu theo ngày (Daily totals)"
        verbose_name_plural = "Tổng thu theo ngày và thủ tục (Daily totals by procedure)"
