"""Chinese full-text search over notices (disclosure.search): the same answers on SQLite (FTS5) and PostgreSQL
(bigram tsvector + GIN) — queries of one, two and three or more characters, filters, highlighting, withdrawal."""

import datetime as dt

import pytest

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.disclosure import search, selectors, services
from ggzy.disclosure.models import NoticeType
from ggzy.registry.models import Region

from .factories import notice_make

pytestmark = pytest.mark.django_db


def _titles(**filters) -> set[str]:
    return {n.title for n in selectors.notice_list_public(**filters)}


@pytest.fixture
def notices(make_user, centers, frozen_clock):
    jinan = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    qingdao = make_user(Role.CENTER_STAFF, center=centers["qingdao"])
    made = {
        "school": notice_make(actor=jinan, center=centers["jinan"], title="历下区实验小学教学楼建设工程施工招标公告",
                              body="招标人：济南市历下区教育和体育局；招标代理机构：山东正信招标咨询有限公司。"),
        "canteen": notice_make(actor=jinan, center=centers["jinan"], title="校食品安全检测服务采购公告",
                               body="服务内容：食堂及配送。", category_code="02", notice_type=NoticeType.PROCUREMENT),
        "road": notice_make(actor=qingdao, center=centers["qingdao"], title="崂山区道路改造工程中标候选人公示",
                            body="第一中标候选人：青岛路桥建设集团有限公司，投标报价：1,234,567.00元。",
                            notice_type=NoticeType.CANDIDATES),
    }
    clock.advance(dt.timedelta(days=10))
    made["late"] = notice_make(actor=qingdao, center=centers["qingdao"], title="市南区教学设备采购结果公告",
                               body="成交供应商：青岛教育装备有限公司", category_code="02",
                               notice_type=NoticeType.RESULT, deadline=None)
    return made


def test_one_character_query_finds_every_notice_with_that_character(notices):
    assert _titles(q="楼") == {"历下区实验小学教学楼建设工程施工招标公告"}
    assert _titles(q="教") == {"历下区实验小学教学楼建设工程施工招标公告", "市南区教学设备采购结果公告"}


def test_two_character_query_is_a_word_not_two_loose_characters(notices):
    assert _titles(q="教学") == {"历下区实验小学教学楼建设工程施工招标公告", "市南区教学设备采购结果公告"}
    # 楼 and 教 both occur in the school's title, but never as 楼教
    assert _titles(q="楼教") == set()


def test_longer_query_must_occur_in_order(notices):
    assert _titles(q="教学楼建设") == {"历下区实验小学教学楼建设工程施工招标公告"}
    # "校食品…食堂": the bigrams 校食 and 食堂 both occur in the canteen notice, but not as 校食堂
    assert _titles(q="校食堂") == set()
    assert _titles(q="校食品安全") == {"校食品安全检测服务采购公告"}


def test_body_entity_names_center_and_place_are_searched(notices):
    assert _titles(q="正信招标咨询") == {"历下区实验小学教学楼建设工程施工招标公告"}  # the agency, named in the body
    assert _titles(q="青岛路桥建设集团有限公司") == {"崂山区道路改造工程中标候选人公示"}
    assert "崂山区道路改造工程中标候选人公示" in _titles(q="青岛市公共资源交易中心")  # the publishing center
    region = notices["road"].region.name
    assert "崂山区道路改造工程中标候选人公示" in _titles(q=region)


def test_every_word_of_the_query_must_be_found(notices):
    assert _titles(q="教学 设备") == {"市南区教学设备采购结果公告"}
    assert _titles(q="教学 路桥") == set()


def test_latin_digits_and_full_width_text_are_words(notices, make_user, centers):
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    notice_make(actor=staff, center=centers["jinan"], title="LED显示屏采购公告", body="型号ＡＢ１２，数量100块。",
                category_code="02", notice_type=NoticeType.PROCUREMENT)
    assert _titles(q="led") == {"LED显示屏采购公告"}
    assert _titles(q="ab12") == {"LED显示屏采购公告"}
    assert _titles(q="AB12 显示屏") == {"LED显示屏采购公告"}


