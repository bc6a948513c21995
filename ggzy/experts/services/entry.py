"""Template numbers of the pool, from the catalog's template data (process template 00 general), never literals:
the entry checks (入库条件: expert_experience_min, expert_senior_title_required, expert_age_max) and the draw's
avoidance numbers (``RULE_KEYS``: per-employer cap, too often for the tenderer, ratings and penalties/no-shows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ggzy.catalog.choices import GENERAL_CATEGORY_CODE
from ggzy.catalog.selectors import period_get, period_value, template_version_in_force

from ..models import TitleLevel

SENIOR_LEVELS = {TitleLevel.SENIOR_FULL, TitleLevel.SENIOR_DEPUTY}


@dataclass(frozen=True)
class EntryRules:
    experience_min: int
    senior_title_required: bool
    age_max: int


def entry_rules(on_date: dt.date) -> EntryRules:
    version = template_version_in_force(
        category_code=GENERAL_CATEGORY_CODE, method="general", on_date=on_date
    )
    return EntryRules(
        experience_min=int(period_value(version, "expert_experience_min")),
        senior_title_required=period_value(version, "expert_senior_title_required") >= 1,
        age_max=int(period_value(version, "expert_age_max")),
    )


def age_on(birth_date: dt.date, on_date: dt.date) -> int:
    return (
        on_date.year - birth_date.year - ((on_date.month, on_date.day) < (birth_date.month, birth_date.day))
    )


def entry_problems(
    *,
    birth_date: dt.date,
    title_level: str,
    years_in_field: int,
    on_date: dt.date,
    rules: EntryRules | None = None,
) -> dict[str, str]:
    """Field → reason for every entry condition the person does not meet (empty: admissible)."""
    rules = rules or entry_rules(on_date)
    problems: dict[str, str] = {}
    if years_in_field < rules.experience_min:
        problems["years_in_field"] = f"从业年限不足{rules.experience_min}年（当前{years_in_field}年）"
    if rules.senior_title_required and title_level not in SENIOR_LEVELS:
        problems["title_level"] = "须具有高级职称（正高级或副高级）"
    age = age_on(birth_date, on_date)
    if age > rules.age_max:
        problems["id_number"] = f"年龄超过{rules.age_max}周岁（按身份证号码计算为{age}周岁）"
    return problems


def experts_retire_over_age(on_date: dt.date | None = None) -> int:
    """Mark experts over the age cap as retired (退出/到龄); run daily by Huey. Returns how many changed."""
    from django.db import transaction

    from ggzy.core import clock

    from ..models import Expert, ExpertStatus

    on_date = on_date or clock.today()
    age_max = entry_rules(on_date).age_max
    try:
        cutoff = on_date.replace(year=on_date.year - age_max - 1)
    except ValueError:  # 29 February
        cutoff = on_date.replace(year=on_date.year - age_max - 1, day=28)
    with transaction.atomic():
        return Expert.objects.filter(
            status__in=[ExpertStatus.ACTIVE, ExpertStatus.SUSPENDED], birth_date__lte=cutoff
        ).update(status=ExpertStatus.RETIRED, updated_at=clock.now())


RULE_KEYS = (
    "expert_draw_max_per_employer",
    "expert_draw_max_times_for_tenderer",
    "expert_draw_times_window",
    # ratings and penalties feed later draws: an average below the threshold over at least N ratings, or more
    # penalties + unanswered invitations than the limit, within the record window → avoided
    "expert_draw_rating_min",
    "expert_draw_rating_count_min",
    "expert_draw_incidents_max",
    "expert_draw_record_window",
)


def _json_number(value: Decimal) -> int | float:
    """A template number for the request's JSON record: an int when whole (all but the rating threshold), else
    the float whose repr is the 2-decimal value (read back exactly with ``Decimal(str(v))``)."""
    return int(value) if value == value.to_integral_value() else float(value)


def draw_rule_numbers(on_date: dt.date) -> dict[str, dict[str, Any]]:
    """The draw's avoidance numbers from the general process template in force on ``on_date`` (catalog template
    data, effective-dated like expert_experience_min): key → {key, label, value, unit, basis, verified}."""
    version = template_version_in_force(category_code=GENERAL_CATEGORY_CODE, method="general", on_date=on_date)
    out = {}
    for key in RULE_KEYS:
        row = period_get(version, key)
        out[key] = {
            "key": key,
            "label": row.label,
            "value": _json_number(row.value),
            "unit": row.unit,
            "basis": row.legal_basis,
            "verified": row.is_verified,
            "template_version": version.number,
        }
    return out
