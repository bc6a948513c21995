"""Alerts on a real opened lot: nothing before the opening, a red alert for a shared machine, idempotent re-runs,
evidence provable against the ledger, the committee's decision, and who may see what."""

from __future__ import annotations

import datetime as dt

import pytest

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.errors import DomainError, NotAllowed
from ggzy.supervision import selectors, services
from ggzy.supervision.models import Alert, AlertRun
from ggzy.tendering import services as tendering
from ggzy.tendering.services import bidding, opening
from ggzy.tendering.tests.conftest import bond_arrive, lot_ready, seat_committee, world  # noqa: F401

MACS = ["AA:BB:CC:DD:EE:01", "AA:BB:CC:DD:EE:01", "AA:BB:CC:DD:EE:03"]
PRICES = ["7650000.00", "7480000.00", "7720000.00"]


def _bid(world, lot, i):  # noqa: F811
    user = world.bidders[i]
    tendering.signup_create(actor=user, lot=lot)
    bond_arrive(world, lot, i)
    bidding.bid_submit(actor=user, lot=lot, price_sheet={"total_price": PRICES[i], "duration_days": 300},
                       files=[bidding.IncomingFile("技术标.pdf", [b"proposal %d" % i])],
                       fingerprint={"mac": MACS[i], "public_ip": f"10.0.0.{i}"})


@pytest.fixture
def opened(world):  # noqa: F811
    lot = lot_ready(world)
    for i in range(3):
        _bid(world, lot, i)
    clock.advance(dt.timedelta(days=21, minutes=1))
    lot = opening.lot_open(actor=world.staff, lot=lot)
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    return lot


def _publish(world, lot):  # noqa: F811
    opening.opening_record_publish(actor=world.staff, lot=lot)


def test_before_the_opening_record_nothing_is_run_or_stored(world, opened):  # noqa: F811
    # given a lot opened and decrypted but whose record is not yet published
    # when the indicators are asked to run
    run = services.alerts_run(lot_id=opened.pk, trigger="opening")
    # then nothing exists: no run, no alert, no count
    assert run is None
    assert AlertRun.objects.count() == 0 and Alert.objects.count() == 0


def test_a_shared_machine_raises_one_red_alert_and_a_rerun_adds_nothing(world, opened):  # noqa: F811
    # given the published opening record
    _publish(world, opened)
    # when the indicators run twice
    first = services.alerts_run(lot_id=opened.pk, trigger="opening")
    second = services.alerts_run(lot_id=opened.pk, trigger="nightly")
    # then the shared MAC is one red alert naming the two bidders, and the second run created nothing
    red = Alert.objects.get(indicator="collusion.same_fingerprint")
    assert red.level == "red"
    assert red.subjects == sorted([str(world.bidder_entities[0].pk), str(world.bidder_entities[1].pk)])
    assert red.evidence["data"]["field"] == "fingerprint.mac" and "AA:BB:CC:DD:EE:01" not in str(red.evidence)
    assert first.created == Alert.objects.count() and second.created == 0
    assert Alert.objects.filter(indicator="collusion.same_fingerprint").count() == 1


def test_the_evidence_is_proven_by_the_ledger_and_a_change_is_detected(world, opened):  # noqa: F811
    # given a raised alert
    _publish(world, opened)
    services.alerts_run(lot_id=opened.pk, trigger="opening")
    alert = Alert.objects.get(indicator="collusion.same_fingerprint")
    # when its evidence is checked, then changed and checked again
    good = selectors.alert_evidence_check(alert=alert)
    alert.evidence["data"]["names"] = ["某公司", "另一公司"]
    bad = selectors.alert_evidence_check(alert=alert)
    # then
    assert good.ok and good.ledger_index is not None
    assert not bad.ok and "改动" in bad.reason_zh


def test_a_committee_member_decides_and_others_change_nothing(world, opened):  # noqa: F811
    # given an alert and a seated committee
    _publish(world, opened)
    services.alerts_run(lot_id=opened.pk, trigger="opening")
    opening.opening_close(actor=world.staff, lot=opened)
    members = [(e, "expert_technical") for e in world.experts[:4]] + [(world.experts[4], "expert_economic")]
    seat_committee(world.staff, opened, members, chair=world.experts[0])
    alert = Alert.objects.get(indicator="collusion.same_fingerprint")
    # when a bidder and an outside expert try, then a member decides without a reason, then with one
    for outsider in (world.bidders[2], world.experts[6], world.staff):
        with pytest.raises(NotAllowed):
            services.alert_decide(actor=outsider, alert=alert, decision="confirmed", reason="是")
    with pytest.raises(DomainError) as empty:
        services.alert_decide(actor=world.experts[1], alert=alert, decision="confirmed", reason="  ")
    assert Alert.objects.get(pk=alert.pk).state == "open"
    decided = services.alert_decide(actor=world.experts[1], alert=alert, decision="confirmed",
                                    reason="两家投标文件MAC地址相同，视为同一单位编制")
    # then
    assert "reason" in empty.value.errors
    assert decided.state == "confirmed" and decided.decided_by == world.experts[1]
    with pytest.raises(DomainError):
        services.alert_decide(actor=world.experts[2], alert=alert, decision="dismissed", reason="不同意")


def test_supervisors_see_their_centers_alerts_only(world, opened, make_user, centers):  # noqa: F811
    # given alerts on a Jinan lot
    _publish(world, opened)
    services.alerts_run(lot_id=opened.pk, trigger="opening")
    jinan = make_user(Role.SUPERVISOR, center=centers["jinan"])
    qingdao = make_user(Role.SUPERVISOR, center=centers["qingdao"])
    province = make_user(Role.SUPERVISOR, center=centers["province"])
    # when / then
    assert selectors.supervised_alerts(user=jinan, level="red").count() >= 1
    assert selectors.supervised_alerts(user=qingdao).count() == 0
    assert selectors.supervised_alerts(user=province).count() == Alert.objects.count()
    assert selectors.lot_alerts(user=world.bidders[0], lot_id=opened.pk) == []
    assert selectors.supervised_alerts(user=world.bidders[0]).count() == 0


def test_publishing_the_opening_record_runs_the_indicators_after_commit(world, opened,  # noqa: F811
                                                                          django_capture_on_commit_callbacks):
    # given a decrypted lot
    # when the record is published and its transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        _publish(world, opened)
    # then the opening run raised the red alert
    run = AlertRun.objects.get(lot_id=opened.pk)
    assert run.trigger == "opening" and Alert.objects.filter(level="red", run=run).exists()


def test_the_nightly_run_reruns_recent_lots_without_duplicates(world, opened):  # noqa: F811
    # given a published lot already screened at the opening
    _publish(world, opened)
    services.alerts_run(lot_id=opened.pk, trigger="opening")
    before = Alert.objects.count()
    # when the nightly run passes
    lots = services.alerts_run_recent(days=7)
    # then it ran the lot and added nothing
    assert lots == 1 and Alert.objects.count() == before
    assert AlertRun.objects.filter(trigger="nightly").count() == 1
