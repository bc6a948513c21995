"""Supervisors follow only the remote sessions of the lots they supervise (the lots' rule: the provincial center's
supervisors every lot, a city's supervisors their own center's), and the live log's 2-second poll does not keep an
idle supervisor signed in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from ggzy.accounts.roles import Role
from ggzy.centers import services
from ggzy.core import security
from ggzy.core.security import SESSION_LAST_ACTIVITY

POLL = {"HTTP_HX_REQUEST": "true", "HTTP_X_GGZY_POLL": "1"}


@pytest.fixture
def sessions(make_user, centers, frozen_clock):
    jinan_staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    qingdao_staff = make_user(Role.CENTER_STAFF, center=centers["qingdao"])
    made = {}
    for city, staff in (("jinan", jinan_staff), ("qingdao", qingdao_staff)):
        venue = services.venue_create(actor=staff, name=f"{city}评标基地", city=city)
        made[city] = services.session_create(actor=staff, subject_key=f"tendering.lot:{city}", subject_code=city,
                                             subject_title="测试标段", center_id=centers[city].pk, host_venue=venue)
    return made


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_city_supervisor_sees_only_its_centers_sessions(make_user, centers, sessions):
    # given
    client = _client(make_user(Role.SUPERVISOR, center=centers["jinan"]))
    # when
    listing = client.get("/centers/sessions/").content.decode()
    own = client.get(f"/centers/sessions/{sessions['jinan'].pk}/log/")
    other_page = client.get(f"/centers/sessions/{sessions['qingdao'].pk}/")
    other_log = client.get(f"/centers/sessions/{sessions['qingdao'].pk}/log/")
    # then
    assert f"/centers/sessions/{sessions['jinan'].pk}/" in listing
    assert f"/centers/sessions/{sessions['qingdao'].pk}/" not in listing
    assert own.status_code == 200
    assert other_page.status_code == 404 and other_log.status_code == 404


def test_the_provincial_supervisor_sees_every_session(make_user, centers, sessions):
    # given
    client = _client(make_user(Role.SUPERVISOR, center=centers["province"]))
    # when
    listing = client.get("/centers/sessions/").content.decode()
    # then
    assert all(f"/centers/sessions/{s.pk}/" in listing for s in sessions.values())


def test_anonymous_and_a_bidder_see_no_session_log(make_user, sessions):
    # given
    url = f"/centers/sessions/{sessions['jinan'].pk}/log/"
    # when
    anonymous = Client().get(url)
    bidder = _client(make_user(Role.BIDDER)).get(url)
    # then
    assert anonymous.status_code == 302 and bidder.status_code == 403


@pytest.fixture
def wall_clock(monkeypatch):
    now = {"t": 1_780_000_000.0}
    monkeypatch.setattr(security, "wall_clock", lambda: now["t"])
    return now


def test_the_log_poll_does_not_keep_an_idle_supervisor_signed_in(make_user, centers, sessions, wall_clock):
    # given a supervisor who opened the session page and left the workstation
    client = _client(make_user(Role.SUPERVISOR, center=centers["jinan"]))
    page = client.get(f"/centers/sessions/{sessions['jinan'].pk}/")
    assert 'X-GGZY-Poll' in page.content.decode()
    started = client.session[SESSION_LAST_ACTIVITY]
    log = f"/centers/sessions/{sessions['jinan'].pk}/log/"
    # when the page polls every 2 s for 31 minutes (sampled every 5 minutes)
    for _ in range(6):
        wall_clock["t"] += dt.timedelta(minutes=5).total_seconds()
        assert client.get(log, **POLL).status_code == 200
        assert client.session[SESSION_LAST_ACTIVITY] == started
    wall_clock["t"] += dt.timedelta(minutes=1, seconds=1).total_seconds()
    response = client.get(log, **POLL)
    # then the poll is answered with a redirect of the whole page to sign-in, and the session is over
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_a_request_by_the_person_still_refreshes_the_timer(make_user, centers, sessions, wall_clock):
    # given
    client = _client(make_user(Role.SUPERVISOR, center=centers["jinan"]))
    client.get("/centers/sessions/")
    started = client.session[SESSION_LAST_ACTIVITY]
    # when a click (an htmx request without the poll mark) comes 5 minutes later
    wall_clock["t"] += dt.timedelta(minutes=5).total_seconds()
    response = client.get(f"/centers/sessions/{sessions['jinan'].pk}/log/", HTTP_HX_REQUEST="true")
    # then
    assert response.status_code == 200 and client.session[SESSION_LAST_ACTIVITY] > started
