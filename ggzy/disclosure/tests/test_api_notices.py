import pytest

from ggzy.accounts.roles import Role
from ggzy.core.models import AuditEntry
from ggzy.disclosure.models import Notice

from .factories import notice_make

pytestmark = pytest.mark.django_db

PAYLOAD = {"notice_type": "tender", "category_code": "01", "region_code": "370102",
           "title": "历下区某道路工程招标公告", "body": "正文"}


def test_public_list_and_detail(client, make_user, centers, frozen_clock, django_assert_max_num_queries):
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    for i in range(5):
        notice_make(actor=staff, center=centers["jinan"], title=f"第{i}号污水工程招标公告")
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/disclosure/notices", {"q": "污水", "page_size": 2})
    data = response.json()
    assert response.status_code == 200 and data["count"] == 5 and len(data["items"]) == 2
    detail = client.get(f"/api/v1/disclosure/notices/{data['items'][0]['id']}").json()
    assert detail["center_name"] == "济南市公共资源交易中心" and detail["body"]


def test_unknown_notice_is_404(client):
    assert client.get("/api/v1/disclosure/notices/999").status_code == 404


def test_bad_page_size_names_the_field(client):
    response = client.get("/api/v1/disclosure/notices", {"page_size": 1000})
    assert response.status_code == 400 and "page_size" in response.json()["errors"]


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("bidder", 403), ("other_center", 400)])
def test_publish_denied_changes_nothing(client, make_user, centers, who, status):
    if who == "bidder":
        client.force_login(make_user(Role.BIDDER))
    elif who == "other_center":
        # Qingdao staff naming a Jinan district: the region is outside their center
        client.force_login(make_user(Role.CENTER_STAFF, center=centers["qingdao"]))
    response = client.post("/api/v1/disclosure/notices", PAYLOAD, content_type="application/json")
    assert response.status_code == status
    assert Notice.objects.count() == 0 and not AuditEntry.objects.filter(action="notice.publish").exists()


def test_staff_publishes_through_the_api(client, make_user, centers, frozen_clock):
    client.force_login(make_user(Role.CENTER_STAFF, center=centers["jinan"]))
    response = client.post("/api/v1/disclosure/notices", PAYLOAD, content_type="application/json")
    assert response.status_code == 201
    assert Notice.objects.get().title == PAYLOAD["title"]


def test_missing_field_is_named_in_chinese(client, make_user, centers):
    client.force_login(make_user(Role.CENTER_STAFF, center=centers["jinan"]))
    response = client.post("/api/v1/disclosure/notices", {**PAYLOAD, "title": None} | {},
                           content_type="application/json")
    body = response.json()
    assert response.status_code == 400 and "title" in body["errors"]
    assert Notice.objects.count() == 0


def test_withdraw_of_another_centers_notice_is_404(client, make_user, centers, frozen_clock):
    jn = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    notice = notice_make(actor=jn, center=centers["jinan"])
    client.force_login(make_user(Role.CENTER_STAFF, center=centers["qingdao"]))
    response = client.post(f"/api/v1/disclosure/notices/{notice.pk}/withdraw", {"reason": "x"},
                           content_type="application/json")
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.status == "published"
