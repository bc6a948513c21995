"""Workspaces of the center's staff and of the supervising department: what each role has to do, nothing sealed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.tendering import services
from ggzy.tendering.models import ResultObjection

from .conftest import lot_ready, sign_up

pytestmark = pytest.mark.django_db


def _section(html: str, section_id: str) -> str:
    match = re.search(rf'<section class="card" id="{section_id}">(.*?)</section>', html, re.S)
    assert match, f"no section {section_id}"
    return match.group(1)


def _submitted_project(world, title="市中区社区卫生服务中心改造工程"):
    return services.project_register(
        actor=world.tenderer, center=world.center, region=world.region, title=title, method="works_open_tender",
        estimated_price="3000000", lots=[{"name": "施工标段", "estimated_price": "3000000"}])


def test_staff_todo_lists_projects_to_accept_openings_today_and_objections(client, world):
    # given a submitted project, a lot whose opening is today with three bidders, and an open result objection
    lot = lot_ready(world)
    sign_up(world, lot, [0, 1, 2])
    waiting = _submitted_project(world)
    clock.freeze(lot.bid_deadline - dt.timedelta(hours=2))
    ResultObjection.objects.create(lot=lot, raised_by=world.bidders[3], text="评分有误，请复核",
                                   raised_at=clock.now(), answer_due=clock.now() + dt.timedelta(days=3))
    # when the Jinan staff member opens the workspace
    client.force_login(world.staff)
    html = client.get("/tendering/").content.decode()
    # then each to-do list names its items
    assert waiting.title in _section(html, "projects-to-accept")
    assert lot.project.title not in _section(html, "projects-to-accept")  # already accepted
    openings = _section(html, "openings-today")
    assert lot.code in openings and timezone_hhmm(lot.bid_deadline) in openings
    objections = _section(html, "objections-open")
    assert "评分有误" in objections and "待答复" in objections
    assert timezone.localtime(clock.now() + dt.timedelta(days=3)).strftime("%Y-%m-%d %H:%M") in objections
    # and nothing lets anyone count the bidders before the opening
    assert not re.search(r"[123]\s*(家|个|bidders?)", openings)
    assert "supervised-lots" not in html


def timezone_hhmm(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def test_staff_todo_is_scoped_to_the_center(client, world):
    # given a project submitted at Jinan
    waiting = _submitted_project(world)
    # when Qingdao's staff member opens the workspace
    client.force_login(world.other_staff)
    html = client.get("/tendering/").content.decode()
    # then it is not on their list
    assert waiting.title not in _section(html, "projects-to-accept")


def test_opening_counts_do_not_depend_on_the_number_of_bidders(client, world):
    # given two lots opening today, one with one bidder and one with three
    first = lot_ready(world)
    second = lot_ready(world)
    sign_up(world, first, [0])
    sign_up(world, second, [1, 2, 3])
    clock.freeze(first.bid_deadline - dt.timedelta(hours=1))
    for user in (world.staff, _supervisor(world)):
        client.force_login(user)
        openings = _section(client.get("/tendering/").content.decode(), "openings-today")
        # then both rows read the same apart from the lot's own data
        rows = re.findall(r"<li>(.*?)</li>", openings, re.S)
        masked = [row.replace(first.code, "CODE").replace(second.code, "CODE")
                  .replace(f"/lots/{first.pk}/", "/lots/N/").replace(f"/lots/{second.pk}/", "/lots/N/")
                  for row in rows]
        assert len(rows) == 2 and masked[0] == masked[1]


def _supervisor(world):
    from ggzy.accounts.services import user_create

    return user_create(actor=None, username=f"jianguan{world.center.pk}", password="pass-1234-ok",
                       role=Role.SUPERVISOR, center=world.center, display_name="济南市住建局监督员")


def test_supervisor_workspace_shows_supervised_lots_warnings_and_no_staff_queue(client, world):
    # given a published lot, a submitted project, and a result objection past its answer deadline
    lot = lot_ready(world)
    waiting = _submitted_project(world)
    ResultObjection.objects.create(lot=lot, raised_by=world.bidders[0], text="资格审查不公",
                                   raised_at=clock.now() - dt.timedelta(days=5),
                                   answer_due=clock.now() - dt.timedelta(days=2))
    # when the supervisor opens the workspace
    client.force_login(_supervisor(world))
    html = client.get("/tendering/").content.decode()
    # then it shows the lots under supervision, the overdue objection as a warning, not the staff's queue
    assert lot.code in _section(html, "supervised-lots")
    warnings = _section(html, "supervision-warnings")
    assert "资格审查不公" in warnings and "异议逾期未答复" in warnings
    assert "已逾期" in _section(html, "objections-open")
    assert "projects-to-accept" not in html and "entity-reviews" not in html
    assert waiting.title not in html


def test_supervisor_of_another_center_sees_none_of_it(client, world, centers):
    from ggzy.accounts.services import user_create

    lot = lot_ready(world)
    other = user_create(actor=None, username="qd_jianguan", password="pass-1234-ok", role=Role.SUPERVISOR,
                        center=centers["qingdao"])
    client.force_login(other)
    html = client.get("/tendering/").content.decode()
    assert lot.code not in html


def test_project_page_lists_the_lot_tender_documents_with_hashes(client, world):
    # given an accepted project whose lot has its tender document
    lot = lot_ready(world)
    document = lot.documents.get()
    # when staff open the project page
    client.force_login(world.staff)
    html = client.get(f"/tendering/projects/{lot.project_id}/").content.decode()
    # then the document is listed with its hash and a download link that serves the same bytes
    section = _section(html, "project-documents")
    assert document.name in section and document.sha256 in section
    url = re.search(r'href="([^"]+/lot-documents/\d+/)"', section).group(1)
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.7 tender documents"
    # and a bidder may not download it from the acceptance page
    client.force_login(world.bidders[0])
    assert client.get(url).status_code in (403, 404)


def test_submitted_documents_are_shown_for_the_acceptance_review(client, world):
    # given a project registered with two documents through the registration page
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ggzy.tendering.models import Project

    client.force_login(world.tenderer)
    response = client.post("/tendering/projects/new/", {
        "title": "槐荫区体育馆改造工程", "method": "works_open_tender", "center": world.center.code,
        "region": world.region.code, "estimated_price": "4200000", "lot_name": "施工标段",
        "documents": [SimpleUploadedFile("立项批复.pdf", b"%PDF approval"),
                      SimpleUploadedFile("招标方案.pdf", b"%PDF plan")]})
    project = Project.objects.get(title="槐荫区体育馆改造工程")
    assert response.status_code == 302 and project.documents.count() == 2
    # when the center's staff open the acceptance page
    client.force_login(world.staff)
    html = client.get(f"/tendering/projects/{project.pk}/").content.decode()
    section = _section(html, "project-submitted-documents")
    # then both documents are listed with their hashes, and each downloads as submitted
    import hashlib

    for name, content in (("立项批复.pdf", b"%PDF approval"), ("招标方案.pdf", b"%PDF plan")):
        assert name in section and hashlib.sha256(content).hexdigest() in section
    urls = re.findall(r'href="(/tendering/projects/\d+/documents/\d+/)"', section)
    assert sorted(b"".join(client.get(u).streaming_content) for u in urls) == [b"%PDF approval", b"%PDF plan"]
    assert "受理" in html and 'name="decision" value="accept"' in html
    # and another center's staff, or a bidder, cannot download them
    for user in (world.other_staff, world.bidders[0]):
        client.force_login(user)
        assert client.get(urls[0]).status_code in (403, 404)


def test_registration_with_an_empty_document_changes_nothing(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ggzy.core.models import AuditEntry
    from ggzy.tendering.models import Project, ProjectDocument

    client.force_login(world.tenderer)
    before = (Project.objects.count(), ProjectDocument.objects.count(), AuditEntry.objects.count())
    response = client.post("/tendering/projects/new/", {
        "title": "空文件项目", "method": "works_open_tender", "center": world.center.code,
        "region": world.region.code, "estimated_price": "4200000", "lot_name": "施工标段",
        "documents": [SimpleUploadedFile("空.pdf", b"")]}, follow=True)
    assert "文件“空.pdf”为空" in response.content.decode()
    assert (Project.objects.count(), ProjectDocument.objects.count(), AuditEntry.objects.count()) == before


def test_documents_cannot_be_added_after_acceptance(world):
    from ggzy.core.errors import Conflict, NotAllowed
    from ggzy.tendering.services.project_documents import project_document_add

    project = _submitted_project(world)
    with pytest.raises(NotAllowed):
        project_document_add(actor=world.bidders[0], project=project, name="x.pdf", content=b"x")
    services.project_accept(actor=world.staff, project=project)
    with pytest.raises(Conflict):
        project_document_add(actor=world.tenderer, project=project, name="x.pdf", content=b"x")
    assert project.documents.count() == 0


def test_api_adds_and_lists_acceptance_documents(client, world):
    import hashlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    project = _submitted_project(world)
    # given the owner uploads a document through the API
    client.force_login(world.tenderer)
    response = client.post(f"/api/v1/tendering/projects/{project.pk}/documents",
                           {"file": SimpleUploadedFile("立项批复.pdf", b"%PDF approval")})
    assert response.status_code == 201, response.content
    # when staff list the project's documents
    client.force_login(world.staff)
    listed = client.get(f"/api/v1/tendering/projects/{project.pk}/documents").json()
    # then it is there with its hash; a bidder may neither list nor add
    assert [(d["name"], d["sha256"]) for d in listed] == [("立项批复.pdf", hashlib.sha256(b"%PDF approval").hexdigest())]
    client.force_login(world.bidders[0])
    assert client.get(f"/api/v1/tendering/projects/{project.pk}/documents").status_code == 404
    assert client.post(f"/api/v1/tendering/projects/{project.pk}/documents",
                       {"file": SimpleUploadedFile("x.pdf", b"x")}).status_code == 403
    assert project.documents.count() == 1
