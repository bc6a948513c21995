"""The weighted quote 权重报价 on the pages and the API: the staff's creation with factors, the bidder's quote form with
a field per factor, the seal before the close (no page or API shows a quote, not even a count, to anyone but its
bidder), the score table after it, and English."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.rights.models import RightsListing, RightsQuote, RightsQuoteFactorValue, RightsWeightFactor
from ggzy.rights.services import listings

from .factories import SHANGHAI
from .test_weighted15 import ENDS, quote, world

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def creation(grantor_id: int, **changes) -> dict:
    body = {"grantor_id": grantor_id, "kind": "property_weighted_quote", "code": "QZ-2026-001",
            "title": "某国有企业所持子公司60%股权（权重报价）",
            "announced_at": (ENDS - dt.timedelta(days=60)).isoformat(),
            "registration_opens_at": (ENDS - dt.timedelta(days=40)).isoformat(),
            "registration_closes_at": (ENDS - dt.timedelta(days=2)).isoformat(),
            "listing_starts_at": (ENDS - dt.timedelta(days=16)).isoformat(), "listing_ends_at": ENDS.isoformat(),
            "start_price": "1000000", "increment": "10000", "deposit": "200000", "quote_ceiling": "2000000",
            "appraised_value": "1000000", "price_weight": "60",
            "factors": [{"name": "职工安置人数", "unit": "人", "weight": "25", "minimum": "0", "maximum": "300"},
                        {"name": "承诺投资额", "unit": "万元", "weight": "15", "minimum": 0, "maximum": 5000}]}
    return body | changes


def test_api_creates_a_weighted_listing_staff_only_and_refuses_naming_the_field(make_user, centers):
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    grantor = make_user(Role.TENDERER)
    url = "/api/v1/rights/listings"
    denied = login(make_user(Role.BIDDER)).post(url, json.dumps(creation(grantor.pk)), content_type="application/json")
    assert denied.status_code == 403 and not RightsListing.objects.exists()
    bad = creation(grantor.pk)
    bad["factors"][1]["weight"] = "14"
    refused = login(staff).post(url, json.dumps(bad), content_type="application/json")
    assert refused.status_code == 400 and "factors" in refused.json()["errors"] and "100" in refused.json()["detail"]
    hostile = creation(grantor.pk)
    hostile["factors"][0]["maximum"] = "1e400"
    refused = login(staff).post(url, json.dumps(hostile), content_type="application/json")
    assert refused.status_code == 400 and "factors.1.maximum" in refused.json()["errors"]
    assert not RightsListing.objects.exists() and not RightsWeightFactor.objects.exists()
    created = login(staff).post(url, json.dumps(creation(grantor.pk)), content_type="application/json")
    assert created.status_code == 201 and created.json()["kind"] == "property_weighted_quote"
    listing = RightsListing.objects.get(pk=created.json()["id"])
    assert listing.center == centers["jinan"]
    assert list(listing.weight_factors.values_list("name", "weight")) == [
        ("报价", 60), ("职工安置人数", 25), ("承诺投资额", 15)]


def test_quote_form_and_api_sealed_from_everyone_but_the_bidder(make_user, centers):
    listing, staff, (a, b, c) = world(make_user, centers)
    clock.freeze(ENDS - dt.timedelta(days=3))
    bidder = login(a.bidder)
    page = bidder.get(f"/rights/{listing.pk}/").content.decode()
    assert 'name="factor_1"' in page and 'name="factor_2"' in page and "职工安置人数" in page
    # a refusal on the page names the factor, stores nothing
    refused = bidder.post(f"/rights/{listing.pk}/quote/", {"amount": "1800000", "factor_1": "300"},
                          follow=True).content.decode()
    assert "请填写「承诺投资额」" in refused and not RightsQuote.objects.exists()
    # the page's form and the API
    bidder.post(f"/rights/{listing.pk}/quote/", {"amount": "1876543.21", "factor_1": "287", "factor_2": "4321.5"})
    api = login(b.bidder).post(f"/api/v1/rights/listings/{listing.pk}/quotes",
                               json.dumps({"amount": "1600000", "factors": {"1": "300", "2": "5000"}}),
                               content_type="application/json")
    assert api.status_code == 201 and RightsQuoteFactorValue.objects.count() == 4
    bad = login(c.bidder).post(f"/api/v1/rights/listings/{listing.pk}/quotes",
                               json.dumps({"amount": "1600000", "factors": {"1": "501", "2": "5000"}}),
                               content_type="application/json")
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["factors.1"]
    own = bidder.get(f"/rights/{listing.pk}/").content.decode()
    assert "已于" in own and "1,876,543.21" in own and "4321.5" in own and 'name="factor_1"' not in own
    for reader in (Client(), login(b.bidder), login(c.bidder), login(staff), login(listing.grantor)):
        html = reader.get(f"/rights/{listing.pk}/").content.decode()
        hall = reader.get(f"/api/v1/rights/listings/{listing.pk}/hall").content.decode()
        for text in (html, hall):
            assert "1,876,543.21" not in text and "1876543.21" not in text and "4321.5" not in text
            assert "rights-scores" not in text and '"scores"' not in text
    # then the close opens them: the score table to everyone
    clock.freeze(ENDS)
    listings.listing_advance(listing_id=listing.pk)  # the chronograph's step (or the hall's stream)
    closed = Client().get(f"/rights/{listing.pk}/").content.decode()
    assert 'id="rights-scores"' in closed and "1,876,543.21" in closed and "4321.5" in closed
    scores = Client().get(f"/api/v1/rights/listings/{listing.pk}/hall").json()["result"]["scores"]
    # a: 50 + 287/300×30 = 28.70 + 4321.5/5000×20 = 17.29 → 95.99; b: 42.63 + 30 + 20 → 92.63
    assert [(row["paddle"], row["total"]) for row in scores] == [(a.paddle, "95.99"), (b.paddle, "92.63")]
    assert all(len(row["cells"]) == 3 for row in scores)


def test_score_table_in_english(make_user, centers):
    listing, _staff, (a, b, _c) = world(make_user, centers)
    clock.freeze(ENDS - dt.timedelta(days=3))
    quote(a, "2000000", f1="100", f2="1234")
    quote(b, "1600000", f1="300", f2="5000")
    clock.freeze(ENDS)
    listings.listing_advance(listing_id=listing.pk)
    client = Client()
    client.cookies["django_language"] = "en"
    page = client.get(f"/rights/{listing.pk}/").content.decode()
    assert "Weighted quote scores" in page and "Total score" in page and "64.94" in page and "90" in page


def _form(grantor_id: int, **changes) -> dict:
    local = "%Y-%m-%dT%H:%M"
    body = {"kind": "property_weighted_quote", "code": "QZ-2026-009", "title": "某国有企业所持子公司股权（权重报价）",
            "grantor": str(grantor_id), "announced_at": (ENDS - dt.timedelta(days=60)).strftime(local),
            "registration_opens_at": (ENDS - dt.timedelta(days=40)).strftime(local),
            "registration_closes_at": (ENDS - dt.timedelta(days=2)).strftime(local),
            "listing_starts_at": (ENDS - dt.timedelta(days=16)).strftime(local),
            "listing_ends_at": ENDS.strftime(local), "start_price": "1000000", "increment": "10000",
            "deposit": "200000", "quote_ceiling": "2000000", "appraised_value": "1000000", "price_weight": "70",
            "factors.1.name": "职工安置人数", "factors.1.unit": "人", "factors.1.weight": "20",
            "factors.1.minimum": "0", "factors.1.maximum": "300",
            "factors.2.name": "承诺投资额", "factors.2.unit": "万元", "factors.2.weight": "10",
            "factors.2.minimum": "0", "factors.2.maximum": "5000"}
    return body | changes


def test_staff_publish_form_refuses_on_the_factor_field_then_publishes(make_user, centers):
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    grantor = make_user(Role.TENDERER)
    assert Client().get("/rights/new/").status_code in (302, 403)
    assert login(make_user(Role.BIDDER)).get("/rights/new/").status_code == 403
    client = login(staff)
    page = client.get("/rights/new/").content.decode()
    assert 'name="factors.5.maximum"' in page and 'name="price_weight"' in page
    # a blank row between filled ones is refused on that row; a bad weight on its own field
    refused = client.post("/rights/new/", _form(grantor.pk, **{"factors.1.weight": "1e400"})).content.decode()
    assert 'data-field="factors.1.weight"' in refused and not RightsListing.objects.exists()
    gap = _form(grantor.pk, **{"factors.3.name": "承接债务", "factors.3.weight": "5", "factors.3.minimum": "0",
                               "factors.3.maximum": "100", "factors.2.name": "", "factors.2.unit": "",
                               "factors.2.weight": "", "factors.2.minimum": "", "factors.2.maximum": ""})
    refused = client.post("/rights/new/", gap).content.decode()
    assert 'data-field="factors.2.name"' in refused and not RightsListing.objects.exists()
    done = client.post("/rights/new/", _form(grantor.pk))
    listing = RightsListing.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/rights/{listing.pk}/"
    assert list(listing.weight_factors.values_list("position", "weight")) == [(0, 70), (1, 20), (2, 10)]
    client.cookies["django_language"] = "en"
    english = client.get("/rights/new/").content.decode()
    assert "Weighted quote factor 1: Weight (%)" in english and "Publish a listing" in english
