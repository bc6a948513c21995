"""/api/v1/registry/entities: register, public list, masked detail, versioned PATCH, versions."""

import datetime as dt
import json

import pytest

from ggzy.accounts.roles import Role
from ggzy.core.models import AuditEntry
from ggzy.registry.masking import id_number_mask

from .conftest import ALL_PEOPLE, MAY_UPDATE, stored
from .factories import BankAccountFactory, MarketEntityFactory, entity_data

URL = "/api/v1/registry/entities"


def _json(data):
    return json.dumps(data, default=str)


def _as(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db
def test_anonymous_registers_through_the_api(client, frozen_clock, centers):
    # when an anonymous client posts a complete application with a first login
    data = entity_data(account={"username": "api_firm", "password": "Api-firm-2026", "role": "bidder"})
    response = client.post(URL, _json(data), content_type="application/json")
    # then 201 with the record as submitted (ID masked, bank account shown back)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["credit_code"] == data["credit_code"] and body["center_name"] == "济南市公共资源交易中心"
    assert body["key_persons"][0]["id_number"] == id_number_mask(data["key_persons"][0]["id_number"])
    assert body["bank_accounts"][0]["account_number"] == "37001618801050123456"


@pytest.mark.django_db
def test_api_refusal_is_400_with_field_errors_and_nothing_saved(client, frozen_clock, centers):
    data = entity_data()
    data["credit_code"] = data["credit_code"][:17] + ("0" if data["credit_code"][17] != "0" else "1")
    before = stored()
    response = client.post(URL, _json(data), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"credit_code": ["统一社会信用代码校验位错误"]}
    assert stored() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "status"), [("owner", 403), ("expert", 403), ("qingdao_staff", 403),
                                             ("jinan_staff", 201), ("provincial_staff", 201)])
def test_api_register_permissions(client, people, who, status):
    # given a Jinan application, when each person posts it
    before = stored()
    response = _as(client, people[who]).post(URL, _json(entity_data(region="370103")),
                                             content_type="application/json")
    # then only staff over Jinan succeed; refusals change nothing
    assert response.status_code == status
    if status == 403:
        assert stored() == before


@pytest.mark.django_db
def test_public_list_is_paginated_and_searchable(client, frozen_clock, centers, django_assert_max_num_queries):
    # given 25 Jinan entities and one in Qingdao
    for _ in range(25):
        MarketEntityFactory()
    qingdao = MarketEntityFactory(name="青岛海韵工程有限公司", region_id=_region("370212"), center=centers["qingdao"])
    # when the first page is read, then 20 items and the total, in a fixed number of queries
    with django_assert_max_num_queries(4):
        page = client.get(URL, {"page_size": 20}).json()
    assert (page["count"], len(page["items"]), page["page"]) == (26, 20, 1)
    # in pinyin order 青岛 (qing) comes before 山东 (shan): first on the first page
    assert page["items"][0]["name"] == "青岛海韵工程有限公司"
    assert client.get(URL, {"page": 2}).json()["items"][-1]["name"] == "山东测试建设工程有限公司" + f"{_last():03d}"
    # when searched by name, by part of the credit code, or by city
    assert [i["name"] for i in client.get(URL, {"q": "海韵"}).json()["items"]] == [qingdao.name]
    assert client.get(URL, {"q": qingdao.credit_code[-8:].lower()}).json()["count"] == 1
    assert client.get(URL, {"city": "370200"}).json()["count"] == 1
    assert client.get(URL, {"city": "370100"}).json()["count"] == 25


def _last():
    from ggzy.registry.models import MarketEntity

    return max(int(name[-3:]) for name in MarketEntity.objects.filter(name__startswith="山东测试建设")
               .values_list("name", flat=True))


def _region(code):
    from ggzy.registry.models import Region

    return Region.objects.get(code=code).pk


@pytest.mark.django_db
@pytest.mark.parametrize("who", ALL_PEOPLE)
def test_detail_is_masked_for_the_public_and_full_for_owner_and_staff(client, people, jinan_entity, who):
    # given the entity with a bank account and a key person
    BankAccountFactory(entity=jinan_entity, account_number="6222020200112233445")
    person = jinan_entity.key_persons.get()
    # when each person reads the detail
    response = _as(client, people[who]).get(f"{URL}/{jinan_entity.credit_code}")
    body = response.json()
    text = response.content.decode()
    # then the public sees no ID, no personal phone, no account number, and a masked contact phone
    assert response.status_code == 200
    assert person.id_number not in text
    if who in MAY_UPDATE:
        assert body["audience"] in ("owner", "staff")
        assert body["key_persons"][0]["id_number"] == id_number_mask(person.id_number)
        assert body["bank_accounts"][0]["account_number"] == "6222020200112233445"
        assert body["contact_phone"] == "13800001234"
    else:
        assert body["audience"] == "public"
        assert "bank_accounts" not in body and "6222020200112233445" not in text
        assert "id_number" not in body["key_persons"][0] and person.phone not in text
        assert body["contact_phone"] == "138****1234"


