"""Remote off-site evaluation (远程异地评标) through the services: the committee scores, votes and signs in one
shared session from Jinan (host) and Qingdao (guest), each member at a workstation activated in one of them."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from ggzy.centers import selectors as centers_selectors
from ggzy.centers import services as centers
from ggzy.core import clock
from ggzy.core.errors import Conflict, NotAllowed
from ggzy.core.models import AuditEntry
from ggzy.tendering.choices import BidState
from ggzy.tendering.services import evaluation, opening

from .conftest import lot_ready, seat_committee
from .test_services_flow import PRICES, _bid


def evaluating_lot(world):
    lot = lot_ready(world)
    for i, price in enumerate(PRICES):
        _bid(world, lot, i, price)
    clock.advance(dt.timedelta(days=21, minutes=1))
    lot = opening.lot_open(actor=world.staff, lot=lot)
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    opening.opening_record_publish(actor=world.staff, lot=lot)
    lot = opening.opening_close(actor=world.staff, lot=lot)
    members = [(e, "expert_technical") for e in world.experts[:4]] + [(world.experts[4], "expert_economic")]
    seat_committee(world.staff, lot, members, chair=world.experts[0])
    return lot


def venues(world):
    """A Jinan venue with three workstations and a Qingdao venue with two."""
    jinan = centers.venue_create(actor=world.staff, name="济南评标基地", city="济南")
    room = centers.room_create(actor=world.staff, venue=jinan, name="第一评标室")
    host = [centers.workstation_add(actor=world.staff, room=room, seat_label=f"A-0{i}") for i in range(1, 4)]
    qingdao = centers.venue_create(actor=world.other_staff, name="青岛评标分中心", city="青岛")
    room = centers.room_create(actor=world.other_staff, venue=qingdao, name="远程评标室")
    guest = [
        centers.workstation_add(actor=world.other_staff, room=room, seat_label=f"Q-0{i}") for i in range(1, 3)
    ]
    return jinan, qingdao, host + guest


def fingerprint(i: int) -> str:
    return f"{i:x}".rjust(64, "f")


def test_remote_session_from_two_cities_to_a_signed_report(world):
    lot = evaluating_lot(world)
    jinan, qingdao, stations = venues(world)
    # given the Jinan center opens a remote session and Qingdao accepts the request for seats
    session = evaluation.remote_session_open(
        actor=world.staff, lot=lot, host_venue=jinan, seats=3, guest_venue=qingdao, guest_seats=2
    )
    with pytest.raises(Conflict):
        evaluation.remote_session_open(actor=world.staff, lot=lot, host_venue=jinan)
    request = session.requests.get()
    centers.request_answer(actor=world.other_staff, request=request, accept=True)
    experts = world.experts[:5]
    bids = list(lot.bids.filter(state=BidState.OPENED))
    # when a member scores without an activated workstation, nothing is saved
    with pytest.raises(NotAllowed, match="远程异地评标"):
        evaluation.score_submit(actor=experts[0], bid=bids[0], technical="50", commercial="10")
    assert not lot.committee.get(user=experts[0]).scores.exists()
    # each member activates a workstation: three in Jinan, two in Qingdao
    for i, (expert, station) in enumerate(zip(experts, stations, strict=True)):
        staff = world.staff if station.venue == jinan else world.other_staff
        code = centers.activation_code_issue(actor=staff, workstation=station)
        centers.workstation_activate(actor=expert, code=code, fingerprint=fingerprint(i))
    # a member at another member's workstation is refused
    with pytest.raises(NotAllowed):
        evaluation.score_submit(
            actor=experts[1], bid=bids[0], technical="50", commercial="10", device=fingerprint(0)
        )
    for i, expert in enumerate(experts):
        for bid in bids:
            evaluation.score_submit(
                actor=expert,
                bid=bid,
                technical="50",
                commercial="10",
                device=fingerprint(i),
                is_qualified=True,
            )
    evaluation.report_generate(actor=experts[0], lot=lot, device=fingerprint(0))
    for i, expert in enumerate(experts):
        evaluation.report_sign(actor=expert, lot=lot, device=fingerprint(i))
    lot.refresh_from_db()
    assert lot.evaluation_report.completed_at is not None
    # then the session log says who joined from where, the scores and votes, the report and every signature
    events = list(centers_selectors.session_events(session))
    kinds = [e.kind for e in events]
    assert kinds.count("join") == 5 and kinds.count("score") == 5 * len(bids) and kinds.count("sign") == 5
    assert kinds[-1] == "signed" and "report" in kinds
    joined = {e.venue.city for e in events if e.kind == "join"}
    assert joined == {"济南", "青岛"}
    # the log names no expert and shows no score value (committee names and scores stay confidential)
    text = " ".join(e.text for e in events)
    assert not any(expert.display_name in text for expert in experts)
    assert all(
        re.fullmatch(r"提交评分：投标文件\d+，资格表决：合格", e.text) for e in events if e.kind == "score"
    )
    # and each event is in the audit trail that the ledger appends
    assert AuditEntry.objects.filter(action__startswith="remote.").count() == len(events)


def test_lot_without_a_remote_session_is_scored_as_before(world):
    lot = evaluating_lot(world)
    bid = lot.bids.filter(state=BidState.OPENED).first()
    assert evaluation.score_submit(actor=world.experts[0], bid=bid, technical="50", commercial="10").pk
    # and only the lot's center may open a remote session
    venue = centers.venue_create(actor=world.other_staff, name="青岛评标分中心", city="青岛")
    with pytest.raises(NotAllowed):
        evaluation.remote_session_open(actor=world.other_staff, lot=lot, host_venue=venue)


def test_api_scoring_is_refused_in_a_remote_session(client, world):
    # given a lot evaluated remotely (the API presents no workstation)
    lot = evaluating_lot(world)
    jinan, _, _ = venues(world)
    evaluation.remote_session_open(actor=world.staff, lot=lot, host_venue=jinan)
    bid = lot.bids.filter(state=BidState.OPENED).first()
    client.force_login(world.experts[0])
    # when a member scores through the API
    response = client.post(f"/api/v1/tendering/lots/{lot.pk}/scores",
                           {"bid_id": bid.pk, "technical": "50", "commercial": "10", "is_qualified": True},
                           content_type="application/json")
    # then it is refused in Chinese and nothing is saved
    assert response.status_code == 403, response.content
    assert "远程异地评标" in response.json()["detail"] or "远程异地评标" in response.content.decode()
    assert not lot.committee.get(user=world.experts[0]).scores.exists()


def test_lot_page_tells_the_member_whether_this_browser_is_a_workstation_of_the_session(client, world):
    lot = evaluating_lot(world)
    jinan, _, stations = venues(world)
    evaluation.remote_session_open(actor=world.staff, lot=lot, host_venue=jinan)
    elsewhere = centers.venue_create(actor=world.staff, name="济南第二基地", city="济南")
    room = centers.room_create(actor=world.staff, venue=elsewhere, name="一室")
    outside = centers.workstation_add(actor=world.staff, room=room, seat_label="B-01")
    member = world.experts[0]
    client.force_login(member)
    # a workstation activated outside the session's venues does not count
    code = centers.activation_code_issue(actor=world.staff, workstation=outside)
    centers.workstation_activate(actor=member, code=code, fingerprint=fingerprint(0))
    client.cookies["ggzy_ws"] = fingerprint(0)
    page = client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    assert "本机尚未激活评标工位" in page and "centers/workstation.js" in page
    # one in the host venue does
    code = centers.activation_code_issue(actor=world.staff, workstation=stations[0])
    centers.workstation_activate(actor=member, code=code, fingerprint=fingerprint(0))
    page = client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    assert "本机工位已激活" in page and "A-01" in page
