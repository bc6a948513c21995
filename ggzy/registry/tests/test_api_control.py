"""/api/v1/registry/entities/{code}/controls and /controls/{id}/end: who may read, record and end; errors in Chinese."""

from __future__ import annotations

import json

import pytest

from ggzy.core.models import AuditEntry
from ggzy.registry.models import EntityControl

from .factories import MarketEntityFactory, new_id_number

URL = "/api/v1/registry/entities/{}/controls"


def _post(client, user, entity, data):
    if user is not None:
        client.force_login(user)
    return client.post(URL.format(entity.credit_code), json.dumps(data), content_type="application/json")


def test_staff_record_a_person_controller_and_the_answer_never_shows_the_number(client, people, jinan_entity):
    # given
    number = new_id_number(11)
    # when
    response = _post(client, people["jinan_staff"], jinan_entity, {
        "controller_person_name": "王五", "controller_person_id_number": number, "kind": "actual_controller",
        "valid_from": "2025-01-01"})
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["controller_type"] == "person" and body["controller_person_id_tail"] == number[-4:]
    assert number not in response.content.decode()
    listed = client.get(URL.format(jinan_entity.credit_code))
    assert listed.status_code == 200 and [r["id"] for r in listed.json()] == [body["id"]]


@pytest.mark.parametrize("who", ["anonymous", "other_entity_user", "qingdao_staff"])
def test_others_can_neither_read_nor_record(client, people, jinan_entity, who):
    # given
    audit_before = AuditEntry.objects.count()
    # when
    response = _post(client, people[who], jinan_entity, {
        "controller_credit_code": MarketEntityFactory().credit_code, "kind": "management",
        "valid_from": "2025-01-01"})
    listed = client.get(URL.format(jinan_entity.credit_code))
    # then
    assert response.status_code in (401, 403), response.content
    assert listed.status_code in (401, 404)
    assert EntityControl.objects.count() == 0 and AuditEntry.objects.count() == audit_before


def test_bad_share_and_malformed_json_answer_in_chinese(client, people, jinan_entity):
    # when the share is out of range
    response = _post(client, people["owner"], jinan_entity, {
        "controller_credit_code": MarketEntityFactory().credit_code, "kind": "shareholding", "share_percent": 1e20,
        "valid_from": "2025-01-01"})
    # then 400 naming the field in Chinese
    assert response.status_code == 400
    assert "持股比例" in response.json()["errors"]["share_percent"][0]
    # and malformed JSON is refused in Chinese too
    broken = client.post(URL.format(jinan_entity.credit_code), "{not json", content_type="application/json")
    assert broken.status_code == 400 and any("\u4e00" <= ch <= "\u9fff" for ch in broken.json()["detail"])
    assert EntityControl.objects.count() == 0


def test_the_owner_declares_and_ends_its_declaration(client, people, jinan_entity):
    # given a declaration by the entity itself
    created = _post(client, people["owner"], jinan_entity, {
        "controller_credit_code": MarketEntityFactory().credit_code, "kind": "shareholding", "share_percent": "51.5",
        "valid_from": "2025-01-01"}).json()
    assert created["source"] == "declared" and created["share_percent"] == "51.50"
    # when it ends it
    response = client.post(f"/api/v1/registry/controls/{created['id']}/end", json.dumps({"valid_until": "2025-12-31"}),
                           content_type="application/json")
    # then
    assert response.status_code == 200 and response.json()["valid_until"] == "2025-12-31"
