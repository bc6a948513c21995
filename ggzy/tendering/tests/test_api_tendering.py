"""The tendering API: permission matrix on the main endpoints and a whole procedure through HTTP."""

import datetime as dt

import pytest

from ggzy.core import clock
from ggzy.core.models import AuditEntry
from ggzy.tendering.models import Lot, Project

from .conftest import bond_arrive, lot_ready

pytestmark = pytest.mark.django_db


def _project_payload(world, method="works_open_tender"):
    return {"title": "市政道路工程", "method": method, "region_code": "370112", "center_code": "370100",
            "estimated_price": "5000000", "lots": [{"name": "一标段", "estimated_price": "5000000"}]}


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("bidder", 403), ("expert", 403)])
def test_register_project_denied_changes_nothing(client, world, who, status):
    user = {"anonymous": None, "bidder": world.bidders[0], "expert": world.experts[0]}[who]
    if user:
        client.force_login(user)
    before = AuditEntry.objects.count()
    response = client.post("/api/v1/tendering/projects", _project_payload(world), content_type="application/json")
    assert response.status_code == status
    assert Project.objects.count() == 0 and AuditEntry.objects.count() == before


def test_register_project_bad_input_names_the_field(client, world):
    client.force_login(world.tenderer)
    payload = _project_payload(world) | {"estimated_price": "-1"}
    response = client.post("/api/v1/tendering/projects", payload, content_type="application/json")
    assert response.status_code == 400 and "estimated_price" in response.json()["errors"]
    payload = _project_payload(world) | {"region_code": "999999"}
    assert "region_code" in client.post("/api/v1/tendering/projects", payload,
                                        content_type="application/json").json()["errors"]
    assert Project.objects.count() == 0


def test_accept_by_another_centers_staff_is_404_and_changes_nothing(client, world):
    client.force_login(world.tenderer)
    project_id = client.post("/api/v1/tendering/projects", _project_payload(world),
                             content_type="application/json").json()["id"]
    client.force_login(world.other_staff)
    assert client.post(f"/api/v1/tendering/projects/{project_id}/accept").status_code == 404
    assert Project.objects.get().state == "submitted"
    client.force_login(world.staff)
    assert client.post(f"/api/v1/tendering/projects/{project_id}/accept").json()["state"] == "accepted"


def test_publish_by_wrong_role_and_wrong_state(client, world):
    lot = lot_ready(world)
    client.force_login(world.tenderer)
    assert client.post(f"/api/v1/tendering/lots/{lot.pk}/publish").status_code == 403
    client.force_login(world.staff)
    response = client.post(f"/api/v1/tendering/lots/{lot.pk}/publish")
    assert response.status_code == 409 and "state" in response.json()["errors"]


def test_late_bid_over_http_is_refused(client, world):
    lot = lot_ready(world)
    client.force_login(world.bidders[0])
    client.post(f"/api/v1/tendering/lots/{lot.pk}/signup")
    bond_arrive(world, lot, 0)
    clock.advance(dt.timedelta(days=30))
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(f"/api/v1/tendering/lots/{lot.pk}/bid", {
        "price_sheet": '{"total_price": "100.00"}', "files": [SimpleUploadedFile("a.pdf", b"abc")]})
    assert response.status_code == 409 and "bid_deadline" in response.json()["errors"]


def test_bid_with_malformed_json_names_the_field(client, world):
    lot = lot_ready(world)
    client.force_login(world.bidders[0])
    client.post(f"/api/v1/tendering/lots/{lot.pk}/signup")
    bond_arrive(world, lot, 0)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(f"/api/v1/tendering/lots/{lot.pk}/bid", {
        "price_sheet": "{not json", "files": [SimpleUploadedFile("a.pdf", b"abc")]})
    assert response.status_code == 400 and "price_sheet" in response.json()["errors"]


def test_public_lot_list_has_no_drafts(client, world):
    lot = lot_ready(world)
    Lot.objects.create(project=lot.project, code=lot.code + "9", tender_code=lot.tender_code, name="草稿标段",
                       estimated_price=1)
    names = [row["name"] for row in client.get("/api/v1/tendering/lots").json()]
    assert "施工一标段" in names and "草稿标段" not in names
