"""A remote off-site evaluation (远程异地评标) in real headless Chromium: Jinan's staff open the session with their
venue as host and ask Qingdao for seats; Qingdao's staff accept; each center's staff issue an activation code; two
experts — one in Jinan, one in Qingdao, each in their own browser context — activate their workstation, score and
sign on the lot page; the other members do the same through the services; a supervisor follows the session log
live (no reload) to the signed report."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from ggzy.accounts.roles import Role
from ggzy.centers import services as venue_services
from ggzy.tendering.choices import BidState
from ggzy.tendering.models import Lot
from ggzy.tendering.services import evaluation

from .test_browser_tendering import Actor
from .test_remote_evaluation import evaluating_lot, fingerprint, venues


def _write(service, **kwargs):
    """A service call from the test's own thread while the supervisor's page polls the log through the live server:
    SQLite's shared-cache test database answers "table is locked" to a write that meets that read; try again."""
    for attempt in range(50):
        try:
            return service(**kwargs)
        except OperationalError as error:
            if "locked" not in str(error) or attempt == 49:
                raise
            time.sleep(0.1)
    return None


SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _issue_code(staff: Actor, seat: str) -> str:
    page = staff.page
    page.goto(f"{staff.base}/centers/")
    staff.click(f"button.code-button[data-seat='{seat}']", expect=None)
    code = page.inner_text("#activation-code").strip()
    assert len(code) == 8 and code.isdigit()
    return code


def _activate(expert: Actor, lot_id: int, code: str) -> None:
    page = expert.lot(lot_id)
    expect(page.locator("#ws-status")).to_contain_text("尚未激活")
    page.click("#ws-status a")
    page.wait_for_selector("html[data-ws-ready='1']")
    page.fill("#code", code)
    expert.click("#activate-form button")
    assert f"/tendering/lots/{lot_id}/" in page.url  # back to the lot
    expect(page.locator("#ws-status")).to_contain_text("本机工位已激活")


def test_remote_evaluation_jinan_host_qingdao_guest_to_signed_report(
    browser, live_server, world, make_user, centers
):
    lot = evaluating_lot(world)
    jinan, qingdao, stations = venues(world)
    supervisor_user = make_user(Role.SUPERVISOR, center=centers["province"])
    jinan_staff, qingdao_staff = (
        Actor(browser, live_server, world.staff),
        Actor(browser, live_server, world.other_staff),
    )
    # Jinan's staff open the remote session: host in Jinan, seats requested in Qingdao
    page = jinan_staff.lot(lot.pk)
    page.select_option("#remote-host", str(jinan.pk))
    page.fill("#remote-seats", "3")
    page.select_option("#remote-guest", str(qingdao.pk))
    page.fill("#remote-guest-seats", "2")
    jinan_staff.click("#remote-form button")
    expect(page.locator("#remote-panel")).to_contain_text("济南评标基地")
    # Qingdao's staff accept the request; the guest venue joins the session
    page = qingdao_staff.page
    page.goto(f"{live_server.url}/centers/")
    page.fill("#incoming-requests input[name=answer_note]", "已预留两个席位")
    qingdao_staff.click("#incoming-requests .accept-button")
    expect(page.locator("#incoming-requests")).to_contain_text("已同意")
    # a supervisor opens the session's live log
    supervisor = Actor(browser, live_server, supervisor_user)
    supervisor.page.goto(f"{live_server.url}/centers/sessions/")
    supervisor.page.click("a.session-link")
    log = supervisor.page.locator("#session-log")
    expect(log).to_contain_text("青岛")
    supervisor.page.evaluate("window.ggzyNoReload = 'still here'")
    # the two experts in the browser: the chair in Jinan, a member in Qingdao
    experts = world.experts[:5]
    chair, guest = Actor(browser, live_server, experts[0]), Actor(browser, live_server, experts[1])
    _activate(chair, lot.pk, _issue_code(jinan_staff, "第一评标室-A-01"))
    _activate(guest, lot.pk, _issue_code(qingdao_staff, "远程评标室-Q-01"))
    # the other three members at the other workstations, through the services
    others = list(zip(experts[2:], [stations[1], stations[2], stations[4]], strict=True))
    for i, (expert, station) in enumerate(others, start=2):
        staff = world.staff if station.venue == jinan else world.other_staff
        code = _write(venue_services.activation_code_issue, actor=staff, workstation=station)
        _write(venue_services.workstation_activate, actor=expert, code=code, fingerprint=fingerprint(i))
    # everyone scores: the two in the browser from their lot page
    for expert in (chair, guest):
        page = expert.lot(lot.pk)
        page.wait_for_selector("html[data-ws-ready='1']")
        for field in page.locator("#score-form input[type=number]").all():
            field.fill("30")
        expert.click("#score-form button")
    bids = list(Lot.objects.get(pk=lot.pk).bids.filter(state=BidState.OPENED))
    for i, (expert, _) in enumerate(others, start=2):
        for bid in bids:
            _write(evaluation.score_submit, actor=expert, bid=bid, technical="30", commercial="30",
                   device=fingerprint(i))
    # the supervisor's page shows the joins from both cities, without a reload
    expect(log.locator("tr[data-kind=join]")).to_have_count(5)
    expect(log.locator("tr[data-kind=join]").filter(has_text="青岛")).to_have_count(2)
    expect(log.locator("tr[data-kind=score]")).to_have_count(5 * len(bids))
    # the chair generates the report at the Jinan workstation; everyone signs (the existing signing path)
    page = chair.lot(lot.pk)
    page.wait_for_selector("html[data-ws-ready='1']")
    chair.click("#report-button")
    for expert in (chair, guest):
        page = expert.lot(lot.pk)
        page.wait_for_selector("html[data-ws-ready='1']")
        expert.click("#sign-button")
        expect(page.locator("#expert-panel")).to_contain_text("已签署")
    for i, (expert, _) in enumerate(others, start=2):
        _write(evaluation.report_sign, actor=expert, lot=Lot.objects.get(pk=lot.pk), device=fingerprint(i))
    assert Lot.objects.get(pk=lot.pk).evaluation_report.completed_at is not None
    # then the supervisor's log shows the report, five signatures and the signed report, still without a reload
    expect(log.locator("tr[data-kind=sign]")).to_have_count(5)
    expect(log.locator("tr[data-kind=signed]")).to_have_count(1)
    expect(log.locator("tr[data-kind=report]")).to_have_count(1)
    assert supervisor.page.evaluate("window.ggzyNoReload") == "still here"
    # no expert's name appears in the supervisor's log
    text = log.inner_text()
    assert not any(e.display_name in text for e in experts)
    SHOTS.mkdir(parents=True, exist_ok=True)
    supervisor.page.screenshot(path=str(SHOTS / "remote-session-log.png"), full_page=True)
    # a phone-width view of the log does not overflow
    supervisor.page.set_viewport_size({"width": 390, "height": 800})
    assert supervisor.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
