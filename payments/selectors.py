"""Reads of the payments app: what a dossier owes, whether that blocks a transition, and what
officers and supervisors see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dossiers.models import Dossier
from payments.models import DossierFee, FeeDue, FeeStatus, Payment, PaymentStatus
from portal.bilingual import vi_en
from portal.roles import OFFICER_ROLES, Role, has_role

# The transition each due moment gates: the fee due on submission must be paid before
# reception receives the dossier; any fee still unpaid blocks handing back the result.
BLOCKED_ACTIONS = ("receive", "return_result")


def dossier_fee(*, dossier: Dossier) -> DossierFee | None:
    return DossierFee.objects.filter(dossier=dossier).first()


def fee_blocking_message(*, dossier: Dossier, action: str) -> str | None:
    """Why ``action`` must wait for the fee (vi + en), or None when the fee does not block it.

    ``receive`` waits for a fee due on submission; ``return_result`` waits for any unpaid fee
    (due on submission or on handing back the result).
    """
    if action not in BLOCKED_ACTIONS:
        return None
    fee = dossier_fee(dossier=dossier)
    if fee is None or fee.status != FeeStatus.UNPAID:
        return None
    if action == "receive" and fee.due_on != FeeDue.SUBMISSION:
        return None
    amount = f"{fee.amount:,}".replace(",", ".")
    if action == "receive":
        return vi_en(
            f"Hồ sơ chưa thanh toán phí, lệ phí ({amount} đồng) phải nộp khi nộp hồ sơ: chưa thể "
            "tiếp nhận.",
            f"The fee of {fee.amount:,} VND due on submission is unpaid: the dossier cannot be "
            "received yet.",
        )
    return vi_en(
        f"Hồ sơ chưa thanh toán phí, lệ phí ({amount} đồng): chưa thể trả kết quả.",
        f"The fee of {fee.amount:,} VND is unpaid: the result cannot be handed back yet.",
    )


@dataclass(frozen=True)
class FeeSummary:
    """What the dossier pages show about the fee."""

    amount: int
    base_amount: int
    waivers: list[str]
    rule: str
    due_on: str
    status: str
    is_payable: bool
    pay_url: str
    citizen_label: str  # "Thanh toán" button / "Đã thanh toán" / "Miễn phí"
    officer_label: str  # "chưa thanh toán" / "đã thanh toán" / "không thu phí"


def fee_summary(*, dossier: Dossier) -> FeeSummary | None:
    fee = dossier_fee(dossier=dossier)
    if fee is None:
        return None
    labels = {  # in the page's language (the same words as dossiers.queues.FEE_LABELS)
        FeeStatus.UNPAID: (_("Thanh toán"), _("chưa thanh toán")),
        FeeStatus.PAID: (_("Đã thanh toán"), _("đã thanh toán")),
        FeeStatus.NOT_REQUIRED: (_("Không phải nộp phí"), _("không thu phí")),
    }
    citizen, officer = labels[FeeStatus(fee.status)]
    return FeeSummary(
        amount=fee.amount,
        base_amount=fee.base_amount,
        waivers=list(fee.waivers),
        rule=fee.rule,
        due_on=fee.get_due_on_display(),
        status=fee.status,
        is_payable=fee.is_payable,
        pay_url=reverse("payments:start", args=[dossier.public_id]),
        citizen_label=citizen,
        officer_label=officer,
    )


def payments_visible_to(user) -> QuerySet[Payment]:
    """Payments an officer may see: those of dossiers of the officer's agency (all for
    superusers and supervisors)."""
    qs = Payment.objects.select_related("dossier__agency", "dossier__version__procedure")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser or has_role(user, Role.SUPERVISOR):
        return qs
    profile = getattr(user, "officer_profile", None)
    if profile is not None and has_role(user, *OFFICER_ROLES):
        return qs.filter(dossier__agency_id=profile.agency_id)
    return qs.none()


def payment_daily_totals(*, since: dt.date | None = None, until: dt.date | None = None) -> QuerySet:
    """Paid amounts summed by day (Vietnam time) and procedure, for supervisors."""
    qs = Payment.objects.filter(status=PaymentStatus.PAID)
    if since:
        qs = qs.filter(settled_at__date__gte=since)
    if until:
        qs = qs.filter(settled_at__date__lte=until)
    return (
        qs.annotate(day=TruncDate("settled_at"))
        .values(
            "day",
            "dossier__version__procedure__code",
            "dossier__version__procedure__name",
        )
        .annotate(
            payments=Count("id"),
            total=Sum("amount"),
            agencies=Count("dossier__agency", distinct=True),
        )
        .order_by("-day", "dossier__version__procedure__code")
    )


def dossier_attempts(*, dossier: Dossier) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(dossier=dossier)
        .select_related("receipt")
        .order_by("-created_at", "-id")
    )


def pending_attempt_exists(*, dossier: Dossier) -> bool:
    return Payment.objects.filter(Q(dossier=dossier) & Q(status=PaymentStatus.PENDING)).exists()
