"""Working days (工作日) under the official holiday schedule, with make-up working days (调休上班).

A year whose official schedule has not been entered is computed on weekends alone, and every result that
touches such a year says so (``is_estimated`` and ``years_without_schedule``): a deadline is never silently
wrong. The first day of a period is not counted (期间开始的当日不计入); the result is the n-th working day
after ``start`` (before it, for a negative ``n``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from ggzy.core.errors import DomainError

from .choices import CalendarDayKind
from .models import CalendarDay, HolidayYear

MAX_SPAN = 10_000  # days of period arithmetic in one call; beyond that the input is a mistake


@dataclass(frozen=True)
class WorkingDayResult:
    """The date a period ends on, and whether a year without an official schedule made it an estimate."""

    date: dt.date
    is_estimated: bool
    years_without_schedule: tuple[int, ...] = ()


class _Schedule:
    """The official exceptional days, loaded one year at a time (two queries per year touched)."""

    def __init__(self) -> None:
        self._official: dict[int, bool] = {}
        self._days: dict[dt.date, str] = {}

    def is_official(self, year: int) -> bool:
        if year not in self._official:
            official = HolidayYear.objects.filter(year=year, is_official=True).exists()
            self._official[year] = official
            if official:
                self._days.update(CalendarDay.objects.filter(
                    holiday_year__year=year, holiday_year__is_official=True).values_list("date", "kind"))
        return self._official[year]

    def is_working_day(self, day: dt.date) -> bool:
        if self.is_official(day.year):
            kind = self._days.get(day)
            if kind == CalendarDayKind.HOLIDAY:
                return False
            if kind == CalendarDayKind.MAKEUP_WORKDAY:
                return True
        return day.weekday() < 5

    def years_without_schedule(self, first: dt.date, last: dt.date) -> tuple[int, ...]:
        low, high = sorted((first.year, last.year))
        return tuple(year for year in range(low, high + 1) if not self.is_official(year))


def _check_date(value: object, field: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise DomainError("日期格式不正确（应为日期，不含时间）", field=field)
    return value


def _check_count(n: object, field: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise DomainError("天数必须为整数", field=field)
    if abs(n) > MAX_SPAN:
        raise DomainError(f"天数不能超过{MAX_SPAN}", field=field)
    return n


def is_working_day(day: dt.date) -> bool:
    """True on weekdays that are not official holidays, and on official make-up working days."""
    return _Schedule().is_working_day(_check_date(day, "date"))


def add_working_days(start: dt.date, n: int) -> WorkingDayResult:
    """The n-th working day after ``start`` (``start`` itself not counted); before it when n < 0."""
    start = _check_date(start, "start")
    n = _check_count(n)
    schedule = _Schedule()
    step = dt.timedelta(days=1 if n >= 0 else -1)
    day, remaining = start, abs(n)
    while remaining:
        day += step
        if schedule.is_working_day(day):
            remaining -= 1
    missing = schedule.years_without_schedule(start, day)
    return WorkingDayResult(date=day, is_estimated=bool(missing), years_without_schedule=missing)


def add_calendar_days(start: dt.date, n: int, *, roll_to_working_day: bool = False) -> WorkingDayResult:
    """``start`` + n days. With ``roll_to_working_day`` a period ending on a day off ends on the next working
    day instead (民法典 第二百零三条: 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日)."""
    start = _check_date(start, "start")
    n = _check_count(n)
    day = start + dt.timedelta(days=n)
    if not roll_to_working_day:
        return WorkingDayResult(date=day, is_estimated=False)
    schedule = _Schedule()
    while not schedule.is_working_day(day):
        day += dt.timedelta(days=1)
    missing = schedule.years_without_schedule(start, day)
    return WorkingDayResult(date=day, is_estimated=bool(missing), years_without_schedule=missing)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end`` is before ``start``.

    The inverse of ``add_working_days``: ``working_days_between(s, add_working_days(s, n).date) == n``.
    """
    start = _check_date(start, "start")
    end = _check_date(end, "end")
    if abs((end - start).days) > MAX_SPAN * 2:
        raise DomainError("日期区间过长", field="end")
    schedule = _Schedule()
    sign = 1 if end >= start else -1
    low, high = (start, end) if sign > 0 else (end - dt.timedelta(days=1), start - dt.timedelta(days=1))
    count, day = 0, low
    while day < high:
        day += dt.timedelta(days=1)
        if schedule.is_working_day(day):
            count += 1
    return sign * count


OFFICE_OPENS = dt.time(8, 30)
OFFICE_CLOSES = dt.time(17, 30)


def office_moment(moment: dt.datetime, at: dt.time, *, forward: bool = False) -> dt.datetime:
    """``moment``'s local day at the local time ``at`` (within office hours, 08:30–17:30), moved to the nearest
    working day on or before that day (on or after it with ``forward``): where demo data and schedules that
    people act on must fall in office hours."""
    if not OFFICE_OPENS <= at <= OFFICE_CLOSES:
        raise DomainError("时间须在办公时间（08:30–17:30）内", field="at")
    schedule = _Schedule()
    day = timezone.localtime(moment).date()
    step = dt.timedelta(days=1 if forward else -1)
    for _ in range(MAX_SPAN):
        if schedule.is_working_day(day):
            break
        day += step
    return timezone.make_aware(dt.datetime.combine(day, at))


def is_office_hours(moment: dt.datetime) -> bool:
    """A working day, between 08:30 and 17:30 local time."""
    local = timezone.localtime(moment)
    return is_working_day(local.date()) and OFFICE_OPENS <= local.time().replace(tzinfo=None) <= OFFICE_CLOSES
