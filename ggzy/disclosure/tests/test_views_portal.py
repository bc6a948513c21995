import pytest

from ggzy.accounts.roles import Role
from ggzy.disclosure.models import Notice

from .factories import notice_make

pytestmark = pytest.mark.django_db


def test_home_is_chinese_even_for_an_english_browser(client, make_user, centers, frozen_clock,
                                                     django_assert_max_num_queries):
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    notice_make(actor=staff, center=centers["jinan"], title="章丘区学校建设工程招标公告")
    with django_assert_max_num_queries(8):
        response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="zh-hans"' in html and "章丘区学校建设工程招标公告" in html and "济南市" in html


def test_home_filters_by_city(client, make_user, centers, frozen_clock):
    notice_make(actor=make_user(Role.CENTER_STAFF, center=centers["qingdao"]), center=centers["qingdao"],
                title="崂山区公园改造工程招标公告")
    html = client.get("/", {"city": "370100"}).content.decode()
    assert "崂山区公园改造工程招标公告" not in html
    assert "崂山区公园改造工程招标公告" in client.get("/", {"city": "370200"}).content.decode()


def test_notice_list_search_and_htmx_partial(client, make_user, centers, frozen_clock,
                                             django_assert_max_num_queries):
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    for i in range(25):
        notice_make(actor=staff, center=centers["jinan"], title=f"第{i}批医用设备采购公告", category_code="02")
    notice_make(actor=staff, center=centers["jinan"], title="供水管网改造工程招标公告")
    with django_assert_max_num_queries(8):  # bodies for the highlighted windows; on PostgreSQL the newest notices
        # are tested first, then the page is read (search.NoticeResults)
        page = client.get("/notices/", {"q": "医用设备"})
    assert "共 25 条公告" in page.content.decode()
    partial = client.get("/notices/", {"q": "供水"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<mark>供水</mark>管网改造工程招标公告" in partial and "<html" not in partial


def test_notice_detail_and_missing(client, make_user, centers, frozen_clock):
    notice = notice_make(actor=make_user(Role.CENTER_STAFF, center=centers["jinan"]), center=centers["jinan"])
    assert notice.title in client.get(f"/notices/{notice.pk}/").content.decode()
    assert client.get("/notices/99999/").status_code == 404


@pytest.mark.parametrize(("who", "expected"), [("anonymous", 302), ("bidder", 403), ("staff", 200)])
def test_publish_page_permissions(client, make_user, centers, who, expected):
    if who == "bidder":
        client.force_login(make_user(Role.BIDDER))
    elif who == "staff":
        client.force_login(make_user(Role.CENTER_STAFF, center=centers["jinan"]))
    assert client.get("/notices/new/").status_code == expected


def test_publish_form_shows_field_errors_and_saves_nothing(client, make_user, centers):
    client.force_login(make_user(Role.CENTER_STAFF, center=centers["jinan"]))
    response = client.post("/notices/new/", {"notice_type": "tender", "category_code": "01", "region": "",
                                             "title": "", "body": ""})
    html = response.content.decode()
    assert response.status_code == 200 and "标题" in html and "这个字段是必填项" in html
    assert Notice.objects.count() == 0


def test_publish_form_publishes(client, make_user, centers, frozen_clock):
    client.force_login(make_user(Role.CENTER_STAFF, center=centers["jinan"]))
    from ggzy.registry.models import Region

    response = client.post("/notices/new/", {"notice_type": "tender", "category_code": "01",
                                             "region": Region.objects.get(code="370112").pk,
                                             "title": "历城区某工程招标公告", "body": "正文"})
    assert response.status_code == 302
    assert Notice.objects.get().center == centers["jinan"]


def test_withdraw_page_scoped_to_center(client, make_user, centers, frozen_clock):
    notice = notice_make(actor=make_user(Role.CENTER_STAFF, center=centers["jinan"]), center=centers["jinan"])
    client.force_login(make_user(Role.CENTER_STAFF, center=centers["qingdao"]))
    assert client.post(f"/notices/{notice.pk}/withdraw/", {"reason": "x"}).status_code == 404
    notice.refresh_from_db()
    assert notice.status == "published"


def test_english_is_available(client):
    # given a visitor who chose English with the language switch
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    # when the home page is shown
    html = client.get("/").content.decode()
    # then it is in English, and Chinese again once switched back
    assert 'lang="en"' in html and "Latest notices" in html and "最新公告" not in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "最新公告" in client.get("/").content.decode()
