"""Driving the rights bidding API over HTTP from many concurrent bidders — shared by the kill test
(``tests/test_kill.py``) and the benchmark (``bench/bench_rights_http.py``); never imported by the platform itself.

A bidder is a signed-in session (its cookie and CSRF token made directly in the session store, as a browser's
login would). Each bidder loops: bid the next price on what it last saw (``current_sequence`` /
``current_price`` of the previous answer), with a fresh idempotency key; a stale refusal updates what it saw and it
bids again. A request that gets no answer (the server died) is kept with its key, to be sent again with the same key
— the idempotency key must then return the first answer if the bid had been committed.

``uvicorn_start`` runs the platform's ASGI application under uvicorn on a free port against a named database.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass
class Bidder:
    cookies: dict[str, str]
    csrf: str
    listing_id: int
    sequence: int = 0
    price: Decimal | None = None
    pending: list[dict] = field(default_factory=list)


@dataclass
class Tally:
    accepted: dict[str, int] = field(default_factory=dict)  # idempotency key → sequence answered
    latencies: list[float] = field(default_factory=list)  # of accepted bids (first answers, not replays)
    refused_latencies: list[float] = field(default_factory=list)  # of refusals (stale, mostly)
    refused: int = 0
    failed: int = 0  # no answer (connection refused or reset): kept pending
    replayed: int = 0
    conflicting: list[str] = field(default_factory=list)  # a key answered twice with different sequences

    def record(self, key: str, sequence: int) -> None:
        earlier = self.accepted.get(key)
        if earlier is not None and earlier != sequence:
            self.conflicting.append(key)
        self.accepted[key] = sequence


def sessions_for(users, listing_ids: list[int]) -> list[Bidder]:
    """A signed-in session per user (round-robin over the listings), made in the session store."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    bidders = []
    for n, user in enumerate(users):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        csrf = secrets.token_hex(16)
        bidders.append(Bidder(cookies={settings.SESSION_COOKIE_NAME: session.session_key or "",
                                       settings.CSRF_COOKIE_NAME: csrf}, csrf=csrf,
                              listing_id=listing_ids[n % len(listing_ids)]))
    return bidders


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def uvicorn_start(*, database_url: str, port: int, workers: int = 1) -> subprocess.Popen:
    """The platform under uvicorn (its own process group, so that a kill takes its workers too)."""
    env = dict(os.environ, DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="ggzy.settings.test",
               PYTHONPATH=str(ROOT), GGZY_DB_POOL_MAX=os.environ.get("GGZY_DB_POOL_MAX", "8"))
    command = [sys.executable, "-m", "uvicorn", "ggzy.asgi:application", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603 — our own command line


def uvicorn_kill(process: subprocess.Popen) -> None:
    """SIGKILL the server and its workers: no shutdown, no cleanup (what a crash does)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def uvicorn_stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        uvicorn_kill(process)


def server_cpu_seconds(process: subprocess.Popen) -> float | None:
    """CPU time (user + system) used so far by the server's process group (the uvicorn workers), from /proc; None
    where there is no /proc. A figure the machine's other load does not change, unlike latencies."""
    total, tick = 0, os.sysconf("SC_CLK_TCK")
    try:
        stats = list(Path("/proc").glob("[0-9]*/stat"))
    except OSError:
        return None
    for stat in stats:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == process.pid:  # the process group (the server started its own session)
                total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick if stats else None


def wait_ready(base: str, path: str, timeout: float = 60.0) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + path, timeout=2) as answer:  # noqa: S310 — our own local server
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"server at {base} did not answer {path} within {timeout:.0f} s")


async def _post(session, base: str, bidder: Bidder, body: dict, tally: Tally) -> dict | None:
    import aiohttp

    began = time.perf_counter()
    try:
        async with session.post(f"{base}/api/v1/rights/listings/{bidder.listing_id}/bids", json=body,
                                headers={"X-CSRFToken": bidder.csrf}, cookies=bidder.cookies) as response:
            answer = await response.json()
            if response.status != 200:
                raise AssertionError(f"HTTP {response.status}: {answer}")
    except (TimeoutError, aiohttp.ClientError, ConnectionError):
        tally.failed += 1
        return None
    took = time.perf_counter() - began
    if answer["accepted"]:
        tally.record(body["idempotency_key"], answer["sequence"])
        if answer["replayed"]:
            tally.replayed += 1
        else:
            tally.latencies.append(took)
    else:
        tally.refused += 1
        tally.refused_latencies.append(took)
    return answer


