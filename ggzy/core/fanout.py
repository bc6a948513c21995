"""Wake-ups after commit, across web processes (the live halls' fan-out; ADR 0019).

A service that changes what a live page shows calls ``publish(topic)`` inside its transaction. Waiters in every
web process then wake at once — but only after the commit, never on a rollback — and re-read the committed rows.
Nothing but the topic travels: a wake-up says "look again", the page's state always comes from the database.

Backends (``GGZY_HALL_FANOUT``; empty = automatic):

* ``local`` — in-process only (the default on SQLite, the embedded single-process server): ``on_commit`` wakes
  the waiters of this process.
* ``postgres`` — the default on PostgreSQL: ``pg_notify`` in the publishing transaction (PostgreSQL delivers it at
  commit and drops it on rollback); one listener thread per process keeps its own connection doing ``LISTEN``
  and wakes that process's waiters, so N clients in a process share one connection. The publishing process wakes
  its own waiters through ``on_commit`` and ignores its own notifications.
* ``redis`` — pub/sub on ``GGZY_HALL_FANOUT_REDIS_URL`` (default: ``REDIS_URL``): published from ``on_commit``;
  one subscriber thread per process.

The channel is ``GGZY_HALL_FANOUT_CHANNEL`` (``ggzy_fanout``). NOTIFY stays within one database; Redis pub/sub
spans the whole server, so two deployments sharing a Redis server should each name their own channel (otherwise
they only wake each other's halls for nothing: a wake-up carries no data).

A listener that loses its connection reconnects (0.5 s, doubling up to 10 s) and on every (re)connection wakes
every waiter of its process, because notifications sent meanwhile are lost. ``live()`` is False while it is not
connected: callers then poll more often (the hall streams fall back to one second). Waiters always pass a timeout:
the wake-up is an accelerator, the poll stays the safety net.

Usage by a waiter: ``seen = version(topic)`` *before* reading the state, then ``seen = wait(topic, seen,
timeout)`` — a change committed between the read and the wait returns at once (no lost wake-up).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import threading
import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction

logger = logging.getLogger(__name__)

BACKENDS = ("local", "postgres", "redis")
CHANNEL = "ggzy_fanout"  # the default channel (GGZY_HALL_FANOUT_CHANNEL), PostgreSQL's and Redis's
_CHANNEL_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
RECONNECT_FIRST, RECONNECT_MAX = 0.5, 10.0
KEEPALIVE_SECONDS = 30.0
_POLL_STEP = 1.0  # how often a listener thread looks at its stop flag


class Hub:
    """This process's waiters, by topic. Each topic has a version that grows with every wake-up; ``epoch`` grows
    when every topic must be looked at again (a listener reconnected)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._versions: dict[str, int] = {}
        self._epoch = 0
        self._conditions: dict[str, threading.Condition] = {}
        self._waiters: dict[str, int] = {}

    def _current(self, topic: str) -> int:
        return self._versions.get(topic, 0) + self._epoch

    def version(self, topic: str) -> int:
        with self._lock:
            return self._current(topic)

    def notify(self, topic: str) -> None:
        with self._lock:
            self._versions[topic] = self._versions.get(topic, 0) + 1
            condition = self._conditions.get(topic)
            if condition is not None:
                condition.notify_all()

    def notify_everyone(self) -> None:
        with self._lock:
            self._epoch += 1
            for condition in self._conditions.values():
                condition.notify_all()

    def wait(self, topic: str, since: int, timeout: float) -> int:
        """Block until the topic's version differs from ``since`` or ``timeout`` seconds pass; the version."""
        with self._lock:
            condition = self._conditions.get(topic)
            if condition is None:
                condition = self._conditions[topic] = threading.Condition(self._lock)
            self._waiters[topic] = self._waiters.get(topic, 0) + 1
            try:
                condition.wait_for(lambda: self._current(topic) != since, timeout=max(timeout, 0.0))
                return self._current(topic)
            finally:
                self._waiters[topic] -= 1
                if not self._waiters[topic]:
                    del self._waiters[topic], self._conditions[topic]

    def waiting(self) -> int:
        with self._lock:
            return sum(self._waiters.values())


