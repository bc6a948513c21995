"""The lot's state-machine machinery; each procedure class carries its own transition table and hooks.

A transition is allowed only if (from, to) is in the procedure's ``transitions``; it then runs
``on_<from>_to_<to>`` (if the procedure defines one), saves the new state and writes the audit entry — all inside
the caller's transaction. Deadline-driven transitions (published → opening) run in the scheduler *and* are derived
from the clock at request time (``effective_state``), so a late scheduler never lets a late bid in (Prozorro's
chronograph). Services never ask which method a lot has: they ask the procedure (``next_after_opening``,
``bid_change_refusal`` …), so each method's differences live in its class.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django.db import connection
from django.utils.translation import gettext_lazy as _

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict

from ..choices import EvaluationMethod, LotState, Method

S = LotState


@dataclass(frozen=True)
class AwardBasis:
    """What an award rests on: a bid (tendering, negotiation, inquiry) or the single-source deal (bid None)."""

    bid: Any
    entity: Any
    name: str
    amount: Decimal
    candidate: Any = None  # the published candidate the award rests on (None: the single-source deal)

# 招标投标法 / 87号令: publication → opening → evaluation → candidates (or result) → award → contract → archive.
OPEN_TENDER_TRANSITIONS: frozenset[tuple[str, str]] = frozenset({
    (S.DRAFT, S.PUBLISHED),
    (S.PUBLISHED, S.OPENING),
    (S.PUBLISHED, S.FAILED),
    (S.OPENING, S.FAILED),
    (S.OPENING, S.EVALUATING),
    (S.EVALUATING, S.CANDIDATES),
    (S.EVALUATING, S.FAILED),
    (S.CANDIDATES, S.SUSPENDED),
    (S.SUSPENDED, S.CANDIDATES),
    (S.CANDIDATES, S.AWARDED),
    (S.CANDIDATES, S.FAILED),  # every candidate refused at award (credit ban) and no further one to offer
    (S.AWARDED, S.CONTRACTED),
    (S.CONTRACTED, S.ARCHIVED),
    (S.FAILED, S.ARCHIVED),
})
# Kept for callers that read the open-tender table by its old name.
TRANSITIONS = OPEN_TENDER_TRANSITIONS


class Procedure:
    """Base procedure. Subclasses set the method, their transition table, the period keys they read and hooks."""

    method: ClassVar[str]
    label: ClassVar[str]
    # (catalog category code, catalog template method): the process template a project of this method is judged by.
    template_category: ClassVar[str] = "01"
    template_method: ClassVar[str] = "open_tender"
    transitions: ClassVar[frozenset[tuple[str, str]]] = OPEN_TENDER_TRANSITIONS
    # The states a lot passes through when nothing goes wrong (the lot page's step bar).
    main_path: ClassVar[tuple[str, ...]] = (S.DRAFT, S.PUBLISHED, S.OPENING, S.EVALUATING, S.CANDIDATES, S.AWARDED,
                                            S.CONTRACTED, S.ARCHIVED)
    # Template period keys (catalog.TemplatePeriod.key) this procedure reads; the numbers live in the template.
    committee_min_key: ClassVar[str] = "committee_members_min"
    is_government_procurement: ClassVar[bool] = False
    uses_tender_documents_sale: ClassVar[bool] = True
    # Responses (bids) go through the sealed bid path (sign-up, envelope, opening); single source has none.
    takes_sealed_responses: ClassVar[bool] = True
    # A bidder may replace or withdraw its sealed bid before the deadline (招标投标法 Art. 29); 询价 may not.
    allows_bid_changes: ClassVar[bool] = True
    # The evaluation methods the procedure admits (None: any the lot names).
    evaluation_methods: ClassVar[tuple[str, ...] | None] = None
    # A failed lot (流标): why, and what the law has follow. {minimum}/{count} come from the template and the lot.
    failure_reason_text: ClassVar[str] = "投标人少于{minimum}个（{count}个），不予开标"
    failure_followup_text: ClassVar[str] = "招标人应当依法重新招标（《招标投标法实施条例》第四十四条）。"
    # Result notices: the works form publishes candidates (公示) and then the result; see services/result.py.
    result_notice_form: ClassVar[str] = "works"
    # The result notice calls the winner 成交 (non-tender methods) rather than 中标.
    is_deal_form: ClassVar[bool] = False
    # The words of the rounds-and-final-quotations page, for methods that negotiate (None: no such page).
    negotiation_words: ClassVar[dict | None] = None

    def __init__(self, lot) -> None:
        self.lot = lot

    # -- state ---------------------------------------------------------------------------------------------
    def effective_state(self, now=None) -> str:
        """The state the clock implies now: a published lot past its deadline is already closed for bids."""
        now = now or clock.now()
        lot = self.lot
        if lot.state == S.PUBLISHED and lot.bid_deadline is not None and now >= lot.bid_deadline:
            return S.OPENING
        return lot.state

    def allows(self, source: str, to: str) -> bool:
        return (source, to) in self.transitions

    def failure_reason(self, *, minimum: int, count: int) -> str:
        return self.failure_reason_text.format(minimum=minimum, count=count)

    def failure_followup(self, *, minimum: int) -> str:
        return self.failure_followup_text.format(minimum=minimum)

    def is_accepting_bids(self, now=None) -> bool:
        return self.effective_state(now) == S.PUBLISHED

    def state_label(self, state: str):
        """The label of a lot state under this method (the status tag, the step bar, the API). Government
        procurement publishes a result notice (中标／成交结果公告: 87号令 Art. 69; 74号令 Art. 18) where
        works tendering publicises candidates, so ``candidates`` reads as that notice there."""
        if state == S.CANDIDATES and self.result_notice_form == "government":
            return _("成交结果公告") if self.is_deal_form else _("中标结果公告")
        return LotState(state).label

    # -- hooks the services call (each method overrides what differs) ----------------------------------------
    def next_after_opening(self) -> str:
        """Where the lot goes when the opening closes (open tendering: the committee evaluates)."""
        return S.EVALUATING

    def next_after_evaluation(self) -> str:
        """Where the lot goes when the signed report's result is published."""
        return S.CANDIDATES

    def bid_change_refusal(self, *, has_bid: bool) -> str | None:
        """Why the bidder may not replace or withdraw its bid now (None: it may). Deadlines are checked apart."""
        if has_bid and not self.allows_bid_changes:
            return "响应文件一经递交不得更改或撤回"
        return None

    def award_basis(self) -> AwardBasis | None:
        """What the award (中标／成交通知书) rests on: the first published candidate not refused, with its bid (None:
        nothing to award)."""
        first = (self.lot.candidates.filter(refused_at__isnull=True).order_by("rank").select_related("bid__bidder")
                 .first())
        if first is None or first.bid.bidder is None or first.bid.price is None:
            return None
        return AwardBasis(bid=first.bid, entity=first.bid.bidder, name=first.bidder_name or first.bid.bidder.name,
                          amount=first.bid.price, candidate=first)

    @classmethod
    def lot_terms_errors(cls, row: dict, *, prefix: str = "") -> dict[str, str]:
        """Problems with a lot's terms under this method (evaluation method, price weight …), by field."""
        method = row.get("evaluation_method")
        if cls.evaluation_methods is not None and method and method not in cls.evaluation_methods:
            allowed = "、".join(str(EvaluationMethod(m).label) for m in cls.evaluation_methods)
            return {prefix + "evaluation_method": f"{cls.label}只能采用{allowed}"}
        return {}

    @classmethod
    def lot_template_errors(cls, cleaned: dict, *, version, prefix: str = "") -> dict[str, str]:
        """Problems with a lot's cleaned terms against the template version's numbers (the price weight's legal
        range …), by field. None here; government procurement's scoring methods check the price weight."""
        return {}

    @classmethod
    def lot_defaults(cls) -> dict:
        """Terms a lot of this method gets when the owner does not name them."""
        return {}

    # -- transitions -----------------------------------------------------------------------------------------
    def transition(self, *, actor, to: str, reason: str = "") -> None:
        """Move the lot to ``to``; refuses transitions not in the table. Call inside the service transaction."""
        if not connection.in_atomic_block:
            raise RuntimeError("transitions run inside the service's transaction")
        lot = self.lot
        source = lot.state
        if not self.allows(source, to):
            raise Conflict(f"标段当前状态为“{LotState(source).label}”，不能变更为“{LotState(to).label}”"
                           f"（{self.label}）", field="state")
        hook = getattr(self, f"on_{source}_to_{to}", None)
        if hook is not None:
            hook(actor=actor)
        lot.state = to
        lot.version += 1
        lot.save(update_fields=["state", "version"])
        audit_record(actor=actor, action=f"lot.{source}_to_{to}", obj=lot, center_id=lot.project.center_id,
                     before={"state": source}, after={"state": to, "reason": reason} if reason else {"state": to})

    def require(self, *states: str, now=None) -> None:
        """Refuse unless the lot's effective state is one of ``states``."""
        current = self.effective_state(now)
        if current not in states:
            allowed = "、".join(str(LotState(s).label) for s in states)
            raise Conflict(f"标段当前状态为“{LotState(current).label}”，此操作仅在“{allowed}”时可进行",
                           field="state")


def lot_fresh(lot):
    """The lot as the database has it now (callers may hold a copy from before the last transition)."""
    return type(lot).objects.select_related("project__center", "project__region").get(pk=lot.pk)


_REGISTRY: dict[str, type[Procedure]] = {}


def register(cls: type[Procedure]) -> type[Procedure]:
    _REGISTRY[cls.method] = cls
    return cls


def procedure_class(method: str) -> type[Procedure]:
    """The procedure class of a method (for checks made before a lot exists, e.g. at registration)."""
    return _REGISTRY[Method(method)]


def procedure_classes() -> list[type[Procedure]]:
    return list(_REGISTRY.values())


def procedure_for(lot) -> Procedure:
    """The procedure object for a lot's project method."""
    return _REGISTRY[Method(lot.project.method)](lot)
