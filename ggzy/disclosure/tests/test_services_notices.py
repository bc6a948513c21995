import datetime as dt

import pytest

from ggzy.accounts.roles import Role
from ggzy.core.errors import DomainError, NotAllowed
from ggzy.core.models import AuditEntry
from ggzy.disclosure import selectors
from ggzy.disclosure.models import Notice, NoticeStatus
from ggzy.disclosure.services import notice_publish, notice_withdraw
from ggzy.registry.models import Region

from .factories import notice_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def jinan_staff(make_user, centers):
    return make_user(Role.CENTER_STAFF, center=centers["jinan"])


def test_staff_publishes_a_notice_with_an_audit_entry(jinan_staff, centers, frozen_clock):
    # when Jinan's staff publish a notice
    notice = notice_make(actor=jinan_staff, center=centers["jinan"])
    # then it is public, stamped with the clock, and audited
    assert notice.published_at == frozen_clock.now()
    assert notice.category_name == "工程建设项目招标投标"  # the catalog's name for category 01
    entry = AuditEntry.objects.get(action="notice.publish")
    assert entry.object_id == str(notice.pk) and entry.actor == jinan_staff


@pytest.mark.parametrize(("change", "field"), [
    pytest.param({"title": ""}, "title", id="empty-title"),
    pytest.param({"title": "长" * 201}, "title", id="long-title"),
    pytest.param({"body": "  "}, "body", id="empty-body"),
    pytest.param({"category_code": "ZZ"}, "category_code", id="bad-category"),
    pytest.param({"notice_type": "nope"}, "notice_type", id="bad-type"),
])
def test_bad_notice_is_refused_and_nothing_saved(jinan_staff, centers, frozen_clock, change, field):
    with pytest.raises(DomainError) as err:
        notice_make(actor=jinan_staff, center=centers["jinan"], **change)
    assert field in err.value.errors
    assert Notice.objects.count() == 0 and AuditEntry.objects.filter(action="notice.publish").count() == 0


def test_deadline_in_the_past_is_refused(jinan_staff, centers, frozen_clock):
    with pytest.raises(DomainError) as err:
        notice_make(actor=jinan_staff, center=centers["jinan"], deadline=frozen_clock.now() - dt.timedelta(hours=1))
    assert "deadline" in err.value.errors


def test_region_outside_the_center_is_refused(jinan_staff, centers, frozen_clock):
    qingdao_district = Region.objects.get(code="370202")
    with pytest.raises(DomainError) as err:
        notice_make(actor=jinan_staff, center=centers["jinan"], region=qingdao_district)
    assert "region" in err.value.errors


@pytest.mark.parametrize("who", ["anonymous", "bidder", "other_center_staff"])
def test_only_the_centers_staff_may_publish(make_user, centers, frozen_clock, who):
    actor = {
        "anonymous": None,
        "bidder": make_user(Role.BIDDER),
        "other_center_staff": make_user(Role.CENTER_STAFF, center=centers["qingdao"]),
    }[who]
    with pytest.raises(NotAllowed):
        notice_make(actor=actor, center=centers["jinan"])
    assert Notice.objects.count() == 0 and not AuditEntry.objects.filter(action="notice.publish").exists()


def test_provincial_staff_may_publish_for_any_center(make_user, centers, frozen_clock):
    provincial = make_user(Role.CENTER_STAFF, center=centers["province"])
    assert notice_make(actor=provincial, center=centers["qingdao"]).center == centers["qingdao"]


def test_withdraw_needs_a_reason_and_happens_once(jinan_staff, centers, frozen_clock):
    notice = notice_make(actor=jinan_staff, center=centers["jinan"])
    with pytest.raises(DomainError):
        notice_withdraw(actor=jinan_staff, notice=notice, reason="")
    notice_withdraw(actor=jinan_staff, notice=notice, reason="项目取消")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.WITHDRAWN
    with pytest.raises(DomainError):
        notice_withdraw(actor=jinan_staff, notice=notice, reason="再次")
    assert not selectors.notice_list_public().filter(pk=notice.pk).exists()


def test_search_finds_chinese_words_inside_title_and_body(jinan_staff, centers, frozen_clock):
    # given three notices
    a = notice_make(actor=jinan_staff, center=centers["jinan"], title="章丘区污水处理厂提标改造工程招标公告")
    b = notice_make(actor=jinan_staff, center=centers["jinan"], title="历城区道路工程招标公告",
                    body="本项目包含污水管网铺设。")
    notice_make(actor=jinan_staff, center=centers["jinan"], title="平阴县教学设备采购公告", category_code="02")
    # when searching for a word inside titles and bodies
    found = set(selectors.notice_list_public(q="污水"))
    # then both matches and only they are found; several words narrow the search
    assert found == {a, b}
    assert list(selectors.notice_list_public(q="污水 管网")) == [b]
    assert selectors.notice_list_public(category="02").count() == 1


def test_filters_by_city(make_user, centers, frozen_clock):
    qd = make_user(Role.CENTER_STAFF, center=centers["qingdao"])
    jn = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    notice_make(actor=qd, center=centers["qingdao"])
    notice_make(actor=jn, center=centers["jinan"])
    assert selectors.notice_list_public(city="370200").get().center == centers["qingdao"]


def test_notice_publish_service_refuses_missing_region(jinan_staff, centers, frozen_clock):
    with pytest.raises(DomainError) as err:
        notice_publish(actor=jinan_staff, center=centers["jinan"], region=None, notice_type="tender",
                       category_code="01", title="t", body="b")
    assert "region" in err.value.errors


def test_portal_categories_are_the_catalog_in_force(jinan_staff, centers, frozen_clock):
    from ggzy.catalog.models import CatalogVersion
    from ggzy.disclosure.categories import PORTAL_CATEGORIES, portal_categories

    # the seeded catalog's top-level categories, including those beyond the statutory seven
    categories = portal_categories()
    assert list(categories)[:2] == ["01", "02"] and {"08", "09"} <= set(categories)
    assert all(len(code) == 2 for code in categories)
    # a notice in a catalog category the statute does not list is accepted, under the catalog's name
    assert "09" not in PORTAL_CATEGORIES
    assert notice_make(actor=jinan_staff, center=centers["jinan"], category_code="09").category_name == "其他交易"
    # with no catalog version in force (a fresh installation), the statutory list stands in
    CatalogVersion.objects.all().delete()
    assert portal_categories() == PORTAL_CATEGORIES
