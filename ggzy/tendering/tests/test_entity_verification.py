"""An unverified market entity (主体核验) cannot act; bidder names on results are kept as they were published."""

import datetime as dt

import pytest

from ggzy.core import clock
from ggzy.core.errors import NotAllowed
from ggzy.core.models import AuditEntry
from ggzy.ledger.models import LogEntry
from ggzy.registry import services as registry_services
from ggzy.registry import services_review
from ggzy.registry.models import MarketEntity
from ggzy.tendering import services
from ggzy.tendering.choices import LotState
from ggzy.tendering.documents import award_notice_text
from ggzy.tendering.models import Award, Bid, BidEvent, Candidate, Project, SignUp
from ggzy.tendering.schemas import lot_public
from ggzy.tendering.services import bidding, opening, result

from .conftest import bond_arrive, lot_ready
from .test_signatures import _continue_to_contract

PRICES = ["7650000.00", "7480000.00", "7720000.00"]


def _unverify(entity) -> None:
    MarketEntity.objects.filter(pk=entity.pk).update(verified_at=None, verification_method="")


def _written() -> dict:
    return {"signups": SignUp.objects.count(), "bids": Bid.objects.count(), "events": BidEvent.objects.count(),
            "projects": Project.objects.count(), "audit": AuditEntry.objects.count(),
            "ledger": LogEntry.objects.count()}


def test_unverified_bidder_cannot_sign_up_and_nothing_is_written(world):
    # given a published lot and a bidder whose entity registered itself and is not verified
    lot = lot_ready(world)
    _unverify(world.bidder_entities[0])
    before = _written()
    # when it signs up
    with pytest.raises(NotAllowed) as refused:
        services.signup_create(actor=world.bidders[0], lot=lot)
    # then it is told what to do, and nothing is written (no sign-up, no audit, no ledger entry)
    assert "尚未核验" in refused.value.message and "数字证书" in refused.value.message
    assert _written() == before


def test_unverified_bidder_cannot_bid_even_after_the_deadline(world):
    lot = lot_ready(world)
    _unverify(world.bidder_entities[0])
    before = _written()
    with pytest.raises(NotAllowed) as refused:
        bidding.bid_submit(actor=world.bidders[0], lot=lot, price_sheet={"total_price": "7000000"},
                           files=[bidding.IncomingFile("技术标.pdf", [b"proposal"])])
    assert "尚未核验" in refused.value.message
    clock.advance(dt.timedelta(days=22))  # a late attempt by an unverified entity is not even recorded
    with pytest.raises(NotAllowed):
        bidding.bid_submit(actor=world.bidders[0], lot=lot, price_sheet={"total_price": "7000000"},
                           files=[bidding.IncomingFile("技术标.pdf", [b"proposal"])])
    assert _written() == before


def test_unverified_tenderer_cannot_register_a_project(world):
    _unverify(world.tenderer_entity)
    before = _written()
    with pytest.raises(NotAllowed) as refused:
        services.project_register(actor=world.tenderer, center=world.center, region=world.region, title="某工程",
                                  method="works_open_tender", estimated_price="8000000",
                                  lots=[{"name": "一标段", "estimated_price": "8000000"}])
    assert "尚未核验" in refused.value.message
    assert _written() == before


def test_once_the_center_verifies_it_the_bidder_signs_up(world):
    lot = lot_ready(world)
    entity = world.bidder_entities[0]
    _unverify(entity)
    entity.refresh_from_db()
    with pytest.raises(NotAllowed):
        services.signup_create(actor=world.bidders[0], lot=lot)
    with pytest.raises(NotAllowed):  # another center's staff may not verify a Jinan entity
        services_review.entity_verify(actor=world.other_staff, entity=entity)
    services_review.entity_verify(actor=world.staff, entity=entity)
    assert services.signup_create(actor=world.bidders[0], lot=lot).pk


def _archived_lot(world):
    """The whole open tender with three bids, to the archive; bidder 1 wins."""
    lot = lot_ready(world)
    for i, price in enumerate(PRICES):
        user = world.bidders[i]
        services.signup_create(actor=user, lot=lot)
        bond_arrive(world, lot, i)
        bidding.bid_submit(actor=user, lot=lot, price_sheet={"total_price": price, "duration_days": 300},
                           files=[bidding.IncomingFile("技术标.pdf", [b"technical proposal"])])
    clock.advance(dt.timedelta(days=21, minutes=1))
    lot = opening.lot_open(actor=world.staff, lot=lot)
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    opening.opening_record_publish(actor=world.staff, lot=lot)
    lot = opening.opening_close(actor=world.staff, lot=lot)
    lot = _continue_to_contract(world, lot)  # committee, scores, report, candidates, award, contract
    result.archive_build(actor=world.staff, lot=lot)
    lot.refresh_from_db()
    assert lot.state == LotState.ARCHIVED
    return lot


def _rename(world, index: int, new_name: str) -> None:
    """The bidder's own user asks for a new name and Jinan's staff approve it."""
    entity = world.bidder_entities[index]
    registry_services.entity_update(actor=world.bidders[index], entity=entity, data={"name": new_name})
    services_review.name_change_approve(actor=world.staff, change=entity.name_changes.get())
    entity.refresh_from_db()
    assert entity.name == new_name


def test_archived_lot_keeps_the_names_its_results_were_published_under(world):
    # given an archived lot won by bidder 1
    lot = _archived_lot(world)
    winner_name = world.bidder_entities[1].name
    notice_before = award_notice_text(Award.objects.get(lot=lot))
    # when the winner's name change is approved afterwards
    _rename(world, 1, "山东新纪元建设集团有限公司")
    # then the candidates, the award and the signed award notice still say the old name
    assert Candidate.objects.get(lot=lot, rank=1).bidder_name == winner_name
    award = Award.objects.select_related("lot__project", "bid__bidder").get(lot=lot)
    assert award.bidder_name == winner_name
    assert award_notice_text(award) == notice_before
    # and so does the opening record (stored rows)
    assert winner_name in [row["bidder"] for row in lot.opening_record.rows]


def test_archived_lot_page_lists_candidates_under_their_published_names(world):
    lot = _archived_lot(world)
    winner_name = world.bidder_entities[1].name
    _rename(world, 1, "山东新纪元建设集团有限公司")
    data = lot_public(lot, world.staff)
    assert data["candidates"][0]["bidder"] == winner_name
    assert data["award"]["bidder"] == winner_name
