"""The bidding engine: every refusal reason, the timed round, the sealed reserve, idempotent retries and close."""

from __future__ import annotations

import datetime as dt

import pytest

from ggzy.core import clock
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.rights.choices import BidRefusal, ListingOutcome, ListingState
from ggzy.rights.models import RightsBid, RightsListing
from ggzy.rights.services import bidding, listings

pytestmark = pytest.mark.django_db


def bid(reg, amount, seen, key):
    return bidding.bid_place(actor=reg.bidder, listing_id=reg.listing_id, amount=amount, seen_sequence=seen,
                             idempotency_key=key)


def test_paddles_are_distinct_and_template_numbers_used(land):
    listing = land["listing"]
    assert land["a"].paddle != land["b"].paddle and 101 <= land["a"].paddle <= 999
    assert listing.round_minutes == 5 and listing.bidders_min == 2


def test_bid_before_listing_is_refused_and_stored_for_retry(land):
    answer = bid(land["a"], "1000000", 0, "key-before-1")
    assert not answer.accepted and answer.refusal == BidRefusal.NOT_OPEN
    again = bid(land["a"], "1000000", 0, "key-before-1")
    assert again.replayed and again.refusal == BidRefusal.NOT_OPEN
    assert RightsBid.objects.count() == 1


def test_listing_refusals_and_acceptance(land):
    clock.advance(dt.timedelta(days=3))  # the listing started 2026-03-04
    a, b = land["a"], land["b"]
    low = bid(a, "999999.99", 0, "key-low-0001")
    assert low.refusal == BidRefusal.TOO_LOW and "¥1,000,000.00" in low.message
    first = bid(a, "1000000", 0, "key-first-01")
    assert first.accepted and first.sequence == 1
    assert bid(a, "1020000", 1, "key-lead-001").refusal == BidRefusal.ALREADY_LEADING
    stale = bid(b, "1050000", 0, "key-stale-01")
    assert stale.refusal == BidRefusal.STALE
    assert bid(b, "1009999.99", 1, "key-small-01").refusal == BidRefusal.TOO_LOW
    second = bid(b, "1010000", 1, "key-second-1")
    assert second.accepted and second.sequence == 2
    listing = RightsListing.objects.get(pk=a.listing_id)
    assert listing.current_price == 1010000 and listing.leading_id == b.pk and listing.current_sequence == 2
    # a retry of the first bid gets its first answer, and does not bid again
    retry = bid(a, "1000000", 0, "key-first-01")
    assert retry.accepted and retry.sequence == 1 and retry.replayed
    with pytest.raises(Conflict):
        bid(a, "1030000", 2, "key-first-01")
    assert bidding.replay(listing) == (b.pk, listing.current_price)


@pytest.mark.parametrize("amount", ["1e20", "NaN", "1e400", "-1", "1.001", "", "１２３", "99999999999999999"])
def test_hostile_amounts_refused_with_field(land, amount):
    clock.advance(dt.timedelta(days=3))
    with pytest.raises(DomainError) as err:
        bid(land["a"], amount, 0, "key-hostile1")
    assert "amount" in err.value.errors and "报价" in err.value.message
    assert RightsBid.objects.count() == 0


@pytest.mark.parametrize(("field", "kwargs"), [
    ("seen_sequence", {"seen_sequence": "1e3"}), ("seen_sequence", {"seen_sequence": "-1"}),
    ("idempotency_key", {"idempotency_key": "x"}), ("idempotency_key", {"idempotency_key": "bad key!!"}),
])
def test_bad_sequence_and_key_refused(land, field, kwargs):
    args = {"amount": "1000000", "seen_sequence": 0, "idempotency_key": "key-good-01"} | kwargs
    with pytest.raises(DomainError) as err:
        bidding.bid_place(actor=land["a"].bidder, listing_id=land["listing"].pk, **args)
    assert field in err.value.errors


def test_not_admitted_bidder_refused(land, make_user):
    with pytest.raises(NotAllowed):
        bidding.bid_place(actor=make_user("bidder"), listing_id=land["listing"].pk, amount="1000000",
                          seen_sequence=0, idempotency_key="key-outsider")


