"""Property test: for any interleaving of bids and clock ticks, the service agrees with a plain model of the rules;
the winner is the highest accepted bid, no accepted bid breaks the increment, every bid at or after the end of the
countdown is refused, and replaying the log of accepted bids gives the same result."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.rights.choices import BidRefusal, ListingOutcome, ListingState
from ggzy.rights.models import RightsListing
from ggzy.rights.services import bidding, listings

from .factories import SHANGHAI, admit, listing_make

ENDS = dt.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI)

bid_step = st.tuples(st.just("bid"), st.integers(0, 2), st.booleans(), st.sampled_from([-1, 0, 1, 3]))
tick_step = st.tuples(st.just("tick"), st.integers(0, 420), st.just(False), st.just(0))


class Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(steps=st.lists(st.one_of(bid_step, tick_step), min_size=1, max_size=25), reserve=st.booleans())
def test_any_interleaving_matches_the_rules(make_user, centers, steps, reserve):
    try:
        with transaction.atomic():
            _run(make_user, centers, steps, reserve)
            raise Rollback
    except Rollback:
        pass


def _run(make_user, centers, steps, reserve):
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], staff=staff, listing_ends_at=ENDS)
    regs = [admit(make_user, listing, staff=staff) for _ in range(3)]
    if reserve:
        listings.reserve_set(actor=listing.grantor, listing_id=listing.pk, amount="1030000")
    clock.freeze(ENDS - dt.timedelta(minutes=10))
    inc, price, leader, seq, round_end = listing.increment, None, None, 0, None
    accepted: list[tuple[int, Decimal]] = []
    n = 0
    for kind, who, stale, delta in steps:
        if kind == "tick":
            clock.advance(dt.timedelta(seconds=who))
            continue
        n += 1
        now = clock.now()
        if round_end is None and now >= ENDS:
            round_end = ENDS + dt.timedelta(minutes=5)
        floor = listing.start_price if price is None else price + inc
        amount = floor + (Decimal("-0.01") if delta < 0 else inc * delta)
        seen = seq - 1 if stale and seq > 0 else seq
        answer = bidding.bid_place(actor=regs[who].bidder, listing_id=listing.pk, amount=str(amount),
                                   seen_sequence=seen, idempotency_key=f"key-{n:06d}")
        if round_end is not None and now >= round_end:
            expected = BidRefusal.CLOSED
        elif seen != seq:
            expected = BidRefusal.STALE
        elif leader == who:
            expected = BidRefusal.ALREADY_LEADING
        elif amount < floor:
            expected = BidRefusal.TOO_LOW
        else:
            expected = ""
        assert answer.refusal == expected, (answer, now)
        if not expected:
            seq, price, leader = seq + 1, amount, who
            accepted.append((who, amount))
            assert answer.sequence == seq
            if round_end is not None:
                round_end = now + dt.timedelta(minutes=5)
    clock.freeze(ENDS + dt.timedelta(days=1))
    listings.listing_advance(listing_id=listing.pk)
    final = RightsListing.objects.get(pk=listing.pk)
    assert final.state == ListingState.CLOSED
    for (_, before), (_, after) in zip(accepted, accepted[1:], strict=False):
        assert after >= before + inc
    if accepted:
        assert final.current_price == max(a for _, a in accepted) == accepted[-1][1]
        assert final.leading_id == regs[accepted[-1][0]].pk
    floor = Decimal("1030000") if reserve else listing.start_price
    sold = bool(accepted) and accepted[-1][1] >= floor
    assert final.outcome == (ListingOutcome.SOLD if sold else ListingOutcome.FAILED)
    assert bidding.replay(final) == (final.leading_id, final.current_price)
