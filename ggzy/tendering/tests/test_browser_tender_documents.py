"""Browser test: a bidder signs up, downloads the tender documents (bytes checked against the listed SHA-256),
the tenderer publishes an amendment, and the bidder sees the clarification and which version is now current."""

import hashlib

import pytest

from ggzy.accounts.models import Notification

from .conftest import lot_ready
from .test_browser_tendering import Actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_bidder_downloads_documents_and_sees_the_amendment(browser, live_server, world):
    lot = lot_ready(world)
    v1 = lot.documents.get()
    bidder = Actor(browser, live_server, world.bidders[0])
    # before sign-up: the list with the hash, no download
    page = bidder.lot(lot.pk)
    assert v1.sha256 in page.inner_text("#documents")
    assert page.locator("#documents a.button").count() == 0
    # sign up, then download: the bytes match the hash shown on the page
    bidder.click("#signup-button")
    with page.expect_download() as info:
        page.click(f"#document-{v1.pk} a.button")
    path = info.value.path()
    with open(path, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == v1.sha256
    page = bidder.lot(lot.pk)
    assert "招标文件.pdf" in page.inner_text("#my-downloads")
    # the tenderer uploads an amendment (v2) and publishes a clarification
    tenderer = Actor(browser, live_server, world.tenderer)
    owner = tenderer.lot(lot.pk)
    owner.set_input_files("#doc-file", files=[{"name": "招标文件（修改）.pdf", "mimeType": "application/pdf",
                                               "buffer": b"%PDF-1.7 amended"}])
    owner.select_option("#doc-kind", "amendment")
    owner.select_option("#doc-supersedes", str(v1.pk))
    tenderer.click("#document-upload button")
    owner = tenderer.lot(lot.pk)
    assert "待随下一次澄清发布" in owner.inner_text("#documents")
    owner.fill("#clarify-text", "第三章技术要求修改，详见修改后的招标文件。")
    tenderer.click("#owner-panel form:has(#clarify-text) button")
    # the bidder: an unread clarification, told that v1 is superseded by v2, and a message in its inbox
    page = bidder.lot(lot.pk)
    assert "第三章技术要求修改" in page.inner_text("#unread-clarifications")
    assert "已被 v2 取代" in page.inner_text("#outdated-versions")
    page.screenshot(path="/tmp/docs-bidder-lot.png", full_page=True)
    assert Notification.objects.filter(user=world.bidders[0], title__contains=lot.code).count() == 1
    bidder.click("#unread-clarifications button")
    assert bidder.page.locator("#unread-clarifications").count() == 0
    tenderer.lot(lot.pk).screenshot(path="/tmp/docs-owner-lot.png", full_page=True)
