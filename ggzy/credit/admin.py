"""Read-only admin: records are created and corrected through the services (a correction is a new version)."""

from django.contrib import admin

from .models import CreditRecord, CreditRestriction


class RestrictionInline(admin.TabularInline):
    model = CreditRestriction
    extra = 0
    can_delete = False
    readonly_fields = ("behaviour", "starts_on", "ends_on")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CreditRecord)
class CreditRecordAdmin(admin.ModelAdmin):
    list_display = ("record_no", "version", "is_current", "subject_name", "kind", "source", "decided_on",
                    "valid_until")
    list_filter = ("kind", "source", "is_current", "subject_kind")
    search_fields = ("record_no", "subject_name", "title")
    inlines = [RestrictionInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
