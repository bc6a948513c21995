"""The whole engineering open tender through the services, with a test clock (never sleeping)."""

import datetime as dt

import pytest

from ggzy.core import clock
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.models import AuditEntry
from ggzy.disclosure.models import Notice
from ggzy.tendering import services
from ggzy.tendering.choices import BidState, LotState
from ggzy.tendering.models import Bid, BidEvent, BondRefund, Lot
from ggzy.tendering.services import bidding, committee, evaluation, opening, result

from .conftest import TEST_DIRECT_REASON, bond_arrive, lot_ready, seat_committee

PRICES = ["7650000.00", "7480000.00", "7720000.00"]


def _bid(world, lot, i, price, content=b"technical proposal"):
    user = world.bidders[i]
    services.signup_create(actor=user, lot=lot)
    bond_arrive(world, lot, i)
    return bidding.bid_submit(actor=user, lot=lot, price_sheet={"total_price": price, "duration_days": 300},
                              files=[bidding.IncomingFile("技术标.pdf", [content])],
                              fingerprint={"mac": f"00:11:22:33:44:{i:02d}", "public_ip": "1.2.3.4"})


def test_full_open_tender(world):
    # given a published lot and three bids
    lot = lot_ready(world)
    assert lot.state == LotState.PUBLISHED and lot.notice_id
    for i, price in enumerate(PRICES):
        _bid(world, lot, i, price)
    # when the deadline passes and the center opens
    clock.advance(dt.timedelta(days=21, minutes=1))
    lot = opening.lot_open(actor=world.staff, lot=lot)
    assert lot.state == LotState.OPENING
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    record = opening.opening_record_publish(actor=world.staff, lot=lot)
    assert sorted(r["price"] for r in record.rows) == sorted(PRICES)
    objection = opening.opening_objection_raise(actor=world.bidders[2], lot=lot, text="第二名报价单未签章")
    opening.opening_objection_answer(actor=world.staff, objection=objection, answer="经核查已签章，异议不成立")
    lot = opening.opening_close(actor=world.staff, lot=lot)
    # evaluation by five members (four experts, one tenderer representative is not an expert → keep 5 experts)
    members = [(e, "expert_technical") for e in world.experts[:4]] + [(world.experts[4], "expert_economic")]
    seat_committee(world.staff, lot, members, chair=world.experts[0])
    for member, _ in members:
        for bid in lot.bids.filter(state=BidState.OPENED):
            evaluation.score_submit(actor=member, bid=bid, technical="50", commercial="10")
    report = evaluation.report_generate(actor=world.experts[0], lot=lot)
    assert report.ranking[0]["price"] == "7480000.00"  # equal technical scores: the lowest price wins
    for member, _ in members:
        evaluation.report_sign(actor=member, lot=lot)
    result.candidates_publish(actor=world.tenderer, lot=lot)
    with pytest.raises(Conflict, match="已公示"):  # once only: a second publication changes nothing
        result.candidates_publish(actor=world.staff, lot=lot)
    lot.refresh_from_db()
    assert lot.state == LotState.CANDIDATES
    # an objection suspends, its answer resumes
    o = result.result_objection_raise(actor=world.bidders[0], lot=lot, text="对评分有异议")
    lot.refresh_from_db()
    assert lot.state == LotState.SUSPENDED
    with pytest.raises(Conflict):
        result.award_issue(actor=world.tenderer, lot=lot)
    result.result_objection_answer(actor=world.tenderer, objection=o, answer="评分符合招标文件规定")
    lot.refresh_from_db()
    assert lot.state == LotState.CANDIDATES
    clock.advance(dt.timedelta(days=3, minutes=1))
    award = result.award_issue(actor=world.tenderer, lot=lot)
    assert award.bid.bidder == world.bidder_entities[1]
    lot.refresh_from_db()
    contract = result.contract_record(actor=world.tenderer, lot=lot, amount="7480000", signed_on=clock.today(),
                                      content=b"contract pdf")
    assert not contract.is_late
    # every bond falls due within 5 days of the contract's signature (DOMAIN.md; the template's number)
    assert BondRefund.objects.filter(bond__signup__lot=lot).count() == 3
    assert {r.due_on for r in BondRefund.objects.filter(bond__signup__lot=lot)} == {
        contract.signed_on + dt.timedelta(days=5)}
    package = result.archive_build(actor=world.staff, lot=lot)
    lot.refresh_from_db()
    assert lot.state == LotState.ARCHIVED
    assert {i["kind"] for i in package.manifest["items"]} >= {"招标文件", "开标记录", "评标报告", "合同"}
    assert Notice.objects.filter(project_code=lot.code, notice_type="result").exists()


