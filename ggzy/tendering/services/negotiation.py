"""竞争性谈判 — after the first responses are opened, the panel negotiates with each supplier separately in rounds,
notifies every change of requirements to all suppliers in writing, then calls for final quotations (最后报价),
which are sealed like bids until the panel opens them; the lowest final price meeting the requirements is then
recommended by the evaluation (政府采购非招标采购方式管理办法 Arts. 30–35).

Final quotations are sealed to the center's opening key (the same envelope as bids), logged as sealed ledger
entries under the lot's final-quotation seal, and neither their count nor who quoted is shown before the opening.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.money import yuan
from ggzy.ledger.services import seal_lift

from .. import policies, rules, sealing
from ..choices import BidState, LotState
from ..models import (
    Bid,
    BidEvent,
    CommitteeMember,
    FinalQuotation,
    Lot,
    NegotiationRecord,
    NegotiationRound,
    RequirementChange,
)
from ..procedures import lot_fresh, procedure_for
from .bidding import bid_of

TEXT_MAX = 20_000
FINAL_TIME_KEY = "final_quotation_time_min"  # 待核实: a platform setting


def final_seal_key(lot: Lot) -> str:
    """The ledger seal of a lot's final quotations: opaque like the bids' seal, lifted only when they are opened."""
    return hashlib.sha256(f"{sealing.seal_key(lot.pk)}|final-quotations".encode()).hexdigest()


def _panel_member(actor, lot: Lot, *, chair: bool = False) -> CommitteeMember | None:
    member = (CommitteeMember.objects.filter(lot=lot, user=actor).first()
              if actor is not None and actor.is_authenticated else None)
    if chair:
        if not ((member and member.is_chair) or policies.can_publish_lot(actor, lot)):
            raise NotAllowed("只有谈判小组组长或本中心工作人员可以进行此操作")
    elif member is None:
        raise NotAllowed("您不是本项目谈判小组成员")
    return member


def _negotiation_lot(lot: Lot, *states: str) -> Lot:
    lot = lot_fresh(lot)
    procedure = procedure_for(lot)
    if not procedure.allows(LotState.OPENING, LotState.NEGOTIATING) or procedure.takes_sealed_responses is False:
        raise Conflict(f"{procedure.label}没有谈判轮次和最后报价", field="lot")
    procedure.require(*states)
    return lot


def _text(value: str, field: str, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(f"{label}不能为空", field=field)
    if len(text) > TEXT_MAX:
        raise DomainError(f"{label}不得超过{TEXT_MAX}字", field=field)
    return text


def suppliers_in_negotiation(lot: Lot) -> list[Bid]:
    """The responses still in the negotiation (opened at the first opening and not rejected)."""
    return list(lot.bids.filter(state=BidState.OPENED).select_related("bidder").order_by("arrived_at", "pk"))


def current_round(lot: Lot) -> NegotiationRound | None:
    return lot.negotiation_rounds.filter(closed_at__isnull=True).order_by("-number").first()


def negotiation_round_open(*, actor, lot: Lot) -> NegotiationRound:
    """A panel member starts the next round (the previous one ends)."""
    lot = _negotiation_lot(lot, LotState.NEGOTIATING)
    _panel_member(actor, lot)
    now = clock.now()
    with transaction.atomic():
        locked = Lot.objects.select_for_update().select_related("project").get(pk=lot.pk)
        last = locked.negotiation_rounds.order_by("-number").first()
        if last is not None and last.closed_at is None:
            last.closed_at = now
            last.save(update_fields=["closed_at"])
        row = NegotiationRound.objects.create(lot=locked, number=(last.number + 1) if last else 1, opened_at=now)
        audit_record(actor=actor, action="negotiation.round_open", obj=row, center_id=locked.project.center_id,
                     after={"round": row.number})
    return row


def negotiation_record(*, actor, lot: Lot, bid_id: int, minutes: str) -> NegotiationRecord:
    """The panel's record of its session with one supplier in the current round (suppliers negotiate apart)."""
    lot = _negotiation_lot(lot, LotState.NEGOTIATING)
    _panel_member(actor, lot)
    text = _text(minutes, "minutes", "谈判纪要")
    bid = lot.bids.filter(pk=bid_id, state=BidState.OPENED).first()
    if bid is None:
        raise DomainError("该供应商不在本轮谈判中", field="bid_id")
    row = current_round(lot)
    if row is None:
        raise Conflict("请先开始谈判轮次", field="round")
    if NegotiationRecord.objects.filter(round=row, bid=bid).exists():
        raise Conflict(f"第{row.number}轮已有与该供应商的谈判记录", field="bid_id")
    with transaction.atomic():
        record = NegotiationRecord.objects.create(round=row, bid=bid, minutes=text, recorded_at=clock.now(),
                                                  recorded_by=actor)
        audit_record(actor=actor, action="negotiation.record", obj=record, center_id=lot.project.center_id,
                     after={"round": row.number, "bid": bid.pk,
                            "minutes_sha256": hashlib.sha256(text.encode()).hexdigest()})
    return record


