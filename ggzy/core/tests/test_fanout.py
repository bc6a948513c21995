"""The fan-out (ggzy.core.fanout): wake-ups after commit only, in-process, through PostgreSQL LISTEN/NOTIFY and
through Redis pub/sub; a listener that loses its connection reconnects and wakes everyone.

Transactions must really commit here (``transaction=True``): inside pytest-django's usual wrapping transaction no
``on_commit`` callback runs and no NOTIFY is ever delivered.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.db import connection, transaction

from ggzy.core import fanout
from ggzy.core.testing import redis_url_or_skip

PG_ONLY = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="LISTEN/NOTIFY needs PostgreSQL")


class Waiter(threading.Thread):
    """Waits once for ``topic`` (from the version taken at creation) and notes when it woke."""

    def __init__(self, topic: str, timeout: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.topic, self.timeout = topic, timeout
        self.since = fanout.hub.version(topic)  # the caller starts a listener first when it needs one
        self.woke_at: float | None = None
        self.version: int | None = None
        self.waiting = threading.Event()

    def run(self) -> None:
        self.waiting.set()
        self.version = fanout.wait(self.topic, self.since, self.timeout)
        if self.version != self.since:
            self.woke_at = time.monotonic()


def _topic() -> str:
    return f"test.{uuid.uuid4().hex}"


def _until(predicate, seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


@pytest.fixture
def stop_listeners():
    yield
    fanout.stop_all()


def test_hub_wait_returns_at_once_for_a_change_made_before_it():
    topic = _topic()
    seen = fanout.hub.version(topic)
    fanout.hub.notify(topic)  # between the read and the wait: must not be lost
    started = time.monotonic()
    assert fanout.hub.wait(topic, seen, 5.0) != seen
    assert time.monotonic() - started < 0.5
    assert fanout.hub.wait(topic, seen + 1, 0.05) == seen + 1  # nothing new: times out, same version
    assert fanout.hub.waiting() == 0


def test_hub_other_topics_do_not_wake_and_everyone_wakes_on_reconnect():
    topic, other = _topic(), _topic()
    waiter = Waiter(topic)
    waiter.start()
    waiter.waiting.wait(2)
    fanout.hub.notify(other)
    time.sleep(0.2)
    assert waiter.woke_at is None
    fanout.hub.notify_everyone()
    waiter.join(2)
    assert waiter.woke_at is not None


@pytest.mark.django_db(transaction=True)
def test_local_wakes_after_commit_and_not_on_rollback(settings):
    settings.GGZY_HALL_FANOUT = "local"
    topic = _topic()
    waiter = Waiter(topic)
    waiter.start()
    waiter.waiting.wait(2)
    with transaction.atomic():
        fanout.publish(topic)
        time.sleep(0.3)
        assert waiter.woke_at is None, "woken before the commit"
        committed = time.monotonic()
    waiter.join(2)
    assert waiter.woke_at is not None and waiter.woke_at >= committed

    rolled_back = Waiter(topic, timeout=0.6)
    rolled_back.start()
    with pytest.raises(RuntimeError), transaction.atomic():
        fanout.publish(topic)
        raise RuntimeError("roll back")
    rolled_back.join(2)
    assert rolled_back.woke_at is None, "woken by a rolled-back change"


@pytest.mark.django_db(transaction=True)
def test_local_inner_savepoint_rolled_back_wakes_nobody(settings):
    settings.GGZY_HALL_FANOUT = "local"
    topic = _topic()
    seen = fanout.version(topic)
    with transaction.atomic(), pytest.raises(RuntimeError), transaction.atomic():
        fanout.publish(topic)
        raise RuntimeError("savepoint rolled back")
    assert fanout.wait(topic, seen, 0.3) == seen


def test_settings_choose_the_backend(settings):
    settings.GGZY_HALL_FANOUT = ""
    assert fanout.backend_name() == ("postgres" if connection.vendor == "postgresql" else "local")
    settings.GGZY_HALL_FANOUT = "bogus"
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        fanout.backend_name()


@pytest.fixture
def foreign_sender(monkeypatch):
    """Only the listener can wake this process: our own on_commit wake-up is switched off and what we send looks
    like another process's (as if another web process published)."""
    monkeypatch.setattr(fanout, "_local_after_commit", lambda topic, using: None)
    monkeypatch.setattr(fanout, "_payload", lambda topic: f"another-process {topic}")


