"""The opening hall in real headless Chromium: two bidders watch the hall in two browser contexts while the platform
clock passes the deadline and the scheduler's jobs open the lot and decrypt its bids; the record fills in on the
second bidder's page without a reload, and an objection raised by the first appears there too. Screenshots of the
hall (desktop and 390 px) go to docs/screenshots/."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ggzy.core import clock
from ggzy.tendering import tasks
from ggzy.tendering.models import Lot
from ggzy.tendering.services import bidding

from .conftest import lot_ready, sign_up
from .test_browser_tendering import Actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
PRICES = ["7800000.00", "7650000.00", "7900000.00"]


def test_two_bidders_watch_the_opening_live(browser, live_server, world, settings):
    # given a lot with three sealed bids, half a minute before its deadline, and short streams (they reconnect)
    settings.GGZY_HALL_STREAM_SECONDS = 4
    settings.GGZY_HALL_STREAM_INTERVAL = 0.5
    lot = lot_ready(world)
    sign_up(world, lot, [0, 1, 2])
    for i, price in enumerate(PRICES):
        bidding.bid_submit(actor=world.bidders[i], lot=lot, price_sheet={"total_price": price, "duration_days": 300},
                           files=[bidding.IncomingFile("技术标.pdf", [b"technical proposal"])],
                           fingerprint={"mac": f"00:11:22:33:44:{i:02d}", "public_ip": "1.2.3.4"})
    deadline = Lot.objects.get(pk=lot.pk).bid_deadline
    clock.freeze(deadline - dt.timedelta(seconds=30))
    first, second = Actor(browser, live_server, world.bidders[0]), Actor(browser, live_server, world.bidders[1])
    hall_url = f"{live_server.url}/tendering/lots/{lot.pk}/hall/"
    try:
        for actor in (first, second):
            actor.page.goto(hall_url)
            actor.page.wait_for_selector("#hall[data-live='1']")
        watcher = second.page
        # then before the deadline: a countdown by server time, and no bidder, price or count anywhere
        # the server time is shown in the platform's zone (Asia/Shanghai), whatever the browser's zone
        assert watcher.inner_text("#hall-server-now").startswith(
            timezone.localtime(clock.now()).strftime("%Y-%m-%d %H:%M"))
        countdown = watcher.inner_text("#hall-countdown")
        assert countdown.startswith("00:00:") and int(countdown[-2:]) <= 30, countdown
        body = watcher.inner_text("body")
        assert not any(entity.name in body for entity in world.bidder_entities)
        assert watcher.locator("#hall-bids tbody tr[data-key]").count() == 0
        SHOTS.mkdir(parents=True, exist_ok=True)
        watcher.screenshot(path=str(SHOTS / "hall-countdown.png"), full_page=True)
        watcher.evaluate("window.ggzyNoReload = 'still here'")
        # when the clock passes the deadline and the scheduler opens the lot, then decrypts its bids
        clock.freeze(deadline + dt.timedelta(seconds=5))
        assert tasks.lots_open_due() == 1
        expect(watcher.locator("#hall-bids tbody tr[data-key]")).to_have_count(3)
        expect(watcher.locator("#hall-bids .status-pending")).to_have_count(3)
        expect(watcher.locator("#hall-countdown")).to_have_text("已截止")
        expect(watcher.locator("#hall-sign-in-form")).to_be_visible()  # sign-in opens at the deadline
        # the scheduler's run (retried as its next run would be: on SQLite a hall stream reading the bids in the
        # live server's thread can hold the in-memory table's lock for a moment, and the run then retries)
        decrypted, tries = tasks.openings_decrypt_due_safely(), 1
        while decrypted == 0 and tries < 20:
            time.sleep(0.5)
            decrypted, tries = tasks.openings_decrypt_due_safely(), tries + 1
        assert decrypted == 3
        # then the second bidder's page fills in the record without a reload
        expect(watcher.locator("#hall-bids .status-decrypted")).to_have_count(3)
        table = watcher.inner_text("#hall-bids")
        for entity, price in zip(world.bidder_entities[:3], PRICES, strict=True):
            assert entity.name in table and f"¥{Decimal(price):,.2f}" in table  # as the lot page shows amounts
        assert watcher.evaluate("window.ggzyNoReload") == "still here"
        assert watcher.inner_text("#hall-state") == "开标中"
        # when the first bidder raises an objection from the hall
        first.page.goto(hall_url)
        first.page.fill("#hall-objection-text", "第三名投标人的质量承诺未填写")
        first.click("#hall-objection-form button")
        # then it appears on the second bidder's page, still without a reload
        expect(watcher.locator("#hall-objections")).to_contain_text("质量承诺未填写")
        assert watcher.evaluate("window.ggzyNoReload") == "still here"
        watcher.screenshot(path=str(SHOTS / "hall.png"), full_page=True)
        phone = second.context.new_page()
        phone.set_viewport_size({"width": 390, "height": 844})
        phone.goto(hall_url)
        phone.wait_for_selector("#hall[data-live='1']")
        phone.screenshot(path=str(SHOTS / "hall-phone.png"), full_page=True)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        for actor in (first, second):
            actor.context.close()
