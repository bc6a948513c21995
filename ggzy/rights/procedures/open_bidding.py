"""Open bidding: 挂牌 with a timed round (限时竞价), and the English auction 拍卖."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..choices import PROCEDURE_KINDS
from .base import Procedure, S, _settle, _start_round, _when


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
    opens_at_listing_end = True
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