def test_filters_combine_with_the_query(notices):
    assert _titles(q="教学", city="370200") == {"市南区教学设备采购结果公告"}
    assert _titles(q="教学", category="01") == {"历下区实验小学教学楼建设工程施工招标公告"}
    assert _titles(q="工程", stage="publicity") == {"崂山区道路改造工程中标候选人公示"}
    assert _titles(q="公告", stage="result") == {"市南区教学设备采购结果公告"}
    late_day = notices["late"].published_at.date()
    assert _titles(q="教学", date_from=late_day) == {"市南区教学设备采购结果公告"}
    assert _titles(q="教学", date_to=late_day - dt.timedelta(days=1)) == {"历下区实验小学教学楼建设工程施工招标公告"}


def test_nothing_searchable_in_the_query_filters_nothing(notices):
    assert len(_titles(q="，。！ ")) == 4


def test_withdrawn_notice_leaves_the_search(notices, centers):
    staff = notices["school"].published_by
    services.notice_withdraw(actor=staff, notice=notices["school"], reason="发布有误")
    assert _titles(q="教学楼") == set()


def test_republished_text_is_searched_by_its_new_words_only(make_user, centers, frozen_clock):
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    first = notice_make(actor=staff, center=centers["jinan"], title="旧标题供热管网工程")
    search.index_notice(first)  # rewriting an entry replaces it (never two entries for a notice)
    assert _titles(q="供热管网") == {"旧标题供热管网工程"}


def test_highlight_marks_matches_and_escapes_everything_else():
    html = search.highlight('<script>alert("教学")</script>教学楼 & 学教', "教学")
    assert html == ('&lt;script&gt;alert(&quot;<mark>教学</mark>&quot;)&lt;/script&gt;<mark>教学</mark>楼 &amp; 学教')
    assert search.highlight("LED屏", "led") == "<mark>LED</mark>屏"
    assert search.highlight("<b>无匹配</b>", "") == "&lt;b&gt;无匹配&lt;/b&gt;"


def test_snippet_is_a_window_around_the_first_match():
    body = "前言" * 100 + "本项目采用<电子>评标方式" + "后记" * 100
    html = search.snippet(body, "评标")
    assert html.startswith("…") and html.endswith("…") and "<mark>评标</mark>" in html and "&lt;电子&gt;" in html


def test_list_page_shows_marked_titles_and_body_windows_escaped(client, make_user, centers, frozen_clock):
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    notice_make(actor=staff, center=centers["jinan"], title="<i>历城区</i>供水管网改造工程招标公告",
                body="招标范围：供水管网<img src=x onerror=alert(1)>改造。")
    html = client.get("/notices/", {"q": "管网"}).content.decode()
    assert "&lt;i&gt;历城区&lt;/i&gt;供水<mark>管网</mark>改造工程招标公告" in html
    assert "供水<mark>管网</mark>&lt;img src=x onerror=alert(1)&gt;改造" in html
    assert "<img src=x" not in html and "<i>历城区" not in html


def test_list_page_stage_filter_and_english(client, notices):
    html = client.get("/notices/", {"q": "工程", "stage": "publicity"}).content.decode()
    assert "崂山区道路改造<mark>工程</mark>中标候选人公示" in html and "教学楼" not in html
    client.cookies["django_language"] = "en"
    english = client.get("/notices/", {"q": "工程"}).content.decode()
    assert "Stage" in english and "notices" in english


def test_count_stops_at_the_cap(client, make_user, centers, frozen_clock, monkeypatch):
    from ggzy.disclosure.views import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "COUNT_CAP", 3)
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    for i in range(5):
        notice_make(actor=staff, center=centers["jinan"], title=f"第{i}批办公家具采购公告", category_code="02")
    html = client.get("/notices/", {"q": "家具"}).content.decode()
    assert "超过 3 条公告" in html


def test_api_search_with_stage_filter(client, notices):
    data = client.get("/api/v1/disclosure/notices", {"q": "教学", "stage": "result"}).json()
    assert data["count"] == 1 and data["items"][0]["title"] == "市南区教学设备采购结果公告"


def test_notice_text_names_the_place(notices):
    assert Region.objects.get(pk=notices["school"].region_id).name in search.notice_text(notices["school"])
