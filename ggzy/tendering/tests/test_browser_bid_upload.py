"""The bid form in headless Chromium (issue 11, item 3): the upload shows its progress, the submit button is
disabled while sending, a double click sends once, and the receipt PDF can be downloaded afterwards."""

import pytest

from ggzy.tendering.models import Bid, BidEvent

from .conftest import lot_ready, sign_up
from .test_browser_tendering import Actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_upload_shows_progress_and_sends_once(browser, live_server, world):
    lot = lot_ready(world)
    sign_up(world, lot, [0])
    bidder = Actor(browser, live_server, world.bidders[0])
    page = bidder.lot(lot.pk)
    assert page.locator("[data-upload-box]").is_hidden()
    page.set_input_files("#bid-files", files=[{"name": "投标文件.pdf", "mimeType": "application/pdf",
                                               "buffer": b"%PDF proposal " + b"x" * (3 * 1024 * 1024)}])
    page.fill("#total_price", "7650000")
    seen: list = []

    def hold(route):
        # while the upload is on its way: the button is disabled and the progress bar shown
        seen.append(page.evaluate("""() => [document.querySelector('#bid-submit').disabled,
            !document.querySelector('[data-upload-box]').hidden,
            document.querySelector('#bid-progress').value,
            document.querySelector('#bid-progress-text').textContent]"""))
        page.locator("#bid-form").screenshot(path="/tmp/rcpt/while-sending.png")
        route.continue_()

    page.route("**/act/bid/", hold)
    # when the bidder double-clicks the submit button
    with page.expect_navigation():
        page.evaluate("() => { const b = document.querySelector('#bid-submit'); b.click(); b.click(); }")
    page.screenshot(path="/tmp/rcpt/after-bid.png", full_page=True)
    # then one request went out, with the button disabled and the bar visible while it did
    assert len(seen) == 1, seen
    disabled, shown, value, text = seen[0]
    assert disabled and shown and value >= 0 and text
    # and one submission was stored, no modification
    assert Bid.objects.get(lot=lot).modified_count == 0
    assert BidEvent.objects.filter(lot=lot, kind__in=["submit", "modify"]).count() == 1
    assert "已递交" in page.inner_text("#my-bid")
    # and the receipt PDF is offered and downloads
    with page.expect_download() as download:
        page.click("#bid-receipt-pdf")
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_progress_reaches_the_bar(browser, live_server, world):
    lot = lot_ready(world)
    sign_up(world, lot, [0])
    bidder = Actor(browser, live_server, world.bidders[0])
    page = bidder.lot(lot.pk)
    # record every value the bar takes and the text beside it (kept across the page load that follows)
    page.evaluate("""() => { sessionStorage.setItem('bar', '[]'); document.addEventListener('htmx:xhr:progress', () => {
        const seen = JSON.parse(sessionStorage.getItem('bar'));
        seen.push([document.querySelector('#bid-progress').value, document.querySelector('#bid-progress-text').textContent]);
        sessionStorage.setItem('bar', JSON.stringify(seen)); }); }""")
    page.set_input_files("#bid-files", files=[{"name": "投标文件.pdf", "mimeType": "application/pdf",
                                               "buffer": b"x" * (4 * 1024 * 1024)}])
    page.fill("#total_price", "7650000")
    with page.expect_navigation():
        page.click("#bid-submit")
    seen = page.evaluate("() => JSON.parse(sessionStorage.getItem('bar'))")
    # then the bar moved up to 100 and said so
    assert seen and seen[-1][0] == 100, seen
    assert "上传完成" in seen[-1][1]
    assert all(later[0] >= earlier[0] for earlier, later in zip(seen, seen[1:], strict=False))
