"""Who may rate a lot's trading center and agency (服务评价, V1), and the call to centers' rating service.

The parties of a lot rate once its result is final (a winner awarded, the contract signed or archived, or the lot
failed after its opening): its tenderer, and each bidder whose bid stood. Before that, a rating could sway or be
read as pressure on a procedure still running, and before the opening who bid is sealed."""

from __future__ import annotations

from typing import Any

from ggzy.centers import selectors_ratings as rating_selectors
from ggzy.centers import services_ratings as rating_services
from ggzy.core.errors import DomainError, NotAllowed

from . import policies
from .choices import BidState, LotState
from .models import Bid, Lot

FINAL_STATES = (LotState.AWARDED, LotState.CONTRACTED, LotState.ARCHIVED)


def lot_result_final(lot: Lot) -> bool:
    return lot.state in FINAL_STATES or (lot.state == LotState.FAILED and lot.opened_at is not None)


def lot_rating_party(user: Any, lot: Lot) -> tuple[Any, str] | None:
    """(entity, "tenderer" | "bidder") when the user may rate this lot's center and agency; None otherwise."""
    if not lot_result_final(lot):
        return None
    entity = policies.acting_entity(user)
    if entity is None:
        return None
    if entity.pk == lot.project.tenderer_id:
        return entity, "tenderer"
    if Bid.objects.filter(lot=lot, bidder=entity).exclude(state=BidState.WITHDRAWN).exists():
        return entity, "bidder"
    return None


def lot_rating_subjects(lot: Lot) -> list[tuple[str, Any]]:
    """What a party of the lot rates: its center, and its agency when it has one."""
    subjects: list[tuple[str, Any]] = [("center", lot.project.center)]
    if lot.project.agency_id:
        subjects.append(("agency", lot.project.agency))
    return subjects


def lot_service_rate(*, actor: Any, lot: Lot, subject: str, data: dict[str, Any]):
    """A party of the lot rates its center or agency (one rating each); refused for anyone else."""
    party = lot_rating_party(actor, lot)
    if party is None:
        raise NotAllowed("只有该标段的招标人和投标人可以在结果确定后评价", field="lot")
    entity, kind = party
    targets = dict(lot_rating_subjects(lot))
    if subject not in targets:
        raise DomainError("该标段没有此评价对象", field="subject")
    return rating_services.service_rating_submit(
        actor=actor, subject=subject, center=targets[subject] if subject == "center" else None,
        agency=targets[subject] if subject == "agency" else None, subject_key=f"lot:{lot.pk}", rater_kind=kind,
        rater_entity=entity, data=data)


def lot_ratings_given(*, lot: Lot, entity: Any) -> set[str]:
    return rating_selectors.rating_given(subject_key=f"lot:{lot.pk}", rater_entity_id=entity.pk)