hub = Hub()
_origin: tuple[int, str] | None = None


def origin() -> str:
    """This process's mark on what it sends (renewed after a fork, so forked workers never mistake each other)."""
    global _origin
    pid = os.getpid()
    if _origin is None or _origin[0] != pid:
        _origin = (pid, f"{pid}-{secrets.token_hex(4)}")
    return _origin[1]


def _payload(topic: str) -> str:
    return f"{origin()} {topic}"


def _received(payload: str) -> None:
    sender, _, topic = payload.partition(" ")
    if topic and sender != origin():  # our own changes woke our waiters already (on_commit)
        hub.notify(topic)


def _local_after_commit(topic: str, using: str) -> None:
    transaction.on_commit(lambda: hub.notify(topic), using=using, robust=True)


class _Listener:
    """One thread per process receiving the other processes' wake-ups; reconnects when its connection drops."""

    kind = ""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.connected = threading.Event()
        self.connections = 0  # how many times it connected (tests watch reconnection)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def ensure(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name=f"ggzy-fanout-{self.kind}", daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        self.connected.clear()

    def _run(self) -> None:
        delay = RECONNECT_FIRST
        while not self._stop.is_set():
            try:
                self._session()
                delay = RECONNECT_FIRST
            except Exception:  # noqa: BLE001 — any failure: note it, wait, reconnect (the poll covers meanwhile)
                logger.warning("实时推送监听连接中断（%s），%.1f 秒后重连", self.kind, delay, exc_info=True)
            finally:
                self.connected.clear()
            if self._stop.wait(delay):
                break
            delay = min(delay * 2, RECONNECT_MAX)

    def _joined(self) -> None:
        self.connections += 1
        self.connected.set()
        hub.notify_everyone()  # whatever was sent while we were away is lost: everyone looks again

    def _session(self) -> None:  # pragma: no cover — overridden
        raise NotImplementedError


class PostgresListener(_Listener):
    kind = "postgres"

    def __init__(self, using: str, channel: str) -> None:
        super().__init__()
        self.using, self.channel = using, channel
        self.backend_pid: int | None = None
        self._params = dict(connections[using].get_connection_params())  # read now: the test database's name

    def _session(self) -> None:
        import psycopg

        params = {k: v for k, v in self._params.items() if k not in ("cursor_factory", "context")}
        with psycopg.connect(**params, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"LISTEN {self.channel}")  # a checked identifier (channel_name)
            self.backend_pid = conn.info.backend_pid
            self._joined()
            last = time.monotonic()
            while not self._stop.is_set():
                for note in conn.notifies(timeout=_POLL_STEP):
                    _received(note.payload)
                if time.monotonic() - last >= KEEPALIVE_SECONDS:  # a silent dead peer shows here
                    conn.execute("SELECT 1")
                    last = time.monotonic()


class RedisListener(_Listener):
    kind = "redis"

    def __init__(self, url: str, channel: str) -> None:
        super().__init__()
        self.url, self.channel = url, channel

    def _session(self) -> None:
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=5, health_check_interval=KEEPALIVE_SECONDS)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.subscribe(self.channel)
            self._joined()
            while not self._stop.is_set():
                message = pubsub.get_message(timeout=_POLL_STEP)
                if message and message.get("type") == "message":
                    data = message["data"]
                    _received(data.decode() if isinstance(data, bytes) else str(data))
        finally:
            pubsub.close()
            client.close()


class LocalBackend:
    name = "local"

    def publish(self, topic: str, using: str) -> None:
        _local_after_commit(topic, using)

    def ensure_listening(self) -> None:
        return None

    def live(self) -> bool:
        return True

    def stop(self) -> None:
        return None


class PostgresBackend(LocalBackend):
    name = "postgres"

    def __init__(self, using: str, channel: str) -> None:
        if connections[using].vendor != "postgresql":
            raise ImproperlyConfigured("GGZY_HALL_FANOUT = 'postgres' 需要 PostgreSQL 数据库")
        self.using, self.channel = using, channel
        self.listener = PostgresListener(using, channel)

    def publish(self, topic: str, using: str) -> None:
        with connections[using].cursor() as cursor:  # in the caller's transaction: delivered at its commit only
            cursor.execute("SELECT pg_notify(%s, %s)", [self.channel, _payload(topic)])
        _local_after_commit(topic, using)

    def ensure_listening(self) -> None:
        self.listener.ensure()

    def live(self) -> bool:
        return self.listener.connected.is_set()

    def stop(self) -> None:
        self.listener.stop()


