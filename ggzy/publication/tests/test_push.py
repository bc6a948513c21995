import base64
import datetime as dt
import json

import pytest

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.disclosure.models import NoticeType
from ggzy.disclosure.services import notice_withdraw
from ggzy.disclosure.tests.factories import notice_make
from ggzy.pki.signing import verify_detached
from ggzy.publication import services
from ggzy.publication.models import MessageState, Publication, PushMessage

from .sink import Sink

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user, centers):
    return make_user(Role.CENTER_STAFF, center=centers["jinan"])


@pytest.fixture
def sink():
    server = Sink("s" * 32)
    yield server
    server.close()


def _subscriber(url, name="省公共资源交易网", kinds=("notice", "change", "result"), **extra):
    return services.subscriber_register(actor=None, name=name, url=url, kinds=list(kinds), secret="s" * 32, **extra)


def test_publishing_records_a_signed_masked_feed_item_and_one_message_per_matching_subscriber(
        staff, centers, frozen_clock, sink):
    national = _subscriber(sink.url, name="全国公共资源交易平台")
    results_only = _subscriber(sink.url, name="监督部门", kinds=("result",))
    body = "联系人张三，电话13812345678，身份证370102199001011234。项目概况：教学楼。"
    tender = notice_make(actor=staff, center=centers["jinan"], body=body)
    result = notice_make(actor=staff, center=centers["jinan"], notice_type=NoticeType.RESULT, title="中标结果公告")
    notice_withdraw(actor=staff, notice=tender, reason="项目调整")

    rows = list(Publication.objects.order_by("offset"))
    assert [(p.offset, p.kind, p.action) for p in rows] == [(1, "notice", "publish"), (2, "result", "publish"),
                                                            (3, "change", "withdraw")]
    content = json.loads(rows[0].content)
    # the personal phone and ID number never leave the platform (masking table: person.phone, person.id_number)
    assert "13812345678" not in rows[0].content and "370102199001011234" not in rows[0].content
    assert "138****5678" in content["content"]["body"] and "3701**********1234" in content["content"]["body"]
    assert content["idempotency_key"] == f"notice:{tender.pk}:publish" and content["offset"] == 1
    # per-subscriber sequences: gap-free from 1, only the kinds subscribed to
    assert list(national.messages.order_by("seq").values_list("seq", "publication__offset")) == [(1, 1), (2, 2), (3, 3)]
    assert list(results_only.messages.values_list("seq", "publication__offset")) == [(1, 2)]
    assert result.pk
    # the platform's signature covers the exact content bytes
    signature = base64.b64decode(services.publication_signature(rows[0]))
    # checked at the signature's own signing time (the platform certificate may come from an earlier test whose frozen
    # clock is later than this test's)
    signed_at = verify_detached(rows[0].content.encode(), signature, at=clock.now()).signing_time
    assert signed_at is not None
    assert verify_detached(rows[0].content.encode(), signature, at=signed_at).ok
    assert not verify_detached(rows[0].content.encode() + b" ", signature, at=signed_at).ok


def test_delivery_is_in_order_signed_and_marks_messages_delivered(staff, centers, frozen_clock, sink):
    subscriber = _subscriber(sink.url, batch_size=2)
    for n in range(5):
        notice_make(actor=staff, center=centers["jinan"], title=f"公告{n}")
    [result] = services.publication_push()
    assert result.delivered == 5 and sink.bad_signatures == 0 and sink.posts == 3  # batches of 2, 2, 1
    assert [m["seq"] for m in sink.received] == [1, 2, 3, 4, 5]
    assert [json.loads(m["content"])["content"]["title"] for m in sink.received] == [f"公告{n}" for n in range(5)]
    assert set(subscriber.messages.values_list("state", flat=True)) == {MessageState.DELIVERED}
    assert services.publication_push()[0].delivered == 0  # nothing sent twice


