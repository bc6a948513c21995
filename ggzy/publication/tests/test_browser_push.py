"""Browser: an administrator on a 390 px phone, in English, sees a subscriber with delivered messages and a dead
letter, and puts the dead letter back in the queue."""

from __future__ import annotations

import os

import pytest

from ggzy.accounts.roles import Role
from ggzy.disclosure.tests.factories import notice_make
from ggzy.publication import services
from ggzy.publication.models import MessageState, PushMessage
from ggzy.tendering.tests.test_browser_committee import HAN, OUTSIDE, PhoneActor

from .sink import Sink

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_admin_sees_queues_and_retries_a_dead_letter_on_a_phone_in_english(browser, live_server, make_user,
                                                                           centers):
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    sink = Sink("s" * 32)
    try:
        subscriber = services.subscriber_register(actor=None, name="Provincial trading website (local test sink)",
                                                  url=sink.url, kinds=["notice", "change", "result"],
                                                  secret="s" * 32, max_attempts=1)
        notice_make(actor=staff, center=centers["jinan"], title="公告一")
        notice_make(actor=staff, center=centers["jinan"], title="公告二")
        services.publication_push()
        sink.refuse = 1
        notice_make(actor=staff, center=centers["jinan"], title="公告三")
        services.publication_push()
        dead = PushMessage.objects.get(subscriber=subscriber, state=MessageState.DEAD)
        admin = PhoneActor(browser, live_server, make_user(Role.ADMIN))
        page = admin.page
        page.goto(f"{live_server.url}/publication/")
        assert page.evaluate(OUTSIDE) == []
        text = page.inner_text("#push-panel")
        assert not HAN.search(text), HAN.findall(text)
        assert "Dead letters" in text and dead.publication.idempotency_key in text
        os.makedirs("var/screenshots", exist_ok=True)
        page.screenshot(path="var/screenshots/publication_push_390_en.png", full_page=True)
        page.click(f"form[action='/publication/dead-letters/{dead.pk}/retry/'] button")
        page.wait_for_load_state()
        assert page.locator("li.msg-success").count() == 1
        dead.refresh_from_db()
        assert dead.state in (MessageState.PENDING, MessageState.DELIVERED)  # eager Huey may have pushed already
        services.publication_push()
        dead.refresh_from_db()
        assert dead.state == MessageState.DELIVERED
        assert [m["seq"] for m in sink.applied] == [1, 2, 3]
    finally:
        sink.close()
