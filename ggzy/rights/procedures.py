"""The listings' state machines: one procedure class per mode, each with its own transition table.

挂牌 (listing): announced → registration → listing → timed round 限时竞价 → closed 成交/流拍.
拍卖 (English auction): announced → registration → live ascending round from the auction time (每次有效报价重新倒计时)
→ closed; no listing-phase bids. 一次报价 (sealed single quote): announced → registration → quoting (one sealed quote
within the announced range) → closed, the highest quote wins. Every mode may be suspended (中止) from a bidding
state; staff then announce the resumption time (恢复交易公告, at least the template's ``resumption_notice_min``
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

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ggzy.core.errors import Conflict
from ggzy.core.money import format_yuan

from .choices import PROCEDURE_KINDS, ListingOutcome, ListingState
from .models import RightsListing

S = ListingState
BIDDING_STATES = frozenset({S.LISTING, S.TIMED_ROUND})
SUSPENDABLE = frozenset({S.LISTING, S.TIMED_ROUND, S.QUOTING})


def _has_reserve(listing: RightsListing) -> bool:
    from .models import RightsReserve

    try:
        listing.reserve  # noqa: B018 — the one-to-one may be absent
    except RightsReserve.DoesNotExist:
        return False
    return True


def _settle(listing: RightsListing, at: dt.datetime) -> None:
    """成交 when the highest accepted bid reaches the sealed reserve (no reserve set: the start price), else 流拍."""
    reserve = getattr(listing, "reserve", None) if _has_reserve(listing) else None
    floor = reserve.amount if reserve is not None else listing.start_price
    sold = listing.leading_id is not None and listing.current_price is not None and listing.current_price >= floor
    listing.outcome = ListingOutcome.SOLD if sold else ListingOutcome.FAILED
    listing.closed_at = at
    listing.reserve_revealed = reserve.amount if reserve is not None else None


def _when(at: dt.datetime | None) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at is not None else "—"


def _start_round(listing: RightsListing, at: dt.datetime) -> None:
    listing.round_started_at = at
    listing.round_ends_at = at + dt.timedelta(minutes=listing.round_minutes)


def resumed_until(listing: RightsListing, resume_at: dt.datetime) -> dt.datetime:
    """The running period's new deadline when a suspended listing resumes at ``resume_at``: at least the time it
    lost (the remaining time at the suspension), and a timed round at least one full countdown."""
    lost = dt.timedelta(seconds=listing.suspended_remaining_seconds or 0)
    if listing.suspended_from == S.TIMED_ROUND:
        lost = max(lost, dt.timedelta(minutes=listing.round_minutes))
    return resume_at + lost


def _resume(listing: RightsListing, at: dt.datetime) -> None:
    """Back to the state it left, from the last committed high (the bids are untouched), with the time it lost."""
    procedure_for(listing).set_running_deadline(listing, listing.suspended_from, resumed_until(listing, at))
    listing.suspended_from, listing.suspended_at, listing.suspended_remaining_seconds = "", None, None
    listing.resume_at = None


class Procedure:
    """A mode's transition table and hooks (``on_<from>_to_<to>``); subclasses differ only here."""

    mode = ""
    transitions: dict[str, frozenset[str]] = {}
    labels: dict[str, object] = {}
    # after the close, the outcome's own table: under 资格后审 a sale whose winner fails the check becomes 竞得无效
    # (services.postqualification); a listing under 资格前审 never has a check to fail, so never gets there
    outcome_transitions: dict[str, frozenset[str]] = {ListingOutcome.SOLD: frozenset({ListingOutcome.VOID})}

    def next_due(self, listing: RightsListing, now: dt.datetime, admitted_count: Callable[[], int]
                 ) -> tuple[str, dt.datetime] | None:
        raise NotImplementedError

    def running_deadline(self, listing: RightsListing) -> dt.datetime | None:
        """The deadline of the state a suspension interrupts (its remaining time is given back on resumption)."""
        return listing.round_ends_at if listing.state == S.TIMED_ROUND else listing.listing_ends_at

    def set_running_deadline(self, listing: RightsListing, state: str, until: dt.datetime) -> None:
        if state == S.TIMED_ROUND:
            listing.round_ends_at = until
        else:
            listing.listing_ends_at = until

    def not_open_message(self, listing: RightsListing) -> str:
        if listing.state == S.SUSPENDED:
            return "竞价已中止，恢复后方可报价"
        return "尚未到挂牌报价时间"

    def state_label(self, state: str) -> str:
        return str(self.labels.get(state) or S(state).label)

    def on_timed_round_to_closed(self, listing: RightsListing, at: dt.datetime) -> None:
        _settle(listing, at)

    # resumption at the announced time (``resume_at``), to whichever bidding state the suspension interrupted
    def on_suspended_to_listing(self, listing: RightsListing, at: dt.datetime) -> None:
        _resume(listing, at)

    on_suspended_to_timed_round = on_suspended_to_quoting = on_suspended_to_listing

    def notice_schedule(self, listing: RightsListing) -> list[str]:
        """The announcement's lines on how this mode trades (services.publicity)."""
        return [f"挂牌期：{_when(listing.listing_starts_at)} 至 {_when(listing.listing_ends_at)}",
                f"挂牌截止时有{listing.bidders_min}个及以上竞买人报价的，进入限时竞价：每轮{listing.round_minutes}分钟，"
                "每有新的有效报价重新计时，计时结束时最高报价者竞得（须不低于底价）。"]


