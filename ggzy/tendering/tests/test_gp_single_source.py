"""单一来源 through the services: publicity for the template's working days, objections recorded and answered, no
procurement before the publicity ends, the negotiation's price basis recorded, the result published."""

import datetime as dt

import pytest

from ggzy.core import clock
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.models import AuditEntry
from ggzy.disclosure.models import Notice
from ggzy.tendering import services
from ggzy.tendering.choices import LotState
from ggzy.tendering.models import Lot, SingleSourceDeal
from ggzy.tendering.services import single_source

pytestmark = pytest.mark.django_db


def single_source_lot(world):
    project = services.project_register(
        actor=world.tenderer, center=world.center, region=world.region, title="历城区医院专用质谱仪维保",
        method="gp_single_source", estimated_price="880000",
        lots=[{"name": "原厂维保服务", "estimated_price": "880000"}])
    services.project_accept(actor=world.staff, project=project)
    return project.lots.get()


def test_single_source_from_publicity_to_result(world):
    # given an accepted single-source lot
    lot = single_source_lot(world)
    supplier = world.bidder_entities[0]
    # when the purchaser publishes the reasons and the supplier
    publicity = single_source.single_source_publicize(actor=world.tenderer, lot=lot, supplier_code=supplier.credit_code,
                                                      reasons="设备为原厂专有技术，只能由原厂提供维保服务")
    # then the publicity lasts at least 5 working days (2026-03-02 is a Monday: it ends on Monday the 9th)
    assert publicity.ends_at.date() == dt.date(2026, 3, 9)
    notice = Notice.objects.get(pk=publicity.notice_id)
    assert supplier.name in notice.body and "5个工作日" in notice.body
    assert Lot.objects.get(pk=lot.pk).state == LotState.PUBLICITY
    # an objection is recorded; the procurement may not start before the publicity ends, nor with it unanswered
    objection = single_source.single_source_objection_raise(actor=world.bidders[1], lot=lot,
                                                            text="本公司也能提供同类维保服务")
    with pytest.raises(Conflict, match="尚未结束"):
        single_source.single_source_negotiation_start(actor=world.tenderer, lot=lot)
    clock.advance(dt.timedelta(days=7))
    with pytest.raises(Conflict, match="不在单一来源公示期内"):
        single_source.single_source_objection_raise(actor=world.bidders[2], lot=lot, text="迟到的异议")
    with pytest.raises(Conflict, match="未答复"):
        single_source.single_source_negotiation_start(actor=world.tenderer, lot=lot)
    single_source.single_source_objection_answer(actor=world.tenderer, objection=objection, is_upheld=False,
                                                 answer="经专业人员论证，该设备核心部件仅原厂可提供，异议不成立")
    single_source.single_source_negotiation_start(actor=world.tenderer, lot=lot)
    # when the negotiation is recorded with its price basis
    with pytest.raises(DomainError) as refused:
        single_source.single_source_conclude(actor=world.tenderer, lot=lot, price="1e400", price_basis="", minutes="")
    assert {"price", "price_basis", "minutes"} <= set(refused.value.errors)
    with pytest.raises(DomainError, match="预算"):
        single_source.single_source_conclude(actor=world.tenderer, lot=lot, price="900000", price_basis="x",
                                             minutes="x")
    deal = single_source.single_source_conclude(
        actor=world.tenderer, lot=lot, price="860000", price_basis="近三年同型号维保合同均价及原厂报价单",
        minutes="与原厂协商，价格由89万元降至86万元")
    # then the result is published and the lot is in its result publicity
    assert deal.price == 860000
    assert Lot.objects.get(pk=lot.pk).state == LotState.CANDIDATES
    assert Notice.objects.filter(notice_type="result", body__contains="成交金额：860,000.00元").exists()


def test_an_upheld_objection_ends_single_source(world):
    lot = single_source_lot(world)
    single_source.single_source_publicize(actor=world.tenderer, lot=lot, supplier_code=world.bidder_entities[0].credit_code,
                                          reasons="专利产品")
    objection = single_source.single_source_objection_raise(actor=world.bidders[1], lot=lot, text="非专利")
    single_source.single_source_objection_answer(actor=world.tenderer, objection=objection, is_upheld=True,
                                                 answer="经论证异议成立")
    lot = Lot.objects.get(pk=lot.pk)
    assert lot.state == LotState.FAILED and "异议成立" in lot.failure_reason
    clock.advance(dt.timedelta(days=10))
    with pytest.raises(Conflict):
        single_source.single_source_negotiation_start(actor=world.tenderer, lot=lot)


def test_single_source_refusals_change_nothing(world):
    lot = single_source_lot(world)
    entries = AuditEntry.objects.count()
    with pytest.raises(NotAllowed):
        single_source.single_source_publicize(actor=world.bidders[0], lot=lot, supplier_code="x", reasons="x")
    with pytest.raises(DomainError) as refused:
        single_source.single_source_publicize(actor=world.tenderer, lot=lot, supplier_code="9137000000000000XX",
                                              reasons=" ")
    assert set(refused.value.errors) == {"supplier_code", "reasons"}
    with pytest.raises(Conflict):  # a single-source lot has no tender notice
        services.lot_publish(actor=world.staff, lot=lot)
    assert Lot.objects.get(pk=lot.pk).state == LotState.DRAFT
    assert AuditEntry.objects.count() == entries
    assert not SingleSourceDeal.objects.exists()
