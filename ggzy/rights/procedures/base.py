"""The shared machinery of the rights procedures: the states, the mode's announced terms, settlement at the close,
resumption, the ``Procedure`` base class and the registry of one procedure per mode (filled by the package)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from ggzy.core.errors import Conflict, DomainError
from ggzy.core.money import yuan

from .. import weighting
from ..choices import PROCEDURE_KINDS, ListingOutcome, ListingState
from ..models import RightsListing

S = ListingState
BIDDING_STATES = frozenset({S.LISTING, S.TIMED_ROUND})
SUSPENDABLE = frozenset({S.LISTING, S.TIMED_ROUND, S.QUOTING})


@dataclass(frozen=True)
class Terms:
    """A mode's own announced terms, parsed at publication: the quote ceiling and the weighted quote's factors."""

    quote_ceiling: Decimal | None = None
    factors: tuple[weighting.FactorTerms, ...] = ()


def _blank(value: object) -> bool:
    return value in (None, "") or (isinstance(value, list | tuple | dict) and not value)


def _ceiling(quote_ceiling: object, start: Decimal, label: str) -> Decimal:
    if quote_ceiling in (None, ""):
        raise DomainError(f"{label}项目须公布报价上限", field="quote_ceiling")
    ceiling = yuan(quote_ceiling, field="quote_ceiling", label="一次报价上限")
    if ceiling <= start:
        raise DomainError("一次报价上限须高于起始价", field="quote_ceiling")
    return ceiling


def _has_reserve(listing: RightsListing) -> bool:
    from ..models import RightsReserve

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


# one instance per mode (ProcedureKind.mode), registered by the package (procedures/__init__.py)
PROCEDURES: dict[str, Procedure] = {}


def procedure_of_kind(kind: str) -> Procedure:
    return PROCEDURES[PROCEDURE_KINDS[kind].mode]


def procedure_for(listing: RightsListing) -> Procedure:
    return procedure_of_kind(listing.kind)


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
    # bidding opens at ``listing_ends_at`` (the auction time), not at ``listing_starts_at``: the periods are checked
    # and the countdown before the start is shown that way
    opens_at_listing_end = False
    # after the close, the outcome's own table: under 资格后审 a sale whose winner fails the check becomes 竞得无效
    # (services.postqualification); a listing under 资格前审 never has a check to fail, so never gets there
    outcome_transitions: dict[str, frozenset[str]] = {ListingOutcome.SOLD: frozenset({ListingOutcome.VOID})}
    takes_quotes = False  # one sealed quote per bidder through services.quotes, not open bids
    below_reserve_reason = "最高报价未达到底价"  # the result notice's reason for 流拍 with a leading bid

    def validate_terms(self, *, start: Decimal, quote_ceiling: object = None, price_weight: object = None,
                       factors: object = None) -> Terms:
        """The mode's own terms at publication, parsed (DomainError naming the field, before anything is stored).
        Open bidding announces no quote ceiling and no factors."""
        if not _blank(quote_ceiling):
            raise DomainError("只有一次报价、权重报价项目可以设定报价上限", field="quote_ceiling")
        self._refuse_factors(price_weight, factors)
        return Terms()

    @staticmethod
    def _refuse_factors(price_weight: object, factors: object) -> None:
        if not _blank(price_weight):
            raise DomainError("只有权重报价项目可以设定报价权重", field="price_weight")
        if not _blank(factors):
            raise DomainError("只有权重报价项目可以公布报价因素", field="factors")

    def quote_parts(self, listing: RightsListing, amount: Decimal, factors: object) -> dict[int, Decimal]:
        """A sealed quote's parts checked against the announced terms (quote modes only)."""
        raise Conflict("本项目不是一次报价或权重报价项目，请在竞价大厅报价", field="amount")

    def result_lines(self, listing: RightsListing) -> list[str]:
        """Lines the result notice adds for this mode (services.publicity): the weighted quote's score table."""
        return []

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


