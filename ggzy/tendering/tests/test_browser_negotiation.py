"""Browser test: 竞争性谈判 — the panel negotiates a round with each supplier apart and notifies a change, the chair
asks for final quotations, a supplier quotes on a phone (390 px), the chair opens them after the deadline and the
lowest final price meeting the requirements is recommended; the panel signs and the result notice is published."""

import datetime as dt

import pytest

from ggzy.core import clock
from ggzy.tendering.choices import BidState
from ggzy.tendering.models import FinalQuotation, NegotiationRecord, RequirementChange
from ggzy.tendering.services import evaluation, result

from .test_browser_tendering import Actor, _local
from .test_gp_negotiation import negotiating_lot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _no_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_negotiation_rounds_final_quotation_and_recommendation(browser, live_server, world):
    # given a negotiation lot after its opening, with a panel of three
    lot = negotiating_lot(world)
    url = f"{live_server.url}/tendering/lots/{lot.pk}/negotiation/"
    chair = Actor(browser, live_server, world.experts[0])
    page = chair.page
    chair.lot(lot.pk)
    chair.click("#negotiation-link", expect=None)
    assert "/negotiation/" in page.url
    # when the chair opens a round and records the separate session with each supplier
    chair.click("#round-open")
    for form in range(3):
        page.locator("#round-1 form textarea").first.fill(f"与第{form + 1}家供应商单独谈判：交货期与售后服务")
        chair.click("#round-1 form button")
    assert NegotiationRecord.objects.count() == 3
    page.fill("#change-text", "交货期由30日调整为20日")
    chair.click("#change-form button")
    assert "已通知 3 家供应商" in page.inner_text("#changes")
    page.fill("#final-deadline-input", _local(clock.now() + dt.timedelta(hours=2)))
    chair.click("#final-call-form button")
    assert "最后报价" in page.inner_text("#negotiation-state")
    page.screenshot(path="/tmp/negotiation-chair.png", full_page=True)
    # and each supplier quotes; one does so on a phone
    for i, price in enumerate(["91000", "89500", "93000"]):
        supplier = Actor(browser, live_server, world.bidders[i])
        if i == 1:
            supplier.page.set_viewport_size({"width": 390, "height": 844})
        supplier.page.goto(url)
        assert "交货期由30日调整为20日" in supplier.page.inner_text("#changes")
        supplier.page.fill("#total-price", price)
        supplier.click("#final-quotation-form button")
        assert "最后报价已密封提交" in supplier.page.inner_text("#own-final")
        if i == 1:
            _no_overflow(supplier.page)
            supplier.page.screenshot(path="/tmp/negotiation-supplier-390.png", full_page=True)
        supplier.context.close()
    # then the chair sees nothing of them before the opening
    page.goto(url)
    assert "91,000" not in page.content() and "89,500" not in page.content()
    assert FinalQuotation.objects.count() == 3
    # when the deadline passes and the chair opens them
    clock.advance(dt.timedelta(hours=2))
    page.goto(url)
    chair.click("#final-open")
    rows = page.locator("#final-table tbody tr")
    assert rows.count() == 3 and "89,500.00" in rows.first.inner_text()
    page.screenshot(path="/tmp/negotiation-opened.png", full_page=True)
    # and the panel confirms every response meets the requirements: the lowest final price is recommended
    for member in world.experts[:3]:
        for bid in lot.bids.filter(state=BidState.OPENED):
            evaluation.score_submit(actor=member, bid=bid, is_qualified=True)
    report = evaluation.report_generate(actor=world.experts[0], lot=lot)
    assert report.ranking[0]["price"] == "89500.00" and report.ranking[0]["bidder"] == world.bidder_entities[1].name
    assert RequirementChange.objects.get().notified
    # and the panel signs its report and the purchaser publishes the result: the lot page shows the result notice
    for member in world.experts[:3]:
        evaluation.report_sign(actor=member, lot=lot)
    result.candidates_publish(actor=world.tenderer, lot=lot)
    chair.lot(lot.pk)
    assert "成交结果公告" in page.inner_text("main") and "89,500.00" in page.inner_text("main")
    chair.context.close()
