"""The official holiday schedule of a year, entered by the provincial center when the State Council issues it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record, jsonable
from ggzy.core.errors import DomainError, NotAllowed

from .. import policies
from ..choices import CalendarDayKind
from ..models import CalendarDay, HolidayYear


def _parse_day(raw: Mapping[str, Any] | tuple, index: int) -> tuple[dt.date | None, str, str, list[str]]:
    if isinstance(raw, Mapping):
        day, kind, name = raw.get("date"), raw.get("kind", ""), raw.get("name", "")
    else:
        day, kind, name = (*raw, "", "")[:3]
    errors: list[str] = []
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            day = None
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        return None, kind, name, [f"第{index}行：日期格式应为 YYYY-MM-DD"]
    if kind not in CalendarDayKind.values:
        errors.append(f"第{index}行（{day:%Y-%m-%d}）：类型无效")
    elif kind == CalendarDayKind.HOLIDAY and day.weekday() >= 5:
        errors.append(f"第{index}行（{day:%Y-%m-%d}）：周末本就休息，只需录入落在工作日的放假日期")
    elif kind == CalendarDayKind.MAKEUP_WORKDAY and day.weekday() < 5:
        errors.append(f"第{index}行（{day:%Y-%m-%d}）：调休上班日应为周六或周日")
    if not str(name or "").strip():
        errors.append(f"第{index}行（{day:%Y-%m-%d}）：请填写节日名称")
    return day, kind, str(name or "").strip(), errors


def holiday_year_enter(*, actor: Any, year: int, days: Iterable[Mapping[str, Any] | tuple],
                       source: str = "") -> HolidayYear:
    """Enter (or correct) a year's official schedule: weekday holidays and weekend make-up working days.

    The year's previous days are replaced and the year is marked official, so periods that run into it stop
    being estimates.
    """
    if not policies.can_edit_reference(actor):
        raise NotAllowed("只有省级交易中心可以维护节假日安排")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DomainError("年份应在2000至2100之间", field="year")
    parsed: list[tuple[dt.date | None, str, str]] = []
    errors: list[str] = []
    for index, raw in enumerate(days, start=1):
        day, kind, name, row_errors = _parse_day(raw, index)
        errors += row_errors
        if day is not None and day.year != year:
            errors.append(f"第{index}行（{day:%Y-%m-%d}）：日期不在{year}年")
        parsed.append((day, kind, name))
    dates = [d for d, _, _ in parsed if d is not None]
    if len(set(dates)) != len(dates):
        errors.append("日期不能重复")
    if not parsed:
        errors.append("请至少录入一个放假或调休日期")
    if errors:
        raise DomainError(errors={"days": errors})
    entered = sorted((d, k, n) for d, k, n in parsed if d is not None)
    assert len(entered) == len(parsed), "a row whose date did not parse has already been reported as an error"
    with transaction.atomic():
        holiday_year, _ = HolidayYear.objects.select_for_update().get_or_create(year=year)
        old = list(holiday_year.days.order_by("date").values("date", "kind", "name"))
        before = {"is_official": holiday_year.is_official, "source": holiday_year.source, "days": old}
        holiday_year.days.all().delete()
        CalendarDay.objects.bulk_create([CalendarDay(holiday_year=holiday_year, date=d, kind=k, name=n)
                                         for d, k, n in entered])
        holiday_year.is_official = True
        holiday_year.source = source.strip() or f"国务院办公厅关于{year}年部分节假日安排的通知"
        holiday_year.entered_by = actor if getattr(actor, "is_authenticated", False) else None
        holiday_year.entered_at = clock.now()
        holiday_year.save()
        audit_record(actor=actor, action="catalog.holiday_year.enter", obj=holiday_year, before=jsonable(before),
                     after=jsonable({"is_official": True, "source": holiday_year.source,
                                     "days": [{"date": d, "kind": k, "name": n} for d, k, n in entered]}))
    return holiday_year
