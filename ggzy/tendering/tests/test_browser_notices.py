"""The tender notice, a result notice and a failed lot as a visitor sees them at desktop width (screenshots are
written under the temporary directory for a person to look at)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest

from ggzy.core import clock
from ggzy.disclosure.models import Notice
from ggzy.tendering.services import result

from .conftest import lot_ready
from .test_notices import _evaluated, _lot_by_agency, _opened

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SHOTS = Path(tempfile.gettempdir()) / "ggzy-notices"


def _visit(browser, live_server, path, name):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}{path}")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    return page


def test_visitor_reads_a_tender_notice_and_follows_it_to_sign_up(browser, live_server, world):
    # given a published lot
    lot = _lot_by_agency(world)
    # when a visitor opens its tender notice
    page = _visit(browser, live_server, f"/notices/{lot.notice_id}/", "tender-notice")
    # then it names the parties and the key dates and lists the documents with their hashes
    text = page.inner_text("main")
    assert "招标人：济南市城市建设投资有限公司" in text and "招标代理机构：山东正信招标代理有限公司" in text
    assert "网上开标大厅" in text
    assert lot.documents.get().sha256 in page.inner_text("#notice-attachments")
    # and the sign-up link leads to the lot page, where a visitor is asked to sign in
    page.click("#notice-link-signup")
    page.wait_for_load_state()
    assert page.url.endswith(f"/tendering/lots/{lot.pk}/#signup")
    assert page.is_visible("#signup a")


def test_visitor_reads_result_notices_and_a_failed_lot(browser, live_server, world):
    # given a works lot whose candidates are published, a government procurement result and a failed lot
    works = _evaluated(world, _opened(world, lot_ready(world), ["7600000.00", "7500000.00", "7700000.00"]))
    result.candidates_publish(actor=world.tenderer, lot=works)
    clock.freeze(works.bid_deadline - dt.timedelta(days=20))
    gp = _evaluated(world, _opened(world, lot_ready(world, method="gp_open_tender"),
                                   ["5600000.00", "5500000.00", "5700000.00"]))
    result.candidates_publish(actor=world.tenderer, lot=gp)
    clock.freeze(gp.bid_deadline - dt.timedelta(days=20))
    failed = _opened(world, lot_ready(world), ["7600000.00", "7500000.00"])
    # when a visitor opens them
    candidates = Notice.objects.get(project_code=works.code, notice_type="candidates")
    page = _visit(browser, live_server, f"/notices/{candidates.pk}/", "works-candidates-notice")
    assert "不少于3日" in page.inner_text(".notice-body") and not page.is_visible("#notice-deadline")
    gp_result = Notice.objects.get(project_code=gp.code, notice_type="result")
    page = _visit(browser, live_server, f"/notices/{gp_result.pk}/", "gp-result-notice")
    assert "7个工作日" in page.inner_text(".notice-body")
    page = _visit(browser, live_server, f"/tendering/lots/{failed.pk}/", "failed-lot")
    # then the failed lot says why and what follows, and its stepper ends at 流标
    assert "投标人少于3个（2个）" in page.inner_text("#lot-failure")
    assert page.inner_text("ol.steps li:last-child") == "流标"
