"""Catalog models: the trading catalog, the rules list, process templates and the working-day calendar."""

from .catalog import CatalogItem, CatalogVersion, CityCatalogExtension, Consultation
from .processes import ProcessTemplate, TemplatePeriod, TemplateStep, TemplateVersion
from .rules import Rule
from .workdays import CalendarDay, HolidayYear

__all__ = [
    "CalendarDay", "CatalogItem", "CatalogVersion", "CityCatalogExtension", "Consultation", "HolidayYear",
    "ProcessTemplate", "Rule", "TemplatePeriod", "TemplateStep", "TemplateVersion",
]
