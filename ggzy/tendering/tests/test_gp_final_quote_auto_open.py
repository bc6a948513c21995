"""竞争性谈判: the final-quotation deadline leaves at least the template's time (final_quotation_time_min, 待核实) and
the scheduler opens the final quotations once it has passed — once, whoever comes first."""

import datetime as dt

import pytest

from ggzy.core import clock
from ggzy.core.errors import Conflict, DomainError
from ggzy.tendering.choices import BidState, LotState
from ggzy.tendering.models import FinalQuotation, Lot
from ggzy.tendering.services import negotiation
from ggzy.tendering.tasks import final_quotations_open_due

from .test_gp_negotiation import negotiating_lot

pytestmark = pytest.mark.django_db


def test_final_quotation_deadline_from_the_template_and_automatic_opening(world):
    lot = negotiating_lot(world)
    chair = world.experts[0]
    negotiation.negotiation_round_open(actor=chair, lot=lot)
    # a deadline closer than the template's 30 minutes is refused, naming the field; nothing changes
    with pytest.raises(DomainError, match="不得少于30分钟") as refused:
        negotiation.final_quotation_call(actor=chair, lot=lot, deadline=clock.now() + dt.timedelta(minutes=10))
    assert "deadline" in refused.value.errors
    assert Lot.objects.get(pk=lot.pk).state == LotState.NEGOTIATING
    negotiation.final_quotation_call(actor=chair, lot=lot, deadline=clock.now() + dt.timedelta(minutes=30))
    negotiation.final_quotation_submit(actor=world.bidders[0], lot=lot, total_price="91000.00")
    negotiation.final_quotation_submit(actor=world.bidders[1], lot=lot, total_price="93000.00")
    # before the deadline the scheduler opens nothing
    assert final_quotations_open_due() == 0
    assert Lot.objects.get(pk=lot.pk).state == LotState.FINAL_QUOTING
    # after it, the scheduler opens them: prices set, the silent supplier deemed withdrawn, the lot to evaluation
    clock.advance(dt.timedelta(minutes=31))
    assert final_quotations_open_due() == 1
    opened = Lot.objects.get(pk=lot.pk)
    assert opened.state == LotState.EVALUATING
    assert sorted(str(q.price) for q in FinalQuotation.objects.filter(lot=lot)) == ["91000.00", "93000.00"]
    assert opened.bids.filter(state=BidState.DEEMED_WITHDRAWN).count() == 1
    # idempotent: the next run and the chair find nothing left to open
    assert final_quotations_open_due() == 0
    with pytest.raises(Conflict):
        negotiation.final_quotations_open(actor=chair, lot=lot)
