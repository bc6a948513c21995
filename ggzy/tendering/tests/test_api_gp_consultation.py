"""竞争性磋商 through /api/v1/: registration names the procurement object and keeps the price weight in its range
(errors name the field, nothing stored); the schedule needs 10 days; the rounds and final quotations answer under the
consultation's own procedure."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ggzy.core import clock
from ggzy.tendering.models import Lot, Project

from .test_gp_consultation import consulting_lot

pytestmark = pytest.mark.django_db
API = "/api/v1/tendering"


def _ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def _payload(**lot):
    return {"title": "政务云安全运维服务竞争性磋商", "method": "gp_consultation", "region_code": "370112",
            "center_code": "370100", "estimated_price": "500000",
            "lots": [{"name": "运维服务包", "estimated_price": "500000", **lot}]}


def test_consultation_registration_and_schedule_through_the_api(client, world):
    client.force_login(world.tenderer)
    # a services lot weighted 40% on price, and one with no object: refused, the field named, nothing stored
    heavy = client.post(f"{API}/projects", _payload(procurement_object="services", price_weight="40"),
                        content_type="application/json")
    assert heavy.status_code == 400 and "10%至30%" in heavy.json()["errors"]["lots.0.price_weight"][0]
    unnamed = client.post(f"{API}/projects", _payload(price_weight="30"), content_type="application/json")
    assert unnamed.status_code == 400 and "lots.0.procurement_object" in unnamed.json()["errors"]
    wrong_type = client.post(f"{API}/projects", _payload(procurement_object=["goods"]), content_type="application/json")
    assert wrong_type.status_code in (400, 422) and "procurement_object" in wrong_type.content.decode()
    assert not Project.objects.exists()
    # goods at 45%: registered, comprehensive scoring by default
    project = _ok(client.post(f"{API}/projects", _payload(procurement_object="goods", price_weight="45"),
                              content_type="application/json"), 201)
    lot = Lot.objects.get(pk=project["lots"][0]["id"])
    assert (lot.evaluation_method, lot.procurement_object, str(lot.price_weight)) == ("comprehensive", "goods", "45.00")
    client.force_login(world.staff)
    _ok(client.post(f"{API}/projects/{project['id']}/accept"))
    client.force_login(world.tenderer)
    _ok(client.post(f"{API}/lots/{lot.pk}/documents", {"file": SimpleUploadedFile("磋商文件.pdf", b"%PDF doc")}), 201)
    now = clock.now()
    nine = {"notice_text": "竞争性磋商公告", "documents_sale_end": (now + dt.timedelta(days=5)).isoformat(),
            "bid_deadline": (now + dt.timedelta(days=9)).isoformat(), "bond_amount": "0"}
    refused = client.post(f"{API}/lots/{lot.pk}/schedule", nine, content_type="application/json")
    assert refused.status_code == 400 and "10日" in refused.json()["errors"]["bid_deadline"][0]
    ten = nine | {"bid_deadline": (now + dt.timedelta(days=10, hours=1)).isoformat()}
    _ok(client.post(f"{API}/lots/{lot.pk}/schedule", ten, content_type="application/json"))


def test_consultation_rounds_through_the_api(client, world):
    lot = consulting_lot(world)
    url = f"{API}/lots/{lot.pk}/negotiation"
    client.force_login(world.experts[0])
    assert _ok(client.post(f"{url}/rounds"), 201)["number"] == 1
    view = _ok(client.get(url))
    for supplier in view["suppliers"]:
        _ok(client.post(f"{url}/records", {"bid_id": supplier["bid_id"], "minutes": "单独磋商"},
                        content_type="application/json"), 201)
    _ok(client.post(f"{url}/final-call", {"deadline": (clock.now() + dt.timedelta(hours=1)).isoformat()},
                    content_type="application/json"))
    client.force_login(world.bidders[0])
    _ok(client.post(f"{url}/final-quotation", {"total_price": "90000"}, content_type="application/json"), 201)
    assert Lot.objects.get(pk=lot.pk).state == "final_quoting"
