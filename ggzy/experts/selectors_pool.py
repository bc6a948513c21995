"""Reads for the pool's own pages and for the draw: penalties in force, performance, pool health, imports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet

from ggzy.core import clock
from ggzy.registry.models import Region

from .models import (
    ChangeRequestStatus,
    Classification,
    ConflictStatus,
    DrawnExpert,
    DrawnState,
    Expert,
    ExpertChangeRequest,
    ExpertPenalty,
    ExpertRating,
    ExpertStatus,
    PenaltyKind,
    PoolConflict,
    PoolImport,
)

AVOIDING_KINDS = (PenaltyKind.BIDDING, PenaltyKind.CREDIT)


def _running(on_date: dt.date) -> Q:
    return Q(decided_on__lte=on_date) & (Q(until__isnull=True) | Q(until__gte=on_date))


def experts_penalised_ids(on_date: dt.date | None = None) -> set[int]:
    """Experts the draw avoids on ``on_date``: a penalty in bidding matters or a bad-credit record in force."""
    on_date = on_date or clock.today()
    return set(
        ExpertPenalty.objects.filter(_running(on_date), kind__in=AVOIDING_KINDS).values_list(
            "expert_id", flat=True
        )
    )


def expert_is_penalised(expert: Expert, on_date: dt.date | None = None) -> bool:
    on_date = on_date or clock.today()
    return expert.penalties.filter(_running(on_date), kind__in=AVOIDING_KINDS).exists()


@dataclass(frozen=True)
class Performance:
    ratings: int
    average: float | None
    attendance: float | None
    punctuality: float | None
    quality: float | None
    conduct: float | None


def expert_performance(expert: Expert) -> Performance:
    agg = ExpertRating.objects.filter(expert=expert).aggregate(
        n=Count("id"),
        attendance=Avg("attendance"),
        punctuality=Avg("punctuality"),
        quality=Avg("quality"),
        conduct=Avg("conduct"),
    )
    marks = [agg[k] for k in ("attendance", "punctuality", "quality", "conduct")]
    average = sum(marks) / 4 if agg["n"] else None
    return Performance(agg["n"], average, *marks)


def expert_ratings(expert: Expert) -> QuerySet[ExpertRating]:
    return ExpertRating.objects.filter(expert=expert).order_by("-rated_at", "-id")


def ratings_for_subject(subject_code: str) -> QuerySet[ExpertRating]:
    """The ratings given for one lot (both sides), for the lot's rating page."""
    return ExpertRating.objects.filter(subject_code=subject_code).select_related("expert")


def _pct(n: int, top: int) -> int:
    return round(100 * n / top) if top else 0


@dataclass(frozen=True)
class PoolHealth:
    total: int
    by_status: list[tuple[str, str, int, int]]  # value, label, count, pct
    by_classification: list[tuple[str, str, int, int]]  # code, name, active experts, pct
    by_city: list[tuple[str, str, int, int]]  # city name, English name, active experts, pct
    rated_last_year: int
    ratings_last_year: int
    average_rating: float | None
    penalised: int
    refusals: int | None  # None until the draw exists
    refusals_by_classification: list[tuple[str, int, int]]
    open_conflicts: int
    pending_changes: int