def requirement_change_issue(*, actor, lot: Lot, text: str) -> RequirementChange:
    """A change of the technical, service or contract requirements: confirmed by the panel and notified in writing
    to every supplier still in the negotiation (74号令 Art. 32); one record per change, naming who was told."""
    lot = _negotiation_lot(lot, LotState.NEGOTIATING)
    _panel_member(actor, lot)
    body = _text(text, "text", "变动内容")
    row = current_round(lot)
    if row is None:
        raise Conflict("请先开始谈判轮次", field="round")
    suppliers = suppliers_in_negotiation(lot)
    with transaction.atomic():
        change = RequirementChange.objects.create(
            lot=lot, round=row, text=body, sha256=hashlib.sha256(body.encode()).hexdigest(), issued_at=clock.now(),
            issued_by=actor, notified=[b.pk for b in suppliers])
        audit_record(actor=actor, action="negotiation.requirement_change", obj=change,
                     center_id=lot.project.center_id,
                     after={"round": row.number, "sha256": change.sha256, "notified": change.notified})
    return change


def final_quotation_call(*, actor, lot: Lot, deadline: dt.datetime) -> Lot:
    """The chair ends the negotiation and asks every supplier for its final quotation by ``deadline``."""
    lot = _negotiation_lot(lot, LotState.NEGOTIATING)
    _panel_member(actor, lot, chair=True)
    now = clock.now()
    if deadline is None or deadline <= now:
        raise DomainError("最后报价截止时间须晚于当前时间", field="deadline")
    if rules.period_optional(lot.project, FINAL_TIME_KEY) is not None \
            and deadline < rules.after(lot.project, FINAL_TIME_KEY, now):
        raise DomainError(f"最后报价截止时间距现在不得少于{rules.describe(lot.project, FINAL_TIME_KEY)}"
                          "（项目流程模板）", field="deadline")
    if not lot.negotiation_rounds.exists():
        raise Conflict("尚未进行谈判，不能要求最后报价", field="round")
    with transaction.atomic():
        locked = Lot.objects.select_for_update().select_related("project").get(pk=lot.pk)
        locked.negotiation_rounds.filter(closed_at__isnull=True).update(closed_at=now)
        locked.final_quote_deadline = deadline
        locked.save(update_fields=["final_quote_deadline"])
        procedure_for(locked).transition(actor=actor, to=LotState.FINAL_QUOTING, reason="要求供应商提交最后报价")
    return locked


def final_quotation_submit(*, actor, lot: Lot, total_price) -> FinalQuotation:
    """A supplier in the negotiation submits its final quotation, once, before the deadline; it is sealed at once."""
    lot = lot_fresh(lot)
    if not policies.can_bid(actor):
        raise NotAllowed("只有供应商可以提交最后报价")
    bid = bid_of(actor=actor, lot=lot)
    if bid is None or bid.state != BidState.OPENED:
        raise NotAllowed("本单位不在本项目的谈判中", field="lot")
    price = yuan(total_price, field="total_price", label="最后报价")
    if price <= 0:
        raise DomainError("最后报价必须大于0", field="total_price")
    sealed = sealing.seal_large(lot, json.dumps({"total_price": str(price)}).encode())
    try:
        return _final_quotation_store(actor=actor, lot=lot, bid=bid, sealed=sealed)
    except _ArrivedLate:
        # the refusal is logged (its arrival time kept, as for a late bid), outside the rolled-back transaction
        BidEvent.objects.create(lot=lot, bidder_tag=bid.bidder_tag, kind="refused_late", at=clock.now(),
                                detail="最后报价截止后递交")
        raise Conflict("已过最后报价截止时间，最后报价不予接收", field="final_quote_deadline") from None


