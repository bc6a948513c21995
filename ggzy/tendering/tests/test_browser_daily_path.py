"""Issue 11, "Done when", first bullet, in real headless Chromium and through the pages only for the bidder: sign up
on the lot page, download the tender documents (bytes checked against the SHA-256 the page shows), a short bond
arrives (the bank's side: a statement import) and the bid is refused with the shortfall, the rest arrives and the bid
goes in (files and price sheet), the PDF receipt is downloaded and verified offline with ``ggzy-bid receipt verify``;
then a second bidder watches the hall from another browser context as the clock passes the deadline and the
scheduler's jobs open the lot, and the opening record fills in live (SSE) without a reload."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from playwright.sync_api import expect

from ggzy.core import clock
from ggzy.ledger import keys
from ggzy.tendering import tasks
from ggzy.tendering.models import Bid, Lot
from ggzy.tendering.services import bidding

from .conftest import bond_arrive, lot_ready, sign_up
from .test_browser_bonds import _try_bid
from .test_browser_tendering import Actor
from .test_receipt_pdf import _ca, cli_offline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FILES = (("技术标.pdf", b"%PDF-1.7 technical proposal"), ("商务标.pdf", b"%PDF-1.7 commercial proposal"))


def test_a_bidders_daily_path_from_sign_up_to_the_live_opening(browser, live_server, world, settings, tmp_path):
    settings.GGZY_HALL_STREAM_SECONDS = 4  # short streams: the hall must reconnect by itself
    settings.GGZY_HALL_STREAM_INTERVAL = 0.5
    lot = lot_ready(world)  # ¥10,000 bond
    document = lot.documents.get()
    bidder = Actor(browser, live_server, world.bidders[0])
    page = bidder.lot(lot.pk)
    # when the bidder signs up on the lot page
    bidder.click("#signup-button")
    assert "待缴纳" in page.inner_text("#bond-state")
    # and downloads the tender documents: the bytes hash to the SHA-256 the page shows
    shown = page.inner_text(f"#document-{document.pk} code.hash").strip()
    with page.expect_download() as download:
        page.click(f"#document-{document.pk} a.button")
    with open(download.value.path(), "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == shown == document.sha256
    # when a short bond arrives (the bank's statement, imported by the center) and the bidder bids
    bond_arrive(world, lot, 0, amount="100")
    page = bidder.lot(lot.pk)
    assert "金额不足" in page.inner_text("#bond-state")
    page.screenshot(path="/tmp/daily-1-bond-short.png", full_page=True)
    _try_bid(bidder, "7650000", files=FILES, duration_days=300)
    # then the bid is refused with the shortfall named, and nothing is stored
    assert "保证金不足：应缴 ¥10,000.00，已到账 ¥100.00" in page.inner_text("li.msg-error")
    page.screenshot(path="/tmp/daily-2-bid-refused.png", full_page=True)
    assert not Bid.objects.filter(lot=lot).exists()
    # when the rest arrives, the bid goes in through the page with its files and price sheet
    bond_arrive(world, lot, 0, amount="9900")
    page = bidder.lot(lot.pk)
    assert "已到账" in page.inner_text("#bond-state")
    _try_bid(bidder, "7650000", files=FILES, duration_days=300)
    assert "已递交" in page.inner_text("#my-bid")
    page.screenshot(path="/tmp/daily-3-bid-in.png", full_page=True)
    # and the PDF receipt downloaded from the page verifies offline with the platform's root (also downloaded from
    # the page) and the ledger key
    with page.expect_download() as download:
        page.click("#bid-receipt-pdf")
    receipt = tmp_path / "回执.pdf"
    download.value.save_as(receipt)
    with page.expect_download() as download:  # the trust root, offered beside the receipt
        page.click("#receipt-trust-root")
    ca = tmp_path / "platform-ca.pem"
    download.value.save_as(ca)
    assert ca.read_bytes() == _ca()
    vkey = tmp_path / "ledger.vkey"
    vkey.write_text(keys.platform_verifier().vkey)
    # (in a fresh interpreter as the bidder runs it, network refused: the page's event loop holds this thread)
    result = cli_offline(["receipt", "verify", str(receipt), "--trust", str(ca), "--checkpoint-key", str(vkey),
                          "--json"])
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["valid"] and verdict["trusted"] and verdict["checkpoint_key"] == "pinned"
    assert verdict["lot_code"] == lot.code and verdict["modification_count"] == 0
    assert [(f["name"], f["sha256"]) for f in verdict["files"]] == [
        (name, hashlib.sha256(content).hexdigest()) for name, content in FILES]
    bidder.context.close()

    # given two other bidders who bid too (the second of them watches the hall), half a minute before the deadline
    sign_up(world, lot, [1, 2])
    for i, price in ((1, "7800000.00"), (2, "7900000.00")):
        bidding.bid_submit(actor=world.bidders[i], lot=lot, price_sheet={"total_price": price, "duration_days": 320},
                           files=[bidding.IncomingFile("技术标.pdf", [b"technical proposal"])],
                           fingerprint={"mac": f"00:11:22:33:44:{i:02d}", "public_ip": "1.2.3.4"})
    deadline = Lot.objects.get(pk=lot.pk).bid_deadline
    clock.freeze(deadline - dt.timedelta(seconds=30))
    watcher = Actor(browser, live_server, world.bidders[1])
    try:
        hall = watcher.page
        hall.goto(f"{live_server.url}/tendering/lots/{lot.pk}/hall/")
        hall.wait_for_selector("#hall[data-live='1']")
        # then before the deadline nothing names a bidder or a price
        assert hall.locator("#hall-bids tbody tr[data-key]").count() == 0
        body = hall.inner_text("body")
        assert not any(entity.name in body for entity in world.bidder_entities[:3]) and "7,650,000" not in body
        hall.screenshot(path="/tmp/daily-4-hall-before.png", full_page=True)
        hall.evaluate("window.ggzyNoReload = 'still here'")
        # when the clock passes the deadline and the scheduler's jobs open the lot and decrypt its bids
        clock.freeze(deadline + dt.timedelta(seconds=5))
        assert tasks.lots_open_due() == 1
        expect(hall.locator("#hall-bids tbody tr[data-key]")).to_have_count(3)
        expect(hall.locator("#hall-countdown")).to_have_text("已截止")
        assert tasks.openings_decrypt_due_safely() == 3
        # then the second bidder's page fills in the record, the first bidder's page-sent bid included, unreloaded
        expect(hall.locator("#hall-bids .status-decrypted")).to_have_count(3)
        expect(hall.locator("#hall-bids")).to_contain_text(world.bidder_entities[0].name)
        row = hall.locator("#hall-bids tbody tr", has_text=world.bidder_entities[0].name)
        expect(row).to_contain_text("¥7,650,000.00")
        expect(row).to_contain_text("300")
        assert hall.evaluate("window.ggzyNoReload") == "still here"
        hall.screenshot(path="/tmp/daily-5-hall-opened.png", full_page=True)
    finally:
        watcher.context.close()