class RedisBackend(LocalBackend):
    name = "redis"

    def __init__(self, url: str, channel: str) -> None:
        if not url:
            raise ImproperlyConfigured("GGZY_HALL_FANOUT = 'redis' 需要设置 GGZY_HALL_FANOUT_REDIS_URL 或 REDIS_URL")
        import redis

        self.url, self.channel = url, channel
        self.client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self.listener = RedisListener(url, channel)

    def _send(self, topic: str) -> None:
        try:
            self.client.publish(self.channel, _payload(topic))
        except Exception:  # noqa: BLE001 — already committed; the other processes' poll will see it
            logger.warning("实时推送发布失败（redis），其他进程将在下次轮询时看到变化", exc_info=True)

    def publish(self, topic: str, using: str) -> None:
        _local_after_commit(topic, using)
        transaction.on_commit(lambda: self._send(topic), using=using, robust=True)

    def ensure_listening(self) -> None:
        self.listener.ensure()

    def live(self) -> bool:
        return self.listener.connected.is_set()

    def stop(self) -> None:
        self.listener.stop()


_backends: dict[tuple, Any] = {}
_backends_lock = threading.Lock()


def backend_name(using: str = "default") -> str:
    name = (getattr(settings, "GGZY_HALL_FANOUT", "") or "").strip().lower()
    if not name:
        return "postgres" if connections[using].vendor == "postgresql" else "local"
    if name not in BACKENDS:
        raise ImproperlyConfigured(f"GGZY_HALL_FANOUT 须为 {'、'.join(BACKENDS)} 之一（或留空自动选择）")
    return name


def channel_name() -> str:
    name = (getattr(settings, "GGZY_HALL_FANOUT_CHANNEL", "") or CHANNEL).strip()
    if not _CHANNEL_NAME.fullmatch(name):
        raise ImproperlyConfigured("GGZY_HALL_FANOUT_CHANNEL 须为小写字母、数字和下划线（不以数字开头，至多63个字符）")
    return name


def _redis_url() -> str:
    return (getattr(settings, "GGZY_HALL_FANOUT_REDIS_URL", "") or os.environ.get("REDIS_URL", "")).strip()


def backend(using: str = "default"):
    """The backend the settings name, one instance per process (a forked worker makes its own)."""
    name = backend_name(using)
    if name == "local":
        return LocalBackend()
    database = str(connections[using].settings_dict.get("NAME") or "")
    url = _redis_url() if name == "redis" else ""
    channel = channel_name()
    key = (name, using, database, url, channel, os.getpid())
    with _backends_lock:
        found = _backends.get(key)
        if found is None:
            found = PostgresBackend(using, channel) if name == "postgres" else RedisBackend(url, channel)
            _backends[key] = found
        return found


def publish(topic: str, *, using: str = "default") -> None:
    """Wake the topic's waiters in every process once the current transaction commits (now, in autocommit)."""
    backend(using).publish(topic, using)


def version(topic: str, *, using: str = "default") -> int:
    """The topic's version, to pass to ``wait``; starts this process's listener if there is none yet."""
    backend(using).ensure_listening()
    return hub.version(topic)


def wait(topic: str, since: int, timeout: float) -> int:
    """Block until the topic changed after ``since`` (or ``timeout`` seconds); the topic's new version."""
    return hub.wait(topic, since, timeout)


def live(*, using: str = "default") -> bool:
    """Whether other processes' changes reach this one now (False while a listener is reconnecting)."""
    return bool(backend(using).live())


def stop_all() -> None:
    """Stop this process's listeners and close their connections (tests; a dropped test database needs it)."""
    with _backends_lock:
        found = list(_backends.values())
        _backends.clear()
    for item in found:
        item.stop()
