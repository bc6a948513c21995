"""政府采购 announcement windows every GP method shares (政府采购法实施条例 Arts. 43, 50; 待核实 in the template):
the result announcement within the template's working days of the result being confirmed (the panel's report
signed by all, or the single-source deal recorded) and the contract announcement within its working days of signing.
Each deadline is computed with the working-day calendar from the project's template."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from ggzy.core import clock

from . import rules
from .choices import LotState
from .models import Contract, EvaluationReport, Lot, SingleSourceDeal

RESULT_KEY = "result_notice_within"
CONTRACT_KEY = "contract_notice_within"


@dataclass(frozen=True)
class AnnouncementDeadline:
    kind: str  # "result" / "contract"
    starts_at: dt.datetime
    due: dt.datetime
    done_at: dt.datetime | None
    period: str  # "2个工作日"

    @property
    def is_overdue(self) -> bool:
        """Not published and past its deadline, or published after it."""
        if self.done_at is None:
            return clock.now() > self.due
        return self.done_at > self.due


def _result_confirmed_at(lot: Lot) -> dt.datetime | None:
    report = EvaluationReport.objects.filter(lot=lot).only("completed_at").first()
    if report is not None and report.completed_at is not None:
        return report.completed_at
    deal = SingleSourceDeal.objects.filter(lot=lot).only("concluded_at").first()
    return deal.concluded_at if deal is not None else None


def announcement_deadlines(lot: Lot) -> list[AnnouncementDeadline]:
    """The lot's result and contract announcement deadlines that have started (empty outside GP templates)."""
    project = lot.project
    out: list[AnnouncementDeadline] = []
    if rules.period_optional(project, RESULT_KEY) is not None:
        confirmed = _result_confirmed_at(lot)
        if confirmed is not None:
            out.append(AnnouncementDeadline(kind="result", starts_at=confirmed,
                                            due=rules.after(project, RESULT_KEY, confirmed),
                                            done_at=lot.candidates_published_at,
                                            period=rules.describe(project, RESULT_KEY)))
    contract = Contract.objects.filter(lot=lot).first()
    if contract is not None and contract.notice_due is not None:
        out.append(AnnouncementDeadline(kind="contract", starts_at=contract.recorded_at, due=contract.notice_due,
                                        done_at=contract.notice_published_at,
                                        period=rules.describe(project, CONTRACT_KEY)))
    return out


def announcements_overdue(lots: QuerySet[Lot]) -> list[tuple[Lot, AnnouncementDeadline]]:
    """Result or contract announcements not published by their deadline (for the workspace warnings)."""
    now = clock.now()
    found: list[tuple[Lot, AnnouncementDeadline]] = []
    waiting = lots.filter(state=LotState.EVALUATING, evaluation_report__completed_at__isnull=False,
                          candidates_published_at__isnull=True).select_related("project")
    for lot in waiting:
        for deadline in announcement_deadlines(lot):
            if deadline.kind == "result" and deadline.done_at is None and deadline.due < now:
                found.append((lot, deadline))
    for contract in (Contract.objects.filter(lot__in=lots, notice_published_at__isnull=True, notice_due__lt=now)
                     .select_related("lot__project")):
        if contract.notice_due is None:
            continue
        found.append((contract.lot, AnnouncementDeadline(kind="contract", starts_at=contract.recorded_at,
                                                         due=contract.notice_due, done_at=None,
                                                         period=rules.describe(contract.lot.project, CONTRACT_KEY))))
    return found
