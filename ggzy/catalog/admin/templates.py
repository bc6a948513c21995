"""Process templates in the admin: editing a version in force saves a new version (template_version_revise)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ggzy.core import clock

from .. import services
from ..models import ProcessTemplate, TemplatePeriod, TemplateStep, TemplateVersion
from ..selectors import template_version_is_in_force
from ..services.templates import PERIOD_FIELDS, STEP_FIELDS
from .base import ReferenceAdmin, ReferenceInline, WrittenByServiceAdmin, formset_rows


def verification_tag(period: TemplatePeriod) -> str:
    if period.pk is None:
        return ""
    if period.is_verified:
        return format_html('<span style="color:#047857">{}</span>', "已核实")
    return format_html('<strong style="color:#b45309">{}</strong>', "待核实")


class TemplateStepInline(ReferenceInline, admin.TabularInline):
    model = TemplateStep
    fields = STEP_FIELDS
    extra = 0


class TemplatePeriodInline(ReferenceInline, admin.TabularInline):
    model = TemplatePeriod
    fields = ("key", "label", "value", "unit", "legal_basis", "is_verified", "verification")
    readonly_fields = ("verification",)
    extra = 0

    @admin.display(description="核实状态")
    def verification(self, period):
        return verification_tag(period)


class TemplateVersionForm(forms.ModelForm):
    class Meta:
        model = TemplateVersion
        fields = ("effective_from", "note")
        help_texts = {"effective_from": "已施行的版本不可修改：保存修改将生成新版本，请在此填写新版本的施行日期（不早于今天），"
                                        "原版本作为历史保留。",
                      "note": "请说明本次修订的内容和依据。"}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        original = TemplateVersion.objects.filter(pk=self.instance.pk).first()
        if original and template_version_is_in_force(original):
            new_day = data.get("effective_from")
            if new_day == original.effective_from:
                self.add_error("effective_from", "该版本已施行，请填写新版本的施行日期")
            elif new_day and new_day < clock.today():
                self.add_error("effective_from", "新版本的施行日期不能早于今天")
        return data


@admin.register(TemplateVersion)
class TemplateVersionAdmin(WrittenByServiceAdmin):
    form = TemplateVersionForm
    list_display = ("template", "number", "effective_from", "state", "created_by", "created_at")
    list_filter = ("template__category_code", "template__method")
    list_select_related = ("template", "created_by")
    fields = ("template", "number", "effective_from", "note", "based_on", "created_by", "created_at")
    readonly_fields = ("template", "number", "based_on", "created_by", "created_at")
    inlines = [TemplateStepInline, TemplatePeriodInline]

    @admin.display(description="状态")
    def state(self, version):
        return "已施行（修改将生成新版本）" if template_version_is_in_force(version) else "待施行"

    def has_add_permission(self, request):
        return False  # versions are born from a revision or with a new template

    def save_related(self, request, form, formsets, change):
        steps = next(formset_rows(f, STEP_FIELDS) for f in formsets if f.model is TemplateStep)
        periods = next(formset_rows(f, PERIOD_FIELDS) for f in formsets if f.model is TemplatePeriod)
        original = TemplateVersion.objects.get(pk=form.instance.pk)
        request.catalog_result = services.template_version_revise(
            actor=request.user, version=original,
            changes={"note": form.cleaned_data.get("note", ""), "steps": steps, "periods": periods},
            effective_from=form.cleaned_data.get("effective_from"))

    def response_change(self, request, obj):
        result = getattr(request, "catalog_result", obj)
        if result.pk != obj.pk:
            messages.success(request, f"已生成第{result.number}版，自{result.effective_from:%Y-%m-%d}起施行；"
                                      f"第{obj.number}版作为历史保留。")
            return HttpResponseRedirect(reverse("admin:catalog_templateversion_change", args=[result.pk]))
        return super().response_change(request, result)


@admin.register(TemplatePeriod)
class TemplatePeriodAdmin(ReferenceAdmin):
    """A read-only list of every number, to find the ones still to verify."""

    list_display = ("label", "value", "unit", "verification", "legal_basis", "version")
    list_filter = ("is_verified", "unit", "version__template")
    list_select_related = ("version__template",)
    search_fields = ("key", "label", "legal_basis")

    @admin.display(description="核实状态")
    def verification(self, period):
        return verification_tag(period)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # numbers change only through a new template version


class VersionInline(ReferenceInline, admin.TabularInline):
    model = TemplateVersion
    fields = ("number", "effective_from", "note", "created_by", "created_at")
    readonly_fields = fields
    show_change_link = True
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProcessTemplateAddForm(forms.ModelForm):
    effective_from = forms.DateField(label=_("第1版施行日期"), help_text=_("不早于今天；环节和期限在版本页面填写"))
    note = forms.CharField(label=_("说明"), required=False)

    class Meta:
        model = ProcessTemplate
        fields = ("category_code", "method", "name")


@admin.register(ProcessTemplate)
class ProcessTemplateAdmin(ReferenceAdmin):
    list_display = ("name", "category_code", "method")
    list_filter = ("method",)
    inlines = [VersionInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ProcessTemplateAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("category_code", "method", "name", "effective_from", "note")
        return ("category_code", "method", "name")

    def get_readonly_fields(self, request, obj=None):
        return ("category_code", "method") if obj else ()

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            services.process_template_rename(actor=request.user, template=obj, name=form.cleaned_data["name"])
            return
        version = services.process_template_create(
            actor=request.user, category_code=form.cleaned_data["category_code"],
            method=form.cleaned_data["method"], name=form.cleaned_data["name"],
            effective_from=form.cleaned_data["effective_from"], note=form.cleaned_data.get("note", ""))
        obj.pk = version.template_id

    def save_related(self, request, form, formsets, change):
        """Versions are read-only here."""
