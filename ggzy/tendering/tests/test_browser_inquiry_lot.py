"""Browser test: an inquiry (询价) supplier on a phone (390 px), in Chinese and English, once it has quoted: its
quotation is shown with the one-quotation rule, no control offers to change or withdraw it, nothing overflows."""

import pytest

from .test_browser_tendering import Actor
from .test_lot_page_procedures import _quoted_lot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_inquiry_supplier_sees_the_rule_and_no_change_controls(browser, live_server, world):
    lot = _quoted_lot(world, "gp_inquiry")
    supplier = Actor(browser, live_server, world.bidders[0])
    page = supplier.page
    page.set_viewport_size({"width": 390, "height": 844})
    for lang, rule in (("zh-hans", "一次报出不得更改的价格"), ("en", "each supplier quotes once")):
        page.goto(f"{live_server.url}/tendering/lots/{lot.pk}/?lang={lang}")
        assert page.locator("#my-bid").is_visible()
        assert rule in page.inner_text("#bid-change-rule")
        assert page.locator("#bid-form").count() == 0 and page.locator("#bid-withdraw").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=f"/tmp/inquiry-lot-quoted-390-{lang}.png", full_page=True)
    supplier.context.close()


def test_an_inquiry_reaches_its_signed_result(browser, live_server, world):
    """Three one-time quotations opened, the panel confirms them and signs its report, the purchaser publishes the
    result: a supplier on a phone sees the result notice (成交结果公告) with the lowest qualifying price first."""
    import datetime as dt

    from ggzy.core import clock
    from ggzy.tendering.choices import BidState, LotState
    from ggzy.tendering.models import Lot
    from ggzy.tendering.services import evaluation, opening, result

    from .conftest import lot_ready, seat_committee
    from .test_services_flow import _bid

    lot = lot_ready(world, method="gp_inquiry")
    for i, price in enumerate(["486000.00", "479500.00", "492300.00"]):
        _bid(world, lot, i, price)
    clock.advance(dt.timedelta(days=21, minutes=1))
    lot = opening.lot_open(actor=world.staff, lot=lot)
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    opening.opening_record_publish(actor=world.staff, lot=lot)
    seat_committee(world.staff, lot, [(e, "expert_technical") for e in world.experts[:3]], chair=world.experts[0])
    lot = opening.opening_close(actor=world.staff, lot=lot)
    assert lot.state == LotState.EVALUATING  # an inquiry goes from the opening straight to the evaluation
    for member in world.experts[:3]:
        for bid in lot.bids.filter(state=BidState.OPENED):
            evaluation.score_submit(actor=member, bid=bid, is_qualified=True)
    report = evaluation.report_generate(actor=world.experts[0], lot=lot)
    for member in world.experts[:3]:
        evaluation.report_sign(actor=member, lot=lot)
    result.candidates_publish(actor=world.tenderer, lot=lot)
    assert Lot.objects.get(pk=lot.pk).state == LotState.CANDIDATES
    assert report.ranking[0]["price"] == "479500.00"
    supplier = Actor(browser, live_server, world.bidders[1])
    page = supplier.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/tendering/lots/{lot.pk}/")
    assert "成交结果公告" in page.inner_text("main")
    assert "479,500.00" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path="/tmp/inquiry-result-390.png", full_page=True)
    supplier.context.close()
