"""The hall page, its event stream and the API: public view without identities, a bid through the API and the
page, refusals in Chinese naming the field, hostile numbers."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from ggzy.core import clock
from ggzy.rights.models import RightsBid
from ggzy.rights.services.listings import listing_advance
from ggzy.rights.views import hall_event_stream

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _history_html(html: str) -> str:
    return html[html.index('id="rights-history"'):].split("</tbody>", 1)[0]


def test_public_hall_shows_amounts_never_names_nor_others_paddles_until_the_result(land):
    clock.advance(dt.timedelta(days=3))
    a, b = land["a"], land["b"]
    answer = login(a.bidder).post(f"/api/v1/rights/listings/{a.listing_id}/bids", json.dumps(
        {"amount": "1000000", "seen_sequence": 0, "idempotency_key": "api-key-0001"}), content_type="application/json")
    assert answer.status_code == 200 and answer.json()["accepted"] and answer.json()["sequence"] == 1
    page = Client().get(f"/rights/{a.listing_id}/")
    html = page.content.decode()
    assert page.status_code == 200 and "¥1,000,000.00" in html and "其他竞买人" in _history_html(html)
    assert str(a.paddle) not in _history_html(html)
    assert a.bidder.username not in html and b.bidder.username not in html
    staff_page = login(land["staff"]).get(f"/rights/{a.listing_id}/").content.decode()
    assert a.bidder.username in staff_page  # the center sees who registered
    assert str(a.paddle) in _history_html(staff_page)

    def hall(client: Client) -> dict:
        return client.get(f"/api/v1/rights/listings/{a.listing_id}/hall").json()

    public = hall(Client())
    assert public["price"]["sequence"] == 1 and public["me"]["paddle"] is None and "winner_name" not in public["result"]
    assert public["price"]["leading_paddle"] is None and public["history"][0]["paddle"] is None
    own = hall(login(a.bidder))
    assert own["history"][0] == own["history"][0] | {"paddle": a.paddle, "mine": True}
    assert own["price"]["leading_paddle"] == a.paddle and own["price"]["leading_mine"] is True
    other = hall(login(b.bidder))  # a competitor learns the price, not who (nor how many) outbid them
    assert other["history"][0]["paddle"] is None and other["history"][0]["mine"] is False
    assert other["price"]["leading_paddle"] is None and other["me"]["paddle"] == b.paddle
    assert hall(login(land["staff"]))["history"][0]["paddle"] == a.paddle

    clock.freeze(land["ends"] + dt.timedelta(days=1))  # the timed round ran out: a wins, the result shows paddles
    listing_advance(listing_id=a.listing_id)
    after = hall(Client())
    assert after["result"]["final"] and after["result"]["winner_paddle"] == a.paddle
    assert after["history"][0]["paddle"] == a.paddle and after["price"]["leading_paddle"] == a.paddle


@pytest.mark.parametrize("amount", ["1e20", "NaN", 1e300, "1.001", "-5"])
def test_api_refuses_hostile_amounts_in_chinese(land, amount):
    clock.advance(dt.timedelta(days=3))
    response = login(land["a"].bidder).post(
        f"/api/v1/rights/listings/{land['listing'].pk}/bids",
        json.dumps({"amount": amount, "seen_sequence": 0, "idempotency_key": "api-key-0002"}),
        content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert "amount" in json.dumps(body["errors"]) and "金额" in body["detail"] or "报价" in body["detail"]
    assert RightsBid.objects.count() == 0


def test_api_malformed_json_answers_in_chinese(land):
    response = login(land["a"].bidder).post(f"/api/v1/rights/listings/{land['listing'].pk}/bids", "{not json",
                                            content_type="application/json")
    assert response.status_code == 400 and any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["detail"])


def test_page_bid_stale_then_accepted_and_english(land):
    clock.advance(dt.timedelta(days=3))
    a, b = land["a"], land["b"]
    client = login(b.bidder)
    login(a.bidder).post(f"/rights/{a.listing_id}/bid/", {"amount": "1000000", "seen_sequence": "0",
                                                          "idempotency_key": "page-key-01"})
    stale = client.post(f"/rights/{a.listing_id}/bid/", {"amount": "1010000", "seen_sequence": "0",
                                                         "idempotency_key": "page-key-02"}, HTTP_HX_REQUEST="true")
    assert "已有新的报价" in stale.content.decode()
    ok = client.post(f"/rights/{a.listing_id}/bid/", {"amount": "1010000", "seen_sequence": "1",
                                                      "idempotency_key": "page-key-03"}, HTTP_HX_REQUEST="true")
    assert "报价已接受" in ok.content.decode()
    hostile = client.post(f"/rights/{a.listing_id}/bid/", {"amount": "1e400", "seen_sequence": "2",
                                                           "idempotency_key": "page-key-04"}, HTTP_HX_REQUEST="true")
    assert "报价须填写普通数字" in hostile.content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(f"/rights/{a.listing_id}/").content.decode()
    assert "Online bidding hall" in english


def test_event_stream_sends_parts_and_closes_a_finished_round(land):
    clock.advance(dt.timedelta(days=3))
    a = land["a"]
    login(a.bidder).post(f"/rights/{a.listing_id}/bid/", {"amount": "1000000", "seen_sequence": "0",
                                                          "idempotency_key": "page-key-05"})
    clock.freeze(land["ends"] + dt.timedelta(minutes=5))
    ticks = iter(range(100))
    events = "".join(hall_event_stream(user=a.bidder, listing_id=a.listing_id, seconds=0, sleep=lambda s: None,
                                       monotonic=lambda: float(next(ticks))))
    assert "event: price" in events and "event: result" in events and '"outcome": "sold"' in events
    assert "event: bye" in events


def test_stream_wait_budget_polls_faster_without_a_live_fanout_and_stops_at_the_deadline():
    from ggzy.rights.views import DEGRADED_INTERVAL, MIN_WAIT, _wait_budget

    clock.freeze(dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC))
    far = {"clock": {"deadline": "2026-03-20T10:00:00+00:00"}}
    assert _wait_budget(far, 5.0, live=True) == 5.0
    assert _wait_budget(far, 5.0, live=False) == DEGRADED_INTERVAL  # the listener is reconnecting
    near = {"clock": {"deadline": "2026-03-20T09:00:02+00:00"}}
    assert _wait_budget(near, 5.0, live=True) == pytest.approx(2.05)
    passed = {"clock": {"deadline": "2026-03-20T08:59:00+00:00"}}  # passed while sending: look again soon
    assert _wait_budget(passed, 5.0, live=True) == MIN_WAIT
    assert _wait_budget({"clock": {"deadline": ""}}, 5.0, live=True) == 5.0
