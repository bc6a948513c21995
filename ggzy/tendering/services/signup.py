"""Stage 3: sign-up and bid bonds (document downloads: ``tender_documents``)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.money import number_text, yuan
from ggzy.registry.models import EntityBankAccount

from .. import policies, rules, sealing
from ..choices import LotState
from ..models import BidBond, Lot, SignUp
from ..procedures import lot_fresh, procedure_for


def signup_create(*, actor, lot: Lot) -> SignUp:
    """A bidder signs up for a published lot (any city's platform: S1)."""
    lot = lot_fresh(lot)
    if not policies.can_bid(actor):
        raise NotAllowed("只有投标人（已登记的市场主体）可以报名")
    bidder = policies.acting_entity_verified(actor)
    procedure_for(lot).require(LotState.PUBLISHED)
    now = clock.now()
    if lot.documents_sale_end and now > lot.documents_sale_end:
        raise Conflict("招标文件发售期已结束，不能报名", field="lot")
    try:
        with transaction.atomic():
            signup = SignUp.objects.create(
                lot=lot, bidder_tag=sealing.bidder_tag(lot_id=lot.pk, entity_id=bidder.pk),
                bidder_sealed=sealing.seal_small(lot, {"entity_id": bidder.pk}), signed_up_at=now)
            # Who signed up is sealed like a bid: the audit names the lot, never the bidder.
            audit_record(actor=actor, action="lot.signup", object_type="tendering.lot", object_id=str(lot.pk),
                         object_repr="投标报名", center_id=lot.project.center_id, sealed=True,
                         after={"signed_up_at": now},
                         seal_key=sealing.seal_key(lot.pk))
    except IntegrityError:
        raise Conflict("已报名该标段", field="lot") from None
    return signup


def signup_of(*, actor, lot: Lot) -> SignUp | None:
    """The acting bidder's own sign-up for ``lot`` (found by its tag), or None."""
    bidder = policies.acting_entity(actor)
    if bidder is None:
        return None
    return SignUp.objects.filter(lot=lot, bidder_tag=sealing.bidder_tag(lot_id=lot.pk, entity_id=bidder.pk)).first()


def bond_record(*, actor, lot: Lot, amount, account_number: str) -> BidBond:
    """Record the bid bond, paid from one of the bidder's registered bank accounts, at most the template's cap."""
    lot = lot_fresh(lot)
    signup = signup_of(actor=actor, lot=lot)
    if signup is None:
        raise NotAllowed("请先报名", field="lot")
    bidder = policies.acting_entity(actor)
    procedure_for(lot).require(LotState.PUBLISHED)
    value = yuan(amount, field="amount", label="保证金金额")
    if value <= 0:
        raise DomainError("保证金金额必须大于0", field="amount")
    percent = rules.period(lot.project, "bid_bond_max_percent")
    cap = (lot.estimated_price * percent / 100).quantize(value)
    if value > cap:
        raise DomainError(f"投标保证金不得超过估算价的{number_text(percent)}%（{cap:,.2f}元）", field="amount")
    account = EntityBankAccount.objects.filter(entity=bidder, account_number=(account_number or "").strip()).first()
    if account is None:
        raise DomainError("付款账户不是本单位在平台登记的基本账户", field="account_number")
    try:
        with transaction.atomic():
            sealed_account = sealing.seal_small(lot, {"bank": account.bank_name, "number": account.account_number})
            bond = BidBond.objects.create(signup=signup, amount=value, account_sealed=sealed_account,
                                          paid_at=clock.now())
            audit_record(actor=actor, action="lot.bond_record", object_type="tendering.lot", object_id=str(lot.pk),
                         object_repr="投标保证金", center_id=lot.project.center_id, sealed=True,
                         after={"paid_at": bond.paid_at},
                         seal_key=sealing.seal_key(lot.pk))
    except IntegrityError:
        raise Conflict("保证金已登记", field="amount") from None
    return bond
