"""The centers pages: who may open them, the staff's forms, the code shown once, activation, the session log."""

from __future__ import annotations

import pytest
from django.test import Client

from ggzy.accounts.roles import Role
from ggzy.centers import services
from ggzy.centers.models import ActivationCode, CenterRequest, RequestState, Venue, Workstation

FP = "c" * 64


@pytest.fixture
def people(make_user, centers, frozen_clock):
    class P:
        jinan = make_user(Role.CENTER_STAFF, center=centers["jinan"])
        qingdao = make_user(Role.CENTER_STAFF, center=centers["qingdao"])
        supervisor = make_user(Role.SUPERVISOR, center=centers["province"])
        expert = make_user(Role.EXPERT)
        bidder = make_user(Role.BIDDER)

    return P


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_by_role(people):
    assert _client(people.bidder).get("/centers/").status_code == 403
    assert _client(people.expert).get("/centers/").status_code == 403
    assert _client(people.bidder).get("/centers/activate/").status_code == 403
    assert _client(people.jinan).get("/centers/").status_code == 200
    assert _client(people.supervisor).get("/centers/sessions/").status_code == 200
    assert _client(people.expert).get("/centers/activate/").status_code == 200
    assert Client().get("/centers/").status_code in (302, 403)


def test_staff_build_a_venue_and_issue_a_code_shown_once(people):
    client = _client(people.jinan)
    # an empty name is refused with the field named, nothing saved
    response = client.post("/centers/act/venue/", {"name": "", "city": "济南"}, follow=True)
    assert "请填写场地名称" in response.content.decode() and not Venue.objects.exists()
    client.post("/centers/act/venue/", {"name": "济南评标基地", "city": "济南"})
    venue = Venue.objects.get()
    client.post("/centers/act/room/", {"venue": venue.pk, "room_name": "第一评标室"})
    client.post("/centers/act/workstation/", {"room": venue.rooms.get().pk, "seat": "A-01"})
    workstation = Workstation.objects.get()
    # Qingdao's staff cannot issue a code for Jinan's workstation
    response = _client(people.qingdao).post(
        "/centers/act/code/", {"workstation": workstation.pk}, follow=True
    )
    assert "只有该场地所属中心的工作人员" in response.content.decode() and not ActivationCode.objects.exists()
    response = client.post("/centers/act/code/", {"workstation": workstation.pk})
    html = response.content.decode()
    code = html.split('id="activation-code">')[1][:8]
    assert code.isdigit() and ActivationCode.objects.get().code_digest == services.digest(code)
    assert code not in client.get("/centers/").content.decode()  # shown once
    # the expert activates from the activation page (the browser's script fills the fingerprint field)
    expert = _client(people.expert)
    response = expert.post("/centers/activate/", {"code": code, "ws_fingerprint": ""}, follow=True)
    assert "未能读取本机设备指纹" in response.content.decode()
    response = expert.post(
        "/centers/activate/", {"code": code, "ws_fingerprint": FP, "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response.url == "/centers/activate/"  # no open redirect
    workstation.refresh_from_db()
    assert workstation.occupant == people.expert
    expert.cookies["ggzy_ws"] = FP
    assert "本机工位已激活" in expert.get("/centers/activate/").content.decode()


def test_requests_and_the_live_log(people, centers):
    host = services.venue_create(actor=people.jinan, name="济南评标基地", city="济南")
    guest = services.venue_create(actor=people.qingdao, name="青岛评标分中心", city="青岛")
    session = services.session_create(
        actor=people.jinan,
        subject_key="tendering.lot:7",
        subject_code="L7",
        subject_title="测试标段",
        center_id=centers["jinan"].pk,
        host_venue=host,
    )
    jinan = _client(people.jinan)
    jinan.post(f"/centers/sessions/{session.pk}/request/", {"kind": "seats", "venue": guest.pk, "count": "2"})
    jinan.post(
        f"/centers/sessions/{session.pk}/request/",
        {"kind": "experts", "to_center": centers["qingdao"].pk, "count": "x"},
    )
    assert CenterRequest.objects.count() == 1  # "x" experts is refused
    # Qingdao's staff may not send requests for Jinan's session; they answer on their page
    _client(people.qingdao).post(
        f"/centers/sessions/{session.pk}/request/",
        {"kind": "experts", "to_center": centers["jinan"].pk, "count": "1"},
    )
    assert CenterRequest.objects.count() == 1
    request = CenterRequest.objects.get()
    assert "青岛评标分中心" in _client(people.qingdao).get("/centers/").content.decode()
    _client(people.jinan).post("/centers/act/accept/", {"request": request.pk})
    request.refresh_from_db()
    assert request.state == RequestState.PENDING  # Jinan cannot answer its own request
    _client(people.qingdao).post(
        "/centers/act/decline/", {"request": request.pk, "answer_note": "无空余席位"}
    )
    request.refresh_from_db()
    assert (request.state, request.answered_by) == (RequestState.DECLINED, people.qingdao)
    # the supervisor's log partial lists the events; a bidder cannot see it
    log = _client(people.supervisor).get(f"/centers/sessions/{session.pk}/log/").content.decode()
    assert log.count("<tr data-kind=") == 3 and "无空余席位" in log
    assert _client(people.bidder).get(f"/centers/sessions/{session.pk}/log/").status_code == 403
    page = _client(people.supervisor).get(f"/centers/sessions/{session.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page and "seat-request-form" not in page
