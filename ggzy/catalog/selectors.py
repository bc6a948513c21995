"""Reads of the catalog app. All of it is public reference data; drafts and unpublished records stay hidden."""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from ggzy.core import clock
from ggzy.core.errors import DomainError, NotFound
from ggzy.registry.models import Center

from .choices import GENERAL_CATEGORY_CODE, CatalogVersionStatus, TradingMethod
from .models import (
    CalendarDay,
    CatalogVersion,
    CityCatalogExtension,
    Consultation,
    HolidayYear,
    ProcessTemplate,
    Rule,
    TemplatePeriod,
    TemplateVersion,
)


class PeriodMissing(DomainError):
    """A template version lacks a period the caller needs: a configuration gap, never a silent default."""


# ---------------------------------------------------------------- catalog

@dataclass(frozen=True)
class CatalogEntry:
    """One category in force: a provincial item or a city center's extension."""

    code: str
    name: str
    parent_code: str
    must_trade: bool
    legal_basis: str
    source: str  # "province" | "city"
    effective_from: dt.date
    center_code: str = ""
    center_name: str = ""
    consultations: tuple[Consultation, ...] = field(default=(), compare=False)

    @property
    def is_city_extension(self) -> bool:
        return self.source == "city"


def _published_consultations() -> Prefetch:
    return Prefetch("consultations", queryset=Consultation.objects.filter(
        published_at__isnull=False, published_at__lte=clock.now()).order_by("-period_to"))


def catalog_version_in_force(on_date: dt.date | None = None) -> CatalogVersion | None:
    """The latest published provincial catalog version in force on ``on_date`` (today by default)."""
    on_date = on_date or clock.today()
    return (CatalogVersion.objects.filter(status=CatalogVersionStatus.PUBLISHED, effective_from__lte=on_date)
            .order_by("-effective_from", "-id").first())


def _center(center: Center | str | None) -> Center | None:
    if center is None or isinstance(center, Center):
        return center
    found = Center.objects.select_related("region").filter(code=center).first()
    if found is None:
        raise NotFound("交易中心不存在", field="city")
    return found


def catalog_in_force(on_date: dt.date | None = None, center: Center | str | None = None) -> list[CatalogEntry]:
    """The catalog in force on ``on_date``: provincial items, plus that city's extensions (in display order)."""
    on_date = on_date or clock.today()
    center = _center(center)
    version = catalog_version_in_force(on_date)
    provincial: list[CatalogEntry] = []
    if version is not None:
        items = (version.items.select_related("parent").prefetch_related(_published_consultations())
                 .order_by("order", "code"))
        provincial = [CatalogEntry(code=i.code, name=i.name, parent_code=i.parent.code if i.parent else "",
                                   must_trade=i.must_trade, legal_basis=i.legal_basis, source="province",
                                   effective_from=version.effective_from, consultations=tuple(i.consultations.all()))
                      for i in items]
    extensions: list[CatalogEntry] = []
    if center is not None and not center.is_provincial:
        taken = {e.code for e in provincial}
        rows = (CityCatalogExtension.objects.filter(center=center, effective_from__lte=on_date)
                .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on_date))
                .prefetch_related(_published_consultations()).order_by("code"))
        extensions = [CatalogEntry(code=x.code, name=x.name, parent_code=x.parent_code, must_trade=False,
                                   legal_basis=x.legal_basis, source="city", effective_from=x.effective_from,
                                   center_code=center.code, center_name=center.name,
                                   consultations=tuple(x.consultations.all()))
                      for x in rows if x.code not in taken]
    return _in_display_order(provincial, extensions)


def _in_display_order(provincial: list[CatalogEntry], extensions: list[CatalogEntry]) -> list[CatalogEntry]:
    children: dict[str, list[CatalogEntry]] = {}
    for entry in [*provincial, *extensions]:
        children.setdefault(entry.parent_code, []).append(entry)
    ordered: list[CatalogEntry] = []

    def walk(code: str) -> None:
        for child in sorted(children.get(code, []), key=lambda e: e.code):
            ordered.append(child)
            walk(child.code)

    walk("")
    known = {e.code for e in ordered}
    ordered += [e for e in extensions if e.code not in known]  # extensions under a parent no longer in force
    return ordered


def catalog_item_get(code: str, *, on_date: dt.date | None = None, center: Center | str | None = None
                     ) -> CatalogEntry:
    """The category ``code`` in force (for the center's catalog when given); NotFound otherwise."""
    for entry in catalog_in_force(on_date, center):
        if entry.code == code:
            return entry
    raise NotFound("交易类别代码不在现行交易目录中", field="category_code")


def city_extension_names() -> dict[str, str]:
    """code → name of the cities' catalog extensions (any city, in force or not: for labelling template codes)."""
    return dict(CityCatalogExtension.objects.order_by("code", "effective_from").values_list("code", "name"))


def city_centers() -> QuerySet[Center]:
    """The city centers, for the catalog page's city selector."""
    return Center.objects.filter(region__level="city").order_by("code")


# ---------------------------------------------------------------- rules

