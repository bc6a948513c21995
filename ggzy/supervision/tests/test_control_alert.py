"""A control relationship recorded in the registry reaches the lot indicators through tendering's lot facts."""

from __future__ import annotations

from ggzy.registry.services_control import entity_control_record
from ggzy.supervision import services
from ggzy.supervision.models import Alert
from ggzy.supervision.tests.test_alerts import _publish, opened  # noqa: F401
from ggzy.tendering.tests.conftest import bond_arrive, lot_ready, seat_committee, world  # noqa: F401


def test_a_bidder_controlling_another_bidder_raises_a_red_alert(world, opened):  # noqa: F811
    # given bidder 0 holds 70% of bidder 2 since long before the opening
    parent, child = world.bidder_entities[0], world.bidder_entities[2]
    entity_control_record(actor=world.staff, controlled=child, data={
        "controller_credit_code": parent.credit_code, "kind": "shareholding", "share_percent": "70",
        "valid_from": "2000-01-01"})
    # when the opening record is published and the indicators run
    _publish(world, opened)
    services.alerts_run(lot_id=opened.pk, trigger="opening")
    # then one red alert of the control rule names the two
    alert = Alert.objects.get(indicator="collusion.same_legal_rep_or_control", evidence__data__field="controls")
    assert alert.level == "red" and alert.subjects == sorted([str(parent.pk), str(child.pk)])


def test_a_relationship_ended_before_the_opening_stays_quiet(world, opened):  # noqa: F811
    # given the relationship ended in 2001
    parent, child = world.bidder_entities[0], world.bidder_entities[2]
    entity_control_record(actor=world.staff, controlled=child, data={
        "controller_credit_code": parent.credit_code, "kind": "management", "valid_from": "2000-01-01",
        "valid_until": "2001-01-01"})
    # when
    _publish(world, opened)
    services.alerts_run(lot_id=opened.pk, trigger="opening")
    # then (the factories give every firm the same legal representative: that part fires, the control part does not)
    assert not Alert.objects.filter(indicator="collusion.same_legal_rep_or_control",
                                    evidence__data__field__in=["controls", "same_controller"]).exists()
