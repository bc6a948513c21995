"""单一来源 award and contract: the negotiated price with the one supplier (and its recorded basis) becomes the
award (成交通知书) and the contract; there is no bid behind it."""

import datetime as dt

import pytest

from ggzy.core import clock
from ggzy.core.errors import Conflict
from ggzy.tendering import policies
from ggzy.tendering.choices import LotState
from ggzy.tendering.documents import award_notice_text
from ggzy.tendering.models import Award, Contract, Lot
from ggzy.tendering.selectors_opendata import lot_open_facts
from ggzy.tendering.services import result, single_source

from .test_gp_single_source import single_source_lot

pytestmark = pytest.mark.django_db


def concluded_single_source_lot(world) -> Lot:
    lot = single_source_lot(world)
    single_source.single_source_publicize(actor=world.tenderer, lot=lot,
                                          supplier_code=world.bidder_entities[0].credit_code,
                                          reasons="设备为原厂专有技术，只能由原厂提供维保服务")
    clock.advance(dt.timedelta(days=8))
    single_source.single_source_negotiation_start(actor=world.tenderer, lot=lot)
    single_source.single_source_conclude(actor=world.tenderer, lot=lot, price="860000",
                                         price_basis="近三年同型号维保合同均价及原厂报价单",
                                         minutes="与原厂协商，价格由89万元降至86万元")
    return Lot.objects.get(pk=lot.pk)


def test_single_source_deal_becomes_award_and_contract(world):
    # given a single-source lot whose negotiation is recorded and whose result notice is published
    lot = concluded_single_source_lot(world)
    supplier = world.bidder_entities[0]
    # the award waits for the result notice's period like every other method
    with pytest.raises(Conflict, match="公示期"):
        result.award_issue(actor=world.tenderer, lot=lot)
    clock.advance(dt.timedelta(days=3))
    # when the award is issued
    award = result.award_issue(actor=world.tenderer, lot=lot)
    # then it rests on the deal: the one supplier, the negotiated price, no bid
    assert award.bid is None and award.supplier == supplier and award.winner == supplier
    assert award.amount == 860000 and award.bidder_name == supplier.name
    assert Lot.objects.get(pk=lot.pk).state == LotState.AWARDED
    assert supplier.credit_code in award_notice_text(award)
    # the supplier may see the contract documents of its award
    assert policies.can_sign_document(world.bidders[0], lot, "contract") is True
    assert policies.can_sign_document(world.bidders[1], lot, "contract") is False
    # when the contract is recorded
    contract = result.contract_record(actor=world.tenderer, lot=lot, amount="860000", signed_on=clock.today(),
                                        content=b"%PDF-1.4 contract")
    assert Contract.objects.get(lot=lot) == contract and contract.amount == 860000
    assert Lot.objects.get(pk=lot.pk).state == LotState.CONTRACTED
    # the open-data facts carry the supplier's code (no bid to look it up by)
    facts = lot_open_facts(Lot.objects.get(pk=lot.pk))
    assert facts["award"]["bid_id"] is None and facts["award"]["supplier_code"] == supplier.credit_code


def test_single_source_without_a_deal_has_nothing_to_award(world):
    # given a lot still negotiating (no deal recorded)
    lot = single_source_lot(world)
    single_source.single_source_publicize(actor=world.tenderer, lot=lot,
                                          supplier_code=world.bidder_entities[0].credit_code, reasons="原厂专有技术")
    clock.advance(dt.timedelta(days=8))
    single_source.single_source_negotiation_start(actor=world.tenderer, lot=lot)
    # then no award can be issued and nothing changes
    with pytest.raises(Conflict):
        result.award_issue(actor=world.tenderer, lot=lot)
    assert not Award.objects.filter(lot=lot).exists()
    assert Lot.objects.get(pk=lot.pk).state == LotState.NEGOTIATING
