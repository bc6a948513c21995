"""Rights bidding on one hot listing: accepted bids per second under N concurrent clients, beside a baseline.

Each client loops for ``--seconds``: read the listing's sequence and price, bid the minimum through
``rights.services.bidding.bid_place`` (row lock, time after the lock, sequence check, idempotency record, audit and
ledger entry), and count the answer. The baseline, in the same run and on the same database with the same number
of clients, is the bare shape of the transaction: ``SELECT … FOR UPDATE`` the listing row, INSERT a bid row,
UPDATE the listing. Prints accepted bids/s, p50/p99 latency of accepted bids, refused (stale) answers, and lost
or duplicated bids (accepted answers vs stored rows; must be 0). Clients call the service in threads (not HTTP).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/bench_rights.py --clients 16
    .venv/bin/python bench/bench_rights.py            # SQLite (in-memory test database: clients take turns)
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import threading
import time
import uuid
from zoneinfo import ZoneInfo

from _setup import django_setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    django_setup()
    run(args.clients, args.seconds)


def _listing(n_bidders: int):
    from ggzy.accounts.roles import Role
    from ggzy.accounts.services import user_create
    from ggzy.core import clock
    from ggzy.registry.models import Center
    from ggzy.rights.services import listings, registration

    shanghai = ZoneInfo("Asia/Shanghai")
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=shanghai))
    center = Center.objects.get(code="370100")
    staff = user_create(actor=None, username="bench-staff", password="pass-1234-ok", role=Role.CENTER_STAFF,
                        center=center)
    grantor = user_create(actor=None, username="bench-grantor", password="pass-1234-ok", role=Role.TENDERER)
    ends = dt.datetime(2026, 3, 20, 10, 0, tzinfo=shanghai)
    listing = listings.listing_create(
        actor=staff, center=center, grantor=grantor, kind="land_listing", code="BENCH-1", title="bench",
        announced_at=ends - dt.timedelta(days=60), registration_opens_at=ends - dt.timedelta(days=40),
        registration_closes_at=ends - dt.timedelta(days=2), listing_starts_at=ends - dt.timedelta(days=16),
        listing_ends_at=ends, start_price="1000000", increment="1000", deposit="1000")
    regs = []
    for i in range(n_bidders):
        bidder = user_create(actor=None, username=f"bench-bidder-{i}", password="pass-1234-ok", role=Role.BIDDER)
        reg = registration.registration_apply(actor=bidder, listing_id=listing.pk)
        registration.registration_deposit_record(actor=staff, registration_id=reg.pk, amount="1000",
                                                 reference=f"B{i}")
        regs.append(registration.registration_qualify(actor=staff, registration_id=reg.pk, approve=True))
    clock.freeze(dt.datetime(2026, 3, 10, 9, 0, tzinfo=shanghai))  # listing open; the round is far away
    return listing, regs


def _drive(n_clients: int, seconds: float, attempt) -> tuple[list[float], int, float]:
    """Run ``attempt(client)`` in a loop on each client thread; latencies of accepted attempts, refusals, time."""
    from django.db import connection, connections

    in_turn = threading.Lock() if connection.vendor == "sqlite" else None
    latencies: list[float] = []
    refused = [0]
    guard = threading.Lock()
    start = threading.Barrier(n_clients + 1)
    stop = [0.0]

    def client(k: int) -> None:
        try:
            start.wait()
            while time.perf_counter() < stop[0]:
                began = time.perf_counter()
                if in_turn:
                    in_turn.acquire()
                try:
                    ok = attempt(k)
                finally:
                    if in_turn:
                        in_turn.release()
                took = time.perf_counter() - began
                with guard:
                    if ok:
                        latencies.append(took)
                    else:
                        refused[0] += 1
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(n_clients)]
    for t in threads:
        t.start()
    stop[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for t in threads:
        t.join()
    return latencies, refused[0], time.perf_counter() - began


def _report(name: str, latencies: list[float], refused: int, elapsed: float) -> None:
    ordered = sorted(latencies) or [0.0]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"{name}: {len(latencies)} accepted in {elapsed:.1f} s = {len(latencies) / elapsed:.1f} bids/s; "
          f"p50 {statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms; refused {refused} "
          f"(answered {(len(latencies) + refused) / elapsed:.1f}/s)")


def run(n_clients: int, seconds: float) -> None:
    from django.db import connection, transaction

    from ggzy.rights.models import RightsBid, RightsListing
    from ggzy.rights.services import bidding

    listing, regs = _listing(n_clients)
    answers: list[int] = []
    guard = threading.Lock()

    def bid(k: int) -> bool:
        seq, price = RightsListing.objects.values_list("current_sequence", "current_price").get(pk=listing.pk)
        amount = listing.start_price if price is None else price + listing.increment
        answer = bidding.bid_place(actor=regs[k].bidder, listing_id=listing.pk, amount=str(amount),
                                   seen_sequence=seq, idempotency_key=uuid.uuid4().hex)
        if answer.accepted:
            with guard:
                answers.append(answer.sequence or 0)
        return answer.accepted

    print(f"database: {connection.vendor}; clients: {n_clients}; {seconds:.0f} s each run")
    _report("rights bid_place", *_drive(n_clients, seconds, bid))
    stored = list(RightsBid.objects.filter(listing=listing, sequence__isnull=False)
                  .order_by("sequence").values_list("sequence", flat=True))
    lost = len(set(answers) - set(stored))
    duplicated = len(answers) - len(set(answers)) + len(stored) - len(set(stored))
    gaps = stored != list(range(1, len(stored) + 1))
    print(f"lost {lost}, duplicated {duplicated}, sequence gaps {'yes' if gaps else 'no'} (all must be 0/no)")

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_baseline_bid (listing_id bigint, seq integer, amount numeric(16,2))")
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""

    def baseline(k: int) -> bool:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT current_sequence FROM rights_rightslisting WHERE id = %s{lock}", [listing.pk])
            seq = cursor.fetchone()[0] + 1
            cursor.execute("INSERT INTO bench_baseline_bid VALUES (%s, %s, %s)", [listing.pk, seq, 1000000 + seq])
            cursor.execute("UPDATE rights_rightslisting SET current_sequence = %s WHERE id = %s", [seq, listing.pk])
        return True

    _report("baseline SELECT … FOR UPDATE + INSERT + UPDATE", *_drive(n_clients, seconds, baseline))


if __name__ == "__main__":
    main()
