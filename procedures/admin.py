"""Catalog editing in the Django admin: catalog admins only (and superusers); MFA applies to
/admin/ through the foundation's middleware. Other staff get 403 on every page here."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms import Textarea
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from portal.roles import Role, has_role
from procedures import selectors, services
from procedures.forms_builder import build_form
from procedures.models import (
    FeeWaiver,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    VersionStatus,
)
from procedures.schema import KIND_LABELS, schema_document_keys


def is_catalog_admin(user) -> bool:
    return bool(
        user.is_active
        and user.is_staff
        and (user.is_superuser or has_role(user, Role.CATALOG_ADMIN))
    )


class CatalogAdminOnly:
    """The catalog role decides, not per-model Django permissions."""

    def has_module_permission(self, request):
        return is_catalog_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_catalog_admin(request.user)

    def has_add_permission(self, request, *args):
        return is_catalog_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_catalog_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_catalog_admin(request.user)


JSON_WIDGET = {models.JSONField: {"widget": Textarea(attrs={"rows": 24, "cols": 100})}}


class VersionInline(CatalogAdminOnly, admin.TabularInline):
    model = ProcedureVersion
    fields = ["number", "status", "processing_days", "fee_kind", "fee_amount", "published_at"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    ordering = ["-number"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(CatalogAdminOnly, admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "field",
        "agency_level",
        "online_level",
        "published_version",
        "sample_label",
    ]
    list_filter = ["field", "agency_level", "online_level", "is_sample"]
    search_fields = ["code", "name"]
    filter_horizontal = ["agencies"]
    inlines = [VersionInline]
    actions = ["make_drafts"]
    fieldsets = [
        (None, {"fields": ["code", "name", "field", "agency_level", "online_level", "is_sample"]}),
        (
            "Nội dung (Content)",
            {"fields": ["description", "steps", "result_type", "legal_basis"]},
        ),
        ("Nơi tiếp nhận (Where to file)", {"fields": ["agencies"]}),
    ]

    def get_queryset(self, request):
        published = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
        return (
            super()
            .get_queryset(request)
            .prefetch_related(models.Prefetch("versions", queryset=published, to_attr="published"))
        )

    def get_search_results(self, request, queryset, search_term):
        """Accent-insensitive, like the citizen search."""
        if not search_term:
            return queryset, False
        return selectors.procedure_search(queryset=queryset, query=search_term), False

    @admin.display(description="Phiên bản công bố (Published)")
    def published_version(self, obj):
        return obj.published[0].number if getattr(obj, "published", None) else "—"

    @admin.display(description="Dữ liệu mẫu (Sample)", boolean=True, ordering="is_sample")
    def sample_label(self, obj):
        return obj.is_sample

    @admin.action(description="Tạo phiên bản nháp mới (Make a new draft)")
    def make_drafts(self, request, queryset):
        for procedure in queryset:
            draft = services.version_new_draft(procedure=procedure)
            self.message_user(request, f"{procedure.code}: bản nháp v{draft.number}")


class _ChildInline(CatalogAdminOnly, admin.TabularInline):
    extra = 0
    formfield_overrides = {models.JSONField: {"widget": Textarea(attrs={"rows": 1, "cols": 20})}}

    def _editable(self, obj) -> bool:
        return obj is None or obj.is_draft

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request) and self._editable(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request) and self._editable(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request) and self._editable(obj)


class DocumentInline(_ChildInline):
    model = RequiredDocument
    fields = [
        "position",
        "key",
        "name",
        "form",
        "copies",
        "required",
        "file_types",
        "max_size_mb",
        "note",
    ]


class WaiverInline(_ChildInline):
    model = FeeWaiver
    fields = ["condition", "percent", "description", "legal_basis", "valid_from", "valid_until"]


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(CatalogAdminOnly, admin.ModelAdmin):
    list_display = ["procedure", "number", "status", "processing_days", "fee_kind", "fee_amount"]
    list_filter = ["status", "fee_kind", "procedure__field"]
    list_select_related = ["procedure"]
    search_fields = ["procedure__code", "procedure__name"]
    raw_id_fields = ["procedure"]
    inlines = [DocumentInline, WaiverInline]
    formfield_overrides = JSON_WIDGET
    actions = ["publish_selected", "unpublish_selected"]
    change_form_template = "admin/procedures/procedureversion/change_form.html"
    fieldsets = [
        (None, {"fields": ["procedure", "number", "status", "change_note"]}),
        (
            "Thời hạn (Processing time)",
            {"fields": ["processing_days", "processing_note", "supplement_clock"]},
        ),
        (
            "Phí, lệ phí (Fee)",
            {"fields": ["fee_kind", "fee_amount", "fee_unit", "fee_cap", "fee_note", "fee_due_on"]},
        ),
        ("Biểu mẫu (Form definition)", {"fields": ["form_schema", "schema_help"]}),
        ("Công bố (Publication)", {"fields": ["published_at", "retired_at"]}),
    ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not obj.is_draft:
            # A published or retired version is frozen: every field is read-only, so "Save"
            # would only claim a change that did not happen. Its own buttons stay.
            context.update(
                show_save=False, show_save_and_continue=False, show_save_and_add_another=False
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_readonly_fields(self, request, obj=None):
        base = ["status", "published_at", "retired_at", "schema_help"]
        if obj is not None:
            base += ["procedure", "number"]
        if obj is not None and not obj.is_draft:
            return [f for fs in self.fieldsets for f in fs[1]["fields"]]
        return base

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request) and (obj is None or obj.is_draft)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("number", 1)
        initial.setdefault("processing_days", 1)
        return initial

    @admin.display(description="Các loại trường (Field kinds)")
    def schema_help(self, obj):
        return format_html(
            "<code>{}</code>", ", ".join(f"{k} = {label}" for k, label in KIND_LABELS.items())
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        version = form.instance
        missing = schema_document_keys(version.form_schema) - set(
            version.documents.values_list("key", flat=True)
        )
        if missing:
            self.message_user(
                request,
                "Biểu mẫu gắn với giấy tờ chưa có trong thành phần hồ sơ (unknown document slots): "
                + ", ".join(sorted(missing)),
                messages.WARNING,
            )

    # -- actions ---------------------------------------------------------------------------------
    @admin.action(description="Công bố (Publish)")
    def publish_selected(self, request, queryset):
        for version in queryset:
            self._publish(request, version)

    @admin.action(description="Ngừng công bố (Unpublish)")
    def unpublish_selected(self, request, queryset):
        for version in queryset.filter(status=VersionStatus.PUBLISHED):
            services.version_unpublish(version=version)
            self.message_user(request, f"Đã ngừng công bố {version}")

    def _publish(self, request, version) -> bool:
        try:
            services.version_publish(version=version)
        except ValidationError as exc:
            self.message_user(request, f"{version}: {'; '.join(exc.messages)}", messages.ERROR)
            return False
        self.message_user(request, f"Đã công bố {version.procedure.code} v{version.number}")
        return True

    # -- extra pages -----------------------------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", wrap(self.preview_view), name="procedures_version_preview"),
            path("<int:pk>/compare/", wrap(self.compare_view), name="procedures_version_compare"),
            path(
                "<int:pk>/publish/",
                wrap(require_POST(self.publish_view)),
                name="procedures_version_publish",
            ),
            path(
                "<int:pk>/unpublish/",
                wrap(require_POST(self.unpublish_view)),
                name="procedures_version_unpublish",
            ),
            path(
                "<int:pk>/new-draft/",
                wrap(require_POST(self.new_draft_view)),
                name="procedures_version_new_draft",
            ),
            *super().get_urls(),
        ]

    def _get(self, request, pk: int) -> ProcedureVersion:
        if not self.has_view_permission(request):
            raise PermissionDenied
        version = selectors.version_for_preview(pk=pk)
        if version is None:
            raise Http404("Không có phiên bản này (no such version).")
        return version

    def _change_url(self, version) -> str:
        return reverse("admin:procedures_procedureversion_change", args=[version.pk])

    def preview_view(self, request, pk: int):
        """The citizen form rendered from the schema; posting checks answers (nothing saved)."""
        version = self._get(request, pk)
        form = build_form(
            version.form_schema,
            documents=version.documents.all(),
            data=request.POST if request.method == "POST" else None,
            files=request.FILES if request.method == "POST" else None,
        )
        valid = request.method == "POST" and form.is_valid()
        context = {
            **self.admin_site.each_context(request),
            "title": f"Xem trước biểu mẫu (Preview): {version}",
            "version": version,
            "form": form,
            "valid": valid,
            "answers": form.answers() if valid else None,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/procedures/procedureversion/preview.html", context)

    def compare_view(self, request, pk: int):
        version = self._get(request, pk)
        published = (
            ProcedureVersion.objects.filter(
                procedure_id=version.procedure_id, status=VersionStatus.PUBLISHED
            )
            .prefetch_related("documents", "waivers")
            .first()
        )
        diff = services.version_compare(old=published, new=version)
        context = {
            **self.admin_site.each_context(request),
            "title": f"So sánh với bản đang công bố (Compare): {version}",
            "version": version,
            "published": published,
            "diff": diff,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/procedures/procedureversion/compare.html", context)

    def publish_view(self, request, pk: int):
        version = self._get(request, pk)
        if not self.has_change_permission(request, version):
            raise PermissionDenied
        self._publish(request, version)
        return HttpResponseRedirect(self._change_url(version))

    def unpublish_view(self, request, pk: int):
        version = self._get(request, pk)
        if not self.has_change_permission(request, version):
            raise PermissionDenied
        try:
            services.version_unpublish(version=version)
            self.message_user(request, f"Đã ngừng công bố {version}")
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
        return HttpResponseRedirect(self._change_url(version))

    def new_draft_view(self, request, pk: int):
        version = self._get(request, pk)
        if not self.has_change_permission(request, version):
            raise PermissionDenied
        draft = services.version_new_draft(procedure=version.procedure, source=version)
        self.message_user(request, f"Đã tạo bản nháp v{draft.number} từ v{version.number}")
        return HttpResponseRedirect(self._change_url(draft))