class _ArrivedLate(Exception):
    """The final quotation arrived at or after its deadline."""


def _final_quotation_store(*, actor, lot: Lot, bid: Bid, sealed: bytes) -> FinalQuotation:
    with transaction.atomic():
        locked = Lot.objects.select_for_update().select_related("project__center").get(pk=lot.pk)
        arrived = clock.now()
        if locked.state == LotState.FINAL_QUOTING and (locked.final_quote_deadline is None
                                                        or arrived >= locked.final_quote_deadline):
            raise _ArrivedLate
        procedure_for(locked).require(LotState.FINAL_QUOTING)
        if FinalQuotation.objects.filter(bid=bid).exists():
            raise Conflict("最后报价已提交，不得更改", field="total_price")
        digest = hashlib.sha256(sealed).hexdigest()
        record = audit_record(actor=actor, action="negotiation.final_quotation", object_type="tendering.lot",
                              object_id=str(locked.pk), object_repr="最后报价（密封）",
                              center_id=locked.project.center_id, sealed=True, seal_key=final_seal_key(locked),
                              after={"sealed_sha256": digest, "arrived_at": arrived.astimezone(dt.UTC)})
        quotation = FinalQuotation.objects.create(lot=locked, bid=bid, sealed=sealed, sealed_sha256=digest,
                                                  arrived_at=arrived, ledger_source_id=record.pk,
                                                  first_price=bid.price)
    return quotation


def final_quotations_open(*, actor, lot: Lot, system: bool = False) -> list[FinalQuotation]:
    """After the deadline the chair (or the center) opens the final quotations: each is unsealed and becomes the
    response's price for the evaluation; a supplier that gave none is deemed to have withdrawn (74号令 Art. 33).
    ``system``: the scheduler opens them when the deadline has passed (``tasks.final_quotations_open_due``)."""
    lot = _negotiation_lot(lot, LotState.FINAL_QUOTING)
    if not system:
        _panel_member(actor, lot, chair=True)
    now = clock.now()
    if lot.final_quote_deadline is None or now < lot.final_quote_deadline:
        raise Conflict("最后报价截止时间未到，不能开启", field="final_quote_deadline")
    with transaction.atomic():
        locked = Lot.objects.select_for_update().select_related("project__center").get(pk=lot.pk)
        if locked.state != LotState.FINAL_QUOTING:  # opened meanwhile (the chair or another scheduler run)
            raise Conflict("最后报价已开启", field="state")
        rows = list(locked.final_quotations.select_related("bid").order_by("arrived_at", "pk"))
        for row in rows:
            price = yuan(json.loads(sealing.unseal_large(locked, bytes(row.sealed)))["total_price"], field="total_price",
                         label="最后报价")
            row.price, row.opened_at = price, now
            row.save(update_fields=["price", "opened_at"])
            Bid.objects.filter(pk=row.bid_id).update(price=price)
        quoted = {row.bid_id for row in rows}
        silent = [b.pk for b in suppliers_in_negotiation(locked) if b.pk not in quoted]
        Bid.objects.filter(pk__in=silent).update(state=BidState.DEEMED_WITHDRAWN)
        seal_lift(seal_key=final_seal_key(locked))
        audit_record(actor=actor, action="negotiation.final_quotations_open", obj=locked,
                     center_id=locked.project.center_id,
                     after={"opened": [{"bid": r.bid_id, "price": r.price} for r in rows], "no_quotation": silent})
        procedure_for(locked).transition(actor=actor, to=LotState.EVALUATING, reason="最后报价已开启")
    return rows
