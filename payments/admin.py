"""Read-only back office for payments: officers see their agency's attempts and outcomes,
supervisors the paid amounts summed by day and procedure."""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse

from payments.models import DossierFee, FeeReceipt, Payment, PaymentDailyTotal
from payments.selectors import payment_daily_totals, payments_visible_to
from portal import admin as portal_admin
from portal.roles import OFFICER_ROLES, Role, has_role


class ReadOnlyAdmin(portal_admin.ReadOnlyAdmin):
    """Read-only, and seen by officers and supervisors (each query scoped below)."""

    def has_view_permission(self, request, obj=None):
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and (user.is_superuser or has_role(user, *OFFICER_ROLES, Role.SUPERVISOR))
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "txn_ref",
        "dossier",
        "agency",
        "amount",
        "status",
        "created_at",
        "settled_at",
        "settled_by",
        "gateway_txn_no",
    ]
    list_filter = ["status", "provider", "settled_by", "created_at"]
    search_fields = ["txn_ref", "gateway_txn_no", "dossier__code"]
    date_hierarchy = "created_at"
    list_select_related = ["dossier__agency"]
    exclude = ["gateway_data"]
    readonly_fields = ["gateway_data_pretty"]

    @admin.display(description="Cơ quan (Agency)", ordering="dossier__agency__code")
    def agency(self, obj):
        return obj.dossier.agency.code if obj.dossier.agency else "—"

    @admin.display(description="Dữ liệu cổng thanh toán (Gateway data)")
    def gateway_data_pretty(self, obj):
        return ", ".join(f"{k}={v}" for k, v in sorted(obj.gateway_data.items())) or "—"

    def get_queryset(self, request):
        return payments_visible_to(request.user)


@admin.register(DossierFee)
class DossierFeeAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "amount", "base_amount", "status", "due_on", "paid_at"]
    list_filter = ["status", "due_on", "fee_kind"]
    search_fields = ["dossier__code"]
    list_select_related = ["dossier"]

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("dossier")
        user = request.user
        if user.is_superuser or has_role(user, Role.SUPERVISOR):
            return qs
        profile = getattr(user, "officer_profile", None)
        return qs.filter(dossier__agency_id=profile.agency_id) if profile else qs.none()


@admin.register(FeeReceipt)
class FeeReceiptAdmin(ReadOnlyAdmin):
    list_display = ["number", "payment", "emailed_to", "emailed_at", "created_at"]
    search_fields = ["number", "payment__txn_ref", "payment__dossier__code"]
    list_select_related = ["payment"]

    def get_queryset(self, request):
        visible = payments_visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(payment__in=visible)


@admin.register(PaymentDailyTotal)
class PaymentDailyTotalAdmin(ReadOnlyAdmin):
    """Tổng thu theo ngày và thủ tục: supervisors (and superusers) only."""

    def has_view_permission(self, request, obj=None):
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and (user.is_superuser or has_role(user, Role.SUPERVISOR))
        )

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        rows = list(payment_daily_totals()[:500])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": self.model._meta.verbose_name_plural,
            "rows": rows,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "payments/admin_daily_totals.html", context)
