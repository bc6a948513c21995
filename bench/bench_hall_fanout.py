"""The live halls' fan-out (ggzy.core.fanout): how long from a publisher's COMMIT until every waiting stream in
another process is awake, with N waiters sharing one listener, beside the in-process wake-up measured in the same
run (the floor: a Condition in one process) and the old poll's expected delay (half its interval).

A publisher (a separate OS process for postgres/redis; a thread for local) commits ``--publishes`` transactions,
each publishing the topic, ``--gap`` seconds apart, noting the wall-clock time just before COMMIT. ``--waiters``
threads of this process wait on the topic. A wake-up's delay is its first wake after a publish minus that time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/bench_hall_fanout.py
    .venv/bin/python bench/bench_hall_fanout.py --backend redis      # needs a Redis at 127.0.0.1:6379
    .venv/bin/python bench/bench_hall_fanout.py                      # SQLite: the in-process backend only

No table is touched (pg_notify needs none), so it runs on the configured database itself.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup(backend: str, redis_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ggzy.settings.test")
    os.environ["GGZY_HALL_FANOUT"] = backend
    os.environ["GGZY_HALL_FANOUT_REDIS_URL"] = redis_url
    import django

    django.setup()


def publisher(topic: str, count: int, gap: float) -> list[float]:
    from django.db import transaction

    from ggzy.core import fanout

    sent = []
    for _ in range(count):
        time.sleep(gap)
        with transaction.atomic():
            fanout.publish(topic)
            sent.append(time.time())  # just before COMMIT
    return sent


def measure(backend: str, redis_url: str, waiters: int, count: int, gap: float) -> tuple[list[float], str]:
    from ggzy.core import fanout

    topic = f"bench.{uuid.uuid4().hex}"
    fanout.version(topic)
    end = time.monotonic() + 10
    while not fanout.live() and time.monotonic() < end:
        time.sleep(0.01)
    if not fanout.live():
        raise SystemExit(f"{backend}: the listener did not connect")
    stop = threading.Event()
    wakes: list[list[float]] = [[] for _ in range(waiters)]

    def wait_loop(mine: list[float]) -> None:
        seen = fanout.version(topic)
        while not stop.is_set():
            new = fanout.wait(topic, seen, 0.5)
            if new != seen:
                mine.append(time.time())
                seen = new

    threads = [threading.Thread(target=wait_loop, args=(w,), daemon=True) for w in wakes]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    if backend == "local":
        sent = publisher(topic, count, gap)
        where = "a thread of this process"
    else:
        env = dict(os.environ, GGZY_HALL_FANOUT=backend, GGZY_HALL_FANOUT_REDIS_URL=redis_url)
        done = subprocess.run([sys.executable, __file__, "--publish", topic, "--publishes", str(count),
                               "--gap", str(gap), "--backend", backend, "--redis-url", redis_url],
                              env=env, capture_output=True, text=True, timeout=300, check=True)
        sent = json.loads(done.stdout.strip().splitlines()[-1])
        where = "another OS process"
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join(2)
    delays, missed = [], 0
    for mine in wakes:
        for at in sent:
            after = [w for w in mine if w >= at]
            if after:
                delays.append(after[0] - at)
            else:
                missed += 1
    if missed:
        print(f"  {backend}: {missed} wake-ups missing (of {len(sent) * waiters})")
    return delays, where


def _report(name: str, delays: list[float], where: str, waiters: int) -> None:
    ms = sorted(d * 1000 for d in delays)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"{name:9} publisher in {where}, {waiters} waiters: commit→awake p50 {statistics.median(ms):.1f} ms, "
          f"p99 {p99:.1f} ms, max {ms[-1]:.1f} ms ({len(ms)} wake-ups)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="", help="postgres | redis | local (default: postgres on PostgreSQL, "
                                                      "else local)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--waiters", type=int, default=200)
    parser.add_argument("--publishes", type=int, default=30)
    parser.add_argument("--gap", type=float, default=0.1)
    parser.add_argument("--poll", type=float, default=1.0, help="the old poll interval, for comparison")
    parser.add_argument("--publish", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    _setup(args.backend, args.redis_url)
    if args.publish:
        print(json.dumps(publisher(args.publish, args.publishes, args.gap)))
        return
    from django.db import connection

    from ggzy.core import fanout

    backend = fanout.backend_name()
    delays, where = measure(backend, args.redis_url, args.waiters, args.publishes, args.gap)
    _report(backend, delays, where, args.waiters)
    if backend != "local":
        fanout.stop_all()
        from django.conf import settings

        settings.GGZY_HALL_FANOUT = "local"
        base, base_where = measure("local", "", args.waiters, args.publishes, args.gap)
        _report("baseline", base, base_where + " (in-process Condition)", args.waiters)
    print(f"old poll every {args.poll:g} s: a change waited {args.poll * 500:.0f} ms on average, {args.poll * 1000:.0f} ms"
          f" at worst, and each open stream read the database {1 / args.poll:g}×/s; now once per 5 s when nothing"
          f" changes (database: {connection.vendor})")


if __name__ == "__main__":
    main()
