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
