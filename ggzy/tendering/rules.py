"""Numbers a lot is judged by, read from the project's process-template version (never literals in code).

Keys are the catalog's (ggzy/catalog/seed/period_data.py), e.g. documents_to_deadline_min,
clarification_before_deadline_min, bid_bond_max_percent, bids_to_open_min, committee_members_min (panel_members_min
for negotiation and inquiry panels), candidates_publicity_min, objection_answer_within, contract_after_award_within.
A period's unit decides how it is counted: calendar days, or working days on the official holiday calendar.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from ggzy.catalog import calendar as work_calendar
from ggzy.catalog import selectors as catalog_selectors
from ggzy.catalog.models import TemplateVersion
from ggzy.core.errors import DomainError
from ggzy.core.money import number_text


def _version(project) -> TemplateVersion:
    cached = getattr(project, "_template_version_cache", None)
    if cached is None:
        cached = TemplateVersion.objects.select_related("template").prefetch_related("periods").get(
            pk=project.template_version_id)
        project._template_version_cache = cached
    return cached


def period(project, key: str) -> Decimal:
    """The value of ``key`` in the template version the project was created under (a clear error when absent)."""
    return catalog_selectors.period_value(_version(project), key)


def period_int(project, key: str) -> int:
    return int(period(project, key))


def period_optional(project, key: str) -> Decimal | None:
    """A number the template may leave out (e.g. the larger committee for big procurement projects)."""
    try:
        return period(project, key)
    except DomainError:
        return None


def after(project, key: str, start: dt.datetime) -> dt.datetime:
    """``start`` plus the period ``key`` in its own unit (working days follow the official calendar)."""
    row = catalog_selectors.period_get(_version(project), key)
    amount = int(row.value)
    if row.unit == "working_days":
        local = timezone.localtime(start)
        result = work_calendar.add_working_days(local.date(), amount)
        return local.replace(year=result.date.year, month=result.date.month, day=result.date.day)
    if row.unit == "hours":
        return start + dt.timedelta(hours=amount)
    if row.unit == "minutes":
        return start + dt.timedelta(minutes=amount)
    return start + dt.timedelta(days=amount)


def describe(project, key: str) -> str:
    """“20日” / “3个工作日” for messages."""
    row = catalog_selectors.period_get(_version(project), key)
    return f"{number_text(row.value)}{row.get_unit_display()}"


def basis(project, key: str) -> str:
    """The legal basis the template records for ``key`` (empty when none), for messages that name the rule."""
    try:
        return catalog_selectors.period_get(_version(project), key).legal_basis
    except DomainError:
        return ""