@PG_ONLY
@pytest.mark.django_db(transaction=True)
def test_postgres_listener_wakes_after_commit_not_before_not_on_rollback(settings, foreign_sender, stop_listeners):
    settings.GGZY_HALL_FANOUT = "postgres"
    topic = _topic()
    fanout.version(topic)  # starts this process's listener thread
    backend = fanout.backend()
    assert _until(backend.live), "the listener did not connect"
    assert backend.listener.backend_pid != connection.cursor().connection.info.backend_pid  # its own connection
    waiter = Waiter(topic, timeout=10)
    waiter.start()
    waiter.waiting.wait(2)
    with transaction.atomic():
        fanout.publish(topic)
        time.sleep(0.5)
        assert waiter.woke_at is None, "woken before the commit"
        committed = time.monotonic()
    waiter.join(5)
    assert waiter.woke_at is not None, "the listener was not woken by the commit"
    assert committed <= waiter.woke_at < committed + 2

    rolled_back = Waiter(topic, timeout=1.0)
    rolled_back.start()
    with pytest.raises(RuntimeError), transaction.atomic():
        fanout.publish(topic)
        raise RuntimeError("roll back")
    rolled_back.join(3)
    assert rolled_back.woke_at is None, "woken by a rolled-back NOTIFY"


@PG_ONLY
@pytest.mark.django_db(transaction=True)
def test_postgres_listener_ignores_its_own_process_and_reconnects(settings, stop_listeners, monkeypatch):
    settings.GGZY_HALL_FANOUT = "postgres"
    monkeypatch.setattr(fanout, "RECONNECT_FIRST", 0.1)
    topic = _topic()
    fanout.version(topic)
    backend = fanout.backend()
    assert _until(backend.live)
    first_pid, joined = backend.listener.backend_pid, backend.listener.connections

    # our own NOTIFY comes back to our listener, which drops it: the on_commit wake-up was the only one
    notified = []
    real_notify = fanout.hub.notify
    monkeypatch.setattr(fanout.hub, "notify", lambda t: (notified.append(t), real_notify(t)))
    with transaction.atomic():
        fanout.publish(topic)
    time.sleep(0.5)
    assert notified == [topic]

    # the listener's connection is cut: waiters are woken once it is back (they re-read), and it hears again
    waiter = Waiter(topic, timeout=15)
    waiter.start()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [first_pid])
    assert _until(lambda: backend.listener.connections > joined, 15), "the listener did not reconnect"
    assert backend.live() and backend.listener.backend_pid != first_pid
    waiter.join(5)
    assert waiter.woke_at is not None, "a reconnection must wake the waiters (notifications may have been lost)"

    monkeypatch.setattr(fanout, "_payload", lambda t: f"another-process {t}")
    after = Waiter(topic, timeout=5)
    after.start()
    with transaction.atomic():
        fanout.publish(topic)
    after.join(5)
    assert after.woke_at is not None


@pytest.mark.django_db(transaction=True)
def test_redis_wakes_after_commit_not_on_rollback(settings, foreign_sender, stop_listeners):
    url = redis_url_or_skip()
    settings.GGZY_HALL_FANOUT = "redis"
    settings.GGZY_HALL_FANOUT_REDIS_URL = url
    topic = _topic()
    fanout.version(topic)
    assert _until(fanout.backend().live), "the Redis subscriber did not connect"
    waiter = Waiter(topic, timeout=10)
    waiter.start()
    waiter.waiting.wait(2)
    with transaction.atomic():
        fanout.publish(topic)
        time.sleep(0.5)
        assert waiter.woke_at is None, "woken before the commit"
        committed = time.monotonic()
    waiter.join(5)
    assert waiter.woke_at is not None and committed <= waiter.woke_at < committed + 2

    rolled_back = Waiter(topic, timeout=1.0)
    rolled_back.start()
    with pytest.raises(RuntimeError), transaction.atomic():
        fanout.publish(topic)
        raise RuntimeError("roll back")
    rolled_back.join(3)
    assert rolled_back.woke_at is None
