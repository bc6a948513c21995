"""The listings' state machines: one procedure class per mode, each with its own transition table.

挂牌 (listing): announced → registration → listing → timed round 限时竞价 → closed 成交/流拍.
拍卖 (English auction): announced → registration → live ascending round from the auction time (每次有效报价重新倒计时)
→ closed; no listing-phase bids. 一次报价 (sealed single quote): announced → registration → quoting (one sealed quote
within the announced range) → closed, the highest quote wins. 权重报价 (weighted quote): the same periods, one
sealed quote of the price and the transferor's announced factors, scored at the close (weighting.py). Every mode may be
suspended (中止) from a bidding state; staff then announce the resumption time (恢复交易公告, at least the template's ``resumption_notice_min``
ahead, services.suspension), and the listing returns to the state it left at that time — a time-driven transition
like the others (suspended → the state it left, at ``resume_at``).

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

from ..choices import ListingOutcome
from ..models import RightsListing
from .base import (
    BIDDING_STATES,
    PROCEDURES,
    SUSPENDABLE,
    Procedure,
    S,
    Terms,
    _resume,
    _start_round,
    procedure_for,
    procedure_of_kind,
    resumed_until,
)
from .open_bidding import EnglishAuctionProcedure, ListingProcedure
from .quote_modes import SealedQuoteProcedure, WeightedQuoteProcedure

__all__ = ["BIDDING_STATES", "PROCEDURES", "SUSPENDABLE", "EnglishAuctionProcedure", "ListingProcedure", "Procedure",
           "SealedQuoteProcedure", "Terms", "WeightedQuoteProcedure", "advance", "next_due", "outcome_change", "phase_at",
           "probe_at",
           "procedure_for", "procedure_of_kind", "resumed_until", "transition"]

PROCEDURES.update({p.mode: p for p in (ListingProcedure(), EnglishAuctionProcedure(), SealedQuoteProcedure(),
                                       WeightedQuoteProcedure())})


def transition(listing: RightsListing, to: str, at: dt.datetime) -> None:
    """Move ``listing`` to ``to`` at ``at`` if its procedure's table allows it, running the hook; Conflict
    otherwise."""
    proc = procedure_for(listing)
    if to not in proc.transitions.get(listing.state, frozenset()):
        raise Conflict(f"挂牌项目不能从「{proc.state_label(listing.state)}」转为「{proc.state_label(to)}」",
                       field="state")
    hook = getattr(proc, f"on_{listing.state}_to_{to}", None)
    if hook is not None:
        hook(listing, at)
    listing.state = to


def outcome_change(listing: RightsListing, to: str, at: dt.datetime) -> None:
    """Change a closed listing's outcome to ``to`` at ``at`` if its procedure's outcome table allows it, running the
    hook ``on_<from>_to_<to>`` if any; Conflict otherwise (the caller holds the row lock and saves)."""
    proc = procedure_for(listing)
    if listing.state != S.CLOSED or to not in proc.outcome_transitions.get(listing.outcome, frozenset()):
        raise Conflict(f"挂牌项目的结果不能从「{ListingOutcome(listing.outcome).label}」改为「{ListingOutcome(to).label}」",
                       field="outcome")
    hook = getattr(proc, f"on_{listing.outcome}_to_{to}", None)
    if hook is not None:
        hook(listing, at)
    listing.outcome = to


def next_due(listing: RightsListing, now: dt.datetime, admitted_count: Callable[[], int]
             ) -> tuple[str, dt.datetime] | None:
    """The transition due at ``now`` and its deadline, or None. A suspended listing waits for its announced
    resumption time (none announced yet: it waits), then returns to the state it left, at that time."""
    if listing.state == S.SUSPENDED:
        if listing.resume_at is not None and listing.suspended_from and now >= listing.resume_at:
            return listing.suspended_from, listing.resume_at
        return None
    return procedure_for(listing).next_due(listing, now, admitted_count)


def advance(listing: RightsListing, now: dt.datetime, admitted_count: Callable[[], int]) -> list[str]:
    """Apply every transition due at ``now`` (the caller holds the row lock and saves); the states entered."""
    entered: list[str] = []
    while (due := next_due(listing, now, admitted_count)) is not None:
        to, at = due
        transition(listing, to, at)
        entered.append(to)
    return entered


def probe_at(listing: RightsListing, now: dt.datetime, admitted_count: Callable[[], int]) -> RightsListing:
    """An unsaved copy of ``listing`` moved to ``now`` — its state and running deadlines (for display: a scheduler
    that has not yet run changes nothing). The close's settlement is left to the real transition."""
    probe = RightsListing(**{f.attname: getattr(listing, f.attname) for f in listing._meta.concrete_fields})
    while (due := next_due(probe, now, admitted_count)) is not None:
        to, at = due
        if probe.state == S.SUSPENDED:
            _resume(probe, at)
        elif to == S.TIMED_ROUND:
            _start_round(probe, at)
        probe.state = to
    return probe


def phase_at(listing: RightsListing, now: dt.datetime, admitted_count: Callable[[], int]) -> str:
    """The state ``listing`` is in at ``now`` (for display)."""
    return probe_at(listing, now, admitted_count).state


# the listing procedure's hooks, under their old module-level names
on_listing_to_timed_round = _start_round

