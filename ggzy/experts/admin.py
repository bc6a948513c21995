"""Admin for the expert pool: ID numbers only masked, personal data read-only."""

from django.contrib import admin

from .identity import id_number_mask
from .models import (
    Classification,
    Expert,
    ExpertChangeRequest,
    ExpertClassification,
    ExpertPenalty,
    ExpertRating,
    PoolConflict,
    PoolImport,
)


@admin.register(Classification)
class ClassificationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("code", "name")


class ExpertClassificationInline(admin.TabularInline):
    model = ExpertClassification
    extra = 0
    autocomplete_fields = ("classification",)


class ExpertPenaltyInline(admin.TabularInline):
    model = ExpertPenalty
    extra = 0
    fields = ("kind", "reason", "decided_on", "until")


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "masked_id_number",
        "title",
        "title_level",
        "employer_name",
        "region",
        "status",
        "available",
    )
    list_filter = ("status", "title_level", "available")
    search_fields = ("name", "employer_name")
    exclude = ("id_number",)
    readonly_fields = ("masked_id_number", "birth_date", "created_at", "updated_at")
    raw_id_fields = ("employer", "user")
    inlines = (ExpertClassificationInline, ExpertPenaltyInline)

    @admin.display(description="身份证号码")
    def masked_id_number(self, obj: Expert) -> str:
        return id_number_mask(obj.id_number)

    def has_add_permission(self, request) -> bool:
        return False  # experts enter the pool through the import or the staff page (entry checks apply)


@admin.register(ExpertRating)
class ExpertRatingAdmin(admin.ModelAdmin):
    list_display = (
        "expert",
        "subject_code",
        "rater_role",
        "attendance",
        "punctuality",
        "quality",
        "conduct",
        "rated_at",
    )
    list_filter = ("rater_role",)


@admin.register(PoolImport)
class PoolImportAdmin(admin.ModelAdmin):
    list_display = (
        "source",
        "file_name",
        "status",
        "added",
        "updated",
        "conflicting",
        "rejected",
        "uploaded_at",
    )
    exclude = ("content",)


@admin.register(PoolConflict)
class PoolConflictAdmin(admin.ModelAdmin):
    list_display = ("expert", "field", "current_value", "incoming_value", "status")
    list_filter = ("status", "field")


@admin.register(ExpertChangeRequest)
class ExpertChangeRequestAdmin(admin.ModelAdmin):
    list_display = ("expert", "status", "requested_at", "decided_at")
    list_filter = ("status",)
