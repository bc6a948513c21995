"""The further procedure modes (issue 15): English auction 拍卖, the sealed single quote 一次报价, suspension and
resumption 中止/恢复 — each mode's own transition table, and every refusal in Chinese naming its field."""

from __future__ import annotations

import datetime as dt

import pytest

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.rights import procedures
from ggzy.rights.choices import BidRefusal, ListingOutcome, ListingState
from ggzy.rights.models import RightsListing, RightsQuote, RightsSuspension
from ggzy.rights.services import bidding, listings, quotes, suspension

from .factories import SHANGHAI, admit, listing_make

pytestmark = pytest.mark.django_db
ENDS = dt.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI)


def bid(reg, amount, seen, key):
    return bidding.bid_place(actor=reg.bidder, listing_id=reg.listing_id, amount=amount, seen_sequence=seen,
                             idempotency_key=key)


def world(make_user, centers, kind, bidders=2, **kwargs):
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], kind=kind, listing_ends_at=ENDS, staff=staff, **kwargs)
    regs = [admit(make_user, listing, staff=staff) for _ in range(bidders)]
    return listing, staff, regs


def fresh(listing) -> RightsListing:
    return RightsListing.objects.get(pk=listing.pk)


# ---- English auction 拍卖 ----

def test_auction_takes_no_bids_before_the_auction_time(make_user, centers):
    listing, _staff, (a, _b) = world(make_user, centers, "land_auction")
    clock.freeze(ENDS - dt.timedelta(days=1))  # inside the listing period of a 挂牌, but this is an auction
    answer = bid(a, "1000000", 0, "auc-early-1")
    assert answer.refusal == BidRefusal.NOT_OPEN and "拍卖尚未开始" in answer.message
    assert fresh(listing).state == ListingState.REGISTRATION


def test_auction_live_round_restarts_on_each_bid_and_highest_wins(make_user, centers):
    listing, _staff, (a, b, c) = world(make_user, centers, "land_auction", bidders=3)
    clock.freeze(ENDS + dt.timedelta(seconds=10))
    first = bid(a, "1000000", 0, "auc-bid-001")
    assert first.accepted and first.round_ends_at == ENDS + dt.timedelta(minutes=5, seconds=10)
    assert fresh(listing).state == ListingState.TIMED_ROUND
    assert procedures.procedure_for(listing).state_label(ListingState.TIMED_ROUND) == "拍卖竞价中"
    clock.advance(dt.timedelta(minutes=4))
    assert bid(b, "1005000", 1, "auc-bid-002").refusal == BidRefusal.TOO_LOW  # below the increment
    assert bid(b, "1010000", 1, "auc-bid-003").accepted
    assert bid(c, "1020000", 2, "auc-bid-004").accepted
    clock.advance(dt.timedelta(minutes=5))  # no higher bid within the countdown
    late = bid(a, "1030000", 3, "auc-bid-005")
    assert late.refusal == BidRefusal.CLOSED
    closed = fresh(listing)
    assert closed.outcome == ListingOutcome.SOLD and closed.leading_id == c.pk and closed.current_price == 1020000


def test_auction_fails_on_reserve_and_with_too_few_bidders(make_user, centers):
    listing, _staff, (a, _b) = world(make_user, centers, "land_auction")
    listings.reserve_set(actor=listing.grantor, listing_id=listing.pk, amount="1500000")
    clock.freeze(ENDS)
    assert bid(a, "1000000", 0, "auc-res-001").accepted
    clock.advance(dt.timedelta(minutes=6))
    listings.listing_advance(listing_id=listing.pk)
    closed = fresh(listing)
    assert closed.outcome == ListingOutcome.FAILED and closed.reserve_revealed == 1500000
    assert listings.reserve_verify(closed)

    lonely, _s, _regs = world(make_user, centers, "land_auction", bidders=1)
    clock.freeze(ENDS + dt.timedelta(minutes=1))
    assert listings.listing_advance(listing_id=lonely.pk)[-1] == ListingState.CLOSED
    assert fresh(lonely).outcome == ListingOutcome.FAILED


def test_each_mode_refuses_transitions_of_another(make_user, centers):
    listing, _staff, _regs = world(make_user, centers, "land_auction")
    listing.state = ListingState.REGISTRATION
    with pytest.raises(Conflict) as err:
        procedures.transition(listing, ListingState.LISTING, clock.now())
    assert err.value.errors.keys() == {"state"} and "拍卖竞价中" not in str(err.value) and listing.state == "registration"
    quote_listing, _s, _r = world(make_user, centers, "property_single_quote", quote_ceiling="2000000")
    quote_listing.state = ListingState.QUOTING
    with pytest.raises(Conflict):
        procedures.transition(quote_listing, ListingState.TIMED_ROUND, clock.now())
    assert quote_listing.state == ListingState.QUOTING


