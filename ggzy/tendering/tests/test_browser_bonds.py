"""Browser test: the bidder signs up, sees its bond sub-account and the bond's status on the lot page, pays short
(the bid is refused with the reason), then pays the rest and bids."""

import pytest

from ggzy.tendering.models import BidBond

from .conftest import bond_arrive, lot_ready
from .test_browser_tendering import Actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _try_bid(bidder, price="7600000"):
    page = bidder.page
    page.set_input_files("#bid-files", files=[{"name": "投标文件.pdf", "mimeType": "application/pdf",
                                               "buffer": b"%PDF proposal"}])
    page.fill("#total_price", price)
    page.click("#bid-form button[type=submit]")
    page.wait_for_load_state()
    return page


def test_bidder_sees_subaccount_and_status_and_a_short_bond_blocks_the_bid(browser, live_server, world):
    # given a published lot with a ¥10,000 bond
    lot = lot_ready(world)
    bidder = Actor(browser, live_server, world.bidders[0])
    bidder.lot(lot.pk)
    bidder.click("#signup-button")
    page = bidder.page
    # then the lot page shows where and how much to pay, and the status
    subaccount = BidBond.objects.get(signup__lot=lot).subaccount
    assert page.inner_text("#bond-subaccount") == subaccount
    assert "待缴纳" in page.inner_text("#bond-state") and "10,000.00" in page.inner_text("#bond-required")
    assert "济南公共资源交易中心保证金专户" in page.inner_text("#bond-panel")
    page.screenshot(path="/tmp/bond-pending.png", full_page=True)
    # when ¥100 arrives and the bidder bids, then the bid is refused with the reason
    bond_arrive(world, lot, 0, amount="100")
    bidder.lot(lot.pk)
    assert "金额不足" in page.inner_text("#bond-state")
    _try_bid(bidder)
    assert "保证金不足：应缴 ¥10,000.00，已到账 ¥100.00" in page.inner_text("li.msg-error")
    assert not lot.bids.exists()
    # when the rest arrives, the bid goes in
    bond_arrive(world, lot, 0, amount="9900")
    bidder.lot(lot.pk)
    assert "已到账" in page.inner_text("#bond-state")
    page.screenshot(path="/tmp/bond-arrived.png", full_page=True)
    _try_bid(bidder)
    assert "已递交" in page.inner_text("#my-bid")
