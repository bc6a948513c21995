"""The challenges and complaints API: who may call what, errors in Chinese naming the field, nothing changed on a
refusal, and a sealed complainant never named to the tenderer."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.models import AuditEntry
from ggzy.tendering.models import Challenge, Complaint

from .conftest import lot_ready, sign_up

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]")
BODY = {"subject": "documents", "facts": "第3.2条工期与图纸不一致", "requests": "请澄清工期"}


def _post(client, url, payload=None, *, raw=None):
    return client.post(url, raw if raw is not None else (payload or {}), content_type="application/json")


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("tenderer", 403), ("supervisor", 403)])
def test_filing_by_the_wrong_caller_is_refused_and_changes_nothing(client, world, make_user, centers, who, status):
    lot = lot_ready(world)
    user = {"anonymous": None, "tenderer": world.tenderer,
            "supervisor": make_user(Role.SUPERVISOR, center=centers["jinan"])}[who]
    if user:
        client.force_login(user)
    before = AuditEntry.objects.count()
    response = _post(client, f"/api/v1/tendering/lots/{lot.pk}/challenges", BODY)
    assert response.status_code == status and CJK.search(response.json()["detail"])
    assert Challenge.objects.count() == 0 and AuditEntry.objects.count() == before


@pytest.mark.parametrize(("payload", "raw", "field"), [
    (BODY | {"subject": "bribery"}, None, "subject"),
    (BODY | {"facts": "   "}, None, "facts"),
    (BODY | {"known_on": "2026-13-45"}, None, "known_on"),
    (None, '{"subject": "documents", "facts": ', None),
    (None, '{"subject": "documents", "facts": NaN, "requests": "x"}', None),
], ids=["unknown-subject", "blank-facts", "impossible-date", "malformed-json", "nan"])
def test_bad_input_is_refused_in_chinese(client, world, payload, raw, field):
    lot = lot_ready(world)
    client.force_login(world.bidders[0])
    response = _post(client, f"/api/v1/tendering/lots/{lot.pk}/challenges", payload, raw=raw)
    assert response.status_code == 400
    body = response.json()
    assert CJK.search(body["detail"]), body
    if field:
        assert field in body["errors"], body
    assert Challenge.objects.count() == 0


def test_late_objection_is_409_naming_filed_at(client, world):
    lot = lot_ready(world)
    clock.freeze(lot.bid_deadline - dt.timedelta(days=9))
    client.force_login(world.bidders[0])
    response = _post(client, f"/api/v1/tendering/lots/{lot.pk}/challenges", BODY)
    assert response.status_code == 409 and "filed_at" in response.json()["errors"]
    assert "期限已过" in response.json()["detail"]


def test_documents_objection_answer_flow_keeps_the_complainant_sealed(client, world):
    # given a published lot, bidders 0 and 1 signed up
    lot = lot_ready(world)
    sign_up(world, lot, [0, 1])
    name = world.bidder_entities[0].name
    # when bidder 0 objects to the documents
    client.force_login(world.bidders[0])
    filed = _post(client, f"/api/v1/tendering/lots/{lot.pk}/challenges", BODY)
    assert filed.status_code == 201, filed.content
    challenge_id = filed.json()["id"]
    # then the tenderer's list does not name it
    client.force_login(world.tenderer)
    listing = client.get(f"/api/v1/tendering/lots/{lot.pk}/challenges")
    assert listing.status_code == 200 and name not in listing.content.decode()
    assert listing.json()["all"][0]["complainant"] == "身份保密（开标前提出）"
    # another bidder's answer attempt is refused; the tenderer answers
    client.force_login(world.bidders[1])
    assert _post(client, f"/api/v1/tendering/challenges/{challenge_id}/answer", {"answer": "x"}).status_code == 403
    client.force_login(world.agency)  # the agency is not this project's: it may not see the challenge
    assert _post(client, f"/api/v1/tendering/challenges/{challenge_id}/answer", {"answer": "x"}).status_code == 404
    client.force_login(world.tenderer)
    answered = _post(client, f"/api/v1/tendering/challenges/{challenge_id}/answer", {"answer": "工期以280日历天为准"})
    assert answered.status_code == 200 and answered.json()["state"] == "answered"
    # the other signed-up bidder sees the answer, not who asked or what; the complainant sees its own
    client.force_login(world.bidders[1])
    other = client.get(f"/api/v1/tendering/lots/{lot.pk}/challenges").json()
    assert other["all"] == [] and other["mine"] == []
    assert [a["answer"] for a in other["published_answers"]] == ["工期以280日历天为准"]
    assert BODY["facts"] not in str(other) and name not in str(other)
    client.force_login(world.bidders[0])
    assert client.get(f"/api/v1/tendering/lots/{lot.pk}/challenges").json()["mine"][0]["answer"] == "工期以280日历天为准"


def test_supervisor_handles_a_complaint_through_the_api(client, world, make_user, centers):
    # given a direct complaint (another matter) by a signed-up bidder
    lot = lot_ready(world)
    sign_up(world, lot, [0])
    client.force_login(world.bidders[0])
    filed = _post(client, f"/api/v1/tendering/lots/{lot.pk}/complaints",
                  BODY | {"subject": "other", "known_on": clock.today().isoformat()})
    assert filed.status_code == 201, filed.content
    complaint_id = filed.json()["id"]
    jinan = make_user(Role.SUPERVISOR, center=centers["jinan"])
    qingdao = make_user(Role.SUPERVISOR, center=centers["qingdao"])
    # another center's supervisor does not see it; a bidder may not list
    client.force_login(qingdao)
    assert client.get("/api/v1/tendering/complaints").json() == []
    assert _post(client, f"/api/v1/tendering/complaints/{complaint_id}/accept", {}).status_code == 404
    client.force_login(world.bidders[0])
    assert client.get("/api/v1/tendering/complaints").status_code == 403
    # the lot's supervisor lists it with its due dates, accepts and decides
    client.force_login(jinan)
    [row] = client.get("/api/v1/tendering/complaints").json()
    assert row["id"] == complaint_id and row["is_overdue"] is False and row["acceptance_due"]
    assert _post(client, f"/api/v1/tendering/complaints/{complaint_id}/accept", {"suspend": True}).status_code == 200
    bad = _post(client, f"/api/v1/tendering/complaints/{complaint_id}/decide", {"outcome": "maybe", "decision": "x"})
    assert bad.status_code == 400 and "outcome" in bad.json()["errors"] and CJK.search(bad.json()["detail"])
    done = _post(client, f"/api/v1/tendering/complaints/{complaint_id}/decide",
                 {"outcome": "upheld", "decision": "责令招标人修改招标文件第3.2条"})
    assert done.status_code == 200 and done.json()["state"] == "decided"
    again = _post(client, f"/api/v1/tendering/complaints/{complaint_id}/refuse", {"reason": "x"})
    assert again.status_code == 409 and "state" in again.json()["errors"]
    assert Complaint.objects.get().outcome == "upheld"
    assert not client.get("/api/v1/tendering/complaints").json()
