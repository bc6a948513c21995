"""Browser tests in real headless Chromium: an engineering open tender through every step with every role, and a
lot that fails with fewer than three bids. Time moves with the platform clock, never by sleeping."""

import datetime as dt

import pyotp
import pytest

from ggzy.core import clock
from ggzy.tendering.models import Lot

from .conftest import bond_arrive
from .recusal_signing import sign_with_key_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


class Actor:
    """One signed-in browser context per person."""

    def __init__(self, browser, live_server, user):
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.base = live_server.url
        self.username = user.username
        page = self.page
        page.goto(f"{self.base}/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", "pass-1234-ok")
        if user.requires_second_factor:  # the code goes on the same form as the password
            page.fill("input[name=code]", pyotp.TOTP(user.totp_secret).at(clock.now()))
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert "/accounts/login" not in page.url, page.content()[:500]

    def lot(self, lot_id):
        self.page.goto(f"{self.base}/tendering/lots/{lot_id}/")
        return self.page

    def click(self, selector, expect="li.msg-success"):
        self.page.click(selector)
        self.page.wait_for_load_state()
        if expect:
            errors = self.page.locator("li.msg-error")
            assert errors.count() == 0, errors.first.inner_text()
        return self.page


def _local(value: dt.datetime) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _register_and_publish(browser, live_server, world, name="历城区第二实验小学教学楼工程"):
    tenderer = Actor(browser, live_server, world.tenderer)
    page = tenderer.page
    page.goto(f"{live_server.url}/tendering/projects/new/")
    page.fill("#title", name)
    page.select_option("#method", "works_open_tender")
    page.select_option("#center", "370100")
    page.select_option("#region", "370112")
    page.fill("#estimated_price", "8000000")
    tenderer.click("button[type=submit]")
    lot = Lot.objects.get(project__title=name)
    staff = Actor(browser, live_server, world.staff)
    staff.page.goto(f"{live_server.url}/tendering/projects/{lot.project_id}/")
    staff.click("button[value=accept]")
    page = tenderer.lot(lot.pk)
    page.set_input_files("#doc-file", files=[{"name": "招标文件.pdf", "mimeType": "application/pdf",
                                              "buffer": b"%PDF-1.7 tender documents"}])
    tenderer.click("#document-upload button")
    page = tenderer.lot(lot.pk)
    page.fill("#notice_text", "本项目公开招标，欢迎具备建筑工程施工总承包资质的企业参加。")
    page.fill("#documents_sale_end", _local(clock.now() + dt.timedelta(days=6)))
    page.fill("#bid_deadline", _local(clock.now() + dt.timedelta(days=21)))
    page.fill("#bond_amount", "10000")
    tenderer.click("#owner-panel form:has(#notice_text) button")
    staff.lot(lot.pk)
    staff.click("#publish-button")
    assert "招标中" in staff.page.inner_text("#lot-state")
    return lot, tenderer, staff


def _bid(browser, live_server, world, user, lot, price):
    bidder = Actor(browser, live_server, user)
    bidder.lot(lot.pk)
    bidder.click("#signup-button")
    bond_arrive(world, lot, world.bidders.index(user))  # the bond arrives on the bidder's sub-account
    bidder.lot(lot.pk)
    assert "已到账" in bidder.page.inner_text("#bond-state")
    page = bidder.page
    page.set_input_files("#bid-files", files=[{"name": "投标文件.pdf", "mimeType": "application/pdf",
                                               "buffer": b"%PDF technical and commercial proposal"}])
    page.fill("#total_price", price)
    page.fill("#duration_days", "300")
    with page.expect_navigation():  # the form uploads through htmx (progress bar), then loads the lot page
        page.click("#bid-form button[type=submit]")
    assert page.locator("li.msg-error").count() == 0
    assert "已递交" in page.inner_text("#my-bid")
    return bidder


