"""The live hall wakes on the fan-out, not on its poll: with the safety-net poll set to 30 s, a bid committed in
this process, or by another OS process on the same database, reaches a waiting stream within 2 s; a round's
deadline is shown when it passes; the services publish only what commits.

These tests commit for real (``transaction=True``): the stream runs in its own thread with its own connection, as
under the web server."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, connections, transaction

from ggzy.core import clock, fanout
from ggzy.core.testing import redis_url_or_skip
from ggzy.rights.services import bidding
from ggzy.rights.services.common import hall_topic
from ggzy.rights.views import hall_event_stream

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = Path(__file__).with_name("fanout_other_process.py")
SLOW_POLL = 30.0  # only the fan-out can explain a wake-up within 2 s

pytestmark = pytest.mark.django_db(transaction=True)


class Watcher(threading.Thread):
    """Consumes one hall stream in its own thread, stamping each event with the wall-clock time it arrived."""

    def __init__(self, user, listing_id: int, *, seconds: float, interval: float = SLOW_POLL) -> None:
        super().__init__(daemon=True)
        self.user, self.listing_id, self.seconds, self.interval = user, listing_id, seconds, interval
        self.events: list[tuple[float, str, dict]] = []
        self.lock = threading.Lock()

    def run(self) -> None:
        try:
            for chunk in hall_event_stream(user=self.user, listing_id=self.listing_id, seconds=self.seconds,
                                           interval=self.interval):
                lines = dict(line.split(": ", 1) for line in chunk.strip().splitlines() if ": " in line)
                if "event" in lines:
                    with self.lock:
                        self.events.append((time.time(), lines["event"], json.loads(lines.get("data", "{}"))))
        finally:
            connections.close_all()

    def first(self, predicate, within: float) -> tuple[float, str, dict] | None:
        end = time.monotonic() + within
        while time.monotonic() < end:
            with self.lock:
                for event in self.events:
                    if predicate(event):
                        return event
            time.sleep(0.01)
        return None


def _price(sequence: int):
    return lambda event: event[1] == "price" and event[2]["sequence"] == sequence


def _watching(land, seconds: float = 8.0) -> Watcher:
    watcher = Watcher(land["a"].bidder, land["a"].listing_id, seconds=seconds)
    watcher.start()
    assert watcher.first(_price(0), within=10), "the stream sent no first state"
    time.sleep(0.3)  # now it waits (30 s poll)
    return watcher


def test_a_committed_bid_wakes_the_stream_at_once_and_an_uncommitted_one_does_not(land):
    clock.advance(dt.timedelta(days=3))
    a = land["a"]
    watcher = _watching(land)
    with transaction.atomic():
        bidding.bid_place(actor=a.bidder, listing_id=a.listing_id, amount="1000000", seen_sequence=0,
                          idempotency_key="fanout-key-01")
        assert watcher.first(_price(1), within=0.5) is None, "the stream showed a bid before its commit"
        committed = time.time()
    event = watcher.first(_price(1), within=2)
    assert event is not None, "the committed bid did not wake the stream within 2 s (poll is 30 s)"
    assert event[0] - committed < 2
    me = watcher.first(lambda e: e[1] == "me" and e[2]["status"] == "leading", within=1)
    assert me is not None and me[0] - committed < 2

    with pytest.raises(RuntimeError), transaction.atomic():
        bidding.bid_place(actor=land["b"].bidder, listing_id=a.listing_id, amount="1010000", seen_sequence=1,
                          idempotency_key="fanout-key-02")
        raise RuntimeError("roll back")
    assert watcher.first(_price(2), within=1) is None
    watcher.join(15)


def test_the_round_deadline_is_shown_when_it_passes_not_at_the_next_poll(land):
    clock.advance(dt.timedelta(days=3))
    a = land["a"]
    bidding.bid_place(actor=a.bidder, listing_id=a.listing_id, amount="1000000", seen_sequence=0,
                      idempotency_key="fanout-key-03")
    clock.freeze(land["ends"] - dt.timedelta(seconds=1))
    started = time.time()
    watcher = Watcher(a.bidder, a.listing_id, seconds=8)
    watcher.start()
    assert watcher.first(lambda e: e[1] == "clock" and e[2]["phase"] == "listing", within=10)
    clock.freeze(land["ends"] + dt.timedelta(seconds=1))  # nobody commits; only the deadline passes
    event = watcher.first(lambda e: e[1] == "clock" and e[2]["phase"] == "timed_round", within=4)
    assert event is not None, "the timed round was not shown at the deadline (poll is 30 s)"
    assert event[0] - started < 4
    watcher.join(15)


def test_services_publish_after_commit_only(land, settings):
    """Suspension and resumption wake the hall too; the wake-up waits for the commit."""
    from ggzy.rights.services import suspension

    settings.GGZY_HALL_FANOUT = "local"  # no listener connecting meanwhile (its connection wakes everyone)
    clock.advance(dt.timedelta(days=3))
    topic = hall_topic(land["a"].listing_id)
    seen = fanout.version(topic)
    with transaction.atomic():
        suspension.listing_suspend(actor=land["staff"], listing_id=land["a"].listing_id, reason="系统故障")
        assert fanout.hub.version(topic) == seen
    assert fanout.wait(topic, seen, 2) != seen
    seen = fanout.hub.version(topic)
    suspension.listing_resumption_announce(actor=land["staff"], listing_id=land["a"].listing_id,
                                           resume_at=clock.now() + dt.timedelta(days=5))
    assert fanout.wait(topic, seen, 2) != seen


def _database_url() -> str:
    params = connection.settings_dict
    auth = quote(params["USER"] or "")
    if params.get("PASSWORD"):
        auth += ":" + quote(params["PASSWORD"])
    return f"postgres://{auth}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{params['NAME']}"


class OtherProcess:
    """fanout_other_process.py in its own OS process on this test's database: ``start`` returns once it is set up
    (Django's start-up is not measured); ``go`` lets it act and returns its answer."""

    def __init__(self, args: dict, *, backend: str, redis_url: str = "") -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT), GGZY_HALL_FANOUT=backend,
                   GGZY_HALL_FANOUT_REDIS_URL=redis_url, DJANGO_SETTINGS_MODULE="ggzy.settings.test")
        if connection.vendor == "postgresql":
            env["DATABASE_URL"] = _database_url()
        else:
            env.pop("DATABASE_URL", None)
        self.backend = backend
        self.process = subprocess.Popen([sys.executable, str(SCRIPT), json.dumps(args)], cwd=ROOT, env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
        assert self.process.stdout is not None and self.process.stdin is not None
        ready = self.process.stdout.readline().strip()
        if ready != "ready":
            self.process.kill()
            raise AssertionError(f"the other process did not start: {self.process.stderr.read()[-3000:]}")

    def go(self) -> dict:
        out, err = self.process.communicate("go\n", timeout=120)
        assert self.process.returncode == 0, err[-3000:]
        answer = json.loads(out.strip().splitlines()[-1])
        assert answer["pid"] != os.getpid() and answer["backend"] == self.backend
        return answer


@pytest.fixture(params=["postgres", "redis"])
def shared_backend(request, settings):
    """The production fan-outs: this process listens as a web process would."""
    if request.param == "redis":
        url = redis_url_or_skip()
        settings.GGZY_HALL_FANOUT_REDIS_URL = url
    elif connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY needs PostgreSQL")
    settings.GGZY_HALL_FANOUT = request.param
    fanout.version("warm-up")
    end = time.monotonic() + 10
    while not fanout.live() and time.monotonic() < end:
        time.sleep(0.02)
    assert fanout.live(), f"the {request.param} listener did not connect"
    yield request.param, settings.GGZY_HALL_FANOUT_REDIS_URL
    fanout.stop_all()


def test_a_bid_committed_by_another_process_wakes_the_stream(land, shared_backend):
    if connection.vendor != "postgresql":
        pytest.skip("another process shares the database only on PostgreSQL (the test SQLite is in memory)")
    backend, redis_url = shared_backend
    clock.advance(dt.timedelta(days=3))
    a = land["a"]
    other = OtherProcess({"do": "bid", "now": clock.now().isoformat(), "bidder": a.bidder.pk,
                          "listing": a.listing_id, "amount": "1000000", "seen": 0, "key": "fanout-key-04"},
                         backend=backend, redis_url=redis_url)
    watcher = _watching(land, seconds=6)
    answer = other.go()
    assert answer["accepted"] and answer["sequence"] == 1
    event = watcher.first(_price(1), within=2)
    assert event is not None, "another process's bid did not wake the stream within 2 s (poll is 30 s)"
    assert event[0] - answer["committed_at"] < 2
    watcher.join(15)


def test_a_wake_up_published_by_another_process_arrives(shared_backend):
    backend, redis_url = shared_backend
    topic = f"test.{uuid.uuid4().hex}"
    other = OtherProcess({"do": "publish", "topic": topic}, backend=backend, redis_url=redis_url)
    seen = fanout.version(topic)
    answer = other.go()
    started = time.monotonic()
    assert fanout.wait(topic, seen, 2) != seen, "no wake-up from the other process within 2 s"
    assert time.monotonic() - started < 2 and answer["committed_at"] <= time.time()


def test_under_asgi_the_stream_is_woken_by_a_commit(land, settings):
    """Django's ASGI handler (uvicorn in production): the stream waits in its worker thread and is woken there."""
    import asyncio

    from django.test import AsyncClient

    settings.GGZY_HALL_STREAM_SECONDS = 6
    settings.GGZY_HALL_STREAM_INTERVAL = SLOW_POLL
    clock.advance(dt.timedelta(days=3))
    a = land["a"]
    watcher_user, bidder_user = a.bidder, land["b"].bidder  # loaded here, not in the event loop
    committed: list[float] = []

    def bid() -> None:
        bidding.bid_place(actor=bidder_user, listing_id=a.listing_id, amount="1000000", seen_sequence=0,
                          idempotency_key="fanout-key-05")
        committed.append(time.time())
        connections.close_all()

    async def read() -> float | None:
        client = AsyncClient()
        await client.aforce_login(watcher_user)
        response = await client.get(f"/rights/{a.listing_id}/events/")
        assert response.is_async
        bidder = None
        async for part in response.streaming_content:
            text = part.decode()
            if "event: price" in text and '"sequence": 0' in text and bidder is None:
                bidder = threading.Thread(target=bid)
                bidder.start()
            if "event: price" in text and '"sequence": 1' in text:
                return time.time()
        return None

    shown = asyncio.run(read())
    assert committed, "the bid was not placed"
    assert shown is not None, "the ASGI stream never showed the bid"
    assert shown - committed[0] < 2, "woken by the poll, not the fan-out"
