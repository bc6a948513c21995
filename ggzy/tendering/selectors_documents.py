"""Reads of a lot's tender documents, scoped to the user: the list with versions, the bidder's own download
history, the versions it downloaded that were superseded, and its unread clarifications.

Before the opening nobody but the bidder itself learns who downloaded: these selectors read the download log only
through the acting user's own tags, and no selector returns a count of downloads or downloaders."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from ggzy.accounts.selectors import notification_list_visible

from . import policies, sealing
from .choices import DocumentKind
from .models import Clarification, DocumentDownload, Lot, SignUp, TenderDocument


@dataclass(frozen=True)
class DocumentRow:
    """One document as a user sees it in the list."""

    document: TenderDocument
    kind_label: str
    is_current: bool
    superseded_by_version: int | None
    is_published: bool
    can_download: bool


def _may_manage(user, lot: Lot) -> bool:
    return policies.can_prepare_lot(user, lot) or policies.can_publish_lot(user, lot)


def bidder_signed_up(*, user, lot: Lot) -> bool:
    entity = policies.acting_entity(user) if policies.can_bid(user) else None
    return entity is not None and SignUp.objects.filter(
        lot=lot, bidder_tag=sealing.bidder_tag(lot_id=lot.pk, entity_id=entity.pk)).exists()


def document_rows(*, user, lot: Lot) -> list[DocumentRow]:
    """The lot's documents, oldest first. Published ones for everybody who may see the lot (names, versions,
    sizes and hashes, as the notice publishes them); unpublished uploads only for the owner and the center.
    ``can_download`` only for a signed-up bidder."""
    manage = _may_manage(user, lot)
    documents = list(TenderDocument.objects.filter(lot=lot).order_by("id"))
    if not manage:
        documents = [d for d in documents if d.published_at is not None]
    shown = {d.pk for d in documents}
    successor = {d.supersedes_id: d for d in documents if d.supersedes_id in shown}
    downloadable = not manage and bidder_signed_up(user=user, lot=lot)
    return [DocumentRow(document=d, kind_label=str(DocumentKind(d.kind).label), is_current=d.pk not in successor,
                        superseded_by_version=successor[d.pk].version if d.pk in successor else None,
                        is_published=d.published_at is not None,
                        can_download=downloadable and d.published_at is not None) for d in documents]


def _own_downloads(*, user, lot: Lot):
    if not getattr(user, "is_authenticated", False):
        return DocumentDownload.objects.none()
    return DocumentDownload.objects.filter(lot=lot, user_tag=sealing.user_tag(lot_id=lot.pk, user_id=user.pk))


def my_downloads(*, user, lot: Lot) -> list[DocumentDownload]:
    """The acting user's own downloads of this lot's documents, newest first."""
    return list(_own_downloads(user=user, lot=lot).select_related("document").order_by("-downloaded_at", "-id"))


def my_outdated_versions(*, user, lot: Lot) -> list[tuple[TenderDocument, TenderDocument]]:
    """(version the user downloaded, the version current now) for each downloaded document since superseded."""
    downloaded = set(_own_downloads(user=user, lot=lot).values_list("document_id", flat=True))
    if not downloaded:
        return []
    published = {d.pk: d for d in TenderDocument.objects.filter(lot=lot, published_at__isnull=False)}
    successor = {d.supersedes_id: d for d in published.values() if d.supersedes_id}
    out = []
    for pk in sorted(downloaded):
        if pk not in successor or pk not in published:
            continue
        current = successor[pk]
        while current.pk in successor:
            current = successor[current.pk]
        if current.pk not in downloaded:
            out.append((published[pk], current))
    return out


def clarification_link_prefix(lot: Lot) -> str:
    return f"{reverse('tendering:lot', args=[lot.pk])}#clarification-"


def my_unread_clarifications(*, user, lot: Lot) -> list[Clarification]:
    """The clarifications of this lot the user was told of (站内消息) and has not marked read."""
    if not getattr(user, "is_authenticated", False):
        return []
    prefix = clarification_link_prefix(lot)
    links = notification_list_visible(user=user).filter(link__startswith=prefix, read_at__isnull=True) \
        .values_list("link", flat=True)
    ids = {int(link[len(prefix):]) for link in links if link[len(prefix):].isdigit()}
    return list(Clarification.objects.filter(lot=lot, pk__in=ids).order_by("published_at"))


def my_unread_clarification_counts(*, user, lots: list[Lot]) -> dict[int, int]:
    """Per lot id, how many of the lot's clarifications the user was told of and has not marked read — the same
    rule as ``my_unread_clarifications``, for many lots in two queries. Only for the user's own workspace."""
    if not getattr(user, "is_authenticated", False) or not lots:
        return {}
    prefixes = {clarification_link_prefix(lot): lot.pk for lot in lots}
    query = Q()
    for prefix in prefixes:
        query |= Q(link__startswith=prefix)
    wanted: set[tuple[int, int]] = set()
    for link in notification_list_visible(user=user).filter(query, read_at__isnull=True).values_list("link", flat=True):
        prefix, _, pk = link.rpartition("#clarification-")
        lot_id = prefixes.get(f"{prefix}#clarification-")
        if lot_id is not None and pk.isdigit():
            wanted.add((lot_id, int(pk)))
    if not wanted:
        return {}
    counts: dict[int, int] = {}
    rows = Clarification.objects.filter(lot_id__in={lot_id for lot_id, _ in wanted},
                                        pk__in={pk for _, pk in wanted}).values_list("lot_id", "pk")
    for lot_id, pk in rows:
        if (lot_id, pk) in wanted:
            counts[lot_id] = counts.get(lot_id, 0) + 1
    return counts
