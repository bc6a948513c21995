"""Browser test: a bidder objects to the tender documents on the lot's challenges page, the tenderer answers without
learning who asked, the bidder sees the answer; a complaint waits on the supervisor's list (390 px wide, no
overflow) and the supervisor accepts and decides it."""

import pytest

from ggzy.accounts.roles import Role
from ggzy.core import clock

from .conftest import lot_ready, sign_up
from .test_browser_tendering import Actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _no_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_bidder_objects_tenderer_answers_supervisor_decides_a_complaint(browser, live_server, world, make_user,
                                                                        centers):
    # given a published lot, bidders 0 and 1 signed up
    lot = lot_ready(world)
    sign_up(world, lot, [0, 1])
    # when bidder 0 files an objection to the documents on the page
    bidder = Actor(browser, live_server, world.bidders[0])
    page = bidder.lot(lot.pk)
    bidder.click("#challenges-link", expect=None)
    page.select_option("#file-challenge select[name=subject]", "documents")
    page.fill("#file-challenge textarea[name=facts]", "第3.2条工期与施工图纸说明不一致")
    page.fill("#file-challenge textarea[name=requests]", "请澄清工期要求")
    bidder.click("#challenge-submit")
    assert "待答复" in page.inner_text("#my-challenges")
    # then the tenderer sees it without the bidder's name, and answers
    tenderer = Actor(browser, live_server, world.tenderer)
    tpage = tenderer.page
    tpage.goto(f"{tenderer.base}/tendering/lots/{lot.pk}/challenges/")
    box = tpage.inner_text("#challenges-to-answer")
    assert "身份保密" in box and world.bidder_entities[0].name not in tpage.content()
    tpage.fill("#challenges-to-answer textarea[name=answer]", "工期以280日历天为准，图纸说明同步修改")
    tenderer.click("#challenges-to-answer .answer-submit")
    assert "已答复" in tpage.inner_text("#challenges-to-answer")
    # the bidder sees the answer; the other signed-up bidder sees the published answer only
    page.reload()
    assert "工期以280日历天为准" in page.inner_text("#my-challenges")
    other = Actor(browser, live_server, world.bidders[1])
    other.page.goto(f"{other.base}/tendering/lots/{lot.pk}/challenges/")
    assert "工期以280日历天为准" in other.page.inner_text("#published-answers")
    assert "第3.2条工期与施工图纸说明不一致" not in other.page.content()
    # when bidder 0 complains about another matter
    page.select_option("#file-complaint select[name=subject]", "other")
    page.fill("#file-complaint input[name=known_on]", clock.today().isoformat())
    page.fill("#file-complaint textarea[name=facts]", "招标公告限定本地企业业绩")
    page.fill("#file-complaint textarea[name=requests]", "请责令修改招标公告")
    bidder.click("#complaint-submit")
    assert "待受理" in page.inner_text("#file-complaint")
    # then the supervisor's list shows it with its due date, on a phone without overflow
    supervisor = Actor(browser, live_server, make_user(Role.SUPERVISOR, center=centers["jinan"]))
    spage = supervisor.page
    spage.set_viewport_size({"width": 390, "height": 844})
    spage.goto(f"{supervisor.base}/tendering/complaints/")
    assert "受理决定期限" in spage.inner_text("#complaints") and "身份保密" in spage.inner_text("#complaints")
    assert _no_overflow(spage)
    spage.screenshot(path="/tmp/complaints-list.png", full_page=True)
    supervisor.click("#complaints a", expect=None)
    assert _no_overflow(spage)
    spage.check("#accept input[name=suspend]")
    supervisor.click("#accept-submit")
    assert "已受理" in spage.inner_text("#complaint-state")
    spage.fill("#decide textarea[name=decision]", "责令招标人删除限定本地业绩的条款")
    supervisor.click("#decide-submit")
    assert "已作出处理决定" in spage.inner_text("#complaint-state")
    spage.screenshot(path="/tmp/complaint-decided.png", full_page=True)
    # the decided complaint leaves the list; in English the page reads in English
    spage.goto(f"{supervisor.base}/tendering/complaints/")
    assert spage.locator("#no-complaints").count() == 1
    supervisor.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    spage.reload()
    assert spage.inner_text("h1") == "Complaints" and "No complaints to handle." in spage.inner_text("#complaints")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert _no_overflow(page)
    page.screenshot(path="/tmp/challenges-bidder.png", full_page=True)
