"""What the center's staff (交易中心工作人员) and the supervising department (行政监督部门) have to do today.

Both lists are scoped like the rest of tendering (their center's projects; everything when provincial) and both
keep sealing: a lot before its opening appears with its time and state only — never a count of sign-ups, bids,
downloads or bonds, nor anything from which one could be counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from ggzy.core import clock

from .choices import LotState, ObjectionState, ProjectState
from .models import (
    Award,
    FairCompetitionFinding,
    Lot,
    OpeningObjection,
    Project,
    ProjectDocument,
    ResultObjection,
    TenderDocument,
)
from .selectors import lots_for_center, project_list_visible
from .selectors_gp_deadlines import announcements_overdue

# 招标投标法实施条例 Art. 44: an objection to the opening is raised at the opening and answered there and then.
OPENING_OBJECTION_RULE = "opening"
# 招标投标法实施条例 Art. 54: an objection to the candidates is answered within 3 days (the lot's template decides
# the number; ResultObjection.answer_due holds the date computed when it was raised).
RESULT_OBJECTION_RULE = "result"


@dataclass(frozen=True)
class ObjectionItem:
    """An objection waiting for its answer, with its statutory deadline (None: at the opening, there and then)."""

    lot: Lot
    kind: str  # OPENING_OBJECTION_RULE or RESULT_OBJECTION_RULE
    text: str
    raised_at: dt.datetime
    answer_due: dt.datetime | None
    is_overdue: bool


def _today_bounds() -> tuple[dt.datetime, dt.datetime]:
    start = timezone.localtime(clock.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(days=1)


def projects_to_accept(*, user) -> QuerySet[Project]:
    """Projects submitted for acceptance (受理) at the user's center, oldest first."""
    return project_list_visible(user=user).filter(state=ProjectState.SUBMITTED).order_by("created_at", "id")


def openings_today(*, user) -> QuerySet[Lot]:
    """Lots whose bid deadline (the opening) falls today, by the server clock: time and lot only."""
    start, end = _today_bounds()
    return (lots_for_center(user=user).select_related("project")
            .filter(bid_deadline__gte=start, bid_deadline__lt=end)
            .exclude(state=LotState.DRAFT).order_by("bid_deadline", "code"))


def objections_open(*, user) -> list[ObjectionItem]:
    """Open objections on the user's lots, the most urgent first (opening objections are due at once)."""
    lot_ids = lots_for_center(user=user).values("pk")
    now = clock.now()
    items = [ObjectionItem(lot=o.lot, kind=OPENING_OBJECTION_RULE, text=o.text, raised_at=o.raised_at,
                           answer_due=None, is_overdue=o.lot.state != LotState.OPENING)
             for o in OpeningObjection.objects.filter(lot_id__in=lot_ids, state=ObjectionState.OPEN)
             .select_related("lot__project")]
    items += [ObjectionItem(lot=o.lot, kind=RESULT_OBJECTION_RULE, text=o.text, raised_at=o.raised_at,
                            answer_due=o.answer_due, is_overdue=o.answer_due < now)
              for o in ResultObjection.objects.filter(lot_id__in=lot_ids, state=ObjectionState.OPEN)
              .select_related("lot__project")]
    return sorted(items, key=lambda i: (i.answer_due is not None, i.answer_due or i.raised_at))


def lots_supervised(*, user) -> QuerySet[Lot]:
    """The lots under the supervisor's watch: every published lot of its center that is not archived."""
    return (lots_for_center(user=user).select_related("project")
            .exclude(state__in=[LotState.DRAFT, LotState.ARCHIVED]).order_by("bid_deadline", "code"))


@dataclass(frozen=True)
class Warning:
    """Something a supervisor should look at, with the lot and why."""

    lot: Lot
    kind: str  # objection_overdue / contract_overdue / fair_competition / suspended / result_notice_overdue /
    #            contract_notice_overdue
    detail: str


def warnings_for_supervisor(*, user, objections: list[ObjectionItem] | None = None) -> list[Warning]:
    """Anomalies that exist now: objections past their answer deadline, contracts not signed within their deadline
    (招标投标法 Art. 46: 30 days of the award notice), fair-competition findings nobody acknowledged on a published
    lot, lots suspended by an objection."""
    today = timezone.localdate(clock.now())
    lot_ids = lots_for_center(user=user).values("pk")
    found: list[Warning] = []
    for item in objections if objections is not None else objections_open(user=user):
        if item.is_overdue:
            found.append(Warning(lot=item.lot, kind="objection_overdue", detail=item.text[:80]))
    for award in (Award.objects.filter(lot_id__in=lot_ids, contract_due__lt=today, lot__contract__isnull=True)
                  .select_related("lot__project")):
        found.append(Warning(lot=award.lot, kind="contract_overdue", detail=award.contract_due.isoformat()))
    for finding in (FairCompetitionFinding.objects
                    .filter(lot_id__in=lot_ids, acknowledged_by__isnull=True)
                    .exclude(lot__state=LotState.DRAFT).select_related("lot__project")):
        found.append(Warning(lot=finding.lot, kind="fair_competition", detail=finding.excerpt))
    # GP result / contract announcements past their working-day deadlines (政府采购法实施条例 Arts. 43, 50)
    for lot, deadline in announcements_overdue(lots_for_center(user=user)):
        found.append(Warning(lot=lot, kind=f"{deadline.kind}_notice_overdue",
                             detail=timezone.localtime(deadline.due).strftime("%Y-%m-%d %H:%M")))
    for lot in lots_for_center(user=user).select_related("project").filter(state=LotState.SUSPENDED):
        found.append(Warning(lot=lot, kind="suspended", detail=""))
    return found


def project_documents_visible(*, user, project: Project) -> QuerySet[TenderDocument]:
    """The tender documents of a project's lots, for whoever may see the project (staff reviewing it, the owner,
    the supervisor): the acceptance page lists them with their hashes."""
    if not project_list_visible(user=user).filter(pk=project.pk).exists():
        return TenderDocument.objects.none()
    return TenderDocument.objects.filter(lot__project=project).select_related("lot").order_by("lot__code", "id")


def project_submitted_documents_visible(*, user, project: Project) -> QuerySet[ProjectDocument]:
    """The documents submitted with the project for acceptance (受理材料), for whoever may see the project."""
    if not project_list_visible(user=user).filter(pk=project.pk).exists():
        return ProjectDocument.objects.none()
    return ProjectDocument.objects.filter(project=project).order_by("uploaded_at", "id")
