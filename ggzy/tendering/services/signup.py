"""Stage 3: sign-up (document downloads: ``tender_documents``; bonds: ``bonds``)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, NotAllowed

from .. import policies, sealing
from ..choices import LotState
from ..models import Lot, SignUp
from ..procedures import lot_fresh, procedure_for
from .bonds import bond_open
from .credit_checks import credit_passed_sealed, credit_refuse_sealed


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
    credit_refuse_sealed(actor=actor, lot=lot, entity=bidder, behaviour="signup")  # refuses a restricted entity
    try:
        with transaction.atomic():
            credit_passed_sealed(actor=actor, lot=lot, entity=bidder, behaviour="signup")  # logged with the act
            signup = SignUp.objects.create(
                lot=lot, bidder_tag=sealing.bidder_tag(lot_id=lot.pk, entity_id=bidder.pk),
                bidder_sealed=sealing.seal_small(lot, {"entity_id": bidder.pk}), signed_up_at=now)
            bond_open(signup=signup)  # the sign-up's virtual bond sub-account
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


