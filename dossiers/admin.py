"""Read-only views of dossiers for staff: every change goes through dossiers/workflow.py."""

from django.contrib import admin

from dossiers.models import Dossier, DossierEvent, DossierOutput, SyncOutbox
from portal.admin import ReadOnlyAdmin


class EventInline(admin.TabularInline):
    model = DossierEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = ["code", "status", "agency", "applicant", "submitted_at", "due_at"]
    list_filter = ["status", "channel"]
    search_fields = ["code"]
    list_select_related = ["agency", "applicant"]
    show_full_result_count = False
    inlines = [EventInline]


@admin.register(SyncOutbox)
class SyncOutboxAdmin(ReadOnlyAdmin):
    list_display = ["event", "created_at", "sent_at", "attempts"]
    list_select_related = ["event"]


@admin.register(DossierOutput)
class DossierOutputAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "kind", "key", "created_at"]
    list_select_related = ["dossier"]
