"""A notice's budget through the API and the publish page: hostile figures refused with the field named."""

import pytest

from ggzy.accounts.roles import Role
from ggzy.core.models import AuditEntry
from ggzy.disclosure.models import Notice
from ggzy.registry.models import Region

pytestmark = pytest.mark.django_db

HOSTILE = ["1e15", "1e20", "1e400", "NaN", "-0.001", "1.234", "Infinity", "100000000000000"]
PAYLOAD = {"notice_type": "tender", "category_code": "01", "region_code": "370102",
           "title": "历下区某道路工程招标公告", "body": "正文"}


@pytest.mark.parametrize("value", HOSTILE)
def test_api_refuses_a_hostile_budget(client, make_user, centers, value):
    client.force_login(make_user(Role.CENTER_STAFF, center=centers["jinan"]))
    response = client.post("/api/v1/disclosure/notices", {**PAYLOAD, "budget": value}, content_type="application/json")
    assert response.status_code == 400 and "budget" in response.json()["errors"], response.content
    assert Notice.objects.count() == 0 and not AuditEntry.objects.filter(action="notice.publish").exists()


@pytest.mark.parametrize("value", ["1e20", "NaN", "1.234"])
def test_publish_page_refuses_a_hostile_budget(client, make_user, centers, value):
    client.force_login(make_user(Role.CENTER_STAFF, center=centers["jinan"]))
    response = client.post("/notices/new/", {"notice_type": "tender", "category_code": "01", "title": "某工程招标公告",
                                             "region": Region.objects.get(code="370112").pk, "body": "正文",
                                             "budget": value})
    assert response.status_code == 200 and "预算/估算金额（元）" in response.content.decode()
    assert ("最多保留2位小数" if value == "1.234" else "科学计数法") in response.content.decode()
    assert Notice.objects.count() == 0


def test_publish_page_accepts_a_plain_budget(client, make_user, centers, frozen_clock):
    client.force_login(make_user(Role.CENTER_STAFF, center=centers["jinan"]))
    response = client.post("/notices/new/", {"notice_type": "tender", "category_code": "01", "title": "某工程招标公告",
                                             "region": Region.objects.get(code="370112").pk, "body": "正文",
                                             "budget": "1,250,000.5"})
    assert response.status_code == 302 and str(Notice.objects.get().budget) == "1250000.50"