def test_failures_back_off_exponentially_then_dead_letter_and_staff_retry_or_resend(
        staff, centers, frozen_clock, sink):
    subscriber = _subscriber(sink.url, retry_base_ms=1000, max_attempts=3)
    notice_make(actor=staff, center=centers["jinan"], title="第一条")
    sink.refuse = 10**6
    waits = []
    for _ in range(3):
        result = services.publication_push()[0]
        assert result.error == "HTTP 503"
        subscriber.refresh_from_db()
        waits.append(subscriber.next_attempt_at - frozen_clock.now())
        assert services.publication_push()[0].skipped == "backoff"  # not before its time
        frozen_clock.freeze(subscriber.next_attempt_at)
    assert waits == [dt.timedelta(seconds=1), dt.timedelta(seconds=2), dt.timedelta(seconds=4)]
    dead = PushMessage.objects.get(subscriber=subscriber)
    assert dead.state == MessageState.DEAD and dead.attempts == 3
    # a dead letter no longer blocks what comes after it
    notice_make(actor=staff, center=centers["jinan"], title="第二条")
    sink.refuse = 0
    assert services.publication_push()[0].delivered == 1
    assert [m["seq"] for m in sink.received] == [2]
    # retry: the same seq again; resend of an already retried message is refused (not dead any more)
    services.dead_letter_retry(actor=None, message=dead)
    assert services.publication_push()[0].delivered == 1 and sink.received[-1]["seq"] == 1
    with pytest.raises(DomainError):
        services.dead_letter_resend(actor=None, message=dead)
    # resend: same content and key under a new seq at the end of the queue
    sink.refuse, sink.refused = 3, 0
    notice_make(actor=staff, center=centers["jinan"], title="第三条")
    for _ in range(3):
        services.publication_push()
        subscriber.refresh_from_db()
        frozen_clock.freeze(subscriber.next_attempt_at)
    third = PushMessage.objects.get(subscriber=subscriber, seq=3)
    assert third.state == MessageState.DEAD
    copy = services.dead_letter_resend(actor=None, message=third)
    third.refresh_from_db()
    assert copy.seq == 4 and third.state == MessageState.RESENT
    assert services.publication_push()[0].delivered == 1
    assert sink.received[-1]["seq"] == 4 and sink.received[-1]["idempotency_key"] == third.publication.idempotency_key


def test_a_message_dead_letters_after_the_time_budget_even_with_attempts_left(staff, centers, frozen_clock, sink):
    subscriber = _subscriber(sink.url, retry_base_ms=1000, max_attempts=100, time_budget_hours=1)
    notice_make(actor=staff, center=centers["jinan"])
    sink.refuse = 10**6
    services.publication_push()
    frozen_clock.freeze(frozen_clock.now() + dt.timedelta(hours=1))
    services.publication_push()
    message = PushMessage.objects.get(subscriber=subscriber)
    assert message.state == MessageState.DEAD and message.attempts == 2


def test_an_unreachable_subscriber_is_recorded_not_raised(staff, centers, frozen_clock):
    _subscriber("http://127.0.0.1:9/push")
    notice_make(actor=staff, center=centers["jinan"])
    result = services.publication_push()[0]
    assert result.delivered == 0 and "Error" in result.error


@pytest.mark.parametrize(("change", "field"), [
    ({"url": "ftp://x"}, "url"), ({"kinds": []}, "kinds"), ({"kinds": ["bids"]}, "kinds"),
    ({"name": " "}, "name"), ({"secret": "short"}, "secret"), ({"max_attempts": 0}, "max_attempts"),
])
def test_registering_a_bad_subscriber_names_the_field_and_saves_nothing(frozen_clock, change, field):
    args = {"name": "省网", "url": "http://127.0.0.1:1/p", "kinds": ["notice"], "secret": "s" * 32, **change}
    with pytest.raises(DomainError) as caught:
        services.subscriber_register(actor=None, **args)
    assert field in caught.value.errors
    from ggzy.publication.models import PushSubscriber
    assert not PushSubscriber.objects.exists()


def test_a_subscriber_registered_later_gets_only_what_is_published_after(staff, centers, frozen_clock, sink):
    notice_make(actor=staff, center=centers["jinan"], title="之前")
    subscriber = _subscriber(sink.url)
    notice_make(actor=staff, center=centers["jinan"], title="之后")
    assert list(subscriber.messages.values_list("seq", "publication__offset")) == [(1, 2)]
