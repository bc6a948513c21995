"""Browser: a visitor at a self-service terminal (1080×1920 portrait, then 1920×1080 landscape) touches a category,
reads a notice, searches with the on-screen keyboard, walks away — and the terminal goes back home by itself."""

from __future__ import annotations

import os

import pytest

from ggzy.accounts.roles import Role
from ggzy.disclosure.tests.factories import notice_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SHOTS = os.path.join("var", "screenshots")


@pytest.fixture
def published(make_user, centers, frozen_clock):
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    for i in range(12):
        notice_make(actor=staff, center=centers["jinan"], title=f"历城区第{i + 1}标段供水管网改造工程施工招标公告",
                    body="一、项目概况\n本工程为供水管网改造。\n二、投标人资格要求\n具有市政公用工程施工总承包三级以上资质。")
    notice_make(actor=staff, center=centers["jinan"], title="济南市政务服务中心物业管理服务采购公告",
                category_code="02", body="采购内容：物业管理服务。")


def _terminal(browser, live_server, width: int, height: int):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height}, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/kiosk/")
    return context, page


def _fits(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"横向溢出 {overflow}px"
    small = page.evaluate("""() => [...document.querySelectorAll('.k-btn, .k-tile, .k-key, .k-list a')]
        .filter(e => e.offsetParent !== null)
        .map(e => e.getBoundingClientRect()).filter(r => r.height < 64).length""")
    assert small == 0, "触控目标不足 64px"


def _shot(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, name))


def test_portrait_terminal_reads_a_notice_and_returns_home_when_idle(browser, live_server, published, settings):
    settings.GGZY_KIOSK_IDLE_SECONDS = 3
    context, page = _terminal(browser, live_server, 1080, 1920)
    # when the visitor touches the works category tile
    _fits(page)
    page.tap("a.k-tile[href$='category=01']")
    page.wait_for_url("**/kiosk/notices/?category=01")
    assert "共 12 条公告" in page.inner_text("#k-count")
    _fits(page)
    # and the next page, then a notice
    page.tap("#k-next")
    page.wait_for_url("**page=2")
    page.tap("#k-list a >> nth=0")
    page.wait_for_selector("#k-notice")
    assert "市政公用工程施工总承包三级以上资质" in page.inner_text("#k-notice")
    _fits(page)
    _shot(page, "kiosk_portrait_notice.png")
    # then after 3 seconds without a touch the terminal is home again
    page.wait_for_url(f"{live_server.url}/kiosk/", timeout=10000)
    assert page.locator("a.k-tile").count() >= 7
    context.close()


def test_landscape_terminal_searches_with_the_on_screen_keyboard(browser, live_server, published, settings):
    settings.GGZY_KIOSK_IDLE_SECONDS = 4
    context, page = _terminal(browser, live_server, 1920, 1080)
    _fits(page)
    _shot(page, "kiosk_landscape_home.png")
    page.tap("a.k-wide")
    page.wait_for_url("**/kiosk/search/")
    # when the visitor types 物业 then 管网… and corrects it with backspace
    page.tap(".k-words a.k-key:text-is('物业')")
    page.wait_for_url("**q=*")
    page.tap(".k-keys a.k-key:text-is('管')")
    page.wait_for_selector("#k-typed:text('物业管')")
    page.tap("#k-backspace")
    page.wait_for_selector("#k-typed:text-is('物业')")
    _fits(page)
    _shot(page, "kiosk_landscape_keyboard.png")
    page.tap("#k-go")
    page.wait_for_selector("#k-list mark")
    # then the one notice that has the word is listed, the word marked
    assert page.inner_text("#k-count") == "共 1 条公告"
    assert page.locator("#k-list mark").first.inner_text() == "物业"
    _fits(page)
    _shot(page, "kiosk_landscape_results.png")
    # and idle brings the terminal home
    page.wait_for_url(f"{live_server.url}/kiosk/", timeout=12000)
    context.close()


def test_kiosk_fits_a_phone_in_english(browser, live_server, published):
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/kiosk/")
    page.tap(".k-lang button")
    page.wait_for_selector("html[lang=en]")
    for path in ("/kiosk/", "/kiosk/search/?q=物业", "/kiosk/notices/?q=管网"):
        page.goto(live_server.url + path)
        _fits(page)
        assert "Search" in page.inner_text("body")
    context.close()