def test_timed_round_restarts_only_on_accepted_bids_and_late_bid_refused(land):
    a, b, ends = land["a"], land["b"], land["ends"]
    clock.advance(dt.timedelta(days=3))
    assert bid(a, "1000000", 0, "key-t-000001").accepted
    clock.freeze(ends + dt.timedelta(minutes=1))
    accepted = bid(b, "1010000", 1, "key-t-000002")  # the freeze passed: the round started at `ends`
    assert accepted.accepted and accepted.round_ends_at == ends + dt.timedelta(minutes=6)
    clock.advance(dt.timedelta(minutes=4))
    refused = bid(a, "1000001", 2, "key-t-000003")  # too low: must not restart the countdown
    assert refused.refusal == BidRefusal.TOO_LOW and refused.round_ends_at == ends + dt.timedelta(minutes=6)
    clock.freeze(ends + dt.timedelta(minutes=6))  # exactly at the end: too late
    late = bid(a, "1020000", 2, "key-t-000004")
    assert late.refusal == BidRefusal.CLOSED
    listing = RightsListing.objects.get(pk=a.listing_id)
    assert listing.state == ListingState.CLOSED and listing.outcome == ListingOutcome.SOLD
    assert listing.closed_at == ends + dt.timedelta(minutes=6) and listing.leading_id == b.pk


def test_reserve_sealed_write_once_and_failed_listing(land):
    listing, a = land["listing"], land["a"]
    with pytest.raises(NotAllowed):
        listings.reserve_set(actor=a.bidder, listing_id=listing.pk, amount="1500000")
    commitment = listings.reserve_set(actor=listing.grantor, listing_id=listing.pk, amount="1500000")
    assert len(commitment) == 64
    with pytest.raises(Conflict):
        listings.reserve_set(actor=listing.grantor, listing_id=listing.pk, amount="1600000")
    clock.advance(dt.timedelta(days=3))
    assert bid(a, "1000000", 0, "key-r-000001").accepted
    listing.refresh_from_db()
    assert listing.reserve_revealed is None
    clock.freeze(land["ends"] + dt.timedelta(minutes=5))
    assert listings.listing_advance(listing_id=listing.pk) == [ListingState.TIMED_ROUND, ListingState.CLOSED]
    assert listings.listing_advance(listing_id=listing.pk) == []  # idempotent
    listing.refresh_from_db()
    assert listing.outcome == ListingOutcome.FAILED and listing.reserve_revealed == 1500000
    assert listings.reserve_verify(listing)
    with pytest.raises(Conflict):
        listings.reserve_set(actor=listing.grantor, listing_id=listing.pk, amount="1")


def test_one_bidder_closes_at_listing_end_without_timed_round(make_user, centers):
    from ggzy.rights.tests.factories import SHANGHAI, admit, listing_make

    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user("center_staff", center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], staff=staff,
                           listing_ends_at=dt.datetime(2026, 3, 17, 10, 0, tzinfo=SHANGHAI))
    only = admit(make_user, listing, staff=staff)
    clock.freeze(dt.datetime(2026, 3, 9, 10, 0, tzinfo=SHANGHAI))
    assert bid(only, "1000000", 0, "key-one-0001").accepted
    clock.freeze(dt.datetime(2026, 3, 17, 10, 0, tzinfo=SHANGHAI))
    assert listings.listing_advance(listing_id=listing.pk) == [ListingState.CLOSED]
    listing.refresh_from_db()
    assert listing.outcome == ListingOutcome.SOLD and listing.round_started_at is None


def test_listing_create_refuses_short_periods_and_small_increment(make_user, centers):
    from ggzy.rights.tests.factories import listing_make

    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=__import__("zoneinfo").ZoneInfo("Asia/Shanghai")))
    with pytest.raises(DomainError) as err:
        listing_make(make_user, centers["jinan"], increment="999.99")
    assert "increment" in err.value.errors
    with pytest.raises(DomainError) as err:
        listing_make(make_user, centers["jinan"], start_price="1e20")
    assert "start_price" in err.value.errors
