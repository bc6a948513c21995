"""Reads of the disclosure app, for the public and for staff."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, QuerySet
from django.utils import timezone

from ggzy.registry.models import Center

from . import search
from .models import Notice, NoticeOrigin, NoticeStatus, NoticeType
from .ocds_source import main_value, release_of, value_text

# Stages of a procedure as the portal filters notices (each notice type belongs to one).
STAGES: dict[str, tuple[str, ...]] = {
    "announcement": (NoticeType.TENDER, NoticeType.PREQUALIFICATION, NoticeType.PROCUREMENT, NoticeType.LISTING),
    "change": (NoticeType.CHANGE,),
    "publicity": (NoticeType.CANDIDATES, NoticeType.DEAL),
    "result": (NoticeType.RESULT, NoticeType.CONTRACT),
    "ended": (NoticeType.TERMINATION, NoticeType.FAILURE),
}


def notice_list_public(*, q: str = "", city: str = "", category: str = "", notice_type: str = "", stage: str = "",
                       date_from: dt.date | None = None, date_to: dt.date | None = None) -> QuerySet[Notice]:
    """Published notices, newest first, filtered; ``q`` is a full-text search (every word must be found in the
    title, body, project code, center or place — ``disclosure.search``)."""
    qs = Notice.objects.filter(status=NoticeStatus.PUBLISHED).select_related("center", "region", "origin")
    qs = search.filter_matching(qs, q)
    if city:
        qs = qs.filter(center__code=city)
    if category:
        qs = qs.filter(category_code=category)
    if notice_type:
        qs = qs.filter(notice_type=notice_type)
    if stage in STAGES:
        qs = qs.filter(notice_type__in=STAGES[stage])
    if date_from:  # local days as ranges of the indexed moment (not a date cast of it)
        qs = qs.filter(published_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(published_at__lt=_day_start(date_to + dt.timedelta(days=1)))
    return qs.defer("body")


def notice_search_public(*, q: str = "", **filters) -> search.NoticeResults:
    """``notice_list_public`` as the portal, the kiosk and the API page through it: sliced for a page and counted up
    to a cap, fast at a million notices on PostgreSQL (``search.NoticeResults``, ADR 0016)."""
    return search.NoticeResults(notice_list_public(**filters), q, unfiltered=not any(filters.values()))


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def notice_highlights(notices, q: str) -> dict[int, tuple[str, str]]:
    """notice id → (title, a window of the body) with the query's words marked, escaped (``search.highlight``)."""
    if not search.query_terms(q):
        return {}
    bodies = dict(Notice.objects.filter(pk__in=[n.pk for n in notices]).values_list("pk", "body"))
    return {n.pk: (search.highlight(n.title, q), search.snippet(bodies.get(n.pk, ""), q)) for n in notices}


def notice_get_public(*, notice_id: int) -> Notice | None:
    """A notice as the public sees it (withdrawn notices are shown with their reason)."""
    return Notice.objects.select_related("center", "region", "origin").filter(pk=notice_id).first()


def notice_list_visible(*, user) -> QuerySet[Notice]:
    """Notices a staff user manages: their center's, or all for provincial scope."""
    qs = Notice.objects.select_related("center", "region").defer("body")
    if user.is_provincial:
        return qs
    if user.center_id is None:
        return qs.none()
    return qs.filter(center_id=user.center_id)


def notice_counts_by_category(*, city: str = "") -> dict[str, int]:
    qs = Notice.objects.filter(status=NoticeStatus.PUBLISHED)
    if city:
        qs = qs.filter(center__code=city)
    return {row["category_code"]: row["n"] for row in qs.values("category_code").annotate(n=Count("id"))}


def notice_counts_by_center() -> list[tuple[Center, int]]:
    counts = dict(Notice.objects.filter(status=NoticeStatus.PUBLISHED).values_list("center_id")
                  .annotate(n=Count("id")).values_list("center_id", "n"))
    return [(c, counts.get(c.pk, 0)) for c in Center.objects.select_related("region").order_by("code")]


def centers_for_portal() -> list[Center]:
    return list(Center.objects.select_related("region").order_by("code"))


def notice_origin_of(notice: Notice) -> NoticeOrigin | None:
    """The origin of an imported notice (None for the platform's own); no query when it was selected with it."""
    try:
        return notice.origin  # type: ignore[attr-defined]  # reverse one-to-one
    except NoticeOrigin.DoesNotExist:
        return None


def notice_origin_amount(origin: NoticeOrigin) -> str:
    """The source's amount in its own currency ("16000 AMD"), as the origin kept it; "" when it has none."""
    return value_text(main_value(origin.data or {}))


def notice_ocds_release(*, notice: Notice) -> dict | None:
    """The OCDS release of an imported notice, from what its origin kept (None for the platform's own notices,
    whose open data is ``opendata.ocds``)."""
    origin = notice_origin_of(notice)
    if origin is None:
        return None
    return release_of(origin.data, source_system=origin.source_system, imported_at=origin.imported_at)
