"""Reads for the committee panels of the lot page: how the committee was formed (for the center, the supervisor
and the tenderer — never the members' names before the result is final, never anything about the bidders) and
each member's recusal desk."""

from __future__ import annotations

from dataclasses import dataclass

from ggzy.accounts.models import User

from . import masking, policies
from .choices import LotState
from .models import Lot, RecusalDeclaration
from .services.committee import bidder_names, recusal_statement, scoring_blocker


@dataclass(frozen=True)
class Appointment:
    at: str
    by: str
    reason: str
    count: int


@dataclass(frozen=True)
class FormationPanel:
    formation: object | None
    method: str
    seats: int
    size: int
    declared: int
    recused: int
    appointments: list[Appointment]
    needs: list
    can_staff: bool
    can_owner: bool
    forming: bool


def formation_panel(*, user, lot: Lot) -> FormationPanel | None:
    """The committee's formation as the center, the supervisor and the tenderer see it (None for anyone else)."""
    is_staff = policies.can_publish_lot(user, lot)
    is_owner = policies.is_project_owner(user, lot.project)
    if not (is_owner or "center" in masking.audiences(user, lot)):
        return None
    formation = getattr(lot, "committee_formation", None)
    members = list(lot.committee.values_list("user_id", flat=True))
    declared = RecusalDeclaration.objects.filter(lot=lot, recused=False, user_id__in=members).count()
    recused = RecusalDeclaration.objects.filter(lot=lot, recused=True).count()
    rows = formation.appointments if formation is not None else []
    names = {
        u.pk: u.display_name or u.username for u in User.objects.filter(pk__in=[r.get("by") for r in rows])
    }
    appointments = [
        Appointment(
            at=r.get("at", "")[:16].replace("T", " "),
            by=names.get(r.get("by"), ""),
            reason=r.get("reason", ""),
            count=len(r.get("users", [])),
        )
        for r in rows
    ]
    return FormationPanel(
        formation=formation,
        method=formation.method if formation is not None else "",
        seats=len(members),
        size=formation.size if formation is not None else 0,
        declared=declared,
        recused=recused,
        appointments=appointments,
        needs=formation.needs if formation is not None else [],
        can_staff=is_staff,
        can_owner=is_owner,
        forming=lot.state in (LotState.OPENING, LotState.EVALUATING)
        and masking.stage_reached(lot, "opening_published"),
    )


@dataclass(frozen=True)
class RecusalDesk:
    declaration: RecusalDeclaration | None
    bidder_names: list[str]
    statement: str
    blocker: str | None


def recusal_desk(*, user, lot: Lot) -> RecusalDesk | None:
    """A member's (or a recused former member's) recusal desk: the bidders' names, the statement, the decision."""
    if not getattr(user, "is_authenticated", False):
        return None
    declaration = RecusalDeclaration.objects.filter(lot=lot, user=user).first()
    if declaration is None and not lot.committee.filter(user=user).exists():
        return None
    names = bidder_names(lot)
    return RecusalDesk(
        declaration=declaration,
        bidder_names=names,
        statement=recusal_statement(lot, user) if names else "",
        blocker=scoring_blocker(lot),
    )
