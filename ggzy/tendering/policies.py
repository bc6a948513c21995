"""Who may act on a project or lot. Object scope: a center's staff act on their center's projects only."""

from __future__ import annotations

from ggzy.accounts.roles import Role
from ggzy.registry import selectors as registry_selectors
from ggzy.registry.models import MarketEntityAccount


def acting_entity(user):
    """The market entity a bidder/tenderer/agency user acts for, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    link = MarketEntityAccount.objects.select_related("entity").filter(user=user).first()
    return link.entity if link else None


def acting_entity_verified(user):
    """The entity the user acts for, when the registry has verified it (主体核验): every act that commits an
    entity (sign-up, bid, project registration) asks this, so an unverified self-registration cannot act."""
    entity = acting_entity(user)
    if entity is not None:
        registry_selectors.entity_require_verified(entity=entity)
    return entity


def is_center_staff_for(user, center) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.CENTER_STAFF and (user.is_provincial or user.center_id == center.pk)


def is_project_owner(user, project) -> bool:
    """The tenderer's or the agency's users."""
    if getattr(user, "role", None) not in (Role.TENDERER, Role.AGENCY):
        return False
    entity = acting_entity(user)
    return entity is not None and entity.pk in (project.tenderer_id, project.agency_id)


def can_register_project(user) -> bool:
    return getattr(user, "role", None) in (Role.TENDERER, Role.AGENCY) and acting_entity(user) is not None


def can_review_project(user, project) -> bool:
    return is_center_staff_for(user, project.center)


def can_prepare_lot(user, lot) -> bool:
    return is_project_owner(user, lot.project)


def can_publish_lot(user, lot) -> bool:
    return is_center_staff_for(user, lot.project.center)


def can_bid(user) -> bool:
    return getattr(user, "role", None) == Role.BIDDER and acting_entity(user) is not None


def can_sign_document(user, lot, purpose: str) -> bool:
    """The party responsible for a document (责任方): the opening record — the lot's center's staff; the evaluation
    report — each committee member; the award notice — the tenderer or agency; the contract — the tenderer or
    agency and the winning bidder; a bid — its bidder."""
    if not getattr(user, "is_authenticated", False):
        return False
    role = getattr(user, "role", None)
    if purpose == "opening_record":
        return role == Role.CENTER_STAFF and user.center_id == lot.project.center_id
    if purpose == "evaluation_report":
        return role == Role.EXPERT and lot.committee.filter(user=user).exists()
    if purpose == "award_notice":
        return is_project_owner(user, lot.project)
    if purpose == "contract":
        if is_project_owner(user, lot.project):
            return True
        award = getattr(lot, "award", None)
        entity = acting_entity(user) if role == Role.BIDDER else None
        return award is not None and entity is not None and award.winner is not None \
            and award.winner.pk == entity.pk
    if purpose == "bid":
        return can_bid(user)
    return False
