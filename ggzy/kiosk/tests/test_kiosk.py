"""Kiosk pages: no login, no free-text field, on-screen keyboard, notices through the portal's selectors."""

import re

import pytest

from ggzy.accounts.roles import Role
from ggzy.disclosure.models import NoticeType
from ggzy.disclosure.tests.factories import notice_make

pytestmark = pytest.mark.django_db

KIOSK_PAGES = ["/kiosk/", "/kiosk/notices/", "/kiosk/search/", "/kiosk/search/?q=工程"]


@pytest.fixture
def notices(make_user, centers, frozen_clock):
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    return [notice_make(actor=staff, center=centers["jinan"], title=f"第{i}号供水管网改造工程招标公告",
                        body="招标人：济南水务集团。<b>不是标记</b>") for i in range(10)] + [
        notice_make(actor=staff, center=centers["jinan"], title="医用耗材集中采购结果公告", category_code="07",
                    notice_type=NoticeType.RESULT, deadline=None)]


def _links(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def test_pages_need_no_login_have_no_text_field_and_never_link_out(client, notices):
    for url in KIOSK_PAGES + [f"/kiosk/notices/{notices[0].pk}/"]:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        inputs = re.findall(r"<input[^>]*>", html)
        assert all('type="hidden"' in tag for tag in inputs), (url, inputs)
        assert "<textarea" not in html
        outside = [h for h in _links(html) if not (h.startswith("/kiosk/") or h.startswith("?") or h.startswith("/static/")
                                                   or h.startswith("data:"))]
        assert not outside, (url, outside)
        assert 'data-idle-seconds="90"' in html


def test_home_has_category_and_stage_tiles(client, notices):
    html = client.get("/kiosk/").content.decode()
    assert 'href="/kiosk/notices/?category=07"' in html and 'href="/kiosk/notices/?stage=result"' in html


def test_keyboard_keys_append_to_the_query_and_backspace_removes_one(client):
    html = client.get("/kiosk/search/", {"q": "供水"}).content.decode()
    assert 'href="?q=%E4%BE%9B%E6%B0%B4%E5%B7%A5%E7%A8%8B"' in html  # 供水 + 工程
    assert 'id="k-backspace" href="?q=%E4%BE%9B"' in html  # 供
    assert 'href="/kiosk/notices/?q=%E4%BE%9B%E6%B0%B4"' in html
    assert 'id="k-go"' not in client.get("/kiosk/search/").content.decode()  # nothing typed, nothing to search


def test_list_searches_pages_and_highlights(client, notices):
    html = client.get("/kiosk/notices/", {"q": "管网"}).content.decode()
    assert "共 10 条公告" in html and "供水<mark>管网</mark>改造" in html
    assert 'id="k-next"' in html and "医用耗材" not in html
    second = client.get("/kiosk/notices/", {"q": "管网", "page": 2}).content.decode()
    assert second.count('class="k-tag"') == 2


def test_list_filters_by_category_and_stage(client, notices):
    assert "医用耗材集中采购结果公告" in client.get("/kiosk/notices/", {"category": "07"}).content.decode()
    html = client.get("/kiosk/notices/", {"stage": "result"}).content.decode()
    assert "医用耗材集中采购结果公告" in html and "供水管网" not in html


def test_bad_filter_says_so_in_chinese(client, notices):
    html = client.get("/kiosk/notices/", {"stage": "x" * 40}).content.decode()
    assert "查询条件无效" in html


def test_detail_escapes_the_body_and_goes_back_to_the_list_it_came_from(client, notices):
    html = client.get(f"/kiosk/notices/{notices[0].pk}/",
                      {"back": "q=管网&page=2&next=https://evil.example/"}).content.decode()
    assert "&lt;b&gt;不是标记&lt;/b&gt;" in html
    back = re.search(r'class="k-btn k-back" href="([^"]*)"', html).group(1)
    assert back == "/kiosk/notices/?q=%E7%AE%A1%E7%BD%91&amp;page=2"
    assert client.get("/kiosk/notices/999999/").status_code == 404


def test_english_mode(client, notices):
    client.cookies["django_language"] = "en"
    for url in KIOSK_PAGES:
        html = client.get(url).content.decode()
        assert 'lang="en"' in html and "Search" in html, url
    home = client.get("/kiosk/").content.decode()
    assert "Back to the home screen after 90 seconds without a touch" in home


def test_idle_setting(client, settings):
    settings.GGZY_KIOSK_IDLE_SECONDS = 5
    assert 'data-idle-seconds="5"' in client.get("/kiosk/").content.decode()