@pytest.mark.django_db
def test_detail_of_unknown_code_is_404(client, db):
    assert client.get(f"{URL}/91350100M000100Y43").status_code == 404


@pytest.mark.django_db
def test_detail_query_count_is_bounded(client, people, jinan_entity, django_assert_max_num_queries):
    client.force_login(people["owner"])
    with django_assert_max_num_queries(10):
        assert client.get(f"{URL}/{jinan_entity.credit_code}").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("who", ALL_PEOPLE)
def test_patch_permission_matrix(client, people, jinan_entity, who):
    # given the entity, when each person sends a change
    before = stored()
    response = _as(client, people[who]).patch(f"{URL}/{jinan_entity.credit_code}",
                                              _json({"contact_name": "新联系人", "version": 1}),
                                              content_type="application/json")
    # then anonymous is 401, the unrelated 403 with nothing changed, the owner and its staff 200 with v2
    if who in MAY_UPDATE:
        assert response.status_code == 200 and response.json()["version"] == 2
    else:
        assert response.status_code == (401 if who == "anonymous" else 403)
        assert stored() == before
        assert not AuditEntry.objects.filter(action__startswith="entity.update").exists()


@pytest.mark.django_db
def test_patch_with_stale_version_is_409(client, people, jinan_entity):
    client.force_login(people["owner"])
    client.patch(f"{URL}/{jinan_entity.credit_code}", _json({"email": "a@example.com"}),
                 content_type="application/json")
    response = client.patch(f"{URL}/{jinan_entity.credit_code}", _json({"email": "b@example.com", "version": 1}),
                            content_type="application/json")
    assert response.status_code == 409 and "version" in response.json()["errors"]


@pytest.mark.django_db
def test_owner_may_not_patch_status_but_staff_may(client, people, jinan_entity):
    client.force_login(people["owner"])
    refused = client.patch(f"{URL}/{jinan_entity.credit_code}", _json({"status": "suspended"}),
                           content_type="application/json")
    assert refused.status_code == 403
    client.force_login(people["jinan_staff"])
    done = client.patch(f"{URL}/{jinan_entity.credit_code}", _json({"status": "suspended"}),
                        content_type="application/json")
    assert done.status_code == 200 and done.json()["status_label"] == "暂停"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ALL_PEOPLE)
def test_versions_permission_matrix(client, people, jinan_entity, frozen_clock, who):
    # given one change made by the owner
    from ggzy.registry import services

    services.entity_update(actor=people["owner"], entity=jinan_entity, data={"contact_phone": "13912345678"})
    frozen_clock.advance(dt.timedelta(minutes=5))
    # when each person reads the history
    response = _as(client, people[who]).get(f"{URL}/{jinan_entity.credit_code}/versions")
    # then only the owner and its staff see it, and the phone appears only as a marker
    if who in MAY_UPDATE:
        assert response.status_code == 200
        latest = response.json()[0]
        assert (latest["version"], latest["changed_by"], latest["changes"]) == (
            2, "owner", {"contact_phone": "已修改"})
        assert "13912345678" not in response.content.decode()
    else:
        assert response.status_code == (401 if who == "anonymous" else 403)


@pytest.mark.django_db
def test_invalid_date_is_400_in_chinese(client, frozen_clock, centers):
    data = entity_data(established_on="2020-13-45")
    response = client.post(URL, _json(data), content_type="application/json")
    assert response.status_code == 400
    assert "日期" in response.json()["detail"]


@pytest.mark.django_db
def test_role_names_of_the_matrix_are_real_roles():
    # the people fixture uses only real roles (guards the matrix against typos)
    assert {Role.BIDDER, Role.CENTER_STAFF, Role.ADMIN} <= set(Role.values)


@pytest.mark.django_db
def test_openapi_schema_lists_the_registry_operations(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/v1/registry/entities", "/api/v1/registry/entities/{credit_code}",
            "/api/v1/registry/entities/{credit_code}/versions"} <= set(paths)