def test_engineering_open_tender_every_step_every_role(browser, live_server, world, tmp_path):
    lot, tenderer, staff = _register_and_publish(browser, live_server, world)
    bidders = [_bid(browser, live_server, world, world.bidders[i], lot, p)
               for i, p in enumerate(["7650000.00", "7480000.00", "7720000.00"])]
    # before the deadline the public page names no bidder
    public = browser.new_page()
    public.goto(f"{live_server.url}/tendering/lots/{lot.pk}/")
    assert world.bidder_entities[0].name not in public.content()
    # the deadline passes (test clock), the center opens, decrypts and publishes the record
    clock.advance(dt.timedelta(days=21, minutes=1))
    staff.lot(lot.pk)
    staff.click("#open-button")
    staff.click("#decrypt-button")
    staff.click("#record-button")
    assert world.bidder_entities[1].name in staff.page.inner_text("#opening-record")
    # a bidder objects during the opening; the center answers on the record
    page = bidders[2].lot(lot.pk)
    page.fill("#opening-objection", "请核对第二名的报价单签章")
    bidders[2].click("#bidder-panel button")
    page = staff.lot(lot.pk)
    page.fill("#staff-panel textarea[name=answer]", "经核查签章齐全，异议不成立")
    staff.click("#staff-panel form:has(textarea[name=answer]) button")
    staff.click("#close-opening-button")
    # the committee: five experts appointed directly, with the reason the law asks for (实施条例 第四十七条)
    page = staff.lot(lot.pk)
    for expert in world.experts[:5]:
        page.check(f"input[name=experts][value={expert.username}]")
    page.fill("#committee-reason", "本项目技术复杂，随机抽取的专家难以胜任")
    staff.click("#committee-form button")
    experts = [Actor(browser, live_server, e) for e in world.experts[:5]]
    for expert, user in zip(experts, world.experts[:5], strict=True):  # each reads the bidders' names and signs
        page = expert.lot(lot.pk)  # the recusal declaration (with a key file: no certificate agent here)
        assert world.bidder_entities[1].name in page.inner_text("#recusal-bidders")
        page.check("#recusal-confirm")
        sign_with_key_file(page, user, tmp_path)
    for expert in experts:
        page = expert.lot(lot.pk)
        for field in page.locator("#score-form input[type=number]").all():
            field.fill("30")
        expert.click("#score-form button")
    from ggzy.tendering.models import CommitteeMember

    chair = next(e for e in experts if CommitteeMember.objects.get(lot=lot, user__username=e.username).is_chair)
    chair.lot(lot.pk)
    chair.click("#report-button")
    for expert in experts:
        expert.lot(lot.pk)
        expert.click("#sign-button")
    # result
    tenderer.lot(lot.pk)
    tenderer.click("#publish-candidates")
    assert world.bidder_entities[1].name in tenderer.page.inner_text("#candidates")
    clock.advance(dt.timedelta(days=3, minutes=1))
    tenderer.lot(lot.pk)
    tenderer.click("#award-button")
    page = tenderer.lot(lot.pk)
    page.fill("#signed_on", clock.today().isoformat())
    page.set_input_files("#contract-file", files=[{"name": "合同.pdf", "mimeType": "application/pdf",
                                                   "buffer": b"%PDF contract"}])
    tenderer.click("#owner-panel form:has(#contract-file) button")
    staff.lot(lot.pk)
    staff.click("#archive-button")
    assert "已归档" in staff.page.inner_text("#lot-state")
    staff.page.screenshot(path="var/screenshots/tender-archived.png", full_page=True)
    public.goto(f"{live_server.url}/tendering/lots/{lot.pk}/")
    assert world.bidder_entities[1].name in public.inner_text("#award")


def test_failed_lot_with_fewer_than_three_bids(browser, live_server, world):
    lot, tenderer, staff = _register_and_publish(browser, live_server, world, name="章丘区供水管网改造工程")
    _bid(browser, live_server, world, world.bidders[0], lot, "1000000.00")
    _bid(browser, live_server, world, world.bidders[1], lot, "990000.00")
    clock.advance(dt.timedelta(days=22))
    staff.lot(lot.pk)
    staff.click("#open-button")
    assert "流标" in staff.page.inner_text("#lot-state")
    page = tenderer.lot(lot.pk)
    tenderer.click("#owner-panel button")
    assert "待发布" in page.inner_text("#lot-state")
    assert Lot.objects.get(retender_of=lot).state == "draft"
