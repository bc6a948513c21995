"""The alerts API: anonymous, wrong role, allowed; malformed input answered in Chinese naming the field."""

from __future__ import annotations

import json

from ggzy.accounts.roles import Role
from ggzy.supervision.models import Alert
from ggzy.tendering.tests.conftest import seat_committee, world  # noqa: F401

from .test_alert_pages import evaluating  # noqa: F401
from .test_alerts import opened  # noqa: F401

BASE = "/api/v1/supervision"


def _red(lot):
    return Alert.objects.get(lot_id=lot.pk, indicator="collusion.same_fingerprint")


def test_the_supervisor_lists_and_reads_an_alert_with_its_proof(client, world, evaluating, make_user,  # noqa: F811
                                                                 centers):
    # given
    red = _red(evaluating)
    # when anonymous, a bidder, then the Jinan supervisor ask
    anonymous = client.get(f"{BASE}/alerts")
    client.force_login(world.bidders[0])
    bidder = client.get(f"{BASE}/alerts")
    client.force_login(make_user(Role.SUPERVISOR, center=centers["jinan"]))
    listing = client.get(f"{BASE}/alerts?level=red").json()
    detail = client.get(f"{BASE}/alerts/{red.pk}").json()
    # then
    assert anonymous.status_code == 401 and bidder.status_code == 403
    assert red.pk in [a["id"] for a in listing]
    assert all(a["level"] == "red" for a in listing)
    assert detail["proof"]["ok"] is True and detail["evidence"]["indicator"] == "collusion.same_fingerprint"


def test_a_lots_alerts_are_refused_to_a_bidder_and_given_to_a_member(client, world, evaluating):  # noqa: F811
    # given
    url = f"{BASE}/lots/{evaluating.pk}/alerts"
    # when
    client.force_login(world.bidders[1])
    refused = client.get(url)
    client.force_login(world.experts[0])
    given = client.get(url)
    # then
    assert refused.status_code == 403 and "评标委员会" in refused.json()["detail"]
    assert _red(evaluating).pk in [a["id"] for a in given.json()]


def test_a_member_decides_through_the_api_and_bad_input_changes_nothing(client, world, evaluating):  # noqa: F811
    # given
    red = _red(evaluating)
    url = f"{BASE}/alerts/{red.pk}/decision"
    client.force_login(world.bidders[0])
    assert client.post(url, {"decision": "confirmed", "reason": "x"}, content_type="application/json"
                       ).status_code == 404
    client.force_login(world.experts[3])
    # when malformed JSON, an unknown decision, then a good one
    broken = client.post(url, "{oops", content_type="application/json")
    unknown = client.post(url, {"decision": "maybe", "reason": "x"}, content_type="application/json")
    assert _red(evaluating).state == "open"
    done = client.post(url, json.dumps({"decision": "dismissed", "reason": "同一写字楼共用出口IP，已核实"}),
                       content_type="application/json")
    # then
    assert broken.status_code == 400 and any("\u4e00" <= c <= "\u9fff" for c in broken.json()["detail"])
    assert unknown.status_code == 400 and "decision" in unknown.json()["errors"]
    assert done.status_code == 200 and done.json()["state"] == "dismissed"
