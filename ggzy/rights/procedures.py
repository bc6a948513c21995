"""The listing's state machine (announced → registration → listing 挂牌 → timed round 限时竞价 → closed 成交/流拍).

An explicit transition table with ``on_<from>_to_<to>`` hooks (STYLE.md, Prozorro's state classes). Every
time-driven transition happens at its own deadline, never at the moment someone noticed it: ``advance`` takes the
listing (locked by the caller) and the time read after the lock, and applies every transition due by then, each
at its deadline. So a late scheduler, a bid that arrives after the countdown, or a replay of the log all reach the
same state; the winner is the highest accepted bid by sequence, never found by sorting timestamps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ggzy.core.errors import Conflict

from .choices import PROCEDURE_KINDS, ListingOutcome, ListingState
from .models import RightsListing

S = ListingState
TRANSITIONS: dict[str, frozenset[str]] = {
    S.ANNOUNCED: frozenset({S.REGISTRATION}),
    S.REGISTRATION: frozenset({S.LISTING}),
    S.LISTING: frozenset({S.TIMED_ROUND, S.CLOSED}),
    S.TIMED_ROUND: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}
BIDDING_STATES = frozenset({S.LISTING, S.TIMED_ROUND})


def on_listing_to_timed_round(listing: RightsListing, at: dt.datetime) -> None:
    listing.round_started_at = at
    listing.round_ends_at = at + dt.timedelta(minutes=listing.round_minutes)


def _close(listing: RightsListing, at: dt.datetime) -> None:
    """成交 when the highest accepted bid reaches the sealed reserve (no reserve set: the start price), else 流拍."""
    reserve = getattr(listing, "reserve", None) if _has_reserve(listing) else None
    floor = reserve.amount if reserve is not None else listing.start_price
    sold = listing.leading_id is not None and listing.current_price is not None and listing.current_price >= floor
    listing.outcome = ListingOutcome.SOLD if sold else ListingOutcome.FAILED
    listing.closed_at = at
    listing.reserve_revealed = reserve.amount if reserve is not None else None


def _has_reserve(listing: RightsListing) -> bool:
    from .models import RightsReserve

    try:
        listing.reserve  # noqa: B018 — the one-to-one may be absent
    except RightsReserve.DoesNotExist:
        return False
    return True


on_listing_to_closed = _close
on_timed_round_to_closed = _close


def transition(listing: RightsListing, to: str, at: dt.datetime) -> None:
    """Move ``listing`` to ``to`` at ``at`` if the table allows it, running the hook; Conflict otherwise."""
    if to not in TRANSITIONS[listing.state]:
        raise Conflict(f"挂牌项目不能从「{S(listing.state).label}」转为「{S(to).label}」", field="state")
    hook = globals().get(f"on_{listing.state}_to_{to}")
    if hook is not None:
        hook(listing, at)
    listing.state = to


def next_due(listing: RightsListing, now: dt.datetime, admitted_count: Callable[[], int]
             ) -> tuple[str, dt.datetime] | None:
    """The transition due at ``now`` and its deadline, or None."""
    state = listing.state
    if state == S.ANNOUNCED and now >= listing.registration_opens_at:
        return S.REGISTRATION, listing.registration_opens_at
    if state == S.REGISTRATION and now >= listing.listing_starts_at:
        return S.LISTING, listing.listing_starts_at
    if state == S.LISTING and now >= listing.listing_ends_at:
        kind = PROCEDURE_KINDS[listing.kind]
        timed = kind.has_timed_round and admitted_count() >= listing.bidders_min
        return (S.TIMED_ROUND if timed else S.CLOSED), listing.listing_ends_at
    if state == S.TIMED_ROUND and listing.round_ends_at is not None and now >= listing.round_ends_at:
        return S.CLOSED, listing.round_ends_at
    return None


def advance(listing: RightsListing, now: dt.datetime, admitted_count: Callable[[], int]) -> list[str]:
    """Apply every transition due at ``now`` (the caller holds the row lock and saves); the states entered."""
    entered: list[str] = []
    while (due := next_due(listing, now, admitted_count)) is not None:
        to, at = due
        transition(listing, to, at)
        entered.append(to)
    return entered


def phase_at(listing: RightsListing, now: dt.datetime, admitted_count: Callable[[], int]) -> str:
    """The state ``listing`` is in at ``now`` (for display: a scheduler that has not yet run changes nothing)."""
    state = listing.state
    probe = RightsListing(**{f.attname: getattr(listing, f.attname) for f in listing._meta.concrete_fields})
    while (due := next_due(probe, now, admitted_count)) is not None:
        probe.state = due[0]
        if due[0] == S.TIMED_ROUND:
            on_listing_to_timed_round(probe, due[1])
        state = due[0]
    return state
