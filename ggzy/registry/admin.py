"""Admin of the registry. Changes to an entity go through ``services.entity_update`` (versioned and audited);
its lists (qualifications, key persons, bank accounts) and its versions are read-only here — they are changed
on the platform's edit page. Personal ID numbers are shown masked everywhere in the admin."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html

from ggzy.core.errors import DomainError, NotAllowed

from . import selectors, services
from .entity_input import ENTITY_FIELDS, entity_fields_clean
from .masking import id_number_mask
from .models import (
    Center,
    EntityBankAccount,
    EntityVersion,
    KeyPerson,
    MarketEntity,
    MarketEntityAccount,
    Qualification,
    Region,
)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class QualificationInline(_ReadOnlyInline):
    model = Qualification
    fields = ("qualification_type", "level", "certificate_number", "issuer", "valid_from", "valid_until")
    readonly_fields = fields


class BankAccountInline(_ReadOnlyInline):
    model = EntityBankAccount
    fields = ("bank_name", "account_name", "account_number", "is_basic")
    readonly_fields = fields


class _MaskedIdNumber:
    """The key person's ID number, masked: named as "masked_id_number" in fields and lists."""

    @admin.display(description="身份证号码")
    def masked_id_number(self, obj: KeyPerson) -> str:
        return id_number_mask(obj.id_number)


class KeyPersonInline(_MaskedIdNumber, _ReadOnlyInline):
    model = KeyPerson
    fields = ("name", "role", "masked_id_number", "phone", "certificate_number")
    readonly_fields = fields


class EntityVersionInline(_ReadOnlyInline):
    model = EntityVersion
    fields = ("version", "action", "changed_at", "changed_by", "changes")
    readonly_fields = fields
    ordering = ("-version",)


class AccountInline(_ReadOnlyInline):
    model = MarketEntityAccount
    fields = ("user", "linked_at")
    readonly_fields = fields


class MarketEntityAdminForm(forms.ModelForm):
    """Checks the input with the same rules as the services before anything is saved."""

    class Meta:
        model = MarketEntity
        fields = list(ENTITY_FIELDS)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        errors: dict[str, str] = {}
        entity_fields_clean({name: cleaned.get(name) for name in self.changed_data if name in ENTITY_FIELDS},
                            errors, partial=True)
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)
        return cleaned


@admin.register(MarketEntity)
class MarketEntityAdmin(admin.ModelAdmin):
    form = MarketEntityAdminForm
    list_display = ("name", "credit_code", "entity_type", "region", "center", "status", "version", "updated_at")
    list_filter = ("entity_type", "status", "center")
    search_fields = ("name", "credit_code")
    list_select_related = ("region", "center")
    readonly_fields = ("credit_code", "center", "created_at", "updated_at", "version", "platform_link")
    fieldsets = (
        (None, {"fields": ("credit_code", "name", "entity_type", "legal_representative", "registered_capital",
                           "established_on", "status")}),
        ("地区与地址", {"fields": ("region", "center", "registered_address", "business_address")}),
        ("联系方式", {"fields": ("contact_name", "contact_phone", "email")}),
        ("版本", {"fields": ("version", "created_at", "updated_at", "platform_link")}),
    )
    inlines = [QualificationInline, KeyPersonInline, BankAccountInline, AccountInline, EntityVersionInline]

    def get_queryset(self, request):
        return selectors.entity_list_manageable(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = Region.objects.filter(level__in=["city", "county"]).order_by("code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="平台页面")
    def platform_link(self, obj: MarketEntity) -> str:
        if not obj.pk:
            return "—"
        url = reverse("registry:entity_edit", args=[obj.credit_code])
        return format_html('<a href="{}">在平台中修改资质、人员和账户</a>', url)

    def has_add_permission(self, request):
        return False  # entities are registered through the one-form application (page or API)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in ENTITY_FIELDS}
        stored = MarketEntity.objects.get(pk=obj.pk)
        try:
            services.entity_update(actor=request.user, entity=stored, data=data)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:  # checked in the form already; a race is the only way here
            raise PermissionDenied(exc.message) from None
        obj.refresh_from_db()


@admin.register(KeyPerson)
class KeyPersonAdmin(_MaskedIdNumber, admin.ModelAdmin):
    list_display = ("name", "role", "masked_id_number", "entity", "certificate_number")
    search_fields = ("name", "entity__name", "entity__credit_code")
    list_select_related = ("entity",)
    fields = ("entity", "name", "role", "masked_id_number", "phone", "certificate_number")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _ReferenceAdmin(admin.ModelAdmin):
    """Regions and centers are reference data loaded by migration (GB/T 2260): read-only here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(_ReferenceAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(Center)
class CenterAdmin(_ReferenceAdmin):
    list_display = ("code", "name", "region", "phone")
    search_fields = ("code", "name")
