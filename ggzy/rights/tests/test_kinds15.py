"""The rights procedures of issue 15 as template data: the mining-rights auction (矿业权拍卖出让), the state-owned
enterprise capital increase (企业增资, investors selected by online bidding), and the environmental rights'
listings (排污权, 碳排放权, 用能权, 用水权) — each kind's numbers from its catalog template, its mode's winner, and
every refusal in Chinese naming its field."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone

from ggzy.accounts.roles import Role
from ggzy.catalog import calendar
from ggzy.catalog.demo import demo_catalog_load
from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.rights import selectors
from ggzy.rights.choices import PROCEDURE_KINDS, BidRefusal, ListingOutcome, ListingState, ProcedureKindChoice
from ggzy.rights.models import RightsListing
from ggzy.rights.services import bidding, listings

from .factories import SHANGHAI, admit, listing_make

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
ENDS = dt.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI)
ENVIRONMENTAL = ("emission_listing", "carbon_listing", "energy_listing", "water_listing")


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=SHANGHAI)


def create(make_user, center, kind, *, announced_at, listing_starts_at, listing_ends_at, increment="10000",
           start_price="1000000", **extra) -> RightsListing:
    """A listing with the given periods (registration from the announcement to just before the end)."""
    staff = make_user(Role.CENTER_STAFF, center=center)
    return listings.listing_create(
        actor=staff, center=center, grantor=make_user(Role.TENDERER), kind=kind,
        code=f"K15-{kind[:6]}-{RightsListing.objects.count() + 1:03d}", title="测试标的",
        announced_at=announced_at, registration_opens_at=announced_at,
        registration_closes_at=listing_ends_at - dt.timedelta(hours=1), listing_starts_at=listing_starts_at,
        listing_ends_at=listing_ends_at, start_price=start_price, increment=increment, deposit="100000", **extra)


def bid(reg, amount, key):
    listing = RightsListing.objects.get(pk=reg.listing_id)
    return bidding.bid_place(actor=reg.bidder, listing_id=reg.listing_id, amount=amount,
                             seen_sequence=listing.current_sequence, idempotency_key=key)


def fresh(listing) -> RightsListing:
    return RightsListing.objects.get(pk=listing.pk)


def test_every_kind_has_its_choice_and_a_template_in_force():
    assert set(PROCEDURE_KINDS) == set(ProcedureKindChoice.values)
    from ggzy.catalog.selectors import template_version_in_force

    for kind in PROCEDURE_KINDS.values():
        version = template_version_in_force(category_code=kind.category_code, method=kind.method,
                                            on_date=NOW.date())
        assert version.periods.filter(key="timed_round_minutes").exists(), kind.code


# ---- 矿业权拍卖出让: English auction, three bidders, notice to the auction time ----

def test_mining_auction_takes_its_numbers_from_its_template(make_user, centers):
    clock.freeze(NOW)
    listing = listing_make(make_user, centers["jinan"], kind="mining_auction", listing_ends_at=ENDS)
    template = listing.template_version.template
    assert (template.category_code, template.method) == ("04", "auction")
    assert (listing.bidders_min, listing.round_minutes) == (3, 5)  # 竞买人不得少于3人 (template, 待核实)


def test_mining_auction_notice_runs_to_the_auction_time(make_user, centers):
    clock.freeze(NOW)
    auction_day = dt.date(2026, 4, 10)
    # the registration opens early, but the auction itself is only 19 days after the notice
    with pytest.raises(DomainError) as err:
        create(make_user, centers["jinan"], "mining_auction", announced_at=at(auction_day - dt.timedelta(days=19)),
               listing_starts_at=at(auction_day - dt.timedelta(days=18)), listing_ends_at=at(auction_day, 10))
    assert err.value.errors.keys() == {"listing_ends_at"} and "拍卖开始不得少于20日" in str(err.value)
    listing = create(make_user, centers["jinan"], "mining_auction",
                     announced_at=at(auction_day - dt.timedelta(days=20)),
                     listing_starts_at=at(auction_day - dt.timedelta(days=18)), listing_ends_at=at(auction_day, 10))
    assert listing.kind == "mining_auction"


def test_mining_auction_fails_with_two_bidders_and_the_highest_of_three_wins(make_user, centers):
    clock.freeze(NOW)
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    two = listing_make(make_user, centers["jinan"], kind="mining_auction", listing_ends_at=ENDS, staff=staff)
    for _ in range(2):
        admit(make_user, two, staff=staff)
    three = listing_make(make_user, centers["jinan"], kind="mining_auction", listing_ends_at=ENDS, staff=staff)
    a, b, c = (admit(make_user, three, staff=staff) for _ in range(3))
    clock.freeze(ENDS - dt.timedelta(days=1))
    assert bid(a, "1000000", "mine-early-01").refusal == BidRefusal.NOT_OPEN  # no bids before the auction
    clock.freeze(ENDS + dt.timedelta(seconds=5))
    assert listings.listing_advance(listing_id=two.pk) == [ListingState.CLOSED]
    assert fresh(two).outcome == ListingOutcome.FAILED  # fewer than the template's three: 流拍
    assert bid(a, "1000000", "mine-bid-0001").accepted
    assert bid(b, "1010000", "mine-bid-0002").accepted
    clock.advance(dt.timedelta(minutes=4))
    assert bid(c, "1030000", "mine-bid-0003").accepted  # restarts the 5 minutes
    clock.advance(dt.timedelta(minutes=4, seconds=59))
    assert fresh(three).state == ListingState.TIMED_ROUND
    clock.advance(dt.timedelta(seconds=2))
    listings.listing_advance(listing_id=three.pk)
    closed = fresh(three)
    assert (closed.outcome, closed.leading_id, closed.current_price) == (ListingOutcome.SOLD, c.pk, 1030000)


# ---- 企业增资: disclosure ≥ 40 working days, appraisal and the 90% rule, online bidding selects the investor ----

def test_capital_increase_disclosure_is_forty_working_days(make_user, centers):
    clock.freeze(NOW)
    announced = dt.date(2026, 3, 2)
    short_end = calendar.add_working_days(announced, 39).date
    with pytest.raises(DomainError) as err:
        create(make_user, centers["jinan"], "capital_increase", announced_at=at(announced),
               listing_starts_at=at(short_end - dt.timedelta(days=10)), listing_ends_at=at(short_end, 15),
               appraised_value="1000000")
    assert err.value.errors.keys() == {"listing_ends_at"} and "不得少于40个工作日" in str(err.value)
    end = calendar.add_working_days(announced, 40).date
    listing = create(make_user, centers["jinan"], "capital_increase", announced_at=at(announced),
                     listing_starts_at=at(end - dt.timedelta(days=10)), listing_ends_at=at(end, 15),
                     appraised_value="1000000")
    template = listing.template_version.template
    assert (template.category_code, template.method) == ("05", "capital_increase")
    assert (listing.bidders_min, listing.round_minutes) == (2, 5)


def capital_ends() -> dt.datetime:
    return at(calendar.add_working_days(dt.date(2026, 3, 2), 45).date, 10)


def capital(make_user, centers, **extra) -> RightsListing:
    """A capital increase disclosed from NOW for 45 working days, bidding in its last 16 days."""
    extra.setdefault("appraised_value", "1000000")
    return create(make_user, centers["jinan"], "capital_increase", announced_at=NOW,
                  listing_starts_at=capital_ends() - dt.timedelta(days=16), listing_ends_at=capital_ends(), **extra)


def test_capital_increase_needs_the_appraisal_and_approval_below_ninety_percent(make_user, centers):
    clock.freeze(NOW)
    with pytest.raises(DomainError) as missing:
        capital(make_user, centers, appraised_value="")
    assert missing.value.errors.keys() == {"appraised_value"} and "增资须填写评估结果" in str(missing.value)
    with pytest.raises(DomainError) as low:
        capital(make_user, centers, start_price="899999.99")
    assert low.value.errors.keys() == {"approval_reference"}
    assert "低于评估结果的90%" in str(low.value) and "增资行为批准单位书面同意" in str(low.value)
    listing = capital(make_user, centers, start_price="899999.99", approval_reference="济国资产权〔2026〕12号")
    assert listing.approval_reference == "济国资产权〔2026〕12号" and listing.appraised_value == 1000000


def test_property_transfer_below_ninety_percent_still_needs_written_consent(make_user, centers):
    clock.freeze(NOW)
    with pytest.raises(DomainError) as err:
        listing_make(make_user, centers["jinan"], kind="property_transfer", listing_ends_at=ENDS,
                     start_price="899999.99", appraised_value="1000000")
    assert err.value.errors.keys() == {"approval_reference"} and "转让行为批准单位书面同意" in str(err.value)


def test_capital_increase_investor_selected_by_the_timed_round(make_user, centers):
    clock.freeze(NOW)
    ends = capital_ends()
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = capital(make_user, centers)
    a, b = (admit(make_user, listing, staff=staff) for _ in range(2))
    clock.freeze(ends - dt.timedelta(days=2))
    assert bid(a, "1000000", "cap-bid-0001").accepted
    clock.freeze(ends + dt.timedelta(minutes=1))
    assert bid(b, "1010000", "cap-bid-0002").accepted  # in the timed round
    assert fresh(listing).state == ListingState.TIMED_ROUND
    clock.advance(dt.timedelta(minutes=5))
    listings.listing_advance(listing_id=listing.pk)
    closed = fresh(listing)
    assert (closed.outcome, closed.leading_id, closed.current_price) == (ListingOutcome.SOLD, b.pk, 1010000)
    # the result is publicised for at least the template's 5 working days (order 32), from the close
    publicity = selectors.result_publicity(closed)
    assert (publicity["kind"], publicity["days"]) == ("publicity", 5)
    assert publicity["until"] == calendar.add_working_days(timezone.localdate(closed.closed_at), 5).date
    page = Client().get(f"/rights/{listing.pk}/").content.decode()
    assert "交易结果公示不少于 5 个工作日" in page and f"{publicity['until']:%Y-%m-%d}" in page


# ---- environmental rights: listing with the timed round, numbers from their own templates ----

@pytest.mark.parametrize("kind", ENVIRONMENTAL)
def test_environmental_notice_in_working_days_and_their_own_round(make_user, centers, kind):
    clock.freeze(NOW)
    demo_catalog_load()  # 济南's 排污权 extension; 碳排放权 is Qingdao's
    center = centers["qingdao"] if kind == "carbon_listing" else centers["jinan"]
    announced = dt.date(2026, 3, 2)
    four = calendar.add_working_days(announced, 4).date
    with pytest.raises(DomainError) as err:
        create(make_user, center, kind, announced_at=at(announced), listing_starts_at=at(four),
               listing_ends_at=at(calendar.add_working_days(four, 6).date, 15), increment="500")
    assert err.value.errors.keys() == {"listing_starts_at"} and "不得少于5个工作日" in str(err.value)
    five = calendar.add_working_days(announced, 5).date
    short = calendar.add_working_days(five, 4).date
    with pytest.raises(DomainError) as period:
        create(make_user, center, kind, announced_at=at(announced), listing_starts_at=at(five),
               listing_ends_at=at(short, 15), increment="500")
    assert period.value.errors.keys() == {"listing_ends_at"} and "挂牌期不得少于5个工作日" in str(period.value)
    with pytest.raises(DomainError) as step:
        create(make_user, center, kind, announced_at=at(announced), listing_starts_at=at(five),
               listing_ends_at=at(calendar.add_working_days(five, 5).date, 15), increment="99")
    assert step.value.errors.keys() == {"increment"} and "100元" in str(step.value)
    listing = create(make_user, center, kind, announced_at=at(announced), listing_starts_at=at(five),
                     listing_ends_at=at(calendar.add_working_days(five, 5).date, 15), increment="500")
    template = listing.template_version.template
    assert template.category_code == PROCEDURE_KINDS[kind].category_code and template.method == "listing"
    assert (listing.round_minutes, listing.bidders_min, listing.increment) == (4, 2, 500)
    assert listing.appraised_value is None


def test_emission_and_carbon_trade_only_where_the_catalog_has_them(make_user, centers):
    clock.freeze(NOW)
    with pytest.raises(DomainError) as before:  # no city has joined 排污权 yet
        listing_make(make_user, centers["jinan"], kind="emission_listing", listing_ends_at=ENDS)
    assert before.value.errors.keys() == {"kind"} and "不在" in str(before.value) and "（61）" in str(before.value)
    demo_catalog_load()
    assert listing_make(make_user, centers["jinan"], kind="emission_listing", listing_ends_at=ENDS).pk
    with pytest.raises(DomainError) as elsewhere:  # 排污权 is 济南's extension, not 青岛's
        listing_make(make_user, centers["qingdao"], kind="emission_listing", listing_ends_at=ENDS)
    assert elsewhere.value.errors.keys() == {"kind"}
    with pytest.raises(DomainError) as carbon:
        listing_make(make_user, centers["jinan"], kind="carbon_listing", listing_ends_at=ENDS)
    assert carbon.value.errors.keys() == {"kind"}
    assert listing_make(make_user, centers["qingdao"], kind="carbon_listing", listing_ends_at=ENDS).pk
    # 用能权 and 用水权 are in the provincial catalog: every center
    assert listing_make(make_user, centers["province"], kind="water_listing", listing_ends_at=ENDS).pk


def test_water_rights_timed_round_of_four_minutes_highest_wins(make_user, centers):
    clock.freeze(NOW)
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], kind="water_listing", listing_ends_at=ENDS, staff=staff,
                           increment="500")
    a, b = (admit(make_user, listing, staff=staff) for _ in range(2))
    listings.reserve_set(actor=listing.grantor, listing_id=listing.pk, amount="1000500")
    clock.freeze(ENDS - dt.timedelta(days=2))
    assert bid(a, "1000000", "water-bid-001").accepted
    clock.freeze(ENDS + dt.timedelta(minutes=3))
    answer = bid(b, "1000500", "water-bid-002")
    assert answer.accepted and answer.round_ends_at == ENDS + dt.timedelta(minutes=7)  # 4 minutes from the bid
    clock.freeze(ENDS + dt.timedelta(minutes=7, seconds=1))
    listings.listing_advance(listing_id=listing.pk)
    closed = fresh(listing)
    assert (closed.outcome, closed.leading_id, closed.current_price) == (ListingOutcome.SOLD, b.pk, 1000500)
    assert listings.reserve_verify(closed)
    publicity = selectors.results_for(user=AnonymousUser(), listing=closed)["publicity"]
    assert (publicity["kind"], publicity["key"], publicity["days"]) == ("publish_within", "result_publish_within", 5)
    assert "交易结果应于结束后 5 个工作日内公布" in Client().get(f"/rights/{listing.pk}/").content.decode()


# ---- the hall and the API show every new kind ----

def test_new_kinds_in_the_hall_and_the_api(make_user, centers):
    clock.freeze(NOW)
    mining = listing_make(make_user, centers["jinan"], kind="mining_auction", listing_ends_at=ENDS)
    water = listing_make(make_user, centers["jinan"], kind="water_listing", listing_ends_at=ENDS)
    rows = {row["code"]: row for row in Client().get("/api/v1/rights/listings").json()}
    assert rows[mining.code]["kind"] == "mining_auction" and rows[water.code]["kind"] == "water_listing"
    for listing, label, rule in ((mining, "矿业权拍卖出让", "竞买人不少于 3 人的，开始网上拍卖"),
                                 (water, "用水权挂牌交易", "竞买人不少于 2 人的，进入限时竞价：每轮 4 分钟")):
        page = Client().get(f"/rights/{listing.pk}/")
        assert page.status_code == 200 and label in page.content.decode() and rule in page.content.decode()
        hall = Client().get(f"/api/v1/rights/listings/{listing.pk}/hall").json()
        assert hall["clock"]["round_minutes"] == listing.round_minutes
    assert "矿业权拍卖出让" in Client().get("/rights/").content.decode()
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    reg = admit(make_user, water, staff=staff)
    clock.freeze(ENDS - dt.timedelta(days=1))
    client = Client()
    client.force_login(reg.bidder)
    answer = client.post(f"/api/v1/rights/listings/{water.pk}/bids", json.dumps(
        {"amount": "1000000", "seen_sequence": 0, "idempotency_key": "water-api-001"}),
        content_type="application/json")
    assert answer.status_code == 200 and answer.json()["accepted"]
    assert timezone.is_aware(fresh(water).listing_ends_at)
