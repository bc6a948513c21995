"""The masking walk for rights listings: every public page and GET endpoint (the hall, its stream and results, the
portal's notices, OCDS, the national exchange format, their exports), opened anonymously at each stage of a land
listing (挂牌 + 限时竞价) and a sealed single-quote listing (一次报价) played by the services.

Until the close: no bidder is named (the hall shows paddles only), the sealed reserve and the sealed quotes appear
nowhere, and the open data carries no bid and no count. At the close the winner, the deal price and the reserve are
public; the losing bidder is never named, nor its sealed quote. Personal phones never appear.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core import masking as table
from ggzy.disclosure.models import Notice
from ggzy.ledger.models import LogEntry
from ggzy.opendata import ocds_rights
from ggzy.registry.models import MarketEntity
from ggzy.registry.tests.factories import MarketEntityFactory, link
from ggzy.rights.services import bidding, contract, listings, quotes, results
from ggzy.rights.tests.factories import SHANGHAI, admit, listing_make

from .test_masking_walk import ENTITY_PAGES, _body, _public_routes, _urls

RESERVE = "1043700"
WINNING_QUOTE, LOSING_QUOTE = "2345600", "2109800"
PHONE = "13800001234"  # the entities' contact mobile (MarketEntityFactory): a person's phone, never public
RIGHTS_ROUTES = {"/rights/<int:listing_id>/", "/rights/<int:listing_id>/events/",
                 "/api/v1/rights/listings/{listing_id}/hall", "/api/v1/rights/listings/{listing_id}/results",
                 "/ocds/<str:ocid>.json", "/ocds/releases/<str:ocid>.json", "/api/v1/ocds/records/{ocid}",
                 "/api/v1/exchange/sections/{lot_code}", "/api/v1/ocds/export", "/api/v1/exchange/export"}
SEALED = {"registration", "listing_with_bids", "timed_round"}


def _bid(listing, user, amount, key):
    listing.refresh_from_db()
    answer = bidding.bid_place(actor=user, listing_id=listing.pk, amount=amount,
                               seen_sequence=listing.current_sequence, idempotency_key=key)
    assert answer.accepted, answer.message


def play(make_user, centers, people):
    """Yield (stage, listings) at: registration (both admitted), listing with bids and a sealed quote in, the
    timed round, closed (成交), contract recorded and paid."""
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    jinan = centers["jinan"]
    staff = make_user(Role.CENTER_STAFF, center=jinan)
    ends = dt.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI)
    land = listing_make(make_user, jinan, listing_ends_at=ends, staff=staff, grantor=people["grantor"])
    # the quoting period ends a day after the land listing's (a closed listing is public, whoever closed it: the
    # hall's stream closes a listing whose time is up)
    quote = listing_make(make_user, jinan, kind="property_single_quote", listing_ends_at=ends + dt.timedelta(days=1),
                         staff=staff,
                         grantor=people["grantor"], quote_ceiling="3000000.00")
    listings.reserve_set(actor=people["grantor"], listing_id=land.pk, amount=RESERVE)
    for listing in (land, quote):
        admit(make_user, listing, staff=staff, bidder=people["winner"])
        admit(make_user, listing, staff=staff, bidder=people["loser"])
    yield "registration", (land, quote)
    clock.freeze(ends - dt.timedelta(days=5))
    _bid(land, people["loser"], "1000000", "walk-0001")
    _bid(land, people["winner"], "1010000", "walk-0002")
    quotes.quote_submit(actor=people["winner"], listing_id=quote.pk, amount=WINNING_QUOTE)
    quotes.quote_submit(actor=people["loser"], listing_id=quote.pk, amount=LOSING_QUOTE)
    yield "listing_with_bids", (land, quote)
    clock.freeze(ends + dt.timedelta(minutes=1))
    listings.listing_advance(listing_id=land.pk)
    _bid(land, people["loser"], "1020000", "walk-0003")
    _bid(land, people["winner"], "1050000", "walk-0004")
    yield "timed_round", (land, quote)
    clock.freeze(ends + dt.timedelta(days=1, minutes=30))
    for listing in (land, quote):
        listings.listing_advance(listing_id=listing.pk)
        listing.refresh_from_db()
        assert listing.outcome == "sold"
    yield "closed", (land, quote)
    results.confirmation_confirm(actor=people["winner"], listing_id=land.pk)
    results.confirmation_confirm(actor=people["grantor"], listing_id=land.pk)
    contract.contract_record(actor=staff, listing_id=land.pk, number="HT-WALK-1", signed_on=clock.today(),
                             instalments=[{"due_on": clock.today() + dt.timedelta(days=20), "amount": "850000"}])
    land.refresh_from_db()
    contract.instalment_pay(actor=staff, instalment_id=land.contract.instalments.get().pk, reference="BANK-WALK-9")
    yield "contract", (land, quote)


def _values(listings_now) -> dict[str, list[str]]:
    return {
        "listing_id": [str(x.pk) for x in listings_now], "lot_code": [x.code for x in listings_now],
        "ocid": [ocds_rights.ocid_for(x.code) for x in listings_now],
        "notice_id": [str(pk) for pk in Notice.objects.values_list("pk", flat=True)],
        "credit_code": list(MarketEntity.objects.values_list("credit_code", flat=True)),
        "index": [str(i) for i in range(LogEntry.objects.count())],
        # no lot, no draw, no tender document in this world: those routes are walked by the lot's walk
        "lot_id": [], "project_id": [], "document_id": [], "draw_id": [], "purpose": [],
        "template_id": ["1"], "year": ["2026"], "level": ["0"], "position": ["0"],
    }


@pytest.fixture
def people(make_user):
    grantor, winner, loser = make_user(Role.TENDERER), make_user(Role.BIDDER), make_user(Role.BIDDER)
    entities = {"grantor": MarketEntityFactory(name="济南市测试区自然资源和规划局"),
                "winner": MarketEntityFactory(name="山东甲乙竞买测试有限公司"),
                "loser": MarketEntityFactory(name="青岛丙丁竞买测试有限公司")}
    for user, entity in zip((grantor, winner, loser), entities.values(), strict=True):
        link(user, entity)
    return {"grantor": grantor, "winner": winner, "loser": loser, "entities": entities}


def _identity(people, who: str) -> list[str]:
    entity = people["entities"][who]
    return [entity.name, entity.credit_code, people[who].username]


@pytest.mark.django_db
def test_no_masked_value_on_any_public_page_or_endpoint_at_any_rights_stage(make_user, centers, people,
                                                                            settings):
    # given a land listing and a sealed-quote listing, both bid on by the same two entities
    settings.GGZY_HALL_STREAM_SECONDS = 0
    routes = _public_routes()
    assert set(routes) >= RIGHTS_ROUTES
    client = Client()
    walked: set[tuple[str, str]] = set()
    open_data: dict[str, dict[str, str]] = {}
    for stage, (land, quote) in play(make_user, centers, people):
        # the loser is never named, nor its sealed quote; until the close neither is the winner, the reserve or
        # the winning quote
        hidden = _identity(people, "loser") + [LOSING_QUOTE]
        if stage in SEALED:
            hidden += _identity(people, "winner") + [RESERVE, WINNING_QUOTE]
        # when an anonymous visitor opens every public page and endpoint at this stage
        for route in routes:
            for url in _urls(route, _values((land, quote))):
                response = client.get(url)
                assert response.status_code < 500, (stage, url, response.status_code)
                body = _body(response).replace(",", "")
                # then no personal phone, and (but on the registry's own pages) no sealed value
                shown = [s for s in [PHONE] if s in body]
                if not ENTITY_PAGES.match(url):
                    shown += [s for s in hidden if s in body]
                assert not shown, f"{stage}: {url} 显示了应屏蔽的 {shown}"
                walked.add((stage, route))
        record = client.get(f"/api/v1/ocds/records/{ocds_rights.ocid_for(land.code)}").json()
        exchange = client.get(f"/api/v1/exchange/sections/{land.code}").json()
        open_data[stage] = {"ocds": json.dumps(record, ensure_ascii=False),
                            "exchange": json.dumps(exchange, ensure_ascii=False)}
    # and every rights route was walked at every stage
    assert {(stage, route) for stage in open_data for route in RIGHTS_ROUTES} <= walked
    # and before the close the open data carries no bid and no count (not even zero), after it both
    for stage, text in open_data.items():
        counted = ['"bids"', '"numberOfTenderers"', "BIDDER_COUNT", "BID_RECORDS"]
        if stage in SEALED:
            assert not [k for k in counted if k in text["ocds"] + text["exchange"]], stage
        else:
            assert all(k in text["ocds"] + text["exchange"] for k in counted), stage
    # and the walk reads real data: at the close the winner, the price and the reserve are in OCDS and the
    # national format
    assert not table.public_shown("listing.winner", frozenset())
    for stage in ("closed", "contract"):
        for text in open_data[stage].values():
            winner = people["entities"]["winner"]
            assert winner.name in text and winner.credit_code in text and RESERVE in text.replace(".00", "")
    assert '"implementation"' in open_data["contract"]["ocds"] and "RIGHTS_PAYMENT" in open_data["contract"]["exchange"]


@pytest.mark.django_db
def test_a_sale_voided_after_winning_names_no_losing_bidder_anywhere(make_user, centers, people, settings):
    """资格后审: a land listing sold, its winner's check pending, then refused (竞得无效) — at both stages every public
    page and endpoint opens without error, the losing bidder is never named, the void's reason is public."""
    from ggzy.rights.services import postqualification
    from ggzy.rights.tests.factories import admit_on_deposit

    # given a land listing under 资格后审, the two entities admitted on their deposits, the winner outbidding
    settings.GGZY_HALL_STREAM_SECONDS = 0
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    ends = dt.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI)
    land = listing_make(make_user, centers["jinan"], listing_ends_at=ends, staff=staff, grantor=people["grantor"],
                        qualification_timing="after")
    for who in ("winner", "loser"):
        admit_on_deposit(make_user, land, staff=staff, bidder=people[who])
    clock.freeze(ends - dt.timedelta(days=5))
    _bid(land, people["loser"], "1000000", "void-0001")
    _bid(land, people["winner"], "1010000", "void-0002")
    clock.freeze(ends + dt.timedelta(days=1))
    listings.listing_advance(listing_id=land.pk)
    reason = "竞买人不符合出让公告规定的竞买资格"
    client = Client()
    routes = _public_routes()
    for stage in ("pending", "void"):
        if stage == "void":
            postqualification.winner_qualification_decide(actor=staff, listing_id=land.pk, approve=False,
                                                          reason=reason)
        land.refresh_from_db()
        # when an anonymous visitor opens every public page and endpoint
        for route in routes:
            for url in _urls(route, _values((land,))):
                response = client.get(url)
                assert response.status_code < 500, (stage, url, response.status_code)
                body = _body(response).replace(",", "")
                # then no phone, and the losing bidder nowhere (but on the registry's own pages)
                shown = [s for s in [PHONE] if s in body]
                if not ENTITY_PAGES.match(url):
                    shown += [s for s in _identity(people, "loser") if s in body]
                assert not shown, f"{stage}: {url} 显示了应屏蔽的 {shown}"
    # and the void is public with its reason, in OCDS (the award cancelled) and the national format
    record = client.get(f"/api/v1/ocds/records/{ocds_rights.ocid_for(land.code)}").json()
    award = record["records"][0]["compiledRelease"]["awards"][0]
    assert award["status"] == "cancelled" and reason in award["description"]
    assert "RIGHTS_VOID" in json.dumps(client.get(f"/api/v1/exchange/sections/{land.code}").json())
