"""Registered capital through every door: API register and update, the apply page — hostile figures refused with
the field named, nothing stored."""

import json

import pytest

from ggzy.core.models import AuditEntry
from ggzy.registry.models import MarketEntity

from .conftest import stored
from .factories import entity_data
from .test_views_entities import _apply_post, _errors

HOSTILE = ["1e15", "1e20", "1e40", "1e400", "NaN", "-0.001", "1.234", "Infinity", "10000000000000000"]
URL = "/api/v1/registry/entities"


@pytest.mark.django_db
@pytest.mark.parametrize("value", HOSTILE)
def test_register_api_refuses_hostile_capital(client, frozen_clock, centers, value):
    before = stored()
    response = client.post(URL, json.dumps(entity_data(registered_capital=value)), content_type="application/json")
    assert response.status_code == 400, response.content
    assert "registered_capital" in response.json()["errors"]
    assert stored() == before


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["1e20", "1e400", "NaN", "Infinity"])
def test_register_api_refuses_capital_as_a_json_number(client, frozen_clock, centers, raw):
    body = json.dumps(entity_data(registered_capital="__X__")).replace('"__X__"', raw)
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == 400 and MarketEntity.objects.count() == 0, response.content


@pytest.mark.parametrize("value", ["1e20", "NaN", "1.234"])
def test_update_api_refuses_hostile_capital(client, people, jinan_entity, value):
    client.force_login(people["owner"])
    audit = AuditEntry.objects.count()
    response = client.patch(f"{URL}/{jinan_entity.credit_code}", json.dumps({"registered_capital": value}),
                            content_type="application/json")
    assert response.status_code == 400 and "registered_capital" in response.json()["errors"], response.content
    jinan_entity.refresh_from_db()
    assert jinan_entity.registered_capital != value and AuditEntry.objects.count() == audit


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["1e20", "NaN", "1.234", "-5"])
def test_apply_page_refuses_hostile_capital(client, frozen_clock, centers, value):
    before = stored()
    response = client.post("/registry/apply/", _apply_post(registered_capital=value))
    assert response.status_code == 200
    assert any(message.startswith("注册资本") for message in _errors(response)), _errors(response)
    assert stored() == before