def test_fewer_than_three_bids_fail_the_lot_and_retender(world):
    lot = lot_ready(world)
    _bid(world, lot, 0, PRICES[0])
    _bid(world, lot, 1, PRICES[1])
    clock.advance(dt.timedelta(days=22))
    lot = opening.lot_open(actor=None, lot=lot)
    assert lot.state == LotState.FAILED
    assert Bid.objects.filter(lot=lot, bidder__isnull=False).count() == 0  # identities never unsealed
    new = opening.lot_retender(actor=world.tenderer, lot=lot)
    assert new.state == LotState.DRAFT and new.retender_of == lot and new.code != lot.code


def test_late_bid_is_refused_and_recorded(world):
    lot = lot_ready(world)
    services.signup_create(actor=world.bidders[0], lot=lot)
    bond_arrive(world, lot, 0)
    clock.advance(dt.timedelta(days=21))  # exactly the deadline: closed
    with pytest.raises(Conflict) as err:
        bidding.bid_submit(actor=world.bidders[0], lot=lot, price_sheet={"total_price": "1"},
                           files=[bidding.IncomingFile("a.pdf", [b"x"])])
    assert "bid_deadline" in err.value.errors
    assert Bid.objects.count() == 0
    assert BidEvent.objects.filter(lot=lot, kind="refused_late").count() == 1


def test_clarification_inside_15_days_moves_the_deadline(world):
    lot = lot_ready(world)
    old = lot.bid_deadline
    clock.advance(dt.timedelta(days=10))  # 11 days before the deadline
    c = services.lot_clarify(actor=world.tenderer, lot=lot, text="第3.2条工期调整为280日历天")
    assert c.new_deadline == clock.now() + dt.timedelta(days=15) and c.new_deadline > old
    lot.refresh_from_db()
    assert lot.bid_deadline == c.new_deadline
    assert Notice.objects.filter(project_code=lot.code, notice_type="change").exists()


def test_clarification_early_keeps_the_deadline(world):
    lot = lot_ready(world)
    c = services.lot_clarify(actor=world.tenderer, lot=lot, text="补充图纸")
    assert c.new_deadline == c.old_deadline


def test_deadline_shorter_than_20_days_is_refused(world):
    project = services.project_register(actor=world.tenderer, center=world.center, region=world.region,
                                        title="道路工程", method="works_open_tender", estimated_price="100000",
                                        lots=[{"name": "一标段", "estimated_price": "100000"}])
    services.project_accept(actor=world.staff, project=project)
    lot = project.lots.get()
    with pytest.raises(DomainError) as err:
        services.lot_schedule(actor=world.tenderer, lot=lot, notice_text="公告",
                              documents_sale_end=clock.now() + dt.timedelta(days=3),
                              bid_deadline=clock.now() + dt.timedelta(days=19))
    assert {"bid_deadline", "documents_sale_end"} <= set(err.value.errors)
    lot.refresh_from_db()
    assert lot.bid_deadline is None


@pytest.mark.parametrize(("sheet", "field"), [
    pytest.param({}, "price_sheet.total_price", id="missing-total"),
    pytest.param({"total_price": "-5"}, "price_sheet.total_price", id="negative"),
    pytest.param({"total_price": "abc"}, "price_sheet.total_price", id="not-a-number"),
    pytest.param({"total_price": "1.001"}, "price_sheet.total_price", id="three-decimals"),
    pytest.param({"total_price": "1", "duration_days": 0}, "price_sheet.duration_days", id="zero-duration"),
    pytest.param("not a dict", "price_sheet", id="not-an-object"),
])
def test_malformed_price_sheet_is_refused(world, sheet, field):
    lot = lot_ready(world)
    services.signup_create(actor=world.bidders[0], lot=lot)
    bond_arrive(world, lot, 0)
    with pytest.raises(DomainError) as err:
        bidding.bid_submit(actor=world.bidders[0], lot=lot, price_sheet=sheet,
                           files=[bidding.IncomingFile("a.pdf", [b"x"])])
    assert field in err.value.errors
    assert Bid.objects.count() == 0