class ListingProcedure(Procedure):
    """挂牌 with a timed round (限时竞价) when enough bidders are admitted at the freeze time."""

    mode = "listing"
    transitions = {
        S.ANNOUNCED: frozenset({S.REGISTRATION}),
        S.REGISTRATION: frozenset({S.LISTING}),
        S.LISTING: frozenset({S.TIMED_ROUND, S.CLOSED, S.SUSPENDED}),
        S.TIMED_ROUND: frozenset({S.CLOSED, S.SUSPENDED}),
        S.SUSPENDED: frozenset({S.LISTING, S.TIMED_ROUND}),
        S.CLOSED: frozenset(),
    }

    def next_due(self, listing, now, admitted_count):
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

    def on_listing_to_timed_round(self, listing, at):
        _start_round(listing, at)

    def on_listing_to_closed(self, listing, at):
        _settle(listing, at)


class EnglishAuctionProcedure(Procedure):
    """拍卖: no listing-phase bids; at the auction time (``listing_ends_at``) the live ascending round opens with
    the countdown, every accepted bid (at least the increment higher) restarts it, and when it runs out the highest
    bid wins if it reaches the sealed reserve. Fewer admitted bidders than the template's minimum: 流拍."""

    mode = "english_auction"
    transitions = {
        S.ANNOUNCED: frozenset({S.REGISTRATION}),
        S.REGISTRATION: frozenset({S.TIMED_ROUND, S.CLOSED}),
        S.TIMED_ROUND: frozenset({S.CLOSED, S.SUSPENDED}),
        S.SUSPENDED: frozenset({S.TIMED_ROUND}),
        S.CLOSED: frozenset(),
    }
    labels = {S.REGISTRATION: _("报名中（待拍卖）"), S.TIMED_ROUND: _("拍卖竞价中")}

    def next_due(self, listing, now, admitted_count):
        state = listing.state
        if state == S.ANNOUNCED and now >= listing.registration_opens_at:
            return S.REGISTRATION, listing.registration_opens_at
        if state == S.REGISTRATION and now >= listing.listing_ends_at:
            enough = admitted_count() >= listing.bidders_min
            return (S.TIMED_ROUND if enough else S.CLOSED), listing.listing_ends_at
        if state == S.TIMED_ROUND and listing.round_ends_at is not None and now >= listing.round_ends_at:
            return S.CLOSED, listing.round_ends_at
        return None

    def not_open_message(self, listing):
        if listing.state == S.SUSPENDED:
            return super().not_open_message(listing)
        return f"拍卖尚未开始（拍卖开始时间 {listing.listing_ends_at:%Y-%m-%d %H:%M}）"

    def notice_schedule(self, listing):
        return [f"拍卖开始时间：{_when(listing.listing_ends_at)}（网上拍卖）",
                f"竞买人不少于{listing.bidders_min}人方可开始拍卖；每次有效报价后倒计时{listing.round_minutes}分钟，"
                "倒计时结束时最高报价者竞得（须不低于底价）。"]

    def on_registration_to_timed_round(self, listing, at):
        _start_round(listing, at)

    def on_registration_to_closed(self, listing, at):
        _settle(listing, at)


class SealedQuoteProcedure(Procedure):
    """一次报价: each admitted bidder submits one sealed quote within [start price, announced ceiling] during the
    quoting period (services.quotes); at its end the quotes are opened and the highest wins (equal quotes: the
    earlier submitted), if it reaches the sealed reserve."""

    mode = "sealed_quote"
    transitions = {
        S.ANNOUNCED: frozenset({S.REGISTRATION}),
        S.REGISTRATION: frozenset({S.QUOTING}),
        S.QUOTING: frozenset({S.CLOSED, S.SUSPENDED}),
        S.SUSPENDED: frozenset({S.QUOTING}),
        S.CLOSED: frozenset(),
    }

    def next_due(self, listing, now, admitted_count):
        state = listing.state
        if state == S.ANNOUNCED and now >= listing.registration_opens_at:
            return S.REGISTRATION, listing.registration_opens_at
        if state == S.REGISTRATION and now >= listing.listing_starts_at:
            return S.QUOTING, listing.listing_starts_at
        if state == S.QUOTING and now >= listing.listing_ends_at:
            return S.CLOSED, listing.listing_ends_at
        return None

    def not_open_message(self, listing):
        if listing.state == S.SUSPENDED:
            return super().not_open_message(listing)
        return "本项目为一次报价（密封），请在报价期内提交一次报价，不接受公开加价"

    def notice_schedule(self, listing):
        return [f"一次报价期：{_when(listing.listing_starts_at)} 至 {_when(listing.listing_ends_at)}",
                f"报价范围：{format_yuan(listing.start_price)} 至 {format_yuan(listing.quote_ceiling)}；每个竞买人"
                "只能密封报价一次，报价期结束后开启，最高报价者受让（报价相同的，先提交者优先；须不低于底价）。"]

    def on_quoting_to_closed(self, listing, at):
        from .models import RightsQuote

        best = (RightsQuote.objects.filter(listing=listing).order_by("-amount", "submitted_at", "pk")
                .select_related("registration").first())
        if best is not None:
            listing.current_price = best.amount
            listing.leading = best.registration
        _settle(listing, at)


PROCEDURES: dict[str, Procedure] = {p.mode: p for p in (ListingProcedure(), EnglishAuctionProcedure(),
                                                         SealedQuoteProcedure())}


def procedure_for(listing: RightsListing) -> Procedure:
    return PROCEDURES[PROCEDURE_KINDS[listing.kind].mode]


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
