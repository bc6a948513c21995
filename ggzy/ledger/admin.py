"""Read-only admin views of the ledger: it is append-only, and witnesses are registered through the service
(``ggzy ledger witness add``), so the admin can look but never change."""

from django.contrib import admin

from .models import Checkpoint, Cosignature, LogEntry, Subscriber, Witness


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    list_display = ["index", "created_at", "action", "object_type", "object_id", "actor_label"]
    search_fields = ["object_type", "object_id", "action"]
    show_full_result_count = False


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ["tree_size", "issued_at"]


@admin.register(Witness)
class WitnessAdmin(ReadOnlyAdmin):
    list_display = ["name", "display_name", "kind", "url", "is_active", "last_cosigned_size", "attempts",
                    "next_attempt_at", "last_error"]


@admin.register(Cosignature)
class CosignatureAdmin(ReadOnlyAdmin):
    list_display = ["checkpoint", "witness", "signed_at"]
    list_select_related = ["checkpoint", "witness"]


@admin.register(Subscriber)
class SubscriberAdmin(ReadOnlyAdmin):
    """Delivery status only; subscribers are registered with ``ggzy ledger subscriber-add``."""

    list_display = ["name", "kind", "is_enabled", "cursor", "attempts", "last_attempt_at", "next_attempt_at",
                    "last_error"]
    exclude = ["secret"]
