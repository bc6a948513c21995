"""The bid path under load (issue 15): the statements a bid sends while it holds the listing's row lock, the
idempotency key scoped to the bidder's registration, and a bid on a listing that does not exist."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ggzy.core import clock
from ggzy.core.errors import Conflict, NotAllowed
from ggzy.rights.choices import BidRefusal, RegistrationState
from ggzy.rights.models import RightsBid, RightsRegistration
from ggzy.rights.services import bidding
from ggzy.rights.services.common import listing_locked

pytestmark = pytest.mark.django_db


def bid(reg, amount, seen, key):
    return bidding.bid_place(actor=reg.bidder, listing_id=reg.listing_id, amount=amount, seen_sequence=seen,
                             idempotency_key=key)


def _statements(queries) -> list[str]:
    """The SQL sent, without the test's savepoints (the service's atomic block nests in the test's transaction)."""
    return [q["sql"] for q in queries if q["sql"] and "SAVEPOINT" not in q["sql"].upper()]


def test_a_stale_refusal_sends_three_statements_and_an_acceptance_reads_once(land):
    # given a listing with one accepted bid
    clock.advance(dt.timedelta(days=3))
    assert bid(land["a"], "1000000", 0, "key-p15-first").accepted
    assert land["b"].bidder.pk  # loaded now, not counted below
    # when another bidder bids on the sequence before it
    with CaptureQueriesContext(connection) as stale:
        answer = bid(land["b"], "1010000", 0, "key-p15-stale")
    # then it is refused as stale after three statements: the lock, one read (registration and key), the stored answer
    assert answer.refusal == BidRefusal.STALE
    sent = _statements(stale.captured_queries)
    assert len(sent) == 3, sent
    assert "rights_rightslisting" in sent[0] and "rights_rightsregistration" in sent[1] and "INSERT" in sent[2]
    # and an accepted bid reads the registration and the key once too, before its writes
    with CaptureQueriesContext(connection) as accepted:
        assert bid(land["b"], "1010000", 1, "key-p15-second").accepted
    reads = [s for s in _statements(accepted.captured_queries) if s.lstrip().upper().startswith("SELECT")
             and ("rights_rightsregistration" in s or "rights_rightsbid" in s)]
    assert len(reads) == 1, reads


def test_the_same_key_from_another_bidder_is_not_a_retry(land):
    # given bidder a's accepted bid under a key
    clock.advance(dt.timedelta(days=3))
    first = bid(land["a"], "1000000", 0, "key-p15-shared")
    # when bidder b sends a bid under the same key string
    second = bid(land["b"], "1010000", 1, "key-p15-shared")
    # then b's bid is its own (accepted, sequence 2), not a's answer replayed
    assert first.accepted and second.accepted and not second.replayed and second.sequence == 2
    assert RightsBid.objects.filter(idempotency_key="key-p15-shared").count() == 2
    # and a's retry still gets a's first answer
    retry = bid(land["a"], "1000000", 0, "key-p15-shared")
    assert retry.replayed and retry.sequence == 1


def test_a_bid_on_a_listing_that_does_not_exist_answers_404_in_chinese(land):
    client = Client()
    client.force_login(land["a"].bidder)
    response = client.post("/api/v1/rights/listings/999999/bids", json.dumps(
        {"amount": "1000000", "seen_sequence": 0, "idempotency_key": "key-p15-nowhere"}),
        content_type="application/json")
    assert response.status_code == 404 and "挂牌项目不存在" in response.json()["detail"]
    assert RightsBid.objects.count() == 0


