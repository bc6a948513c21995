"""Reads of the publication push: the changes feed and the staff views."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import MessageState, Publication, PushMessage, PushSubscriber

FEED_MAX_LIMIT = 500


def feed_page(*, offset: int, limit: int) -> list[Publication]:
    """Publications after ``offset`` in offset order. Offsets are handed out under the feed head's lock in commit
    order, so every offset a reader sees is committed and none below it can appear later (docs/adr/0015)."""
    return list(Publication.objects.filter(offset__gt=offset).order_by("offset")[:min(limit, FEED_MAX_LIMIT)])


def subscriber_list_with_counts() -> QuerySet[PushSubscriber]:
    return PushSubscriber.objects.annotate(
        pending=Count("messages", filter=Q(messages__state=MessageState.PENDING)),
        delivered=Count("messages", filter=Q(messages__state=MessageState.DELIVERED)),
        dead=Count("messages", filter=Q(messages__state=MessageState.DEAD))).order_by("name")


def dead_letters(*, limit: int = 200) -> list[PushMessage]:
    return list(PushMessage.objects.select_related("subscriber", "publication")
                .filter(state=MessageState.DEAD).order_by("subscriber__name", "seq")[:limit])
