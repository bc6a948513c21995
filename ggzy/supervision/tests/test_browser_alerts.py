"""Browser: a lot whose bidders share a machine fingerprint raises a red alert; a committee member sees it on the
evaluation page (390 px, English) and decides on it; the supervisor then reads the decision and the ledger proof.
(The lead extends this to referral → department decision → credit record after merging "complaints".)"""

from __future__ import annotations

import pytest

from ggzy.accounts.roles import Role
from ggzy.supervision import services
from ggzy.supervision.models import Alert
from ggzy.tendering.services import opening
from ggzy.tendering.tests.conftest import seat_committee, world  # noqa: F401
from ggzy.tendering.tests.test_browser_committee import PhoneActor
from ggzy.tendering.tests.test_browser_tendering import Actor

from .test_alerts import opened  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_committee_sees_and_decides_the_red_fingerprint_alert(browser, live_server, world, opened,  # noqa: F811
                                                                    make_user, centers):
    # given the opening record published (the indicators run), the opening closed and a committee seated
    opening.opening_record_publish(actor=world.staff, lot=opened)
    services.alerts_run(lot_id=opened.pk, trigger="opening")
    opening.opening_close(actor=world.staff, lot=opened)
    members = [(e, "expert_technical") for e in world.experts[:4]] + [(world.experts[4], "expert_economic")]
    seat_committee(world.staff, opened, members, chair=world.experts[0])
    red = Alert.objects.get(lot_id=opened.pk, indicator="collusion.same_fingerprint")
    # when a member opens the evaluation page on a phone in English
    member = PhoneActor(browser, live_server, world.experts[1])
    page = member.lot(opened.pk)
    # then the red alert is there, in English, nothing overflows
    item = page.locator(f"#alert-{red.pk}")
    assert item.get_attribute("data-level") == "red"
    assert red.summary_en in item.inner_text()
    member.check("alerts-panel", [e.name for e in world.bidder_entities])
    # when the member confirms it with a reason
    item.locator("input[name=decision][value=confirmed]").check()
    item.locator("textarea[name=reason]").fill("Both bids were made on the same computer (same MAC)")
    member.click(f"#alert-{red.pk} button[type=submit]")
    # then it is recorded, and the supervisor reads the decision and a proof that holds
    red.refresh_from_db()
    assert red.state == "confirmed" and red.decided_by == world.experts[1]
    supervisor = Actor(browser, live_server, make_user(Role.SUPERVISOR, center=centers["jinan"]))
    supervisor.page.goto(f"{live_server.url}/supervision/alerts/{red.pk}/")
    assert "认定" in supervisor.page.inner_text("#alert-state")
    assert "证据包未被改动" in supervisor.page.inner_text("#alert-proof")