# ---- sealed single quote 一次报价 ----

def test_single_quote_one_sealed_quote_in_range_highest_wins(make_user, centers):
    listing, _staff, (a, b, c) = world(make_user, centers, "property_single_quote", bidders=3,
                                      quote_ceiling="2000000")
    with pytest.raises(Conflict) as early:
        quotes.quote_submit(actor=a.bidder, listing_id=listing.pk, amount="1200000")
    assert early.value.errors.keys() == {"amount"} and "尚未开始" in str(early.value)
    clock.freeze(ENDS - dt.timedelta(days=3))
    assert bid(a, "1000000", 0, "quote-open-1").refusal == BidRefusal.NOT_OPEN  # no open bidding in this mode
    for amount in ("999999.99", "2000000.01", "1e20", "NaN"):
        with pytest.raises(DomainError) as err:
            quotes.quote_submit(actor=a.bidder, listing_id=listing.pk, amount=amount)
        assert err.value.errors.keys() == {"amount"}
    quotes.quote_submit(actor=a.bidder, listing_id=listing.pk, amount="1500000")
    with pytest.raises(Conflict) as twice:
        quotes.quote_submit(actor=a.bidder, listing_id=listing.pk, amount="1900000")
    assert "只能提交一次" in str(twice.value) and RightsQuote.objects.get(registration=a).amount == 1500000
    clock.advance(dt.timedelta(minutes=1))
    quotes.quote_submit(actor=b.bidder, listing_id=listing.pk, amount="1800000")
    clock.advance(dt.timedelta(minutes=1))
    quotes.quote_submit(actor=c.bidder, listing_id=listing.pk, amount="1800000")  # equal, later: loses
    open_listing = fresh(listing)
    assert open_listing.current_price is None and open_listing.leading_id is None  # sealed until the close
    clock.freeze(ENDS)
    with pytest.raises(Conflict):
        quotes.quote_submit(actor=a.bidder, listing_id=listing.pk, amount="1900000")
    listings.listing_advance(listing_id=listing.pk)
    closed = fresh(listing)
    assert closed.state == ListingState.CLOSED and closed.outcome == ListingOutcome.SOLD
    assert closed.leading_id == b.pk and closed.current_price == 1800000


def test_single_quote_needs_a_ceiling_and_no_quote_fails(make_user, centers):
    with pytest.raises(DomainError) as err:
        world(make_user, centers, "property_single_quote")
    assert err.value.errors.keys() == {"quote_ceiling"} and "上限" in str(err.value)
    with pytest.raises(DomainError) as other:
        world(make_user, centers, "land_listing", quote_ceiling="2000000")
    assert other.value.errors.keys() == {"quote_ceiling"}
    listing, _staff, _regs = world(make_user, centers, "property_single_quote", quote_ceiling="2000000")
    clock.freeze(ENDS)
    listings.listing_advance(listing_id=listing.pk)
    assert fresh(listing).outcome == ListingOutcome.FAILED


def test_not_admitted_cannot_quote(make_user, centers):
    listing, _staff, _regs = world(make_user, centers, "property_single_quote", quote_ceiling="2000000")
    clock.freeze(ENDS - dt.timedelta(days=3))
    with pytest.raises(NotAllowed):
        quotes.quote_submit(actor=make_user(Role.BIDDER), listing_id=listing.pk, amount="1500000")
    assert not RightsQuote.objects.exists()


# ---- suspension and resumption 中止/恢复 ----

def test_timed_round_suspended_and_resumed_with_the_time_it_lost(make_user, centers):
    listing, staff, (a, b) = world(make_user, centers, "land_listing")
    clock.freeze(ENDS - dt.timedelta(days=3))
    assert bid(a, "1000000", 0, "susp-bid-01").accepted
    clock.freeze(ENDS + dt.timedelta(minutes=1))  # the timed round runs until ENDS + 5 min
    notice = suspension.listing_suspend(actor=staff, listing_id=listing.pk, reason="系统故障")
    assert notice.remaining_seconds == 240 and fresh(listing).state == ListingState.SUSPENDED
    answer = bid(b, "1010000", 1, "susp-bid-02")
    assert answer.refusal == BidRefusal.NOT_OPEN and "中止" in answer.message
    clock.advance(dt.timedelta(hours=2))  # the countdown does not run while suspended
    listings.listing_advance(listing_id=listing.pk)
    assert fresh(listing).state == ListingState.SUSPENDED
    resume_at = clock.now() + dt.timedelta(days=5)  # land: resumption announced ≥ 5 days ahead
    announced = suspension.listing_resumption_announce(actor=staff, listing_id=listing.pk, resume_at=resume_at)
    assert fresh(listing).state == ListingState.SUSPENDED and announced.resumed_at is None
    clock.freeze(resume_at)
    listings.listing_advance(listing_id=listing.pk)  # the chronograph's step
    live = fresh(listing)
    assert live.state == ListingState.TIMED_ROUND and live.current_price == 1000000 and live.leading_id == a.pk
    assert live.round_ends_at == resume_at + dt.timedelta(minutes=5) == announced.resumed_until
    assert bid(b, "1010000", 1, "susp-bid-03").accepted


