"""Reads of the ratings of centers and agencies: averages for supervisors, and an agency's average where a
tenderer chooses its agency."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from ggzy.accounts.roles import Role
from ggzy.registry.models import MarketEntity

from .models import RaterKind, RatingSubject, ServiceRating

FIELDS = ("compliance", "efficiency", "attitude", "transparency")


def agency_entities() -> QuerySet[MarketEntity]:
    """Registry entities acting as agency (招标代理机构): one of their logins has the agency role."""
    return MarketEntity.objects.filter(accounts__user__role=Role.AGENCY).distinct().order_by("name_sort", "name", "id")


def is_agency(entity: MarketEntity) -> bool:
    return entity.accounts.filter(user__role=Role.AGENCY).exists()


def _overall(row: dict[str, Any]) -> float | None:
    values = [row[f] for f in FIELDS if row.get(f) is not None]
    return round(sum(values) / len(values), 2) if values else None


def rating_summary(*, subject: str) -> list[dict[str, Any]]:
    """Per center (or agency): count, third-party count, average of each criterion and overall (1–5), best first."""
    key, name = ("center", "center__name") if subject == RatingSubject.CENTER else ("agency", "agency__name")
    rows = (ServiceRating.objects.filter(subject=subject).values(key, name)
            .annotate(count=Count("id"), third_party=Count("id", filter=Q(rater_kind=RaterKind.THIRD_PARTY)),
                      **{f: Avg(f) for f in FIELDS}))
    out = []
    for row in rows:
        item = {"id": row[key], "name": row[name], "count": row["count"], "third_party": row["third_party"],
                **{f: round(float(row[f]), 2) for f in FIELDS}}
        item["overall"] = _overall(item)
        item["percent"] = round((item["overall"] or 0) / 5 * 100)
        out.append(item)
    return sorted(out, key=lambda r: (-(r["overall"] or 0), r["name"]))


def agency_averages(*, entity_ids: list[int]) -> dict[int, dict[str, Any]]:
    """agency id → {"overall": float, "count": int} for agencies that have been rated."""
    rows = (ServiceRating.objects.filter(subject=RatingSubject.AGENCY, agency_id__in=entity_ids).values("agency")
            .annotate(count=Count("id"), **{f: Avg(f) for f in FIELDS}))
    return {r["agency"]: {"overall": _overall({f: float(r[f]) for f in FIELDS}), "count": r["count"]} for r in rows}


def rating_given(*, subject_key: str, rater_entity_id: int) -> set[str]:
    """Which subjects (center / agency) this entity has already rated for this lot."""
    return set(ServiceRating.objects.filter(subject_key=subject_key, rater_entity_id=rater_entity_id)
               .values_list("subject", flat=True))
