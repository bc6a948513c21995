"""Reads of the expert pool (the only door for pages, API and sibling apps such as tendering)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from ggzy.core import clock

from .models import Classification, Expert, ExpertStatus
from .selectors_pool import (  # noqa: F401 — the pool's reads, one door with the rest
    change_requests_pending,
    classifications_for_choice,
    conflicts_open,
    expert_change_requests,
    expert_get,
    expert_is_penalised,
    expert_performance,
    expert_ratings,
    experts_penalised_ids,
    pool_health,
    pool_import_get,
    pool_imports,
    ratings_for_subject,
    regions_for_choice,
)


def classification_with_descendants(codes: Iterable[str]) -> set[str]:
    """The given classification codes and every code below them (codes are hierarchical prefixes: A01 ⊃ A0101)."""
    wanted = {c.strip().upper() for c in codes if c and c.strip()}
    if not wanted:
        return set()
    query = Q()
    for code in wanted:
        query |= Q(code__startswith=code)
    return set(Classification.objects.filter(query, is_active=True).values_list("code", flat=True))


def experts_with_classification(codes: Iterable[str], *, only_drawable: bool = True) -> QuerySet[Expert]:
    """Experts holding any of ``codes`` (or a classification below one of them). With ``only_drawable`` (the
    default): only active, available experts (``unavailable_until`` past) — penalties are checked by the draw with
    ``experts_penalised_ids``."""
    matched = classification_with_descendants(codes)
    experts = Expert.objects.filter(classifications__classification_id__in=matched)
    if only_drawable:
        today = clock.today()
        experts = experts.filter(status=ExpertStatus.ACTIVE, available=True).filter(
            Q(unavailable_until__isnull=True) | Q(unavailable_until__lt=today)
        )
    return experts.distinct().select_related("region").order_by("id")


def expert_for_user(user) -> Expert | None:
    """The expert record of a signed-in expert user, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Expert.objects.select_related("region", "employer").filter(user=user).first()


# the draw (branch draw): its reads live in selectors_draw, re-exported here as the app's one door
from .selectors_draw import (  # noqa: E402, F401
    draw_attending_for_expert,
    draw_candidates,
    draw_confirmed_experts,
    draw_get_for,
    draw_invitations_for_expert,
    draw_is_complete,
    draw_notified,
    draw_published_document,
    draw_request_get,
    draw_rules,
    drawn_name_for_center,
    draws_visible,
)

