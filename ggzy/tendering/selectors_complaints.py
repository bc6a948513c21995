"""Reads of challenges (异议/质疑) and complaints (投诉), already scoped to the user.

The supervisor workspace lists ``complaints_open_for_supervisor(user)``. Who filed stays sealed while the lot is not
opened: a sealed row is named only once the opening has unsealed the same bidder's sign-up (its tag matches), and
never to other bidders; a documents challenge's answer is published to every signed-up bidder without its author."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ggzy.accounts.roles import Role
from ggzy.core import clock

from .choices import ChallengeState, ComplaintState, ComplaintSubject
from .models import Challenge, Complaint, Lot, SignUp
from .services import complaint_rules as cr

SEALED_LABEL = "身份保密（开标前提出）"
OPEN_COMPLAINT_STATES = (ComplaintState.FILED, ComplaintState.ACCEPTED)


@dataclass(frozen=True)
class ComplaintRow:
    """One complaint as the supervisor's list shows it: the next due date and whether it has passed."""

    id: int
    lot_id: int
    lot_code: str
    lot_name: str
    project_title: str
    center_name: str
    subject: str
    state: str
    state_label: str
    complainant: str
    filed_at: dt.datetime
    acceptance_due: dt.datetime
    decision_due: dt.datetime
    due: dt.datetime
    due_label: str
    is_overdue: bool


def complainant_names(rows) -> dict[int, str]:
    """row.pk → the complainant's name, or the sealed label (one query for all sealed rows)."""
    sealed = [r for r in rows if r.complainant_id is None]
    named = {}
    if sealed:
        lots = {r.lot_id for r in sealed}
        tags = {r.complainant_tag for r in sealed}
        for s in SignUp.objects.filter(lot_id__in=lots, bidder_tag__in=tags, bidder__isnull=False) \
                .select_related("bidder"):
            if s.bidder is not None:
                named[(s.lot_id, s.bidder_tag)] = s.bidder.name
    return {r.pk: (r.complainant.name if r.complainant is not None
                   else named.get((r.lot_id, r.complainant_tag), SEALED_LABEL)) for r in rows}


def _supervisor_scope(user) -> Q | None:
    if getattr(user, "role", None) != Role.SUPERVISOR or not getattr(user, "is_authenticated", False):
        return None
    return Q() if user.is_provincial else Q(lot__project__center_id=user.center_id)


def complaints_visible_for_supervisor(user) -> QuerySet[Complaint]:
    scope = _supervisor_scope(user)
    if scope is None:
        return Complaint.objects.none()
    return Complaint.objects.filter(scope).select_related("lot__project__center", "complainant")


def complaints_open_for_supervisor(user, *, now: dt.datetime | None = None) -> list[ComplaintRow]:
    """Open complaints (filed or accepted) of the supervisor's center (all for the province), earliest due first;
    ``due`` is the acceptance deadline while filed, the decision deadline once accepted."""
    now = now or clock.now()
    rows = list(complaints_visible_for_supervisor(user).filter(state__in=OPEN_COMPLAINT_STATES))
    names = complainant_names(rows)
    out = []
    for c in rows:
        filed = c.state == ComplaintState.FILED
        due = c.acceptance_due if filed else c.decision_due
        out.append(ComplaintRow(
            id=c.pk, lot_id=c.lot_id, lot_code=c.lot.code, lot_name=c.lot.name, project_title=c.lot.project.title,
            center_name=c.lot.project.center.name, subject=c.get_subject_display(), state=c.state,
            state_label=c.get_state_display(), complainant=names[c.pk], filed_at=c.filed_at,
            acceptance_due=c.acceptance_due, decision_due=c.decision_due, due=due,
            due_label=str(_("受理决定期限") if filed else _("处理决定期限")), is_overdue=now > due))
    return sorted(out, key=lambda r: (r.due, r.id))


def complaint_get_for_supervisor(user, complaint_id: int) -> Complaint | None:
    return complaints_visible_for_supervisor(user).filter(pk=complaint_id).first()


def challenges_for_answerer(user, lot: Lot) -> list[Challenge]:
    """Every challenge of the lot, for its tenderer/agency or the center's staff (None of them learns a sealed
    complainant: ``complainant_names`` says so)."""
    if not cr.can_answer(user, lot):
        return []
    return list(Challenge.objects.filter(lot=lot).select_related("complainant"))


def challenge_get_for_answerer(user, challenge_id: int) -> Challenge | None:
    row = Challenge.objects.select_related("lot__project__center").filter(pk=challenge_id).first()
    return row if row is not None and cr.can_answer(user, row.lot) else None


def own_challenges(user, lot: Lot) -> list[Challenge]:
    tag = cr.own_tag(user, lot)
    return list(Challenge.objects.filter(lot=lot, complainant_tag=tag)) if tag else []


def own_complaints(user, lot: Lot) -> list[Complaint]:
    tag = cr.own_tag(user, lot)
    return list(Complaint.objects.filter(lot=lot, complainant_tag=tag)) if tag else []


def own_challenge_get(user, challenge_id: int) -> Challenge | None:
    row = Challenge.objects.select_related("lot__project__center").filter(pk=challenge_id).first()
    return row if row is not None and cr.own_tag(user, row.lot) == row.complainant_tag else None


def own_complaint_get(user, complaint_id: int) -> Complaint | None:
    row = Complaint.objects.select_related("lot__project__center").filter(pk=complaint_id).first()
    return row if row is not None and cr.own_tag(user, row.lot) == row.complainant_tag else None


def published_answers(user, lot: Lot) -> list[dict]:
    """Answers to documents challenges, for every bidder signed up for the lot (and its answerers): the answer
    only — never who asked, what it wrote, nor when."""
    tag = cr.own_tag(user, lot)
    signed_up = tag is not None and SignUp.objects.filter(lot=lot, bidder_tag=tag).exists()
    if not (signed_up or cr.can_answer(user, lot)):
        return []
    rows = Challenge.objects.filter(lot=lot, subject=ComplaintSubject.DOCUMENTS, state=ChallengeState.ANSWERED) \
        .order_by("answered_at", "id")
    return [{"id": c.pk, "kind": c.get_kind_display(), "answer": c.answer,
             "answered_on": c.answered_at.date() if c.answered_at else None} for c in rows]
