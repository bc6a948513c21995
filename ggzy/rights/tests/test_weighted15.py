"""The weighted quote 权重报价 (issue 15): the transferor's announced factors (refused naming the field, nothing
stored), one sealed quote of the price and every factor, the scoring at the close (a hand-computed example where the
highest price loses; equal totals → the earlier), the reserve failing the winner, and the seal before the close."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.rights import procedures, weighting
from ggzy.rights.choices import ListingOutcome, ListingState
from ggzy.rights.models import (
    RightsListing,
    RightsQuote,
    RightsQuoteFactorValue,
    RightsWeightFactor,
)
from ggzy.rights.services import listings, quotes
from ggzy.rights.services.publicity import result_text

from .factories import SHANGHAI, admit, listing_make

pytestmark = pytest.mark.django_db
ENDS = dt.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI)
KIND = "property_weighted_quote"
CEILING = "2000000"


def factors(**changes):
    """职工安置人数 30% in [0, 500] and 承诺投资额 20% in [0, 10000] (price 50%); ``changes`` patch factor 1."""
    rows = [{"name": "职工安置人数", "unit": "人", "weight": "30", "minimum": "0", "maximum": "500"},
            {"name": "承诺投资额", "unit": "万元", "weight": "20", "minimum": "0", "maximum": "10000"}]
    rows[0] = {k: v for k, v in (rows[0] | changes).items() if v is not ...}
    return rows


def world(make_user, centers, bidders=3, **kwargs):
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    kwargs = {"quote_ceiling": CEILING, "price_weight": "50", "factors": factors()} | kwargs
    listing = listing_make(make_user, centers["jinan"], kind=KIND, listing_ends_at=ENDS, staff=staff, **kwargs)
    regs = [admit(make_user, listing, staff=staff) for _ in range(bidders)]
    return listing, staff, regs


def quote(reg, amount, **values):
    return quotes.quote_submit(actor=reg.bidder, listing_id=reg.listing_id, amount=amount,
                               factors={str(k.removeprefix("f")): v for k, v in values.items()})


def fresh(listing) -> RightsListing:
    return RightsListing.objects.get(pk=listing.pk)


def nothing_created() -> bool:
    return not RightsListing.objects.exists() and not RightsWeightFactor.objects.exists()


# ---- the announced factors ----

def test_weighted_listing_stores_its_factors_with_the_price_first(make_user, centers):
    listing, _staff, _regs = world(make_user, centers, bidders=0)
    rows = list(RightsWeightFactor.objects.filter(listing=listing).values_list("position", "name", "unit", "weight",
                                                                                "minimum", "maximum"))
    assert rows == [(0, "报价", "元", Decimal("50.00"), Decimal("1000000.00"), Decimal("2000000.00")),
                    (1, "职工安置人数", "人", Decimal("30.00"), Decimal("0.00"), Decimal("500.00")),
                    (2, "承诺投资额", "万元", Decimal("20.00"), Decimal("0.00"), Decimal("10000.00"))]
    assert procedures.procedure_for(listing).mode == "weighted_quote"
    schedule = "\n".join(procedures.procedure_for(listing).notice_schedule(listing))
    assert "职工安置人数：权重30%，允许范围0至500人" in schedule and "数值高者为优" in schedule
    assert "低于底价的，本项目流拍" in schedule and "待核实" in schedule


@pytest.mark.parametrize(("changes", "field"), [
    pytest.param({"weight": "29"}, "factors", id="weights-sum-99"),
    pytest.param({"weight": "30.5"}, "factors", id="weights-sum-100.5"),
    pytest.param({"name": ...}, "factors.1.name", id="name-missing"),
    pytest.param({"name": "   "}, "factors.1.name", id="name-blank"),
    pytest.param({"name": "承诺投资额"}, "factors.2.name", id="name-repeated"),
    pytest.param({"name": "职" * 41}, "factors.1.name", id="name-too-long"),
    pytest.param({"weight": "0"}, "factors.1.weight", id="weight-zero"),
    pytest.param({"weight": ...}, "factors.1.weight", id="weight-missing"),
    pytest.param({"weight": "-30"}, "factors.1.weight", id="weight-negative"),
    pytest.param({"weight": "33.333"}, "factors.1.weight", id="weight-three-decimals"),
    pytest.param({"weight": "1e400"}, "factors.1.weight", id="weight-exponent"),
    pytest.param({"weight": float("inf")}, "factors.1.weight", id="weight-infinity"),
    pytest.param({"minimum": "NaN"}, "factors.1.minimum", id="minimum-nan"),
    pytest.param({"maximum": "1" + "0" * 30}, "factors.1.maximum", id="maximum-too-many-digits"),
    pytest.param({"maximum": "１００"}, "factors.1.maximum", id="maximum-full-width"),
    pytest.param({"minimum": "500", "maximum": "500"}, "factors.1.maximum", id="range-empty"),
    pytest.param({"minimum": "600"}, "factors.1.maximum", id="range-reversed"),
    pytest.param({"minimum": "-1"}, "factors.1.minimum", id="range-negative"),
])
def test_factor_refusals_name_the_field_and_store_nothing(make_user, centers, changes, field):
    with pytest.raises(DomainError) as err:
        world(make_user, centers, bidders=0, factors=factors(**changes))
    assert field in err.value.errors and all(any("\u4e00" <= ch <= "\u9fff" for ch in m)
                                             for msgs in err.value.errors.values() for m in msgs)
    assert nothing_created()


@pytest.mark.parametrize(("kwargs", "field"), [
    pytest.param({"price_weight": None}, "price_weight", id="price-weight-missing"),
    pytest.param({"price_weight": "0", "factors": factors(weight="80")}, "price_weight", id="price-weight-zero"),
    pytest.param({"factors": []}, "factors", id="no-other-factor"),
    pytest.param({"factors": "职工"}, "factors", id="factors-not-a-list"),
    pytest.param({"factors": [factors()[1] | {"name": f"因素{n}", "weight": "10"} for n in range(6)]}, "factors",
                 id="six-factors"),
    pytest.param({"factors": [factors()[0], "承诺投资额"]}, "factors.2", id="factor-not-an-object"),
    pytest.param({"quote_ceiling": None}, "quote_ceiling", id="no-ceiling"),
])
def test_weighted_terms_refusals(make_user, centers, kwargs, field):
    with pytest.raises(DomainError) as err:
        world(make_user, centers, bidders=0, **kwargs)
    assert field in err.value.errors
    assert nothing_created()


def test_factors_only_for_the_weighted_quote(make_user, centers):
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    with pytest.raises(DomainError) as land:
        listing_make(make_user, centers["jinan"], kind="land_listing", factors=factors())
    assert land.value.errors.keys() == {"factors"}
    with pytest.raises(DomainError) as sealed:
        listing_make(make_user, centers["jinan"], kind="property_single_quote", quote_ceiling=CEILING,
                     price_weight="50")
    assert sealed.value.errors.keys() == {"price_weight"}
    assert nothing_created()


# ---- the sealed weighted quote ----

def test_quote_refusals_store_nothing(make_user, centers):
    listing, _staff, (a, b, _c) = world(make_user, centers)
    with pytest.raises(Conflict) as early:
        quote(a, "1500000", f1="100", f2="1000")
    assert "尚未开始" in str(early.value)
    clock.freeze(ENDS - dt.timedelta(days=3))
    cases = [({"amount": "2000000.01", "f1": "100", "f2": "1000"}, "amount"),
             ({"amount": "1500000", "f1": "501", "f2": "1000"}, "factors.1"),
             ({"amount": "1500000", "f1": "100"}, "factors.2"),
             ({"amount": "1500000", "f1": "100", "f2": ""}, "factors.2"),
             ({"amount": "1500000", "f1": "1e400", "f2": "1000"}, "factors.1"),
             ({"amount": "1500000", "f1": "NaN", "f2": "1000"}, "factors.1"),
             ({"amount": "1500000", "f1": "100.001", "f2": "1000"}, "factors.1"),
             ({"amount": "1500000", "f1": "100", "f2": "1000", "f9": "1"}, "factors"),
             ({"amount": "1500000", "f1": "100", "f2": "1000", "f0": "1"}, "factors")]
    for values, field in cases:
        amount = values.pop("amount")
        with pytest.raises(DomainError) as err:
            quote(a, amount, **values)
        assert field in err.value.errors, (values, err.value.errors)
    with pytest.raises(DomainError) as shape:
        quotes.quote_submit(actor=a.bidder, listing_id=listing.pk, amount="1500000", factors=["100", "1000"])
    assert shape.value.errors.keys() == {"factors"}
    with pytest.raises(NotAllowed):
        quotes.quote_submit(actor=make_user(Role.BIDDER), listing_id=listing.pk, amount="1500000",
                            factors={"1": "100", "2": "1000"})
    assert not RightsQuote.objects.exists() and not RightsQuoteFactorValue.objects.exists()
    quote(a, "1500000", f1="100", f2="1000")
    with pytest.raises(Conflict) as twice:
        quote(a, "1900000", f1="300", f2="5000")
    assert "只能提交一次" in str(twice.value)
    assert RightsQuote.objects.get().amount == 1500000 and RightsQuoteFactorValue.objects.count() == 2
    clock.freeze(ENDS)
    with pytest.raises(Conflict) as late:
        quote(b, "1900000", f1="300", f2="5000")
    assert "已结束" in str(late.value) and RightsQuote.objects.count() == 1


def test_single_quote_takes_no_factors(make_user, centers):
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], kind="property_single_quote", listing_ends_at=ENDS,
                           staff=staff, quote_ceiling=CEILING)
    a = admit(make_user, listing, staff=staff)
    clock.freeze(ENDS - dt.timedelta(days=3))
    with pytest.raises(DomainError) as err:
        quote(a, "1500000", f1="100")
    assert err.value.errors.keys() == {"factors"} and not RightsQuote.objects.exists()


# ---- scoring at the close ----

def test_scores_by_hand_the_highest_price_does_not_win(make_user, centers):
    # given: price 50%, 职工安置人数 30%, 承诺投资额 20%; best values 2,000,000 / 300 / 5000
    listing, _staff, (a, b, c) = world(make_user, centers)
    listings.reserve_set(actor=listing.grantor, listing_id=listing.pk, amount="1700000")
    clock.freeze(ENDS - dt.timedelta(days=3))
    quote(a, "2000000", f1="100", f2="1234")   # 50 + 100/300×30 = 10 + 1234/5000×20 = 4.936 → 4.94 : 64.94
    clock.advance(dt.timedelta(minutes=1))
    quote(b, "1600000", f1="300", f2="5000")   # 40 + 30 + 20 : 90.00
    clock.advance(dt.timedelta(minutes=1))
    quote(c, "1800000", f1="300", f2="4000")   # 45 + 30 + 16 : 91.00
    assert fresh(listing).current_price is None and fresh(listing).leading_id is None  # sealed until the close
    # when
    clock.freeze(ENDS)
    listings.listing_advance(listing_id=listing.pk)
    # then
    closed = fresh(listing)
    assert closed.state == ListingState.CLOSED and closed.outcome == ListingOutcome.SOLD
    assert closed.leading_id == c.pk and closed.current_price == 1800000
    table = weighting.listing_scores(closed)
    assert [(r.registration_id, r.total, r.rank) for r in table] == [
        (c.pk, Decimal("91.00"), 1), (b.pk, Decimal("90.00"), 2), (a.pk, Decimal("64.94"), 3)]
    assert table[2].scores == {0: Decimal("50.00"), 1: Decimal("10.00"), 2: Decimal("4.94")}
    _type, _title, body = result_text(closed)
    assert "权重报价评分" in body and f"第1名 号牌{c.paddle}" in body and "综合得分 91" in body
    assert "承诺投资额 1234万元 得4.94分" in body


def test_equal_totals_go_to_the_earlier_quote(make_user, centers):
    listing, _staff, (a, b) = world(make_user, centers, bidders=2, factors=[
        {"name": "职工安置人数", "unit": "人", "weight": "50", "minimum": "0", "maximum": "500"}])
    clock.freeze(ENDS - dt.timedelta(days=3))
    quote(b, "1000000", f1="100")  # 25 + 50 = 75, first
    clock.advance(dt.timedelta(seconds=1))
    quote(a, "2000000", f1="50")   # 50 + 25 = 75, later
    clock.freeze(ENDS)
    listings.listing_advance(listing_id=listing.pk)
    closed = fresh(listing)
    assert closed.leading_id == b.pk and closed.current_price == 1000000 and closed.outcome == ListingOutcome.SOLD
    assert [r.total for r in weighting.listing_scores(closed)] == [Decimal("75.00"), Decimal("75.00")]


def test_winner_below_the_reserve_fails_even_if_another_price_reaches_it(make_user, centers):
    listing, _staff, (a, b, c) = world(make_user, centers)
    listings.reserve_set(actor=listing.grantor, listing_id=listing.pk, amount="1900000")
    clock.freeze(ENDS - dt.timedelta(days=3))
    quote(a, "2000000", f1="100", f2="1234")
    quote(b, "1600000", f1="300", f2="5000")
    quote(c, "1800000", f1="300", f2="4000")
    clock.freeze(ENDS)
    listings.listing_advance(listing_id=listing.pk)
    closed = fresh(listing)
    assert closed.outcome == ListingOutcome.FAILED and closed.leading_id == c.pk  # never the next in rank
    assert closed.reserve_revealed == 1900000 and listings.reserve_verify(closed)
    _type, title, body = result_text(closed)
    assert "流拍" in title and "综合得分最高者的报价未达到底价" in body


def test_no_quote_fails(make_user, centers):
    listing, _staff, _regs = world(make_user, centers)
    clock.freeze(ENDS)
    listings.listing_advance(listing_id=listing.pk)
    assert fresh(listing).outcome == ListingOutcome.FAILED and weighting.listing_scores(fresh(listing)) == []


# ---- the rule for every input ----

_value = st.integers(0, 1000).map(Decimal)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 9000), min_size=2, max_size=6), st.lists(
    st.tuples(st.integers(0, 10**6), st.lists(_value, min_size=6, max_size=6)), min_size=1, max_size=8))
def test_winner_has_the_highest_total_and_scores_stay_within_weights(raw_weights, quotes_drawn):
    # weights in hundredths summing to 100.00
    total = sum(raw_weights)
    weights = [Decimal(w * 10000 // total) / 100 for w in raw_weights]
    weights[0] += Decimal(100) - sum(weights)
    positions = dict(enumerate(weights))
    base = dt.datetime(2026, 3, 1, tzinfo=SHANGHAI)
    entries = [weighting.QuoteEntry(n, n, n, base + dt.timedelta(seconds=t),
                                    {p: values[p] for p in positions})
               for n, (t, values) in enumerate(quotes_drawn)]
    table = weighting.score(positions, entries)
    assert table[0].total == max(r.total for r in table)
    assert [r.rank for r in table] == list(range(1, len(table) + 1))
    for row in table:
        assert all(Decimal(0) <= row.scores[p] <= positions[p] for p in positions)
        assert row.total == sum(row.scores.values())
        best_everywhere = all(row.values[p] == max(e.values[p] for e in entries) for p in positions)
        if best_everywhere:
            assert row.total == 100
    ties = [r for r in table if r.total == table[0].total]
    assert table[0].submitted_at == min(r.submitted_at for r in ties)
