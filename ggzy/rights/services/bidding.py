"""Bidding (报价) — correct under load (issue 15 item 4).

Every check runs after the listing's row is locked (``select_for_update``; on SQLite the IMMEDIATE transaction
serialises writers) and with the time read after the lock. Accepted bids get the listing's next sequence number
and are ordered by it; a bid names the sequence it saw and is refused when another bid came first; bids only go
up by at least the increment and cannot be withdrawn; a bid after the countdown is refused even if it was sent
before; only accepted bids restart the countdown. Every attempt is stored under the bidder's idempotency key, so a
retry gets the first answer back and never places a second bid; a refusal that changes nothing is decided under the
lock and stored just after the lock is released (the key's first stored answer wins: ``_refusal_store``). The hall reads committed rows only and is woken
through ``hall_changed`` (ggzy.core.fanout), delivered after the commit only: live updates go out after commit.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed, NotFound
from ggzy.core.money import format_yuan, plain_decimal, yuan
from ggzy.core.pipeline import fetch_in_order

from .. import procedures
from ..choices import BidRefusal, ListingState, RegistrationState
from ..models import RightsBid, RightsListing, RightsRegistration
from .common import admitted_counter, hall_changed, listing_lock_query, minutes
from .listings import record_transitions

_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}", re.ASCII)


@dataclass(frozen=True)
class BidAnswer:
    """The answer to one bid attempt (the same for every retry with its idempotency key)."""

    accepted: bool
    sequence: int | None
    amount: Decimal
    refusal: str
    message: str
    current_sequence: int
    current_price: Decimal | None
    round_ends_at: dt.datetime | None
    replayed: bool = False


def minimum_next(listing: RightsListing) -> Decimal:
    """The lowest acceptable bid: the start price, or the current price plus the increment."""
    return listing.start_price if listing.current_price is None else listing.current_price + listing.increment


def _refusal(listing: RightsListing, registration: RightsRegistration, amount: Decimal, seen: int
             ) -> tuple[str, str]:
    if listing.state == ListingState.CLOSED:
        return BidRefusal.CLOSED, "竞价已结束，报价未被接受"
    if listing.state not in procedures.BIDDING_STATES:
        return BidRefusal.NOT_OPEN, procedures.procedure_for(listing).not_open_message(listing)
    if seen != listing.current_sequence:
        return BidRefusal.STALE, (f"已有新的报价（当前序号 {listing.current_sequence}，当前价 "
                                  f"{format_yuan(listing.current_price)}），请按最新价格重新报价")
    if listing.leading_id == registration.pk:
        return BidRefusal.ALREADY_LEADING, "您已是当前最高报价，无需再次报价"
    floor = minimum_next(listing)
    if amount < floor:
        return BidRefusal.TOO_LOW, f"报价不得低于{format_yuan(floor)}（当前价加增价幅度）"
    return "", ""


def _answer(bid: RightsBid, listing: RightsListing, *, replayed: bool = False) -> BidAnswer:
    return BidAnswer(accepted=bid.is_accepted, sequence=bid.sequence, amount=bid.amount, refusal=bid.refusal,
                     message=bid.message, current_sequence=listing.current_sequence,
                     current_price=listing.current_price, round_ends_at=listing.round_ends_at, replayed=replayed)


def bid_place(*, actor, listing_id: int, amount: object, seen_sequence: object, idempotency_key: str) -> BidAnswer:
    """Place one bid. Bad input raises DomainError (nothing stored); a well-formed bid that the listing's state
    refuses is stored with its reason and answered (accepted=False), so that a retry gets the same answer."""
    value = yuan(amount, field="amount", label="报价")
    seen = int(plain_decimal(seen_sequence, field="seen_sequence", label="报价依据的序号", places=0,
                             maximum=Decimal(2**31 - 1)))
    key = (idempotency_key or "").strip()
    if not _KEY.fullmatch(key):
        raise DomainError("幂等键须为8至64位字母、数字、下划线或连字符", field="idempotency_key")
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAllowed("请先登录", field="__all__")
    with transaction.atomic():
        # the listing's row lock, then the bidder's registration and whether this key was used already — sent
        # together (one round trip: every round trip inside the lock is a thread wake-up the other bidders on this
        # listing queue behind); the server reads the registration only once the lock is held, with a snapshot
        # taken then (READ COMMITTED), so every check still sees what was committed before the lock
        locked, found = fetch_in_order(
            listing_lock_query(listing_id),
            RightsRegistration.objects.filter(listing_id=listing_id, bidder_id=actor.pk)
            .annotate(earlier_id=Subquery(RightsBid.objects.filter(
                registration=OuterRef("pk"), idempotency_key=key).values("pk")[:1]))
            .order_by("pk")[:1])
        if not locked:
            raise NotFound("挂牌项目不存在", field="listing")
        listing = cast(RightsListing, locked[0])
        now = clock.now()  # after the lock: the order of the lock is the order of time
        registration = cast(RightsRegistration | None, found[0] if found else None)
        if registration is None or registration.state != RegistrationState.ADMITTED:
            raise NotAllowed("您未取得本项目的竞买资格", field="__all__")
        earlier_id = getattr(registration, "earlier_id", None)  # the annotation
        if earlier_id is not None:  # a retry (rare): its first answer
            earlier = RightsBid.objects.get(pk=earlier_id)
            if earlier.amount != value or earlier.seen_sequence != seen:
                raise Conflict("该幂等键已用于另一笔报价", field="idempotency_key")
            return _answer(earlier, listing, replayed=True)
        before = listing.state
        moved = procedures.advance(listing, now, admitted_counter(listing))
        if moved:
            listing.save()
            record_transitions(listing, before)
        refusal, message = _refusal(listing, registration, value, seen)
        bid = RightsBid(listing=listing, registration=registration, idempotency_key=key, seen_sequence=seen,
                        amount=value, refusal=refusal, message=message, received_at=now,
                        in_timed_round=listing.state == ListingState.TIMED_ROUND)
        if refusal and not moved:
            # decided under the lock, and it changes nothing the lock guards: this transaction wrote nothing (its
            # commit flushes nothing to disk) and ends here, releasing the lock; the refusal is stored after it, so
            # the bidders queued on this listing do not wait for that INSERT and its commit's flush too
            store_after_lock = True
        else:
            store_after_lock = False
            if not refusal:
                bid.sequence = listing.current_sequence + 1
                bid.message = "报价已接受"
                listing.current_sequence = bid.sequence
                listing.current_price = value
                listing.leading = registration
                if listing.state == ListingState.TIMED_ROUND:  # only an accepted bid restarts the countdown
                    listing.round_ends_at = now + minutes(listing.round_minutes)
                listing.save(update_fields=["current_sequence", "current_price", "leading", "round_ends_at"])
                hall_changed(listing.pk)  # the watchers wake after the commit
            bid.save()
            if not refusal:
                audit_record(actor=actor, action="rights.bid_accepted", obj=listing, sealed=True,
                             after={"sequence": bid.sequence, "paddle": registration.paddle, "amount": value,
                                    "at": now, "round_ends_at": listing.round_ends_at})
    if store_after_lock:
        return _refusal_store(bid, listing)
    return _answer(bid, listing)


def _refusal_store(bid: RightsBid, listing: RightsListing) -> BidAnswer:
    """Store a refusal decided under the listing's lock, after the lock: the key's first stored answer wins. A retry
    with the same key sent before this answer came back may have stored its own answer meanwhile (the same refusal,
    or an acceptance if the listing opened in between): that stored answer is then the answer to both."""
    try:
        with transaction.atomic():
            bid.save()
    except IntegrityError:
        earlier = RightsBid.objects.filter(registration_id=bid.registration_id,
                                           idempotency_key=bid.idempotency_key).first()
        if earlier is None:
            raise
        if earlier.amount != bid.amount or earlier.seen_sequence != bid.seen_sequence:
            raise Conflict("该幂等键已用于另一笔报价", field="idempotency_key") from None
        return _answer(earlier, listing, replayed=True)
    return _answer(bid, listing)


def replay(listing: RightsListing) -> tuple[int | None, Decimal | None]:
    """The leader and price recomputed from the accepted bids' log alone (by sequence): (registration id, price)."""
    last = (RightsBid.objects.filter(listing=listing, sequence__isnull=False).order_by("-sequence")
            .values_list("registration_id", "amount").first())
    return (last[0], last[1]) if last else (None, None)
