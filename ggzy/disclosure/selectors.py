"""Reads of the disclosure app, for the public and for staff."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet

from ggzy.registry.models import Center

from .models import Notice, NoticeStatus


def notice_list_public(*, q: str = "", city: str = "", category: str = "", notice_type: str = "",
                       date_from: dt.date | None = None, date_to: dt.date | None = None) -> QuerySet[Notice]:
    """Published notices, newest first, filtered; ``q`` finds every word inside titles or bodies."""
    qs = Notice.objects.filter(status=NoticeStatus.PUBLISHED).select_related("center", "region")
    for word in q.split()[:8]:
        qs = qs.filter(Q(title__icontains=word) | Q(body__icontains=word) | Q(project_code=word))
    if city:
        qs = qs.filter(center__code=city)
    if category:
        qs = qs.filter(category_code=category)
    if notice_type:
        qs = qs.filter(notice_type=notice_type)
    if date_from:
        qs = qs.filter(published_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(published_at__date__lte=date_to)
    return qs.defer("body")


def notice_get_public(*, notice_id: int) -> Notice | None:
    """A notice as the public sees it (withdrawn notices are shown with their reason)."""
    return Notice.objects.select_related("center", "region").filter(pk=notice_id).first()


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
