"""Done-when test (issue 17 item 1): a subscriber that refuses (503) for a while and then accepts; the platform
"restarts" in the middle; the subscriber ends with every message exactly once and in order.

On PostgreSQL the delivery runs in a separate process (``manage.py publication_push --loop``) that is killed with
SIGKILL in the middle of the stream — possibly between the subscriber's 200 and the commit — and a new process
finishes. On SQLite (an in-memory test database no other process can open) the "crash" is an exception thrown out
of the sender right after the subscriber accepted a batch, so that transaction rolls back exactly as a killed
process's would, and the next round rebuilds everything from the database."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from ggzy.accounts.roles import Role
from ggzy.disclosure.tests.factories import notice_make
from ggzy.ledger.outbox import http_post
from ggzy.publication import services
from ggzy.publication.models import MessageState, Publication, PushMessage

from .sink import Sink

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ROOT = Path(__file__).resolve().parents[3]


class Crash(BaseException):
    """A process dying: not an OSError, so nothing in the delivery code catches it."""


def _publish(staff, center, first: int, count: int) -> None:
    for n in range(first, first + count):
        notice_make(actor=staff, center=center, title=f"测试公告{n:03d}")
    for publication in Publication.objects.filter(signature=""):
        services.publication_signature(publication)  # the worker process need not build the demo PKI


def _worker(seconds: float) -> subprocess.Popen:
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST'] or '127.0.0.1'}:" \
          f"{settings['PORT'] or 5432}/{settings['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "ggzy.settings.test"}
    return subprocess.Popen([sys.executable, "manage.py", "publication_push", "--loop", str(seconds), "-v", "2"],
                            cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait(predicate, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_refusing_then_accepting_subscriber_gets_every_message_once_in_order_across_a_restart(make_user, centers,
                                                                                              monkeypatch):
    # the worker is the separate process (or the rounds below), not Huey's eager mode in this test process
    monkeypatch.setattr(services, "_push_soon", lambda: None)
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    sink = Sink("k" * 32, refuse=4, delay=0.05)
    try:
        subscriber = services.subscriber_register(actor=None, name="省公共资源交易网（测试）", url=sink.url,
                                                  kinds=["notice", "change", "result"], secret="k" * 32,
                                                  retry_base_ms=20, max_attempts=100, batch_size=3)
        _publish(staff, centers["jinan"], 0, 30)
        if connection.vendor == "postgresql":
            first = _worker(120)
            _wait(lambda: len(sink.applied) >= 12, 120)
            first.send_signal(signal.SIGKILL)  # the platform goes down mid-stream
            first.wait(10)
        else:
            accepted = {"n": 0}

            def crashing_send(url, body, headers, timeout):
                status = http_post(url, body, headers, timeout)
                if status == 200:
                    accepted["n"] += 1
                    if accepted["n"] == 4:
                        raise Crash  # the subscriber has the batch, the platform never records it
                return status

            with pytest.raises(Crash):
                for _ in range(200):
                    services.publication_push(send=crashing_send)
                    subscriber.refresh_from_db()
                    subscriber.next_attempt_at = None
                    subscriber.save(update_fields=["next_attempt_at"])
        assert 0 < len(sink.applied) < 40
        # published while the platform was down; the subscriber refuses again for a while after the restart
        _publish(staff, centers["jinan"], 30, 10)
        with sink.lock:
            sink.refuse, sink.refused = 3, 0
        if connection.vendor == "postgresql":
            second = _worker(120)
            try:
                out, err = second.communicate(timeout=240)
            except subprocess.TimeoutExpired:
                second.kill()
                out, err = second.communicate()
                pytest.fail(f"worker did not finish: {out.decode()[-3000:]} {err.decode()[-3000:]}")
            assert second.returncode == 0, err.decode()
            assert b"delivered" in out, out
        else:
            for _ in range(200):
                services.publication_push()
                if not PushMessage.objects.filter(state=MessageState.PENDING).exists():
                    break
                time.sleep(0.03)
        assert sink.bad_signatures == 0 and sink.refused == 3
        assert [m["seq"] for m in sink.applied] == list(range(1, 41))  # every message once, in order
        assert [m["offset"] for m in sink.applied] == list(range(1, 41))
        assert len(sink.keys) == 40
        assert set(PushMessage.objects.values_list("state", flat=True)) == {MessageState.DELIVERED}
        # at-least-once underneath: anything received twice is the batch in flight at the crash
        assert len(sink.received) - len(sink.applied) <= 3
    finally:
        sink.close()
