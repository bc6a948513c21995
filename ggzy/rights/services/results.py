"""Results of a closed listing (issue 15 item 6): the deal confirmation (成交确认书) both sides confirm, and what
becomes of each admitted bidder's deposit — refunded within the template's working days (``deposit_refund_within``)
to everyone but the winner, turned into part of the price for the winner.

``results_prepare`` runs in the closing transaction (``listings.record_transitions``) and is idempotent; the center
records each refund with the bank's reference (late ones are marked, not refused: the money must still go back)."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from ggzy.accounts.roles import Role
from ggzy.catalog.calendar import add_working_days
from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed, NotFound
from ggzy.core.money import format_yuan

from ..choices import ListingOutcome, ListingState, RegistrationState
from ..models import RightsConfirmation, RightsListing, RightsSettlement, RightsWinnerReview, SettlementKind
from .common import listing_locked, template_number
from .publicity import publicity_due, winner_name

REFUND_KEY = "deposit_refund_within"


def _refund_days(listing: RightsListing) -> int | None:
    try:
        return template_number(listing, REFUND_KEY)
    except DomainError:  # the template has no such number: the refund has no deadline to show
        return None


def confirmation_text(listing: RightsListing) -> str:
    winner = listing.leading
    if winner is None:
        raise Conflict("本项目没有竞得人", field="listing")
    price = format_yuan(listing.current_price) if listing.current_price is not None else "—"
    closed = timezone.localtime(listing.closed_at).strftime("%Y-%m-%d %H:%M") if listing.closed_at else "—"
    return (f"成交确认书\n项目编号：{listing.code}\n项目名称：{listing.title}\n"
            f"竞得人：{winner_name(winner)}（竞买号牌 {winner.paddle}）\n"
            f"成交价：{price}\n竞价结束时间：{closed}\n"
            "竞得人应按挂牌文件的约定签订成交确认书和合同并支付价款；竞得人的竞买保证金转作价款的一部分。"
            + ("\n本项目实行资格后审：竞得人的资格经交易机构审查通过后，方可确认本确认书；审查未通过的，竞得无效。"
               if listing.is_qualified_after_winning else ""))


def results_prepare(listing: RightsListing) -> None:
    """On the close: the deposits' settlements and, after a sale, the confirmation. Idempotent."""
    if listing.state != ListingState.CLOSED:
        return
    now = clock.now()
    days = _refund_days(listing)
    closed_on = timezone.localtime(listing.closed_at or now).date()
    due_on = add_working_days(closed_on, days).date if days is not None else None
    sold = listing.outcome == ListingOutcome.SOLD
    check_winner = sold and listing.is_qualified_after_winning  # 资格后审: the winner's check comes first
    admitted = listing.registrations.filter(state=RegistrationState.ADMITTED, settlement__isnull=True,
                                            deposit_amount__isnull=False)
    for registration in admitted:
        won = sold and registration.pk == listing.leading_id
        if won and check_winner:
            continue  # the winner's deposit waits for the check: to payment, or kept (postqualification)
        RightsSettlement.objects.create(
            registration=registration, kind=SettlementKind.TO_PAYMENT if won else SettlementKind.REFUND,
            amount=registration.deposit_amount, due_on=None if won else due_on, created_at=now)
    if sold and listing.leading_id and not RightsConfirmation.objects.filter(listing=listing).exists():
        text = confirmation_text(listing)
        RightsConfirmation.objects.create(listing=listing, text=text, created_at=now,
                                          sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    if check_winner and listing.leading_id and not RightsWinnerReview.objects.filter(listing=listing).exists():
        RightsWinnerReview.objects.create(listing=listing, registration_id=listing.leading_id, created_at=now)
    publicity_due(listing)  # 成交公示 or 流拍公告 on the portal


def confirmation_confirm(*, actor, listing_id: int) -> RightsConfirmation:
    """The winner or the grantor confirms the deal's text, once each."""
    with transaction.atomic():
        listing = listing_locked(listing_id)
        confirmation = RightsConfirmation.objects.select_for_update().filter(listing=listing).first()
        if confirmation is None:
            raise Conflict("本项目没有成交确认书（未成交或尚未结束）", field="listing")
        now = clock.now()
        if actor is not None and listing.leading is not None and actor.pk == listing.leading.bidder_id:
            side, field = "winner", "winner_confirmed_at"
        elif actor is not None and actor.pk == listing.grantor_id:
            side, field = "grantor", "grantor_confirmed_at"
        else:
            raise NotAllowed("只有竞得人和出让方可以确认成交确认书", field="listing")
        review = RightsWinnerReview.objects.filter(listing=listing).first()
        if review is not None and review.is_approved is not True:
            raise Conflict("竞得人的资格尚未通过竞得后资格审查（资格后审），暂不能确认成交确认书" if review.is_pending
                           else "竞得人未通过竞得后资格审查，竞得无效，成交确认书不能确认", field="winner_qualification")
        if getattr(confirmation, field) is not None:
            raise Conflict("您已确认过成交确认书", field="listing")
        setattr(confirmation, field, now)
        confirmation.save(update_fields=[field])
        audit_record(actor=actor, action="rights.confirmation_confirm", obj=listing,
                     after={"side": side, "sha256": confirmation.sha256})
    return confirmation


def settlement_record(*, actor, settlement_id: int, reference: str) -> RightsSettlement:
    """The center records a refund made (or the deposit turned into payment) with the bank's reference, once."""
    if actor is None or getattr(actor, "role", None) not in (Role.CENTER_STAFF, Role.ADMIN):
        raise NotAllowed("只有交易中心工作人员可以办理保证金退还", field="settlement")
    reference = (reference or "").strip()
    if not reference:
        raise DomainError("请填写银行凭证号", field="reference")
    if len(reference) > 64:
        raise DomainError("银行凭证号不得超过64个字符", field="reference")
    with transaction.atomic():
        settlement = (RightsSettlement.objects.select_for_update().select_related("registration__listing")
                      .filter(pk=settlement_id).first())
        if settlement is None:
            raise NotFound("保证金处理记录不存在", field="settlement")
        listing = settlement.registration.listing
        if actor.role == Role.CENTER_STAFF and actor.center_id != listing.center_id:
            raise NotAllowed("只能办理本中心的项目", field="settlement")
        if settlement.settled_at is not None:
            raise Conflict("该保证金已办理", field="settlement")
        settlement.settled_at, settlement.reference, settlement.settled_by = clock.now(), reference, actor
        settlement.save(update_fields=["settled_at", "reference", "settled_by"])
        audit_record(actor=actor, action="rights.settlement_record", obj=listing,
                     after={"settlement": settlement.pk, "kind": settlement.kind, "amount": settlement.amount,
                            "reference": reference, "late": is_late(settlement)})
    return settlement


def is_late(settlement: RightsSettlement, today=None) -> bool:
    """A refund settled after its due day, or still open past it."""
    if settlement.due_on is None:
        return False
    if settlement.settled_at is not None:
        return timezone.localtime(settlement.settled_at).date() > settlement.due_on
    return (today or clock.today()) > settlement.due_on