def rule_list_public(*, status: str = "", level: str = "", category: str = "") -> QuerySet[Rule]:
    """The rules list, filtered; each row knows the document that replaced it."""
    rules = Rule.objects.select_related("amended_by")
    if status:
        rules = rules.filter(status=status)
    if level:
        rules = rules.filter(level=level)
    if category:
        rules = rules.filter(category=category)
    return rules.order_by("level", "category", "-effective_from", "title")


# ---------------------------------------------------------------- process templates

def template_version_is_in_force(version: TemplateVersion, on_date: dt.date | None = None) -> bool:
    """In force (and therefore immutable) from its effective date on."""
    return version.effective_from <= (on_date or clock.today())


@dataclass(frozen=True)
class TemplateSummary:
    template: ProcessTemplate
    current: TemplateVersion | None
    upcoming: TemplateVersion | None
    version_count: int


def process_template_list_public(on_date: dt.date | None = None) -> list[TemplateSummary]:
    """Every template with the version in force today and the next one scheduled, if any (two queries)."""
    on_date = on_date or clock.today()
    templates = ProcessTemplate.objects.prefetch_related(
        Prefetch("versions", queryset=TemplateVersion.objects.order_by("-effective_from", "-number")))
    summaries = []
    for template in templates.order_by("category_code", "method"):
        versions = list(template.versions.all())
        current = next((v for v in versions if v.effective_from <= on_date), None)
        upcoming = next((v for v in reversed(versions) if v.effective_from > on_date), None)
        summaries.append(TemplateSummary(template, current, upcoming, len(versions)))
    return summaries


def process_template_get_public(template_id: int) -> ProcessTemplate:
    """A template with all its versions, steps and periods loaded (four queries)."""
    template = (ProcessTemplate.objects.prefetch_related(
        Prefetch("versions", queryset=TemplateVersion.objects.select_related("created_by")
                 .prefetch_related("steps", "periods").order_by("-effective_from", "-number")))
        .filter(pk=template_id).first())
    if template is None:
        raise NotFound("流程模板不存在", field="id")
    return template


def template_version_in_force(*, category_code: str, method: str, on_date: dt.date) -> TemplateVersion:
    """The version that governs a project created on ``on_date`` (Prozorro's tender_created_after)."""
    if method not in TradingMethod.values:
        raise DomainError("交易方式无效", field="method")
    version = (TemplateVersion.objects.select_related("template")
               .filter(template__category_code=category_code, template__method=method,
                       effective_from__lte=on_date)
               .order_by("-effective_from", "-number").first())
    if version is None:
        label = "通用规则" if category_code == GENERAL_CATEGORY_CODE else f"类别 {category_code}"
        raise NotFound(f"{label}·{TradingMethod(method).label}在 {on_date:%Y-%m-%d} 没有施行的流程模板",
                       field="category_code")
    return version


def period_get(version: TemplateVersion, key: str) -> TemplatePeriod:
    """The period row ``key`` of ``version`` (uses prefetched periods when present)."""
    cache = getattr(version, "_prefetched_objects_cache", {})
    if "periods" in cache:
        period = next((p for p in cache["periods"] if p.key == key), None)
    else:
        period = version.periods.filter(key=key).first()
    if period is None:
        raise PeriodMissing(f"流程模板「{version.template.name}」第{version.number}版未定义参数 {key}", field=key)
    return period


def period_value(version: TemplateVersion, key: str) -> Decimal:
    """The number ``key`` of ``version``; PeriodMissing (a DomainError naming the key) when it is absent."""
    return period_get(version, key).value


# ---------------------------------------------------------------- calendar

@dataclass(frozen=True)
class CalendarCell:
    date: dt.date
    in_month: bool
    is_weekend: bool
    day: CalendarDay | None


@dataclass(frozen=True)
class YearCalendar:
    year: int
    holiday_year: HolidayYear | None
    days: list[CalendarDay]
    months: list[tuple[int, list[list[CalendarCell]]]]

    @property
    def is_official(self) -> bool:
        return bool(self.holiday_year and self.holiday_year.is_official)


def calendar_year_public(year: int) -> YearCalendar:
    """A year's official exceptional days and its month grids (Monday first); two queries."""
    if not 1900 <= year <= 2199:
        raise DomainError("年份超出范围", field="year")
    holiday_year = HolidayYear.objects.filter(year=year).first()
    days = list(CalendarDay.objects.filter(holiday_year__year=year, holiday_year__is_official=True)
                .order_by("date")) if holiday_year and holiday_year.is_official else []
    by_date = {d.date: d for d in days}
    grid = stdlib_calendar.Calendar(firstweekday=0)
    months = [(month, [[CalendarCell(date=d, in_month=d.month == month, is_weekend=d.weekday() >= 5,
                                     day=by_date.get(d) if d.month == month else None) for d in week]
                       for week in grid.monthdatescalendar(year, month)]) for month in range(1, 13)]
    return YearCalendar(year=year, holiday_year=holiday_year, days=days, months=months)


def holiday_years_known() -> list[int]:
    """Years with an official schedule, newest first."""
    return list(HolidayYear.objects.filter(is_official=True).order_by("-year").values_list("year", flat=True))
