from django.contrib import admin

from .models import Publication, PushMessage, PushSubscriber


@admin.register(PushSubscriber)
class PushSubscriberAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "kinds", "is_enabled", "next_seq", "attempts", "next_attempt_at")
    def has_add_permission(self, request):  # registered through the staff page (services.subscriber_register)
        return False

    readonly_fields = ("next_seq", "attempts", "last_error", "last_attempt_at", "next_attempt_at", "created_at")


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ("offset", "kind", "action", "idempotency_key", "published_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PushMessage)
class PushMessageAdmin(admin.ModelAdmin):
    list_display = ("subscriber", "seq", "state", "attempts", "delivered_at")
    list_filter = ("state", "subscriber")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
