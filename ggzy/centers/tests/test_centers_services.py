"""Venues, workstations and their activation, sessions and cross-center requests, through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from ggzy.accounts.roles import Role
from ggzy.centers import selectors, services
from ggzy.centers.models import RequestState, SessionEvent, VenueRole, Workstation
from ggzy.core import clock
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.models import AuditEntry

FP_A = "a" * 64
FP_B = "b" * 64


@pytest.fixture
def people(make_user, centers, frozen_clock):
    class P:
        jinan = make_user(Role.CENTER_STAFF, center=centers["jinan"])
        qingdao = make_user(Role.CENTER_STAFF, center=centers["qingdao"])
        expert = make_user(Role.EXPERT)
        other_expert = make_user(Role.EXPERT)
        bidder = make_user(Role.BIDDER)

    return P


def _station(staff, name="济南评标基地", city="济南", label="A-01"):
    venue = services.venue_create(actor=staff, name=name, city=city)
    room = services.room_create(actor=staff, venue=venue, name="第一评标室")
    return services.workstation_add(actor=staff, room=room, seat_label=label)


def test_venue_rooms_and_workstations_belong_to_the_staff_center(people, centers):
    # given a workstation in a Jinan venue
    workstation = _station(people.jinan)
    assert workstation.venue.center == centers["jinan"]
    # then Qingdao's staff cannot add to it or issue codes for it, and a bidder cannot register a venue
    with pytest.raises(NotAllowed):
        services.room_create(actor=people.qingdao, venue=workstation.venue, name="第二评标室")
    with pytest.raises(NotAllowed):
        services.activation_code_issue(actor=people.qingdao, workstation=workstation)
    with pytest.raises(NotAllowed):
        services.venue_create(actor=people.bidder, name="x", city="济南")
    # and bad input names its field and changes nothing
    with pytest.raises(DomainError) as err:
        services.venue_create(actor=people.jinan, name="", city="济南")
    assert "name" in err.value.errors
    with pytest.raises(Conflict):
        services.workstation_add(actor=people.jinan, room=workstation.seat.room, seat_label="A-01")
    assert Workstation.objects.count() == 1
    # the directory is shared: every center's venues, with seat counts
    _station(people.qingdao, name="青岛评标分中心", city="青岛", label="Q-01")
    assert [(v.city, v.seat_count) for v in selectors.venue_directory()] == [("济南", 1), ("青岛", 1)]


def test_activation_code_is_one_time_and_expires(people):
    workstation = _station(people.jinan)
    code = services.activation_code_issue(actor=people.jinan, workstation=workstation)
    # a non-expert, a malformed code or a missing fingerprint is refused
    with pytest.raises(NotAllowed):
        services.workstation_activate(actor=people.bidder, code=code, fingerprint=FP_A)
    with pytest.raises(DomainError) as err:
        services.workstation_activate(actor=people.expert, code="12", fingerprint=FP_A)
    assert "code" in err.value.errors
    with pytest.raises(DomainError) as err:
        services.workstation_activate(actor=people.expert, code=code, fingerprint="not-a-fingerprint")
    assert "fingerprint" in err.value.errors
    # when the expert activates with the code, the workstation is bound to that browser and expert
    services.workstation_activate(actor=people.expert, code=code, fingerprint=FP_A)
    workstation.refresh_from_db()
    assert workstation.occupant == people.expert and workstation.fingerprint_digest == services.digest(FP_A)
    assert FP_A not in workstation.fingerprint_digest  # only a digest is kept
    assert selectors.workstation_for(user=people.expert, fingerprint=FP_A) == workstation
    assert selectors.workstation_for(user=people.other_expert, fingerprint=FP_A) is None
    # then the code cannot be used again
    with pytest.raises(DomainError, match="已使用"):
        services.workstation_activate(actor=people.other_expert, code=code, fingerprint=FP_B)
    # and a fresh code expires after two hours
    late = services.activation_code_issue(actor=people.jinan, workstation=workstation)
    clock.advance(dt.timedelta(hours=2, seconds=1))
    with pytest.raises(DomainError, match="过期"):
        services.workstation_activate(actor=people.other_expert, code=late, fingerprint=FP_B)
    workstation.refresh_from_db()
    assert workstation.occupant == people.expert


def test_cross_center_seat_request_is_answered_by_the_other_center(people, centers):
    host = _station(people.jinan).venue
    guest = _station(people.qingdao, name="青岛评标分中心", city="青岛", label="Q-01").venue
    session = services.session_create(
        actor=people.jinan,
        subject_key="tendering.lot:1",
        subject_code="L1",
        subject_title="测试标段",
        center_id=centers["jinan"].pk,
        host_venue=host,
        seats=3,
    )
    # the host center cannot name another center's venue as its host, nor ask itself
    with pytest.raises(DomainError):
        services.session_create(
            actor=people.jinan,
            subject_key="tendering.lot:2",
            subject_code="L2",
            subject_title="x",
            center_id=centers["jinan"].pk,
            host_venue=guest,
        )
    with pytest.raises(DomainError):
        services.session_request(actor=people.jinan, session=session, kind="seats", venue=host, count=1)
    seats = services.session_request(actor=people.jinan, session=session, kind="seats", venue=guest, count=2)
    experts = services.session_request(
        actor=people.jinan,
        session=session,
        kind="experts",
        to_center_id=centers["qingdao"].pk,
        count=2,
        note="工程造价",
    )
    # the guest venue is not part of the session until Qingdao accepts; Jinan cannot answer its own request
    assert list(session.venues.values_list("role", flat=True)) == [VenueRole.HOST]
    with pytest.raises(NotAllowed):
        services.request_answer(actor=people.jinan, request=seats, accept=True)
    services.request_answer(actor=people.qingdao, request=seats, accept=True, note="已预留")
    services.request_answer(actor=people.qingdao, request=experts, accept=False, note="本市该专业专家不足")
    seats.refresh_from_db()
    experts.refresh_from_db()
    assert (seats.state, seats.answered_by) == (RequestState.ACCEPTED, people.qingdao)
    assert (experts.state, experts.answered_by) == (RequestState.DECLINED, people.qingdao)
    assert session.venues.get(venue=guest).role == VenueRole.GUEST
    with pytest.raises(Conflict):
        services.request_answer(actor=people.qingdao, request=seats, accept=False)
    # every step is in the session log and in the audit trail (which feeds the ledger)
    assert list(SessionEvent.objects.filter(session=session).values_list("kind", flat=True)) == [
        "create",
        "request",
        "request",
        "answer",
        "answer",
    ]
    assert AuditEntry.objects.filter(action="remote.answer").count() == 2
    # Qingdao's staff see the session they are a guest in; a supervisor sees it; a bidder does not
    assert selectors.session_get_for(people.qingdao, session.pk) == session
    assert selectors.session_get_for(people.bidder, session.pk) is None


def test_gate_requires_an_activated_workstation_of_the_session(people, centers):
    host_ws = _station(people.jinan)
    elsewhere = _station(people.jinan, name="济南第二基地", label="B-01")
    session = services.session_create(
        actor=people.jinan,
        subject_key="tendering.lot:9",
        subject_code="L9",
        subject_title="测试",
        center_id=centers["jinan"].pk,
        host_venue=host_ws.venue,
    )
    # no session for another subject: nothing to check
    assert services.session_gate(subject_key="tendering.lot:10", user=people.expert, fingerprint="") is None
    for ws, fp, expert in ((host_ws, FP_A, people.expert), (elsewhere, FP_B, people.other_expert)):
        code = services.activation_code_issue(actor=people.jinan, workstation=ws)
        services.workstation_activate(actor=expert, code=code, fingerprint=fp)
    # a workstation outside the session's venues, someone else's workstation, or no fingerprint: refused
    for user, fp in ((people.other_expert, FP_B), (people.other_expert, FP_A), (people.expert, "")):
        with pytest.raises(NotAllowed):
            services.session_gate(subject_key=session.subject_key, user=user, fingerprint=fp)
    # the expert at the host workstation passes; joining is logged once
    for _ in range(2):
        assert (
            services.session_gate(subject_key=session.subject_key, user=people.expert, fingerprint=FP_A)
            == host_ws
        )
    assert session.events.filter(kind="join").count() == 1
