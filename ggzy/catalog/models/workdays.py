"""The working-day calendar: the official holiday schedule per year and its exceptional days."""

from django.conf import settings
from django.db import models

from ..choices import CalendarDayKind


class HolidayYear(models.Model):
    """年度节假日安排 — whether a year's official schedule (国务院办公厅通知) has been entered."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    is_official = models.BooleanField("已录入官方安排", default=False)
    source = models.CharField("来源", max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="录入人")
    entered_at = models.DateTimeField("录入时间", null=True, blank=True)

    class Meta:
        verbose_name = "年度节假日安排"
        verbose_name_plural = "年度节假日安排"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年节假日安排"


class CalendarDay(models.Model):
    """特殊日期 — a weekday holiday (放假) or a weekend make-up working day (调休上班)."""

    holiday_year = models.ForeignKey(HolidayYear, on_delete=models.CASCADE, related_name="days",
                                     verbose_name="年度安排")
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=CalendarDayKind.choices)
    name = models.CharField("节日", max_length=32)

    class Meta:
        verbose_name = "节假日/调休日"
        verbose_name_plural = "节假日/调休日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}（{self.get_kind_display()}）"
