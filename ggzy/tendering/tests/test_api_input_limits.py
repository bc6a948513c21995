"""The tendering API refuses what its tables could not store, in Chinese, naming the field."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ggzy.tendering import services
from ggzy.tendering.models import Project, TenderDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted_lot(world):
    project = services.project_register(
        actor=world.tenderer, center=world.center, region=world.region, title="历城区第二实验小学教学楼工程",
        method="works_open_tender", estimated_price="8000000", lots=[{"name": "施工一标段", "estimated_price": "8000000"}])
    services.project_accept(actor=world.staff, project=project)
    return project.lots.get()


@pytest.mark.parametrize(("name", "status"), [
    pytest.param("招标文件" * 2000 + ".pdf", 400, id="thousands-of-characters"),
    pytest.param("文" * 197 + ".pdf", 400, id="one-over-the-column"),
    pytest.param("文" * 196 + ".pdf", 201, id="at-the-column"),
])
def test_upload_name_longer_than_the_column_is_refused(client, world, accepted_lot, name, status):
    # given the tenderer
    client.force_login(world.tenderer)
    # when it uploads a file with that name
    upload = SimpleUploadedFile(name, b"%PDF-1.7 tender documents")
    response = client.post(f"/api/v1/tendering/lots/{accepted_lot.pk}/documents", {"file": upload})
    # then
    assert response.status_code == status, response.json()
    if status == 400:
        assert "file" in response.json()["errors"] and "文件名" in response.json()["detail"]
        assert not TenderDocument.objects.exists()


def test_project_title_longer_than_the_column_is_refused(client, world):
    # given a 20,000-character title (stored whole before)
    client.force_login(world.tenderer)
    payload = {"title": "工" * 20_000, "method": "works_open_tender", "region_code": world.region.code,
               "center_code": world.center.code, "estimated_price": "100", "lots": [{"name": "一标段",
                                                                                  "estimated_price": "100"}]}
    # when
    response = client.post("/api/v1/tendering/projects", payload, content_type="application/json")
    # then
    body = response.json()
    assert response.status_code == 400 and body["errors"]["title"] == ["不能超过 200 个字符"]
    assert body["detail"] == "title: 不能超过 200 个字符"
    assert not Project.objects.exists()


def test_multipart_without_boundary_is_400(client, world):
    client.force_login(world.tenderer)
    response = client.generic("POST", "/api/v1/tendering/lots/1/documents", b"x",
                              content_type="multipart/form-data")
    assert response.status_code == 400 and "multipart" in response.json()["detail"]


def test_signature_purpose_outside_the_list_is_400(client):
    response = client.get("/api/v1/tendering/lots/1/documents/bogus/content")
    assert response.status_code == 400 and "purpose" in response.json()["errors"]