def test_empty_and_oversized_files_are_refused(world, settings):
    lot = lot_ready(world)
    services.signup_create(actor=world.bidders[0], lot=lot)
    bond_arrive(world, lot, 0)
    with pytest.raises(DomainError) as err:
        bidding.bid_submit(actor=world.bidders[0], lot=lot, price_sheet={"total_price": "1"},
                           files=[bidding.IncomingFile("empty.pdf", [b""])])
    assert "files.0" in err.value.errors
    settings.GGZY_BID_FILE_MAX_BYTES = 10
    with pytest.raises(DomainError) as err:
        bidding.bid_submit(actor=world.bidders[0], lot=lot, price_sheet={"total_price": "1"},
                           files=[bidding.IncomingFile("big.pdf", [b"x" * 11])])
    assert "files.0" in err.value.errors
    assert Bid.objects.count() == 0


def test_bid_modify_and_withdraw_before_deadline(world):
    lot = lot_ready(world)
    first = _bid(world, lot, 0, "100.00")
    again = bidding.bid_submit(actor=world.bidders[0], lot=lot, price_sheet={"total_price": "90.00"},
                               files=[bidding.IncomingFile("b.pdf", [b"new"])])
    assert again.pk == first.pk and again.modified_count == 1
    bidding.bid_withdraw(actor=world.bidders[0], lot=lot)
    assert Bid.objects.get(pk=first.pk).state == BidState.WITHDRAWN
    assert BondRefund.objects.get().reason == "撤回投标"
    clock.advance(dt.timedelta(days=22))
    with pytest.raises(Conflict):
        bidding.bid_withdraw(actor=world.bidders[1], lot=lot)


def test_tampered_bid_is_treated_as_withdrawn_and_the_opening_continues(world, settings):
    # given three bids, one of whose stored ciphertexts is altered on disk
    from pathlib import Path

    lot = lot_ready(world)
    bids = [_bid(world, lot, i, p) for i, p in enumerate(PRICES)]
    # tamper with one stored ciphertext
    digest = bids[0].files.get().ciphertext_sha256
    path = Path(settings.GGZY_FILE_ROOT) / digest[:2] / digest[2:4] / digest
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF
    path.write_bytes(bytes(data))
    clock.advance(dt.timedelta(days=22))
    opening.lot_open(actor=world.staff, lot=lot)
    lot.refresh_from_db()
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    states = dict(Bid.objects.filter(lot=lot).values_list("pk", "state"))
    assert states[bids[0].pk] == BidState.DEEMED_WITHDRAWN
    assert states[bids[1].pk] == states[bids[2].pk] == BidState.OPENED


def test_wrong_roles_change_nothing(world):
    lot = lot_ready(world)
    before = AuditEntry.objects.count()
    with pytest.raises(NotAllowed):
        services.signup_create(actor=world.tenderer, lot=lot)
    with pytest.raises(NotAllowed):
        opening.lot_open(actor=world.other_staff, lot=lot)
    with pytest.raises(NotAllowed):
        services.lot_publish(actor=world.other_staff, lot=lot)
    assert AuditEntry.objects.count() == before
    assert Lot.objects.get(pk=lot.pk).state == LotState.PUBLISHED


def test_committee_rules(world):
    lot = lot_ready(world)
    for i, p in enumerate(PRICES):
        _bid(world, lot, i, p)
    clock.advance(dt.timedelta(days=22))
    opening.lot_open(actor=world.staff, lot=lot)
    lot.refresh_from_db()
    with pytest.raises(DomainError, match="5人以上单数"):
        committee.committee_appoint_direct(actor=world.staff, lot=lot, reason=TEST_DIRECT_REASON,
                                           members=[(e, "expert_technical") for e in world.experts[:4]])
    with pytest.raises(DomainError, match="2/3"):
        members = [(e, "expert_technical") for e in world.experts[:2]] + [(world.tenderer, "tenderer_rep")] * 0
        committee.committee_appoint_direct(
            actor=world.staff, lot=lot, reason=TEST_DIRECT_REASON,
            members=members + [(world.tenderer, "tenderer_rep"), (world.bidders[0], "tenderer_rep"),
                               (world.agency, "tenderer_rep")])
