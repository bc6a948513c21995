"""The public catalog API."""


import pytest

from ggzy.catalog.demo import demo_catalog_load
from ggzy.catalog.models import ProcessTemplate
from ggzy.core.models import AuditEntry

pytestmark = pytest.mark.django_db
API = "/api/v1/catalog"


@pytest.fixture(params=["anonymous", "bidder"])
def caller(request, client, make_user):
    if request.param == "bidder":
        client.force_login(make_user("bidder"))
    return client


def test_items_in_force_for_a_city(caller, frozen_clock, django_assert_max_num_queries):
    demo_catalog_load()
    with django_assert_max_num_queries(8):
        response = caller.get(f"{API}/items", {"on": "2026-03-02", "city": "370100"})
    assert response.status_code == 200
    items = {i["code"]: i for i in response.json()}
    assert items["01"]["must_trade"] and items["01"]["source"] == "province"
    assert items["61"]["source"] == "city" and items["61"]["center_code"] == "370100"
    assert items["61"]["consultations"][0]["title"].startswith("关于将排污权")
    assert "62" not in items


def test_items_before_the_extension_and_unknown_city(client, frozen_clock):
    demo_catalog_load()
    early = client.get(f"{API}/items", {"on": "2021-06-30", "city": "370100"}).json()
    assert "61" not in {i["code"] for i in early}
    assert client.get(f"{API}/items", {"city": "999999"}).status_code == 404
    assert client.get(f"{API}/items", {"on": "2026-02-30"}).status_code == 400


def test_rules_by_status(caller, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = caller.get(f"{API}/rules", {"status": "repealed"})
    rules = response.json()
    assert response.status_code == 200 and rules
    assert {r["status"] for r in rules} == {"repealed"} and rules[0]["status_label"] == "已废止"
    assert caller.get(f"{API}/rules", {"status": "bogus"}).status_code == 400


def test_templates_list_and_detail(caller, frozen_clock, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        listing = caller.get(f"{API}/templates").json()
    assert len(listing) == ProcessTemplate.objects.count()
    tender = next(t for t in listing if t["category_code"] == "01" and t["method"] == "open_tender")
    assert tender["current_version"] == 1 and tender["current_effective_from"] == "2020-01-01"
    with django_assert_max_num_queries(6):
        detail = caller.get(f"{API}/templates/{tender['id']}").json()
    version = detail["versions"][0]
    assert [s["order"] for s in version["steps"]] == sorted(s["order"] for s in version["steps"])
    periods = {p["key"]: p for p in version["periods"]}
    assert periods["documents_to_deadline_min"]["value"] == "20.00"
    assert periods["bid_bond_max_percent"]["is_verified"] is False
    assert caller.get(f"{API}/templates/99999").status_code == 404


def test_calendar_year(caller):
    data = caller.get(f"{API}/calendar/2026").json()
    assert data["is_official"] and {"date": "2026-02-14", "kind": "makeup_workday", "name": "春节"} in data["days"]
    empty = caller.get(f"{API}/calendar/2027").json()
    assert empty == {"year": 2027, "is_official": False, "source": "", "days": []}


def test_working_days_add(caller):
    audits = AuditEntry.objects.count()
    exact = caller.get(f"{API}/working-days/add", {"start": "2026-02-13", "n": 2}).json()
    assert exact["date"] == "2026-02-24" and exact["is_estimated"] is False
    estimated = caller.get(f"{API}/working-days/add", {"start": "2026-12-30", "n": 5}).json()
    assert estimated["is_estimated"] is True and estimated["years_without_schedule"] == [2027]
    assert caller.get(f"{API}/working-days/add", {"start": "2026-12-30", "n": 10**6}).status_code == 400
    assert caller.get(f"{API}/working-days/add", {"start": "2026-12-30"}).status_code == 400
    assert AuditEntry.objects.count() == audits


def test_the_api_is_read_only(client):
    assert client.post(f"{API}/rules", {}).status_code == 405
