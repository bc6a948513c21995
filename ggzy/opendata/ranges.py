"""The date range of an export: ``from`` and ``to`` as calendar days (inclusive) in the platform's time zone."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ggzy.core.errors import DomainError

MAX_DAYS = 3660  # ten years in one request; a longer range is a typo


def _day(text: str | None, field: str) -> dt.date | None:
    if text in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise DomainError(f"日期格式应为 YYYY-MM-DD：{str(text)[:20]}", field=field) from None


def export_window(date_from: str | None, date_to: str | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """[since, until) covering the days ``date_from`` … ``date_to``; either may be empty (open-ended)."""
    first, last = _day(date_from, "from"), _day(date_to, "to")
    if first and last and last < first:
        raise DomainError("结束日期不能早于开始日期", field="to")
    if first and last and (last - first).days > MAX_DAYS:
        raise DomainError(f"导出范围不能超过 {MAX_DAYS} 天", field="to")
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(first, dt.time(), tzinfo=zone) if first else None
    until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone) if last else None
    return since, until
