"""Browser: a supervisor records a supervision decision by hand (a serious-breach record banning sign-up), the
firm's grade drops on its credit page, and the firm's next sign-up is refused with the reason; the staff pages and
the public page fit a 390 px phone in English."""

from __future__ import annotations

import pytest

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.credit.models import CreditRecord
from ggzy.tendering.models import SignUp
from ggzy.tendering.tests.conftest import lot_ready, world  # noqa: F401
from ggzy.tendering.tests.test_browser_committee import HAN, PhoneActor
from ggzy.tendering.tests.test_browser_tendering import Actor
from tests.test_phone_layout import OUTSIDE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_decision_becomes_a_record_the_grade_drops_and_the_sign_up_is_refused(
        browser, live_server, world, make_user, centers):  # noqa: F811
    lot = lot_ready(world)
    firm = world.bidder_entities[0]
    supervisor = Actor(browser, live_server, make_user(Role.SUPERVISOR, center=centers["jinan"]))
    page = supervisor.page
    # the firm scores the base grade before
    page.goto(f"{live_server.url}/credit/subjects/entity/{firm.credit_code}/")
    assert page.inner_text("#grade") == "B"
    # when the supervisor records the decision (a first try without the authority is refused on that field)
    page.goto(f"{live_server.url}/credit/records/new/")
    page.select_option("#id_subject_kind", "entity")
    page.fill("#id_subject_key", firm.credit_code)
    page.fill("#id_subject_name", firm.name)
    page.select_option("#id_source", "supervision")
    page.select_option("#id_kind", "serious_breach")
    page.fill("#id_title", "串通投标")
    page.fill("#id_decided_on", clock.today().isoformat())
    page.check("input[name=behaviours][value=signup]")
    page.click("#record-save")
    page.wait_for_load_state()
    assert "请填写认定机关" in page.inner_text("ul.errorlist[data-field=authority]")
    assert not CreditRecord.objects.exists()
    page.fill("#id_authority", "济南市住房和城乡建设局")
    page.fill("#id_decision_no", "济建罚〔2026〕9号")
    page.click("#record-save")
    page.wait_for_load_state()
    record = CreditRecord.objects.get()
    assert record.record_no in page.inner_text("#record-no")
    # then the firm's grade drops and its page shows why
    page.goto(f"{live_server.url}/credit/subjects/entity/{firm.credit_code}/")
    assert page.inner_text("#grade") == "D"
    assert record.record_no in page.inner_text("#score-breakdown")
    # and its next sign-up is refused with the reason
    bidder = Actor(browser, live_server, world.bidders[0])
    bidder.lot(lot.pk)
    bidder.click("#signup-button", expect=None)
    error = bidder.page.inner_text("li.msg-error")
    assert "串通投标" in error and record.record_no in error
    assert not SignUp.objects.filter(lot=lot).exists()


def test_credit_pages_fit_a_phone_in_english(browser, live_server, world, make_user, centers):  # noqa: F811
    from ggzy.credit import services

    firm = world.bidder_entities[1]
    record = services.record_create(actor=None, subject_kind="entity", subject_key=firm.credit_code,
                                    subject_name=firm.name, source="supervision", kind="violation",
                                    title="未按规定提交投标保证金", authority="济南市住房和城乡建设局",
                                    decided_on=clock.today(), restrictions=[])
    staff = PhoneActor(browser, live_server, world.staff)
    data = [firm.name, record.title, "济南市住房和城乡建设局", record.record_no]
    for path in ("/credit/records/", f"/credit/records/{record.record_no}/", "/credit/records/new/",
                 f"/credit/subjects/entity/{firm.credit_code}/", "/credit/records/import/", "/credit/"):
        staff.page.goto(f"{live_server.url}{path}")
        assert staff.page.evaluate(OUTSIDE) == [], path
        text = staff.page.inner_text("main h1") + " ".join(staff.page.locator("main label, main th").all_inner_texts())
        for value in data:
            text = text.replace(value, "")
        assert not HAN.search(text), (path, text)
    staff.page.goto(f"{live_server.url}/credit/subjects/entity/{firm.credit_code}/")
    staff.page.screenshot(path="/tmp/credit-subject-390.png", full_page=True)
    staff.page.goto(f"{live_server.url}/credit/")
    staff.page.screenshot(path="/tmp/credit-public-390.png", full_page=True)
