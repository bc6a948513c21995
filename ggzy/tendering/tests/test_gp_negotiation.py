"""竞争性谈判 through the services: rounds with each supplier apart, written changes to all, sealed final
quotations refused after their time, the lowest final price recommended."""

import datetime as dt

import pytest

from ggzy.core import clock
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.models import AuditEntry
from ggzy.tendering.choices import BidState, LotState
from ggzy.tendering.models import BidEvent, FinalQuotation, Lot
from ggzy.tendering.services import evaluation, negotiation, opening, result

from .conftest import lot_ready, seat_committee
from .test_services_flow import _bid

pytestmark = pytest.mark.django_db

FIRST = ["98000.00", "96500.00", "99000.00"]


def negotiating_lot(world, *, method="gp_negotiation", lot_terms=None):
    """A lot of ``method`` (negotiation, consultation) with three opened responses and a panel of three, in its
    rounds."""
    lot = lot_ready(world, method=method, lot_terms=lot_terms)
    for i, price in enumerate(FIRST):
        _bid(world, lot, i, price)
    clock.advance(dt.timedelta(days=21, minutes=1))
    lot = opening.lot_open(actor=world.staff, lot=lot)
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    opening.opening_record_publish(actor=world.staff, lot=lot)
    seat_committee(world.staff, lot, [(e, "expert_technical") for e in world.experts[:3]], chair=world.experts[0])
    lot = opening.opening_close(actor=world.staff, lot=lot)
    assert lot.state == LotState.NEGOTIATING
    return lot


def test_negotiation_rounds_final_quotations_and_the_lowest_final_price(world):
    # given a lot in negotiation
    lot = negotiating_lot(world)
    panel = world.experts[:3]
    bids = negotiation.suppliers_in_negotiation(lot)
    # when the panel negotiates a round with each supplier apart and changes a requirement
    negotiation.negotiation_round_open(actor=panel[0], lot=lot)
    for bid in bids:
        negotiation.negotiation_record(actor=panel[1], lot=lot, bid_id=bid.pk, minutes="就交货期和售后服务进行谈判")
    with pytest.raises(Conflict, match="已有与该供应商"):
        negotiation.negotiation_record(actor=panel[1], lot=lot, bid_id=bids[0].pk, minutes="again")
    change = negotiation.requirement_change_issue(actor=panel[0], lot=lot, text="交货期由30日调整为20日")
    assert sorted(change.notified) == sorted(b.pk for b in bids)  # every supplier told in writing
    second = negotiation.negotiation_round_open(actor=panel[0], lot=lot)
    assert second.number == 2 and lot.negotiation_rounds.get(number=1).closed_at is not None
    # and the chair asks for final quotations
    with pytest.raises(NotAllowed):
        negotiation.final_quotation_call(actor=panel[1], lot=lot, deadline=clock.now() + dt.timedelta(hours=2))
    negotiation.final_quotation_call(actor=panel[0], lot=lot, deadline=clock.now() + dt.timedelta(hours=2))
    for i, price in [(0, "91000.00"), (1, "93000.00")]:  # supplier 2 gives none
        negotiation.final_quotation_submit(actor=world.bidders[i], lot=lot, total_price=price)
    # then a second final quotation is refused, and nothing shows a price before the opening
    with pytest.raises(Conflict, match="不得更改"):
        negotiation.final_quotation_submit(actor=world.bidders[0], lot=lot, total_price="80000")
    assert all(q.price is None for q in FinalQuotation.objects.all())
    entry = AuditEntry.objects.filter(action="negotiation.final_quotation").first()
    assert entry is not None and "91000" not in str(entry.after)
    with pytest.raises(Conflict, match="截止时间未到"):
        negotiation.final_quotations_open(actor=panel[0], lot=lot)
    # after the deadline, a late one is refused and logged
    clock.advance(dt.timedelta(hours=2))
    with pytest.raises(Conflict, match="已过最后报价截止时间"):
        negotiation.final_quotation_submit(actor=world.bidders[2], lot=lot, total_price="85000")
    assert BidEvent.objects.filter(lot=lot, kind="refused_late").count() == 1
    opened = negotiation.final_quotations_open(actor=panel[0], lot=lot)
    assert sorted(str(q.price) for q in opened) == ["91000.00", "93000.00"]
    lot = Lot.objects.get(pk=lot.pk)
    assert lot.state == LotState.EVALUATING
    assert lot.bids.get(pk=bids[2].pk).state == BidState.DEEMED_WITHDRAWN
    # the panel confirms both meet the requirements: the lowest final price is recommended
    for member in panel:
        for bid in lot.bids.filter(state=BidState.OPENED):
            evaluation.score_submit(actor=member, bid=bid, is_qualified=True)
    report = evaluation.report_generate(actor=panel[0], lot=lot)
    assert report.ranking[0]["price"] == "91000.00"
    for member in panel:
        evaluation.report_sign(actor=member, lot=lot)
    result.candidates_publish(actor=world.tenderer, lot=lot)
    assert Lot.objects.get(pk=lot.pk).state == LotState.CANDIDATES


def test_negotiation_refuses_what_the_law_refuses(world):
    lot = negotiating_lot(world)
    panel = world.experts[:3]
    # a requirement change or record before any round, an empty text, a stranger, a past deadline
    with pytest.raises(Conflict, match="请先开始谈判轮次"):
        negotiation.requirement_change_issue(actor=panel[0], lot=lot, text="变更")
    with pytest.raises(Conflict, match="尚未进行谈判"):
        negotiation.final_quotation_call(actor=panel[0], lot=lot, deadline=clock.now() + dt.timedelta(hours=1))
    negotiation.negotiation_round_open(actor=panel[0], lot=lot)
    with pytest.raises(DomainError) as empty:
        negotiation.requirement_change_issue(actor=panel[0], lot=lot, text="  ")
    assert "text" in empty.value.errors
    with pytest.raises(NotAllowed):
        negotiation.negotiation_round_open(actor=world.experts[5], lot=lot)
    with pytest.raises(DomainError) as past:
        negotiation.final_quotation_call(actor=panel[0], lot=lot, deadline=clock.now() - dt.timedelta(minutes=1))
    assert "deadline" in past.value.errors
    # a final quotation before it is asked for, and a hostile number once it is
    with pytest.raises(Conflict):
        negotiation.final_quotation_submit(actor=world.bidders[0], lot=lot, total_price="90000")
    negotiation.final_quotation_call(actor=panel[0], lot=lot, deadline=clock.now() + dt.timedelta(hours=1))
    for hostile in ["1e400", "NaN", "1e20", "abc"]:
        with pytest.raises(DomainError) as refused:
            negotiation.final_quotation_submit(actor=world.bidders[0], lot=lot, total_price=hostile)
        assert "total_price" in refused.value.errors
    assert not FinalQuotation.objects.exists()
    # a supplier that did not respond in the first round cannot quote
    with pytest.raises(NotAllowed):
        negotiation.final_quotation_submit(actor=world.bidders[3], lot=lot, total_price="90000")


def test_an_inquiry_lot_has_no_negotiation(world):
    lot = lot_ready(world, method="gp_inquiry")
    with pytest.raises(Conflict, match="没有谈判轮次"):
        negotiation.negotiation_round_open(actor=world.experts[0], lot=lot)
