"""Tendering reads, scoped to the user."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ggzy.accounts.roles import Role

from . import policies, sealing
from .choices import LotState
from .models import Bid, Lot, Project, SignUp

PUBLIC_LOT_STATES = [s for s in LotState.values if s != LotState.DRAFT]


def project_list_visible(*, user) -> QuerySet[Project]:
    """Staff and supervisors: their center's projects (all when provincial); owners: their own; others: none."""
    qs = Project.objects.select_related("center", "region", "tenderer", "agency")
    role = getattr(user, "role", None)
    if role in (Role.CENTER_STAFF, Role.SUPERVISOR, Role.ADMIN):
        return qs if user.is_provincial else qs.filter(center_id=user.center_id)
    if role in (Role.TENDERER, Role.AGENCY):
        entity = policies.acting_entity(user)
        if entity is None:
            return qs.none()
        return qs.filter(Q(tenderer=entity) | Q(agency=entity))
    return qs.none()


def project_get_visible(*, user, project_id: int) -> Project | None:
    return project_list_visible(user=user).filter(pk=project_id).first()


def lot_list_public() -> QuerySet[Lot]:
    """Published lots (the public sees no bid information on them before the opening)."""
    return Lot.objects.filter(state__in=PUBLIC_LOT_STATES).select_related("project__center", "project__region")


def lot_get_for_user(*, user, lot_id: int) -> Lot | None:
    """A lot the user may see: any published lot, or a draft the user's project list contains."""
    lot = Lot.objects.select_related("project__center", "project__region", "project__tenderer",
                                     "project__agency").filter(pk=lot_id).first()
    if lot is None:
        return None
    if lot.state != LotState.DRAFT:
        return lot
    return lot if project_list_visible(user=user).filter(pk=lot.project_id).exists() else None


def lots_signed_up(*, user) -> list[tuple[Lot, SignUp]]:
    """The acting bidder's sign-ups, found by recomputing its per-lot tags (identities are sealed)."""
    entity = policies.acting_entity(user)
    if entity is None:
        return []
    lots = list(lot_list_public().exclude(state=LotState.ARCHIVED))
    tags = {sealing.bidder_tag(lot_id=lot.pk, entity_id=entity.pk): lot for lot in lots}
    signups = SignUp.objects.filter(bidder_tag__in=list(tags))
    return [(tags[s.bidder_tag], s) for s in signups]


def bid_for_user(*, user, lot: Lot) -> Bid | None:
    entity = policies.acting_entity(user)
    if entity is None:
        return None
    return Bid.objects.filter(lot=lot, bidder_tag=sealing.bidder_tag(lot_id=lot.pk, entity_id=entity.pk)).first()


def lots_for_expert(*, user) -> QuerySet[Lot]:
    return Lot.objects.filter(committee__user=user).select_related("project").distinct()


def lots_for_center(*, user) -> QuerySet[Lot]:
    qs = Lot.objects.select_related("project__center")
    return qs if user.is_provincial else qs.filter(project__center_id=user.center_id)