def _next_body(bidder: Bidder, start: Decimal, increment: Decimal) -> dict:
    amount = start if bidder.price is None else bidder.price + increment
    return {"amount": f"{amount:.2f}", "seen_sequence": bidder.sequence,
            "idempotency_key": secrets.token_hex(12)}


async def drive(base: str, bidders: list[Bidder], *, seconds: float, start: Decimal, increment: Decimal,
                tally: Tally, stop: asyncio.Event | None = None, think: float = 0.0) -> None:
    """Every bidder bids in a loop for ``seconds`` (or until ``stop``); unanswered bids are kept pending.

    ``think``: mean seconds a bidder waits before each bid (exponentially distributed, as independent people
    arrive); 0 sends the next bid the moment the last answer comes back, so that every client always has one request
    waiting — the server's saturation, where each answer's latency is the number of clients over the answers per
    second (Little's law), whatever the server does."""
    import random

    import aiohttp

    stop = stop or asyncio.Event()
    until = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        async def one(bidder: Bidder) -> None:
            while time.monotonic() < until and not stop.is_set():
                if think > 0:  # never past the end of the run (the run's length is what answers/s divide by)
                    pause = random.expovariate(1.0 / think)  # noqa: S311 — a load shape, not a secret
                    await asyncio.sleep(min(pause, max(0.0, until - time.monotonic())))
                    if time.monotonic() >= until or stop.is_set():
                        break
                # a bid that got no answer is sent again, with its own key, before anything new
                body = bidder.pending[0] if bidder.pending else _next_body(bidder, start, increment)
                answer = await _post(session, base, bidder, body, tally)
                if answer is None:
                    if not bidder.pending:
                        bidder.pending.append(body)
                    await asyncio.sleep(0.1)
                    continue
                bidder.pending.clear()
                bidder.sequence = answer["current_sequence"]
                bidder.price = Decimal(answer["current_price"]) if answer["current_price"] else None

        await asyncio.gather(*(one(b) for b in bidders))


async def retry_pending(base: str, bidders: list[Bidder], tally: Tally) -> None:
    """Send every unanswered bid again with its own idempotency key, until each gets an answer."""
    import aiohttp

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        for bidder in bidders:
            for body in bidder.pending:
                for _ in range(50):
                    if await _post(session, base, bidder, body, tally) is not None:
                        break
                    await asyncio.sleep(0.2)
                else:
                    raise AssertionError(f"no answer for {body['idempotency_key']} after the restart")
            bidder.pending.clear()


def check_stored(listing_ids: list[int], tally: Tally) -> dict[str, int]:
    """Compare the answers with the stored bids: lost (an accepted answer with no such stored bid), duplicated
    (a sequence or a key stored twice), gaps in a listing's sequences, keys answered with two sequences."""
    from ggzy.rights.models import RightsBid, RightsListing

    rows = list(RightsBid.objects.filter(listing_id__in=listing_ids, sequence__isnull=False)
                .values_list("listing_id", "sequence", "idempotency_key"))
    stored = {key: seq for _, seq, key in rows}
    lost = sum(1 for key, seq in tally.accepted.items() if stored.get(key) != seq)
    by_listing: dict[int, list[int]] = {}
    for listing_id, seq, _ in rows:
        by_listing.setdefault(listing_id, []).append(int(seq or 0))
    duplicated = len(rows) - len({(lid, seq) for lid, seq, _ in rows}) + len(rows) - len(stored)
    gaps = sum(1 for seqs in by_listing.values() if sorted(seqs) != list(range(1, len(seqs) + 1)))
    heads = dict(RightsListing.objects.filter(pk__in=listing_ids).values_list("pk", "current_sequence"))
    behind = sum(1 for lid, seqs in by_listing.items() if heads[lid] != max(seqs))
    unanswered = sum(1 for key in stored if key not in tally.accepted)
    return {"accepted_answers": len(tally.accepted), "stored": len(rows), "lost": lost, "duplicated": duplicated,
            "gaps": gaps, "head_mismatch": behind, "conflicting": len(tally.conflicting),
            "stored_never_answered": unanswered}
