"""Browser test: 单一来源 — the purchaser publishes the publicity on a phone (390 px), a supplier objects, the
purchaser answers, cannot start before the publicity ends, records the price basis and publishes the result, then
issues the award (成交通知书) on the deal and records the signed contract."""

import datetime as dt

import pytest

from ggzy.core import clock
from ggzy.tendering.models import Lot

from .test_browser_tendering import Actor
from .test_gp_single_source import single_source_lot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_single_source_publicity_objection_and_deal(browser, live_server, world):
    lot = single_source_lot(world)
    url = f"{live_server.url}/tendering/lots/{lot.pk}/single-source/"
    owner = Actor(browser, live_server, world.tenderer)
    page = owner.page
    page.set_viewport_size({"width": 390, "height": 844})
    owner.lot(lot.pk)
    owner.click("#single-source-link", expect=None)
    page.fill("#supplier-code", world.bidder_entities[0].credit_code)
    page.fill("#reasons", "设备为原厂专有技术，只能由原厂提供维保服务")
    owner.click("#publicity-form button")
    assert world.bidder_entities[0].name in page.inner_text("#publicity-supplier")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path="/tmp/single-source-publicity-390.png", full_page=True)
    objector = Actor(browser, live_server, world.bidders[1])
    objector.page.goto(url)
    objector.page.fill("#objection-text", "本公司也能提供同类服务")
    objector.click("#objection-form button")
    objector.context.close()
    page.goto(url)
    owner.click("#negotiation-start", expect=None)
    assert "尚未结束" in page.inner_text("li.msg-error")
    page.fill("#objections textarea", "经论证，核心部件仅原厂可提供，异议不成立")
    owner.click("#objections form button")
    clock.advance(dt.timedelta(days=8))
    page.goto(url)
    owner.click("#negotiation-start")
    page.fill("#deal-price", "860000")
    page.fill("#deal-basis", "近三年同型号维保合同均价")
    page.fill("#deal-minutes", "协商降价3万元")
    owner.click("#deal-form button")
    assert "860,000.00" in page.inner_text("#deal-price-shown")
    assert Lot.objects.get(pk=lot.pk).state == "candidates"
    page.screenshot(path="/tmp/single-source-deal-390.png", full_page=True)
    owner.lot(lot.pk)  # the status tag names the result notice, not candidates' publicity
    assert page.inner_text("#lot-state") == "成交结果公告"
    # after the result notice's period the deal becomes the award (no bid behind it) and the contract is signed
    clock.advance(dt.timedelta(days=3))
    owner.lot(lot.pk)
    owner.click("#award-button")
    assert Lot.objects.get(pk=lot.pk).state == "awarded"
    assert world.bidder_entities[0].name in page.inner_text("#award")
    assert "860,000.00" in page.inner_text("#award")
    page.fill("#signed_on", clock.today().isoformat())
    page.set_input_files("#contract-file", files=[{"name": "合同.pdf", "mimeType": "application/pdf",
                                                   "buffer": b"%PDF-1.4 single source contract"}])
    owner.click("#owner-panel form[enctype] button")
    contracted = Lot.objects.get(pk=lot.pk)
    assert contracted.state == "contracted" and contracted.contract.amount == 860000
    assert contracted.award.bid is None and contracted.award.supplier == world.bidder_entities[0]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path="/tmp/single-source-contract-390.png", full_page=True)
    owner.context.close()
