"""Bond reduction for trustworthy firms (守信激励, issue 18 item 3): where the project's template sets
``bid_bond_credit_reduction_percent`` above 0, a bidder with a reward record (守信激励) in force or credit grade A
owes the lot's bond less that share (100 waives it). The template's default is 0: no reduction.

The credit is read when the bond is checked (clock time), from ``ggzy.credit`` by the bidder's credit code (subject
kind "entity"). Nothing here is logged: the result shows only on the bidder's own bond status, so nobody learns
before the opening who bids."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_UP, Decimal

from ggzy.core.errors import NotFound
from ggzy.core.money import CENT, number_text
from ggzy.credit import evaluation as credit_evaluation
from ggzy.credit import selectors as credit_selectors
from ggzy.credit.models import Kind, SubjectKind

from .. import rules
from ..models import Lot

KEY = "bid_bond_credit_reduction_percent"


@dataclass(frozen=True)
class BondRequirement:
    full: Decimal  # the lot's bond
    required: Decimal  # what this bidder owes
    percent: Decimal  # the share waived (0 when none)
    reason: str  # why it is reduced ("" when it is not)


def _money(value: Decimal) -> str:
    return f"¥{value:,.2f}"


def _percent(lot: Lot) -> Decimal:
    value = rules.period_optional(lot.project, KEY)
    if value is None or not value.is_finite() or value <= 0:
        return Decimal(0)
    return min(value, Decimal(100))


def _trust(credit_code: str) -> str:
    """Why the firm counts as trustworthy now ("" when it does not): a reward record in force, else grade A."""
    reward = (credit_selectors.records_in_force(SubjectKind.ENTITY, credit_code).filter(kind=Kind.REWARD)
              .order_by("decided_on", "pk").first())
    if reward is not None:
        return f"守信激励记录 {reward.record_no}：{reward.title}"
    try:
        score = credit_evaluation.score_compute(SubjectKind.ENTITY, credit_code)
    except NotFound:  # no scoring model in force: no grade, so no grade-based reduction
        return ""
    return f"信用等级 A（{score['score']}分）" if score["grade"] == "A" else ""


def bond_required(*, lot: Lot, bidder) -> BondRequirement:
    """The bond ``bidder`` owes on ``lot`` now, reduced for a trustworthy firm where the template allows it."""
    full = lot.bond_amount
    none = BondRequirement(full=full, required=full, percent=Decimal(0), reason="")
    if full <= 0 or bidder is None or not getattr(bidder, "credit_code", ""):
        return none
    percent = _percent(lot)
    if percent <= 0:
        return none
    why = _trust(bidder.credit_code)
    if not why:
        return none
    required = (full * (Decimal(100) - percent) / Decimal(100)).quantize(CENT, rounding=ROUND_UP)
    if required <= 0:
        reason = f"守信激励免缴投标保证金（{why}；原应缴 {_money(full)}）"
    else:
        reason = (f"守信激励减免投标保证金 {number_text(percent)}%（{why}）：应缴 {_money(required)}，"
                  f"原应缴 {_money(full)}")
    return BondRequirement(full=full, required=required, percent=percent, reason=reason)
