"""Catalog versions and items, city extensions, consultations and the rules list in the admin."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.errors import DomainError

from .. import policies, services
from ..models import CatalogItem, CatalogVersion, CityCatalogExtension, Consultation, Rule
from .base import ReferenceAdmin, ReferenceInline


class CatalogItemInline(ReferenceInline, admin.TabularInline):
    model = CatalogItem
    fk_name = "version"
    fields = ("order", "code", "name", "parent", "must_trade", "legal_basis")
    extra = 0


@admin.register(CatalogVersion)
class CatalogVersionAdmin(ReferenceAdmin):
    list_display = ("title", "number", "effective_from", "status", "published_at")
    fields = ("number", "title", "effective_from", "status", "published_at")
    readonly_fields = ("status", "published_at")
    inlines = [CatalogItemInline]
    actions = ["publish", "draft_from"]

    def has_change_permission(self, request, obj=None):
        editable = super().has_change_permission(request, obj)
        return editable and (obj is None or not obj.is_published)

    def save_model(self, request, obj, form, change):
        services.catalog_version_save(actor=request.user, version=obj)

    def save_formset(self, request, form, formset, change):
        for item in formset.save(commit=False):
            services.catalog_item_save(actor=request.user, item=item)
        for item in formset.deleted_objects:
            services.catalog_item_delete(actor=request.user, item=item)

    @admin.action(description="发布所选目录版本")
    def publish(self, request, queryset):
        for version in queryset:
            try:
                services.catalog_version_publish(actor=request.user, version=version)
                messages.success(request, f"已发布：{version}")
            except DomainError as exc:
                messages.error(request, f"{version}：{exc.message}")

    @admin.action(description="基于所选版本创建新版本草稿")
    def draft_from(self, request, queryset):
        for base in queryset:
            stamp = clock.now().strftime("%Y%m%d%H%M%S")
            try:
                draft = services.catalog_version_draft_from(
                    actor=request.user, base=base, number=f"{base.number}-{stamp}", title=f"{base.title}（修订草稿）",
                    effective_from=clock.today() + dt.timedelta(days=1))
                messages.success(request, f"已创建草稿：{draft}")
            except DomainError as exc:
                messages.error(request, f"{base}：{exc.message}")


class ConsultationInline(ReferenceInline, admin.StackedInline):
    model = Consultation
    fk_name = "extension"
    fields = ("title", "period_from", "period_to", "opinions_summary", "result", "published_at")
    extra = 0


@admin.register(CityCatalogExtension)
class CityCatalogExtensionAdmin(ReferenceAdmin):
    """City staff maintain their own center's extensions; the province maintains all."""

    list_display = ("center", "code", "name", "parent_code", "effective_from", "withdrawn_on")
    list_filter = ("center",)
    list_select_related = ("center",)
    fields = ("center", "code", "name", "parent_code", "legal_basis", "effective_from", "withdrawn_on")
    inlines = [ConsultationInline]

    def has_add_permission(self, request):
        user = request.user
        return policies.can_view_reference_admin(user) and (
            policies.can_edit_reference(user) or user.role == Role.CENTER_STAFF)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_add_permission(request)
        return policies.can_view_reference_admin(request.user) and policies.can_change_extension_of(
            request.user, obj.center_id)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "center" and not policies.can_edit_reference(request.user):
            from ggzy.registry.models import Center

            kwargs["queryset"] = Center.objects.filter(pk=request.user.center_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.city_catalog_extension_save(actor=request.user, extension=obj)

    def save_formset(self, request, form, formset, change):
        for consultation in formset.save(commit=False):
            services.consultation_save(actor=request.user, consultation=consultation)


@admin.register(Consultation)
class ConsultationAdmin(ReferenceAdmin):
    list_display = ("title", "item", "extension", "period_from", "period_to", "published_at")
    list_select_related = ("item", "extension__center")
    fields = ("item", "extension", "title", "period_from", "period_to", "opinions_summary", "result",
              "published_at")

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request, obj)
        return policies.can_view_reference_admin(request.user) and policies.can_change_consultation(
            request.user, obj)

    def save_model(self, request, obj, form, change):
        services.consultation_save(actor=request.user, consultation=obj)


@admin.register(Rule)
class RuleAdmin(ReferenceAdmin):
    list_display = ("title", "document_number", "level", "category", "status", "effective_from")
    list_filter = ("status", "level", "category")
    search_fields = ("title", "document_number", "issuer")
    autocomplete_fields = ("amended_by",)

    def save_model(self, request, obj, form, change):
        services.rule_save(actor=request.user, rule=obj)
