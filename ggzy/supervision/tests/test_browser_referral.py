"""Browser, end to end (issue 14, "Done when"): a lot whose bidders share a machine fingerprint raises a red alert
the committee sees and confirms; the center's staff refers it to the department its power list names; the
department's supervisor accepts it, investigates and decides a penalty; the decision lands as credit records, shown
on the referral page with their record numbers. Staff and the department work on phones (390 px, English)."""

from __future__ import annotations

import pytest

from ggzy.credit.models import CreditRecord, CreditRestriction
from ggzy.supervision import services
from ggzy.supervision.models import Alert, Referral
from ggzy.tendering.services import opening
from ggzy.tendering.tests.conftest import seat_committee, world  # noqa: F401
from ggzy.tendering.tests.test_browser_committee import PhoneActor

from .referral_world import bureau  # noqa: F401
from .test_alerts import opened  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_red_alert_to_referral_to_penalty_to_credit_record(browser, live_server, world, opened,  # noqa: F811
                                                           bureau, tmp_path):  # noqa: F811
    dept, officer, item = bureau
    names = [e.name for e in world.bidder_entities]
    # given the opening record published (the indicators run) and a committee seated
    opening.opening_record_publish(actor=world.staff, lot=opened)
    services.alerts_run(lot_id=opened.pk, trigger="opening")
    opening.opening_close(actor=world.staff, lot=opened)
    members = [(e, "expert_technical") for e in world.experts[:4]] + [(world.experts[4], "expert_economic")]
    seat_committee(world.staff, opened, members, chair=world.experts[0])
    red = Alert.objects.get(lot_id=opened.pk, indicator="collusion.same_fingerprint")
    # when a committee member sees the red alert and confirms it
    member = PhoneActor(browser, live_server, world.experts[1])
    page = member.lot(opened.pk)
    item_el = page.locator(f"#alert-{red.pk}")
    assert item_el.get_attribute("data-level") == "red"
    item_el.locator("input[name=decision][value=confirmed]").check()
    item_el.locator("textarea[name=reason]").fill("Both bids were made on the same computer (same MAC)")
    member.click(f"#alert-{red.pk} button[type=submit]")
    red.refresh_from_db()
    assert red.state == "confirmed"
    # and the center's staff refer it from their referral list, choosing the item the power list offers
    staff = PhoneActor(browser, live_server, world.staff)
    page = staff.page
    page.goto(f"{live_server.url}/supervision/referrals/")
    page.click(f"#to-refer-{red.pk} a")
    page.wait_for_load_state()
    offered = page.locator("#r-item option").evaluate_all("els => els.map(e => e.value)")
    assert str(item.pk) in offered
    page.select_option("#r-item", str(item.pk))
    page.fill("#r-facts", "Two bidders prepared their bids on one computer.")
    staff.check("referral-form", names + [red.summary_en, item.department.name_en, item.name_en])
    page.screenshot(path=str(tmp_path / "referral-new.png"), full_page=True)
    staff.click("#referral-submit")
    referral = Referral.objects.get()
    assert referral.department == dept and referral.evidence_sha256 == red.evidence_sha256
    red.refresh_from_db()
    assert red.state == "referred"
    # then the department's supervisor accepts, investigates and decides a 12-month bidding ban
    officer_actor = PhoneActor(browser, live_server, officer)
    page = officer_actor.page
    page.goto(f"{live_server.url}/supervision/referrals/{referral.pk}/")
    subjects = [s["name"] for s in referral.subjects]
    officer_actor.check("referral-actions", subjects)
    page.fill("#act-accept textarea[name=note]", "Accepted")
    officer_actor.click("#act-accept button[type=submit]")
    page.fill("#act-investigate textarea[name=note]", "Bid files and opening record examined")
    officer_actor.click("#act-investigate button[type=submit]")
    page.select_option("#d-outcome", "penalty")
    page.fill("#d-no", "JJF-2026-7")
    page.fill("#act-decide textarea[name=note]", "Collusive bidding established")
    page.fill("#d-penalty", "Fine of 0.5% of the contract value")
    page.fill("#d-months", "12")
    for box in page.locator("#act-decide input[name=penalised]").all():
        box.check()
    officer_actor.check("referral-actions", subjects)
    officer_actor.click("#act-decide button[type=submit]")
    # the decision is a credit record per subject, with its number on the referral page
    records = list(CreditRecord.objects.filter(source="supervision", source_ref__startswith=f"referral:{referral.pk}:"))
    assert len(records) == len(referral.subjects) == 2
    assert all(CreditRestriction.objects.filter(record=r, behaviour="bid").exists() for r in records)
    shown = page.inner_text("#referral-credit")
    assert all(r.record_no in shown for r in records)
    assert page.get_attribute("#referral-state", "data-state") == "decided"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / "referral-decided.png"), full_page=True)
    # and the supervisor's workspace and the lot's timeline show it
    page.goto(f"{live_server.url}/supervision/")
    assert referral.number in page.inner_text("#referrals")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / "workspace.png"), full_page=True)
    page.goto(f"{live_server.url}/supervision/lots/{opened.pk}/timeline/")
    assert page.locator('[data-kind="referral"]').count() == 4
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / "timeline.png"), full_page=True)
