"""Shared setup for the referral tests: a lot whose shared machine raised a red alert the committee confirmed, and
the Jinan housing bureau with one supervisor (its member)."""

from __future__ import annotations

import pytest

from ggzy.accounts.roles import Role
from ggzy.supervision import services
from ggzy.supervision.models import Alert, Department, PowerItem
from ggzy.tendering.services import opening
from ggzy.tendering.tests.conftest import seat_committee


def confirm_red_alert(world, lot) -> Alert:
    opening.opening_record_publish(actor=world.staff, lot=lot)
    services.alerts_run(lot_id=lot.pk, trigger="opening")
    opening.opening_close(actor=world.staff, lot=lot)
    members = [(e, "expert_technical") for e in world.experts[:4]] + [(world.experts[4], "expert_economic")]
    seat_committee(world.staff, lot, members, chair=world.experts[0])
    red = Alert.objects.get(lot_id=lot.pk, indicator="collusion.same_fingerprint")
    return services.alert_decide(actor=world.experts[1], alert=red, decision="confirmed", reason="同一台电脑（MAC 相同）")


@pytest.fixture
def bureau(make_user, centers):
    dept = Department.objects.get(code="JN-ZJJ")
    officer = make_user(Role.SUPERVISOR, center=centers["jinan"])
    dept.members.add(officer)
    item = PowerItem.objects.get(code="JN-ZJJ-CF-001")
    return dept, officer, item
