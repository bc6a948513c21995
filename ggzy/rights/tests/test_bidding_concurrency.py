"""Many bidders at once on one listing: every accepted bid has its own sequence, obeys the increment, and the
leader is the last accepted bid. Real races on PostgreSQL; on the in-memory SQLite test database (shared cache,
where a second writer fails at once) the threads take turns, as the embedded file database's IMMEDIATE
transactions make them do."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from django.db import connection, connections

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.rights.choices import BidRefusal
from ggzy.rights.models import RightsBid, RightsListing
from ggzy.rights.services import bidding

from .factories import SHANGHAI, admit, listing_make

BIDDERS = 6
ATTEMPTS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_bidders_get_contiguous_sequences_and_one_leader(make_user, centers):
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], staff=staff,
                           listing_ends_at=dt.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI))
    regs = [admit(make_user, listing, staff=staff) for _ in range(BIDDERS)]
    clock.freeze(dt.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI))
    start = threading.Barrier(BIDDERS)
    in_turn = threading.Lock() if connection.vendor == "sqlite" else None
    answers: list[bidding.BidAnswer] = []
    errors: list[BaseException] = []
    guard = threading.Lock()

    def run(reg) -> None:
        try:
            start.wait(timeout=30)
            for _ in range(ATTEMPTS):
                if in_turn:  # shared-cache SQLite: even the read must not overlap a writer
                    in_turn.acquire()
                try:
                    current = RightsListing.objects.values_list("current_sequence", "current_price").get(
                        pk=listing.pk)
                    seen, price = current
                    amount = listing.start_price if price is None else price + listing.increment
                    answer = bidding.bid_place(actor=reg.bidder, listing_id=listing.pk, amount=str(amount),
                                               seen_sequence=seen, idempotency_key=uuid.uuid4().hex)
                finally:
                    if in_turn:
                        in_turn.release()
                with guard:
                    answers.append(answer)
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            with guard:
                errors.append(exc)
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=run, args=(reg,)) for reg in regs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(answers) == BIDDERS * ATTEMPTS
    accepted = sorted((a for a in answers if a.accepted), key=lambda a: a.sequence or 0)
    assert accepted, "at least the first bid is accepted"
    assert [a.sequence for a in accepted] == list(range(1, len(accepted) + 1))
    refused = {a.refusal for a in answers if not a.accepted}
    assert refused <= {BidRefusal.STALE, BidRefusal.ALREADY_LEADING, BidRefusal.TOO_LOW}
    stored = list(RightsBid.objects.filter(listing=listing, sequence__isnull=False).order_by("sequence"))
    assert [b.sequence for b in stored] == [a.sequence for a in accepted]
    for previous, following in zip(stored, stored[1:], strict=False):
        assert following.amount >= previous.amount + listing.increment
        assert following.registration_id != previous.registration_id
    final = RightsListing.objects.get(pk=listing.pk)
    assert final.current_sequence == len(accepted)
    assert bidding.replay(final) == (final.leading_id, final.current_price) == (stored[-1].registration_id,
                                                                                  stored[-1].amount)
