"""The holiday calendar in the admin: a year and its days are entered together (holiday_year_enter)."""

from __future__ import annotations

from django.contrib import admin

from .. import services
from ..models import CalendarDay, HolidayYear
from .base import ReferenceInline, WrittenByServiceAdmin, formset_rows


class CalendarDayInline(ReferenceInline, admin.TabularInline):
    model = CalendarDay
    fields = ("date", "kind", "name")
    extra = 3


@admin.register(HolidayYear)
class HolidayYearAdmin(WrittenByServiceAdmin):
    list_display = ("year", "is_official", "source", "entered_by", "entered_at")
    readonly_fields = ("is_official", "entered_by", "entered_at")
    inlines = [CalendarDayInline]

    def get_fields(self, request, obj=None):
        return ("year", "source", "is_official", "entered_by", "entered_at")

    def get_readonly_fields(self, request, obj=None):
        return ("year", *self.readonly_fields) if obj else self.readonly_fields

    def save_related(self, request, form, formsets, change):
        days = formset_rows(formsets[0], ("date", "kind", "name"))
        year = form.instance.year if change else form.cleaned_data["year"]
        entered = services.holiday_year_enter(actor=request.user, year=year, days=days,
                                              source=form.cleaned_data.get("source", ""))
        form.instance.pk = entered.pk
