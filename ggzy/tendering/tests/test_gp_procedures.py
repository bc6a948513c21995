"""Each government-procurement method is its own state machine: its table accepts its own transitions and refuses
every transition only another method has; inquiry quotations are one-time (政府采购非招标采购方式管理办法 Art. 47)."""

import datetime as dt

import pytest

from ggzy.core import clock
from ggzy.core.errors import Conflict, DomainError
from ggzy.core.models import AuditEntry
from ggzy.tendering import services
from ggzy.tendering.choices import BidState, LotState, Method
from ggzy.tendering.models import Bid, BidEvent, Lot, Project
from ggzy.tendering.procedures import procedure_class, procedure_classes, procedure_for
from ggzy.tendering.procedures.base import OPEN_TENDER_TRANSITIONS
from ggzy.tendering.services import bidding

from .conftest import bond_arrive, lot_ready

pytestmark = pytest.mark.django_db

GP_METHODS = [m for m in Method.values if procedure_class(m).is_government_procurement]
ALL_PAIRS = frozenset().union(*(cls.transitions for cls in procedure_classes()))


_codes = iter(range(1, 10**6))


def _lot(world, method: str, state: str) -> Lot:
    n = next(_codes)
    project = Project.objects.create(
        code=f"TP{n:06d}", center=world.center, region=world.region, title="测试项目",
        category_code="02", method=method, template_version_id=0, tenderer=world.tenderer_entity,
        estimated_price="100000", created_at=clock.now(), created_by=world.tenderer, state="accepted")
    return Lot.objects.create(project=project, code=f"TL{n:06d}", tender_code="T", name="包1",
                              estimated_price="100000", state=state)


def test_the_gp_methods_are_all_registered():
    assert set(GP_METHODS) == {"gp_open_tender", "gp_negotiation", "gp_consultation", "gp_inquiry",
                               "gp_single_source"}


@pytest.mark.parametrize("method", GP_METHODS)
def test_a_gp_method_refuses_every_transition_of_another_method(world, method):
    # given the method's own table and the transitions only other methods have
    own = procedure_class(method).transitions
    foreign = sorted(ALL_PAIRS - own)
    # then each foreign transition is refused and nothing changes (state, version, audit)
    for source, target in foreign:
        lot = _lot(world, method, source)
        entries = AuditEntry.objects.count()
        with pytest.raises(Conflict, match="不能变更为"):
            from django.db import transaction

            with transaction.atomic():
                procedure_for(lot).transition(actor=world.staff, to=target)
        lot.refresh_from_db()
        assert (lot.state, lot.version) == (source, 1), (method, source, target)
        assert AuditEntry.objects.count() == entries
        lot.delete()
        lot.project.delete()


@pytest.mark.parametrize("method", GP_METHODS)
def test_a_gp_method_accepts_each_transition_of_its_own_table(world, method):
    from django.db import transaction

    for source, target in sorted(procedure_class(method).transitions):
        lot = _lot(world, method, source)
        with transaction.atomic():
            procedure_for(lot).transition(actor=world.staff, to=target)
        lot.refresh_from_db()
        assert lot.state == target
        assert AuditEntry.objects.filter(action=f"lot.{source}_to_{target}", object_id=str(lot.pk)).exists()


def test_the_tables_differ_where_the_law_does():
    # open tendering keeps today's table; negotiation has rounds and final quotations; single source has no
    # sealed responses but a publicity period; inquiry goes from the opening straight to the evaluation
    negotiation = procedure_class("gp_negotiation").transitions
    single = procedure_class("gp_single_source").transitions
    inquiry = procedure_class("gp_inquiry").transitions
    assert procedure_class("gp_open_tender").transitions == OPEN_TENDER_TRANSITIONS
    assert procedure_class("works_open_tender").transitions == OPEN_TENDER_TRANSITIONS
    assert (LotState.OPENING, LotState.NEGOTIATING) in negotiation
    assert (LotState.OPENING, LotState.EVALUATING) not in negotiation
    assert (LotState.FINAL_QUOTING, LotState.EVALUATING) in negotiation
    assert (LotState.DRAFT, LotState.PUBLISHED) not in single and (LotState.DRAFT, LotState.PUBLICITY) in single
    assert (LotState.OPENING, LotState.EVALUATING) in inquiry and (LotState.OPENING, LotState.NEGOTIATING) not in inquiry


def _quote(world, lot, i, price):
    return bidding.bid_submit(actor=world.bidders[i], lot=lot, price_sheet={"total_price": price},
                              files=[bidding.IncomingFile("报价文件.pdf", [b"quotation %d" % i])])


def test_an_inquiry_quotation_cannot_be_changed_or_withdrawn(world):
    # given a published inquiry lot and one supplier's quotation
    lot = lot_ready(world, method="gp_inquiry")
    services.signup_create(actor=world.bidders[0], lot=lot)
    bond_arrive(world, lot, 0)
    bid = _quote(world, lot, 0, "98000.00")
    before = (bid.arrived_at, bid.wrapped_key, bid.modified_count)
    entries = AuditEntry.objects.count()
    # when it quotes again, or withdraws
    with pytest.raises(Conflict, match="不得更改"):
        _quote(world, lot, 0, "90000.00")
    with pytest.raises(Conflict, match="不得更改"):
        bidding.bid_withdraw(actor=world.bidders[0], lot=lot)
    # then the first quotation stands, unchanged, and nothing was logged
    bid = Bid.objects.get(pk=bid.pk)
    assert bid.state == BidState.SUBMITTED
    assert (bid.arrived_at, bid.wrapped_key, bid.modified_count) == before
    assert AuditEntry.objects.count() == entries
    assert not BidEvent.objects.filter(lot=lot, kind__in=["modify", "withdraw"]).exists()


def test_an_open_tender_bid_may_still_be_replaced(world):
    # given a works lot (today's behaviour): a bidder replaces its bid before the deadline
    lot = lot_ready(world)
    services.signup_create(actor=world.bidders[0], lot=lot)
    bond_arrive(world, lot, 0)
    _quote(world, lot, 0, "98000.00")
    bid = _quote(world, lot, 0, "90000.00")
    assert bid.modified_count == 1


@pytest.mark.parametrize("method", ["gp_inquiry", "gp_negotiation"])
def test_inquiry_and_negotiation_refuse_comprehensive_scoring(world, method):
    # when a purchaser registers an inquiry lot with comprehensive scoring
    with pytest.raises(DomainError) as refused:
        services.project_register(
            actor=world.tenderer, center=world.center, region=world.region, title="办公设备采购", method=method,
            estimated_price="500000",
            lots=[{"name": "包1", "estimated_price": "500000", "evaluation_method": "comprehensive"}])
    # then the field is named and nothing is stored
    assert "最低" in refused.value.errors["lots.0.evaluation_method"][0]
    assert not Project.objects.exists()


def test_an_inquiry_lot_defaults_to_the_lowest_price(world):
    lot = lot_ready(world, method="gp_inquiry")
    assert lot.evaluation_method == "lowest_price"
    clock.advance(dt.timedelta(days=1))
    assert procedure_for(lot).is_accepting_bids()


@pytest.mark.parametrize("method", list(Method.values))
def test_each_main_path_follows_the_methods_own_table(method):
    cls = procedure_class(method)
    path = cls.main_path
    assert all((a, b) in cls.transitions for a, b in zip(path, path[1:], strict=False)), method