def _a_backend_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # pg_stat_activity is otherwise frozen per transaction
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a bid waiting on a row lock needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_registration_change_committed_while_a_bid_waits_for_the_lock_is_seen(land):
    # given a bid waiting for the listing's row lock, which another transaction holds
    clock.advance(dt.timedelta(days=3))
    outcome: dict[str, object] = {}

    def waiting_bid() -> None:
        try:
            outcome["answer"] = bid(land["b"], "1000000", 0, "key-p15-waits")
        except Exception as exc:  # noqa: BLE001 — asserted below
            outcome["error"] = exc
        finally:
            connections["default"].close()

    with transaction.atomic():
        listing_locked(land["listing"].pk)
        waiter = threading.Thread(target=waiting_bid)
        waiter.start()
        deadline = time.monotonic() + 20
        while not _a_backend_waits_for_a_lock():
            assert time.monotonic() < deadline, "the bid never waited for the lock"
            time.sleep(0.05)
        # when the lock holder withdraws the bidder's admission and commits
        RightsRegistration.objects.filter(pk=land["b"].pk).update(state=RegistrationState.REFUSED)
    waiter.join(30)
    # then the waiting bid reads the registration after it got the lock: refused, nothing stored
    assert isinstance(outcome.get("error"), NotAllowed), outcome
    assert not RightsBid.objects.filter(idempotency_key="key-p15-waits").exists()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_stale_refusal_is_stored_after_the_listing_lock_is_released(land):
    # given a listing with one accepted bid
    clock.advance(dt.timedelta(days=3))
    assert bid(land["a"], "1000000", 0, "key-p15-lockfirst").accepted
    free_while_storing: list[bool] = []

    def try_lock() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT id FROM rights_rightslisting WHERE id = %s FOR UPDATE NOWAIT",
                               [land["listing"].pk])
            free_while_storing.append(True)
        except Exception:  # noqa: BLE001 — locked: could not obtain lock
            free_while_storing.append(False)
        finally:
            connections["default"].close()

    def watch(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "rights_rightsbid"'):
            other = threading.Thread(target=try_lock)  # another bidder's connection, at the moment of the INSERT
            other.start()
            other.join(10)
        return execute(sql, params, many, context)

    # when another bidder's bid on the old sequence is refused as stale
    with connection.execute_wrapper(watch):
        answer = bid(land["b"], "1010000", 0, "key-p15-stale-after")
    # then the listing's row was already free when the refusal was stored, and the refusal is stored with its key
    assert answer.refusal == BidRefusal.STALE and free_while_storing == [True]
    assert RightsBid.objects.get(idempotency_key="key-p15-stale-after").refusal == BidRefusal.STALE
    # and an accepted bid still writes under the lock
    free_while_storing.clear()
    with connection.execute_wrapper(watch):
        assert bid(land["b"], "1010000", 1, "key-p15-accepted-under").accepted
    assert free_while_storing == [False]


@pytest.mark.parametrize(("same_bid", "outcome"), [(True, "replayed"), (False, "conflict")],
                         ids=["retry-stored-first", "key-reused-for-another-bid"])
def test_a_refusal_whose_key_was_stored_meanwhile_answers_with_the_stored_answer(land, monkeypatch, same_bid,
                                                                                outcome):
    # given a stale bid whose key a retry stores between the decision and the storing of the refusal
    clock.advance(dt.timedelta(days=3))
    assert bid(land["a"], "1000000", 0, "key-p15-race-first").accepted
    store = bidding._refusal_store

    def retry_first(decided, listing):
        RightsBid.objects.create(listing=listing, registration=decided.registration, seen_sequence=0,
                                 idempotency_key=decided.idempotency_key,
                                 amount=decided.amount if same_bid else decided.amount + 1000,
                                 refusal=BidRefusal.STALE, message="先到的重试", received_at=decided.received_at)
        return store(decided, listing)

    monkeypatch.setattr(bidding, "_refusal_store", retry_first)
    # when the refusal is stored
    if outcome == "conflict":
        with pytest.raises(Conflict):
            bid(land["b"], "1010000", 0, "key-p15-race")
    else:
        answer = bid(land["b"], "1010000", 0, "key-p15-race")
        # then the answer is the one stored first, marked as a replay
        assert answer.replayed and answer.message == "先到的重试" and answer.refusal == BidRefusal.STALE
    # and the key holds one stored attempt only
    assert RightsBid.objects.filter(idempotency_key="key-p15-race").count() == 1
