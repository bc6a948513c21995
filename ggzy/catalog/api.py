"""Public, read-only API of the catalog: the catalog in force, rules, process templates and working days."""

import datetime as dt
from typing import Annotated

from ninja import Field, Path, Query, Router, Schema

from ggzy.core.api_errors import ObjectId, answers
from ggzy.core.permissions import PUBLIC, requires

from . import calendar, selectors
from .calendar import MAX_SPAN
from .choices import RuleCategory, RuleLevel, RuleStatus
from .schemas import (
    CalendarYearPublicOut,
    CatalogEntryPublicOut,
    RulePublicOut,
    TemplateDetailPublicOut,
    TemplateSummaryPublicOut,
    WorkingDaysAddPublicOut,
)

router = Router()


class ItemsQuery(Schema):
    on: dt.date | None = None
    city: str | None = None


@router.get("/items", response=answers(list[CatalogEntryPublicOut], 400, 404), summary="施行中的交易目录（省级及某市扩展）")
@requires(PUBLIC)
def catalog_items(request, filters: Query[ItemsQuery]):
    return selectors.catalog_in_force(filters.on, filters.city or None)


class RulesQuery(Schema):
    status: RuleStatus | None = None
    level: RuleLevel | None = None
    category: RuleCategory | None = None


@router.get("/rules", response=answers(list[RulePublicOut], 400), summary="制度规则清单")
@requires(PUBLIC)
def rules(request, filters: Query[RulesQuery]):
    return list(selectors.rule_list_public(status=filters.status or "", level=filters.level or "",
                                           category=filters.category or ""))


@router.get("/templates", response=answers(list[TemplateSummaryPublicOut]), summary="交易流程清单")
@requires(PUBLIC)
def templates(request):
    return [{"id": s.template.pk, "category_code": s.template.category_code, "method": s.template.method,
             "method_label": s.template.get_method_display(), "name": s.template.name,
             "current_version": s.current.number if s.current else None,
             "current_effective_from": s.current.effective_from if s.current else None,
             "upcoming_effective_from": s.upcoming.effective_from if s.upcoming else None,
             "version_count": s.version_count}
            for s in selectors.process_template_list_public()]


@router.get("/templates/{template_id}", response=answers(TemplateDetailPublicOut, 400, 404), summary="流程模板（各版本环节与期限）")
@requires(PUBLIC)
def template_detail(request, template_id: ObjectId):
    return selectors.process_template_get_public(template_id)


@router.get("/calendar/{year}", response=answers(CalendarYearPublicOut, 400), summary="年度节假日与调休安排")
@requires(PUBLIC)
def calendar_year(request, year: Annotated[int, Path(ge=1900, le=2199)]):
    data = selectors.calendar_year_public(year)
    return {"year": year, "is_official": data.is_official,
            "source": data.holiday_year.source if data.holiday_year else "", "days": data.days}


class WorkingDaysQuery(Schema):
    start: dt.date
    n: int = Field(ge=-MAX_SPAN, le=MAX_SPAN)


@router.get("/working-days/add", response=answers(WorkingDaysAddPublicOut, 400), summary="按工作日推算期限")
@requires(PUBLIC)
def working_days_add(request, params: Query[WorkingDaysQuery]):
    result = calendar.add_working_days(params.start, params.n)
    return {"start": params.start, "n": params.n, "date": result.date, "is_estimated": result.is_estimated,
            "years_without_schedule": list(result.years_without_schedule)}
