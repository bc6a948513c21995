"""The kill test (issue 15, done when): the platform under uvicorn is killed (SIGKILL, no shutdown) in the middle of
a round under load; after the restart, every bid a bidder was told was accepted is stored exactly once with the
sequence it was told, the sequences have no gap, nothing was stored without its bidder learning it (unanswered bids
are sent again with their idempotency key and get the first answer back), and the listing's head is the last bid.

PostgreSQL only: the server is another process and must share the test database (the test SQLite is in memory)."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.rights import loadrun
from ggzy.rights.models import RightsBid

from .factories import admit, listing_make

pytestmark = pytest.mark.django_db(transaction=True)
CLIENTS = 24


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_a_server_killed_during_a_round_loses_and_duplicates_no_accepted_bid(make_user, centers):
    if connection.vendor != "postgresql":
        pytest.skip("the server process shares the database only on PostgreSQL (the test SQLite is in memory)")
    # given a land listing open for bids now (real time: the server process has its own clock) and 24 bidders
    clock.unfreeze()
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], listing_ends_at=clock.now() + dt.timedelta(days=5),
                           staff=staff)
    regs = [admit(make_user, listing, staff=staff) for _ in range(CLIENTS)]
    bidders = loadrun.sessions_for([r.bidder for r in regs], [listing.pk])
    port = loadrun.free_port()
    base = f"http://127.0.0.1:{port}"
    ready = f"/api/v1/rights/listings/{listing.pk}/hall"
    tally = loadrun.Tally()
    servers = [loadrun.uvicorn_start(database_url=_database_url(), port=port, workers=2)]
    try:
        loadrun.wait_ready(base, ready)

        async def round_with_a_crash() -> tuple[int, int]:
            load = asyncio.create_task(loadrun.drive(base, bidders, seconds=9.0, start=listing.start_price,
                                                     increment=listing.increment, tally=tally))
            await asyncio.sleep(3.0)
            before = len(tally.accepted)
            # when the server is killed under load, and started again a second later
            await asyncio.to_thread(loadrun.uvicorn_kill, servers[0])
            await asyncio.sleep(1.0)
            servers.append(loadrun.uvicorn_start(database_url=_database_url(), port=port, workers=2))
            await asyncio.to_thread(loadrun.wait_ready, base, ready)
            await load
            await loadrun.retry_pending(base, bidders, tally)
            return before, len(tally.accepted)

        before, after = asyncio.run(round_with_a_crash())
    finally:
        for server in servers:
            loadrun.uvicorn_stop(server)
    # then bids were accepted before and after the crash, and the crash cut requests off
    assert before > 0 and after > before and tally.failed > 0, (before, after, tally.failed)
    # and no accepted bid is missing, none duplicated, none stored unanswered, no gap, the head is the last bid
    found = loadrun.check_stored([listing.pk], tally)
    print(f"kill test: {found}, failed requests {tally.failed}, replayed {tally.replayed}, refused {tally.refused}")
    assert found["stored"] == found["accepted_answers"] == after, found
    assert {k: v for k, v in found.items() if k not in ("stored", "accepted_answers")} == {
        "lost": 0, "duplicated": 0, "gaps": 0, "head_mismatch": 0, "conflicting": 0, "stored_never_answered": 0}
    assert RightsBid.objects.filter(listing=listing, sequence__isnull=False).count() == after
    assert listing.start_price + listing.increment * (after - 1) == max(
        RightsBid.objects.filter(listing=listing, sequence__isnull=False).values_list("amount", flat=True),
        default=Decimal(0))
