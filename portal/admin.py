from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from portal.models import (
    AdministrativeUnit,
    Agency,
    CalendarException,
    Heartbeat,
    OfficerProfile,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "full_name", "citizen_id"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            "Thông tin cá nhân",
            {"fields": ("full_name", "date_of_birth", "citizen_id", "phone", "address")},
        ),
        (
            "Quyền",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Thời gian", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "division_type", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "admin_unit", "head_name", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["admin_unit"]
    raw_id_fields = ["admin_unit"]


@admin.register(OfficerProfile)
class OfficerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "title"]
    search_fields = ["user__email", "user__full_name", "agency__code"]
    list_select_related = ["user", "agency"]
    raw_id_fields = ["user", "agency"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted in the admin (records other code writes)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdmin):
    """Written by the beat task only: admins read it (is beat alive?), nobody edits it."""

    list_display = ["name", "at", "beats"]


class CalendarYearListFilter(admin.SimpleListFilter):
    title = "năm (year)"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = model_admin.get_queryset(request).dates("date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        return queryset.filter(date__year=self.value()) if self.value() else queryset


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    """Ngày nghỉ / ngày làm bù: catalog admins edit them; portal.workdays reads them."""

    list_display = ["date", "kind", "agency", "reason", "created_by", "created_at"]
    list_filter = ["kind", ("agency", admin.RelatedOnlyFieldListFilter), CalendarYearListFilter]
    search_fields = ["reason"]
    list_select_related = ["agency", "created_by"]
    date_hierarchy = "date"
    fields = ["date", "kind", "agency", "reason"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