def pool_health() -> PoolHealth:
    """Size per classification (level 2, active experts), status, cities, activity (ratings in the last 365 days),
    penalties in force, refusals of draw invitations (when the draw's records exist)."""
    today = clock.today()
    status_counts = dict(
        Expert.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    total = sum(status_counts.values())
    top = max(status_counts.values(), default=0)
    by_status = [
        (v, str(label), status_counts.get(v, 0), _pct(status_counts.get(v, 0), top))
        for v, label in ExpertStatus.choices
    ]
    active = Expert.objects.filter(status=ExpertStatus.ACTIVE)
    per_code: dict[str, set[int]] = {}
    for expert_id, code in active.values_list("id", "classifications__classification_id"):
        if code:
            per_code.setdefault(code[:3], set()).add(expert_id)
    names = dict(Classification.objects.filter(level=2).values_list("code", "name"))
    top = max((len(v) for v in per_code.values()), default=0)
    by_classification = [
        (code, names.get(code, code), len(ids), _pct(len(ids), top)) for code, ids in sorted(per_code.items())
    ]
    cities: dict[tuple[str, str], int] = {}
    for name, name_en, level, parent_name, parent_en in active.values_list(
        "region__name", "region__name_en", "region__level", "region__parent__name", "region__parent__name_en"
    ):
        city = (name, name_en) if level == "city" else (parent_name, parent_en)
        cities[city] = cities.get(city, 0) + 1
    top = max(cities.values(), default=0)
    by_city = [(c[0], c[1], n, _pct(n, top)) for c, n in sorted(cities.items(), key=lambda kv: -kv[1])]
    since = clock.now() - dt.timedelta(days=365)
    recent = ExpertRating.objects.filter(rated_at__gte=since)
    agg = recent.aggregate(
        n=Count("id"),
        experts=Count("expert", distinct=True),
        a=Avg("attendance"),
        p=Avg("punctuality"),
        q=Avg("quality"),
        c=Avg("conduct"),
    )
    average = (agg["a"] + agg["p"] + agg["q"] + agg["c"]) / 4 if agg["n"] else None
    refusals, refusals_by = _refusals()
    return PoolHealth(
        total=total,
        by_status=by_status,
        by_classification=by_classification,
        by_city=by_city,
        rated_last_year=agg["experts"],
        ratings_last_year=agg["n"],
        average_rating=average,
        penalised=len(experts_penalised_ids(today)),
        refusals=refusals,
        refusals_by_classification=refusals_by,
        open_conflicts=PoolConflict.objects.filter(status=ConflictStatus.OPEN).count(),
        pending_changes=ExpertChangeRequest.objects.filter(status=ChangeRequestStatus.PENDING).count(),
    )


def _refusals() -> tuple[int | None, list[tuple[str, int, int]]]:
    """Refused or unanswered draw invitations, per classification asked for — read from the draw's records."""
    rows = dict(
        DrawnExpert.objects.filter(state__in=(DrawnState.REFUSED, DrawnState.TIMED_OUT))
        .values_list("need")
        .annotate(n=Count("id"))
        .values_list("need", "n")
    )
    top = max(rows.values(), default=0)
    return sum(rows.values()), [(code, n, _pct(n, top)) for code, n in sorted(rows.items())]


def pool_imports() -> QuerySet[PoolImport]:
    return PoolImport.objects.defer("content").select_related("uploaded_by").order_by("-uploaded_at", "-id")


def pool_import_get(import_id: int) -> PoolImport | None:
    return PoolImport.objects.defer("content").filter(pk=import_id).first()


def conflicts_open() -> QuerySet[PoolConflict]:
    return (
        PoolConflict.objects.filter(status=ConflictStatus.OPEN)
        .select_related("expert", "pool_import")
        .order_by("expert_id", "field", "id")
    )


def change_requests_pending() -> QuerySet[ExpertChangeRequest]:
    return (
        ExpertChangeRequest.objects.filter(status=ChangeRequestStatus.PENDING)
        .select_related("expert")
        .order_by("requested_at", "id")
    )


def expert_change_requests(expert: Expert) -> QuerySet[ExpertChangeRequest]:
    return ExpertChangeRequest.objects.filter(expert=expert).order_by("-requested_at", "-id")


def expert_get(expert_id: int) -> Expert | None:
    return Expert.objects.select_related("region").filter(pk=expert_id).first()


def classifications_for_choice() -> list[tuple[str, str, int]]:
    """Active classifications in code order with their level, for a multi-select that shows the hierarchy."""
    return list(Classification.objects.filter(is_active=True).order_by("code").values_list("code", "name", "level"))


def regions_for_choice() -> QuerySet:
    """Cities and counties an expert may be registered in (by code), in code order."""
    return Region.objects.exclude(level="province").order_by("code")
