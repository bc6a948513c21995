"""Browser test: 竞争性磋商 — the lot page names the procurement object and the price weight, the panel consults each
supplier apart on the consultation page (its own words, not negotiation's), the chair calls for final quotations, a
supplier quotes on a phone (390 px), the chair opens them after the deadline, the panel scores comprehensively and
signs, and the lot page shows the result notice (成交结果公告) with the best total, which is not the lowest price."""

import datetime as dt

import pytest

from ggzy.core import clock
from ggzy.tendering.choices import BidState
from ggzy.tendering.models import NegotiationRecord
from ggzy.tendering.services import evaluation, result

from .test_browser_tendering import Actor, _local
from .test_gp_consultation import consulting_lot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_consultation_rounds_final_quotations_and_a_signed_result(browser, live_server, world):
    # given a consultation lot (services, price weight 20%) after its opening, with a panel of three
    lot = consulting_lot(world)
    url = f"{live_server.url}/tendering/lots/{lot.pk}/negotiation/"
    chair = Actor(browser, live_server, world.experts[0])
    page = chair.page
    chair.lot(lot.pk)
    assert page.inner_text("#procurement-object") == "服务"
    assert "价格分权重 20%" in page.content()
    chair.click("#negotiation-link", expect=None)
    assert page.inner_text("h1") == "竞争性磋商" and "谈判" not in page.inner_text("main")
    # when the chair opens a round and records the separate session with each supplier
    chair.click("#round-open")
    assert "第1轮磋商" in page.inner_text("#round-1 h2")
    for form in range(3):
        page.locator("#round-1 form textarea").first.fill(f"与第{form + 1}家供应商单独磋商：驻场人数与响应时限")
        chair.click("#round-1 form button")
    assert NegotiationRecord.objects.count() == 3
    page.fill("#change-text", "到场响应时限由4小时调整为2小时")
    chair.click("#change-form button")
    page.fill("#final-deadline-input", _local(clock.now() + dt.timedelta(hours=2)))
    chair.click("#final-call-form button")
    # and each supplier quotes; one does so on a phone
    for i, price in enumerate(["91000", "93000", "95000"]):
        supplier = Actor(browser, live_server, world.bidders[i])
        if i == 1:
            supplier.page.set_viewport_size({"width": 390, "height": 844})
        supplier.page.goto(url)
        assert "到场响应时限由4小时调整为2小时" in supplier.page.inner_text("#changes")
        supplier.page.fill("#total-price", price)
        supplier.click("#final-quotation-form button")
        assert "最后报价已密封提交" in supplier.page.inner_text("#own-final")
        if i == 1:
            assert supplier.page.evaluate("document.documentElement.scrollWidth") <= 390
            supplier.page.screenshot(path="/tmp/consultation-supplier-390.png", full_page=True)
        supplier.context.close()
    page.goto(url)
    assert "91,000" not in page.content() and "93,000" not in page.content()
    # when the deadline passes and the chair opens them
    clock.advance(dt.timedelta(hours=2))
    page.goto(url)
    chair.click("#final-open")
    assert page.locator("#final-table tbody tr").count() == 3
    assert "综合评分法" in page.inner_text("#final-quotations")
    # and the panel scores (technical + commercial) and signs the report, and the purchaser publishes the result
    marks = {world.bidder_entities[0].pk: (50, 10), world.bidder_entities[1].pk: (70, 8),
             world.bidder_entities[2].pk: (60, 5)}
    for member in world.experts[:3]:
        for bid in lot.bids.filter(state=BidState.OPENED):
            evaluation.score_submit(actor=member, bid=bid, technical=marks[bid.bidder_id][0],
                                    commercial=marks[bid.bidder_id][1])
    report = evaluation.report_generate(actor=world.experts[0], lot=lot)
    for member in world.experts[:3]:
        evaluation.report_sign(actor=member, lot=lot)
    result.candidates_publish(actor=world.tenderer, lot=lot)
    # then the lot page shows the result notice, the best total first (93,000, not the lowest 91,000)
    assert report.ranking[0]["bidder"] == world.bidder_entities[1].name
    chair.lot(lot.pk)
    assert "成交结果公告" in page.inner_text("main")
    page.screenshot(path="/tmp/consultation-result.png", full_page=True)
    chair.context.close()