def test_listing_phase_resumes_with_its_remaining_time(make_user, centers):
    listing, staff, _regs = world(make_user, centers, "land_listing")
    clock.freeze(ENDS - dt.timedelta(days=3))
    suspension.listing_suspend(actor=staff, listing_id=listing.pk, reason="权属争议待核实")
    clock.advance(dt.timedelta(days=1))
    suspension.listing_resumption_announce(actor=staff, listing_id=listing.pk,
                                           resume_at=clock.now() + dt.timedelta(days=5))
    clock.advance(dt.timedelta(days=5))
    listings.listing_advance(listing_id=listing.pk)
    live = fresh(listing)
    assert live.state == ListingState.LISTING and live.listing_ends_at == ENDS + dt.timedelta(days=6)


def test_suspension_refusals(make_user, centers):
    listing, staff, (a, _b) = world(make_user, centers, "land_listing")
    with pytest.raises(Conflict) as early:
        suspension.listing_suspend(actor=staff, listing_id=listing.pk, reason="故障")
    assert early.value.errors.keys() == {"state"}
    with pytest.raises(NotAllowed):
        suspension.listing_suspend(actor=a.bidder, listing_id=listing.pk, reason="故障")
    clock.freeze(ENDS - dt.timedelta(days=3))
    with pytest.raises(DomainError) as empty:
        suspension.listing_suspend(actor=staff, listing_id=listing.pk, reason="  ")
    assert empty.value.errors.keys() == {"reason"}
    with pytest.raises(Conflict) as not_suspended:
        suspension.listing_resumption_announce(actor=staff, listing_id=listing.pk,
                                               resume_at=clock.now() + dt.timedelta(days=6))
    assert not_suspended.value.errors.keys() == {"state"}
    assert bid(a, "1000000", 0, "susp-final-1").accepted
    clock.freeze(ENDS + dt.timedelta(minutes=3, seconds=30))  # 90 s left: the final minutes
    with pytest.raises(Conflict) as final:
        suspension.listing_suspend(actor=staff, listing_id=listing.pk, reason="故障")
    assert "不得中止" in str(final.value) and final.value.errors.keys() == {"__all__"}
    assert fresh(listing).state != ListingState.SUSPENDED and not RightsSuspension.objects.exists()


# ---- state property: the 90% rule ----

@pytest.mark.parametrize(("start", "approval", "field"), [
    ("950000", "", "approval_reference"),      # below the appraisal: a reduction needs its decision document
    ("899999.99", "", "approval_reference"),   # below 90%: the approving authority's written consent
])
def test_state_property_price_below_appraisal_needs_approval(make_user, centers, start, approval, field):
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    with pytest.raises(DomainError) as err:
        listing_make(make_user, centers["jinan"], kind="property_transfer", listing_ends_at=ENDS,
                     start_price=start, appraised_value="1000000", approval_reference=approval)
    assert err.value.errors.keys() == {field} and "评估结果" in str(err.value)
    assert not RightsListing.objects.exists()
    if start.startswith("8"):
        assert "90%" in str(err.value) and "书面同意" in str(err.value)


def test_state_property_appraisal_required_and_approved_reduction_accepted(make_user, centers):
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    for bad in ("", "1e400", "-5"):
        with pytest.raises(DomainError) as err:
            listing_make(make_user, centers["jinan"], kind="property_transfer", listing_ends_at=ENDS,
                         appraised_value=bad)
        assert err.value.errors.keys() == {"appraised_value"}
    with pytest.raises(DomainError) as land:
        listing_make(make_user, centers["jinan"], kind="land_listing", appraised_value="1000000")
    assert land.value.errors.keys() == {"appraised_value"}
    listing = listing_make(make_user, centers["jinan"], kind="property_transfer", listing_ends_at=ENDS,
                           start_price="800000", appraised_value="1000000", approval_reference="济国资产权〔2026〕7号")
    assert listing.appraised_value == 1000000 and listing.approval_reference.startswith("济国资")
