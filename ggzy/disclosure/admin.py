from django.contrib import admin

from .models import Notice, NoticeOrigin


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("title", "notice_type", "category_name", "center", "published_at", "status")
    list_filter = ("notice_type", "category_code", "status", "center")
    search_fields = ("title", "project_code")
    date_hierarchy = "published_at"

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("center", "region")
        if request.user.is_provincial:
            return qs
        return qs.filter(center_id=request.user.center_id)

    # Notices are published and withdrawn through the services (audited), never edited in place.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NoticeOrigin)
class NoticeOriginAdmin(admin.ModelAdmin):
    list_display = ("source_id", "source_system", "notice", "source_date", "imported_at")
    list_filter = ("source_system", "source_format")
    search_fields = ("source_id", "ocid", "source_system")

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("notice")
        if request.user.is_provincial:
            return qs
        return qs.filter(notice__center_id=request.user.center_id)

    # Origins are written by the import service with their notice, never by hand.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
