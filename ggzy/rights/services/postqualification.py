"""Qualification after winning (资格后审, 竞得后资格审查; issue 15 item 2): under a listing whose announcement states it
(within what the template allows, ``listing_create``), a received deposit admits the bidder at once (``registration
.admit_if_ready``: 资格待审); at the close of a sale the winner's qualification waits for the center's check
(``RightsWinnerReview``, made by ``results.results_prepare``) and the deal confirmation cannot be confirmed before it
passes.

Approval: the winner's registration is qualified and its deposit turns into payment — the normal path. Refusal (the
reason is required and published): the sale is void (the procedure's outcome table, 成交 → 竞得无效), the winner's
deposit is not refunded (settlement ``forfeit``; a rule of the listing's announcement — 待核实 as a national rule,
docs/rights.md), the others' deposits are refunded as after any close, and the 竞得无效公告 goes to the portal once.
One decision per listing, under the listing's row lock, by the listing's own center."""

from __future__ import annotations

from django.db import transaction

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed

from .. import procedures
from ..choices import ListingOutcome
from ..models import RightsSettlement, RightsWinnerReview, SettlementKind
from .common import hall_changed, listing_locked
from .publicity import void_publish

REASON_MAX = 200


def winner_qualification_decide(*, actor, listing_id: int, approve: object, reason: str = "") -> RightsWinnerReview:
    """The center decides the winner's qualification after winning, once: approve, or refuse with the reason."""
    if not isinstance(approve, bool):
        raise DomainError("请选择审查结论（通过或不通过）", field="approve")
    reason = reason.strip() if isinstance(reason, str) else ""
    if not approve and not reason:
        raise DomainError("资格审查不通过的，请填写未通过原因（将在竞得无效公告中公布）", field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(f"未通过原因不超过{REASON_MAX}个字符", field="reason")
    if actor is None or getattr(actor, "role", None) not in (Role.CENTER_STAFF, Role.ADMIN):
        raise NotAllowed("只有交易中心工作人员可以审查竞得人资格", field="listing")
    with transaction.atomic():
        listing = listing_locked(listing_id)
        if actor.role == Role.CENTER_STAFF and actor.center_id != listing.center_id:
            raise NotAllowed("只能审查本中心项目的竞得人资格", field="listing")
        now = clock.now()  # after the lock
        review = (RightsWinnerReview.objects.select_for_update().select_related("registration")
                  .filter(listing=listing).first())
        if review is None:
            raise Conflict("本项目没有待审查的竞得人资格（未实行资格后审，或尚未成交）", field="listing")
        if not review.is_pending:
            raise Conflict("竞得人资格已审查，不能再次决定", field="approve")
        winner = review.registration
        review.is_approved, review.decided_at, review.decided_by = approve, now, actor
        review.reason = "" if approve else reason
        review.save(update_fields=["is_approved", "decided_at", "decided_by", "reason"])
        if approve:
            winner.qualified_at = now
            winner.save(update_fields=["qualified_at"])
            kind = SettlementKind.TO_PAYMENT
        else:
            winner.refusal_reason = reason
            winner.save(update_fields=["refusal_reason"])
            procedures.outcome_change(listing, ListingOutcome.VOID, now)
            listing.save(update_fields=["outcome"])
            kind = SettlementKind.FORFEIT
        if winner.deposit_amount is not None and not RightsSettlement.objects.filter(registration=winner).exists():
            RightsSettlement.objects.create(registration=winner, kind=kind, amount=winner.deposit_amount,
                                            due_on=None, created_at=now)
        audit_record(actor=actor, action="rights.winner_qualification_decided", obj=listing,
                     after={"approve": approve, "reason": review.reason, "paddle": winner.paddle,
                            "outcome": listing.outcome, "deposit": kind})
        if not approve:
            void_publish(listing, review)  # 竞得无效公告, once
        hall_changed(listing.pk)
    return review
