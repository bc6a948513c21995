"""Browser test: the bidder signs up, sees its bond sub-account and the bond's status on the lot page, pays short
(the bid is refused with the reason), then pays the rest and bids."""

import pytest

from ggzy.tendering.models import BidBond

from .conftest import bond_arrive, lot_ready
from .test_browser_tendering import Actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _try_bid(bidder, price="7600000", *, files=(("投标文件.pdf", b"%PDF proposal"),), duration_days=None):
    """Send the bid form on the lot page with ``files`` (name, bytes) and the price sheet; returns the page."""
    page = bidder.page
    page.set_input_files("#bid-files", files=[{"name": name, "mimeType": "application/pdf", "buffer": content}
                                              for name, content in files])
    page.fill("#total_price", price)
    if duration_days is not None:
        page.fill("#duration_days", str(duration_days))
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


def test_staff_bond_desk_imports_a_statement_and_shows_no_lot(browser, live_server, world, tmp_path):
    # given a bidder signed up for a published lot
    from ggzy.tendering import services

    from .conftest import statement_csv

    lot = lot_ready(world)
    services.signup_create(actor=world.bidders[0], lot=lot)
    subaccount = BidBond.objects.get(signup__lot=lot).subaccount
    statement = tmp_path / "流水.csv"
    statement.write_bytes(statement_csv([
        ["LS-1", "2026-03-02 08:30:00", "山东鲁建建设集团有限公司", "3701000088889999", "工行", subaccount, "10000"],
        ["LS-2", "2026-03-02 08:40:00", "某公司", "6200001", "农行", "900000000000000001", "500"]], encoding="gbk"))
    # when staff import the bank statement on the bond desk
    staff = Actor(browser, live_server, world.staff)
    staff.page.goto(f"{live_server.url}/tendering/bonds/")
    staff.page.set_input_files("#statement-file", str(statement))
    staff.click("#statement-form button[type=submit]")
    page = staff.page
    # then the import's totals show, the unmatched arrival is listed for return, and nothing names the lot
    assert "匹配子账号 1 笔" in page.inner_text("li.msg-success")
    assert "6200001" in page.inner_text("#unmatched")
    text = page.inner_text("main") if page.locator("main").count() else page.content()
    assert lot.code not in text and "山东鲁建建设集团有限公司" not in text and subaccount not in text
    page.screenshot(path="/tmp/bond-desk.png", full_page=True)
    assert BidBond.objects.get(signup__lot=lot).amount == 10000
