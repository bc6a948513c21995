"""The official holiday schedules known to the ``chinese_calendar`` package, as CalendarDay rows."""

import datetime as dt

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def chinese_calendar_days() -> dict[int, list[tuple[dt.date, str, str]]]:
    """year → [(date, kind, Chinese name)]: weekday holidays and weekend make-up working days."""
    import chinese_calendar

    by_year: dict[int, list[tuple[dt.date, str, str]]] = {}
    for day, name in chinese_calendar.holidays.items():
        by_year.setdefault(day.year, [])
        if day.weekday() < 5:
            by_year[day.year].append((day, "holiday", HOLIDAY_NAMES.get(name, name)))
    for day, name in chinese_calendar.workdays.items():
        if day.weekday() >= 5:
            by_year.setdefault(day.year, []).append((day, "makeup_workday", HOLIDAY_NAMES.get(name, name)))
    return {year: sorted(days) for year, days in by_year.items()}


def calendar_source() -> str:
    import chinese_calendar

    version = getattr(chinese_calendar, "__version__", "")
    return f"国务院办公厅节假日安排通知（经 chinese_calendar {version} 导入）".replace(" ）", "）")


def calendar_seed(HolidayYear, CalendarDay, entered_at) -> None:
    """Mark each known year official and store its exceptional days (idempotent; entered years are kept)."""
    source = calendar_source()
    for year, days in chinese_calendar_days().items():
        holiday_year, created = HolidayYear.objects.get_or_create(
            year=year, defaults={"is_official": True, "source": source, "entered_at": entered_at})
        if not created:
            continue
        CalendarDay.objects.bulk_create([
            CalendarDay(holiday_year=holiday_year, date=day, kind=kind, name=name) for day, kind, name in days])
