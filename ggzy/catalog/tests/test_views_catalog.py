"""The public pages: catalog (with city selector), rules, process templates and the calendar."""

import datetime as dt

import pytest
from django.urls import reverse

from ggzy.catalog.demo import demo_catalog_load
from ggzy.catalog.models import ProcessTemplate
from ggzy.catalog.selectors import template_version_in_force
from ggzy.catalog.services import template_version_revise
from ggzy.core.models import AuditEntry

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(params=["anonymous", "bidder", "jinan_staff"])
def visitor(request, client, centers, make_user):
    """Every page is public: anonymous visitors, market entities and staff see the same."""
    if request.param == "bidder":
        client.force_login(make_user("bidder"))
    elif request.param == "jinan_staff":
        client.force_login(make_user("center_staff", center=centers["jinan"]))
        # A staff session notes its first activity (idle timeout) on its first request; the query budgets below
        # are for pages in a working session.
        client.get("/catalog/rules/")
    return client


def test_catalog_page_shows_the_provincial_catalog(visitor, frozen_clock, django_assert_max_num_queries):
    demo_catalog_load()
    audits = AuditEntry.objects.count()
    with django_assert_max_num_queries(8):
        response = visitor.get(reverse("catalog:catalog"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "工程建设项目招标投标" in html and "法定必须进场" in html and "山东省公共资源交易目录（2020年版）" in html
    assert "关于将药品和医用耗材采购纳入全省公共资源交易目录的公开征求意见" in html
    assert 'data-code="61"' not in html  # Jinan's extension is not provincial
    assert AuditEntry.objects.count() == audits  # reading changes nothing


def test_catalog_page_city_selector_adds_the_citys_extensions(client, frozen_clock, django_assert_max_num_queries):
    demo_catalog_load()
    with django_assert_max_num_queries(8):
        jinan = client.get(reverse("catalog:catalog"), {"city": "370100"}).content.decode()
    assert 'data-code="61"' in jinan and "市级扩展" in jinan and "济南市公共资源交易中心" in jinan
    assert 'data-code="62"' not in jinan
    qingdao = client.get(reverse("catalog:catalog"), {"city": "370200"}).content.decode()
    assert 'data-code="62"' in qingdao and "碳排放权" in qingdao
    before = client.get(reverse("catalog:catalog"), {"city": "370100", "on": "2021-06-30"}).content.decode()
    assert 'data-code="61"' not in before


def test_catalog_page_ignores_a_bad_filter(client, frozen_clock):
    response = client.get(reverse("catalog:catalog"), {"city": "999999", "on": "not-a-date"})
    assert response.status_code == 200 and "工程建设项目招标投标" in response.content.decode()


def test_rules_page_filters(visitor, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        everything = visitor.get(reverse("catalog:rules")).content.decode()
    assert "中华人民共和国招标投标法" in everything and "鲁政办字〔2019〕209号" in everything
    repealed = visitor.get(reverse("catalog:rules"), {"status": "repealed"}).content.decode()
    assert "财政部令第18号" in repealed and "国务院令第613号" not in repealed
    assert "由" in repealed and "政府采购货物和服务招标投标管理办法》" in repealed
    provincial = visitor.get(reverse("catalog:rules"), {"level": "provincial"}).content.decode()
    assert "鲁政办字〔2019〕209号" in provincial and "国务院令第613号" not in provincial
    land = visitor.get(reverse("catalog:rules"), {"category": "land_mining"}).content.decode()
    assert "国土资源部令第39号" in land and "财政部令第87号" not in land


def test_processes_page_lists_every_template(visitor, frozen_clock, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        html = visitor.get(reverse("catalog:processes")).content.decode()
    for template in ProcessTemplate.objects.all():
        assert template.name in html
    assert "第1版（2020-01-01 起）" in html
    assert "用水权" in html  # 64: a provincial sub-item


def test_processes_page_names_city_extension_codes(visitor, frozen_clock):
    from ggzy.catalog.demo import demo_catalog_load

    demo_catalog_load()  # 济南 排污权 (61), 青岛 碳排放权 (62)
    html = visitor.get(reverse("catalog:processes")).content.decode()
    assert "<code>61</code> 排污权（市级扩展）" in html and "<code>62</code> 碳排放权（市级扩展）" in html


def test_process_detail_shows_timeline_periods_and_history(visitor, frozen_clock, centers, make_user,
                                                           django_assert_max_num_queries):
    # given version 2 of the open-tender template scheduled for April
    v1 = template_version_in_force(category_code="01", method="open_tender", on_date=D(2026, 3, 2))
    template_version_revise(actor=None, version=v1, effective_from=D(2026, 4, 1),
                            changes={"note": "省级延长", "periods": {"documents_to_deadline_min": {"value": 25}}})
    url = reverse("catalog:process_detail", args=[v1.template_id])
    # when the page is opened
    with django_assert_max_num_queries(10):
        html = visitor.get(url).content.decode()
    # then the version in force today is shown, with its ordered steps, periods and the unverified tag
    assert html.index('data-step="notice"') < html.index('data-step="opening"') < html.index('data-step="contract"')
    assert "招标文件开始发出至投标截止最短期限" in html and ">20 日<" in html.replace("\n", "")
    assert "待核实" in html and "《招标投标法》第二十四条" in html
    assert "第2版" in html and "待施行" in html and "省级延长" in html
    # and the scheduled version can be selected
    v2_html = visitor.get(url, {"version": 2}).content.decode()
    assert ">25 日<" in v2_html.replace("\n", "")


def test_process_detail_of_a_missing_template_is_404(client):
    assert client.get(reverse("catalog:process_detail", args=[99999])).status_code == 404


def test_calendar_page_shows_holidays_and_makeup_days(visitor, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        html = visitor.get(reverse("catalog:calendar", args=[2026])).content.decode()
    assert 'data-date="2026-02-16"' in html and 'data-date="2026-02-14"' in html
    assert "春节" in html and "尚未录入官方节假日安排" not in html


def test_calendar_page_warns_when_the_year_has_no_official_schedule(client):
    html = client.get(reverse("catalog:calendar", args=[2027])).content.decode()
    assert "该年度尚未录入官方节假日安排" in html


def test_calendar_today_redirects_to_this_year(client, frozen_clock):
    response = client.get(reverse("catalog:calendar_today"))
    assert response.status_code == 302 and response["Location"] == reverse("catalog:calendar", args=[2026])


def test_calendar_year_out_of_range_is_404(client):
    assert client.get(reverse("catalog:calendar", args=[3000])).status_code == 404
