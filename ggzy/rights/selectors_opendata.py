"""Reads for the open data (``ggzy.opendata``, OCDS and the national exchange format): every announced rights listing
as plain public facts, masked by the stages it has reached.

Only what the platform publishes is read: the announcement's terms, the suspensions announced (中止/恢复公告), and from
the close what the hall and the result notice show — the accepted bids in sequence with their paddles and amounts,
the revealed reserve, the winner and the deal price — then the contract the center recorded. Before the close no
bid, no count and no bidder leaves here. Each fact carries the stages reached (``ggzy.core.masking``:
``listing_closed``, ``contract_recorded``) and the open data applies the table to them again.

Parties are named as the registry knows them (the entity a user acts for: legal name and 统一社会信用代码), else as
the result notice names them; no phone, no ID number is read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from ggzy.core import clock
from ggzy.core import masking as table
from ggzy.core.queries import any_moment_within
from ggzy.registry.selectors import entity_of_user

from . import procedures, weighting
from .choices import PROCEDURE_KINDS, ListingOutcome, ListingState, ProcedureKindChoice
from .models import (
    RightsBid,
    RightsContract,
    RightsListing,
    RightsQuote,
    RightsSuspension,
    RightsWinnerReview,
)
from .services.publicity import winner_name


def _listings() -> QuerySet[RightsListing]:
    """Listings whose announcement time has come (the announcement is public from then: services.publicity)."""
    return (RightsListing.objects.filter(announced_at__lte=clock.now(), kind__in=list(PROCEDURE_KINDS))
            .select_related("center", "grantor", "leading__bidder"))


def listing_codes_changed(*, since: dt.datetime | None = None,
                          until: dt.datetime | None = None) -> QuerySet[RightsListing]:
    """Announced listings with any public step (announcement, suspension, resumption, close, contract, payment) in
    [since, until), ordered by code; both ends optional."""
    qs = _listings()
    if since is None and until is None:
        return qs.order_by("code")
    window = any_moment_within(("announced_at", "suspensions__suspended_at", "suspensions__resumed_at", "closed_at",
                                "winner_review__decided_at", "contract__recorded_at", "contract__instalments__paid_at"),
                               since, until)
    return qs.filter(window).distinct().order_by("code")


def listing_get_public(*, code: str) -> RightsListing | None:
    return _listings().filter(code=code).first()


def stages_reached(listing: RightsListing) -> frozenset[str]:
    """The close counts once it is recorded (as the hall's result and the result notice do), not when it is due."""
    reached = set()
    if listing.state == ListingState.CLOSED:
        reached.add(table.LISTING_CLOSED)
        if RightsContract.objects.filter(listing=listing).exists():
            reached.add(table.CONTRACT_RECORDED)
    return frozenset(reached)


def _party(user, fallback: str) -> dict[str, Any]:
    entity = entity_of_user(user=user)
    if entity is not None:
        return {"name": entity.name, "credit_code": entity.credit_code, "address": entity.registered_address}
    return {"name": fallback, "credit_code": "", "address": ""}


def _grantor(listing: RightsListing) -> dict[str, Any]:
    grantor = listing.grantor
    return _party(grantor, grantor.get_full_name() or grantor.username)  # as the announcement names it


def _original_end(listing: RightsListing, suspensions: list[RightsSuspension]) -> dt.datetime:
    """The bidding period's end as first announced: a resumption gives back the time left, which moves it."""
    for s in suspensions:
        if s.from_state != ListingState.TIMED_ROUND:
            return s.suspended_at + dt.timedelta(seconds=s.remaining_seconds)
    return listing.listing_ends_at


def _closed_part(listing: RightsListing, stages: frozenset[str], mode: str) -> dict[str, Any]:
    part: dict[str, Any] = {"closed_at": listing.closed_at, "outcome": listing.outcome, "reserve": None,
                            "bids": None, "bid_count": None, "bidder_count": None, "winner": None,
                            "price": None, "winning_bid": None, "voided_at": None, "void_reason": ""}
    if table.public_shown("listing.reserve", stages):
        part["reserve"] = listing.reserve_revealed
    leading = listing.leading
    # a sale later void (资格后审, the winner failed the check) was a sale at the close, as its result notice said;
    # the 竞得无效公告 then cancels it (its time and published reason)
    sold = listing.outcome in (ListingOutcome.SOLD, ListingOutcome.VOID) and leading is not None
    if listing.outcome == ListingOutcome.VOID:
        review = RightsWinnerReview.objects.filter(listing=listing).first()
        if review is not None:
            part["voided_at"], part["void_reason"] = review.decided_at, review.reason
    if sold:
        part["price"] = listing.current_price
    if leading is not None and sold and table.public_shown("listing.winner", stages):
        part["winner"] = _party(leading.bidder, winner_name(leading))
        part["winner_paddle"] = leading.paddle
    if not table.public_shown("listing.bid_count", stages):
        return part
    if procedures.PROCEDURES[mode].takes_quotes:  # 一次报价, 权重报价: the quotes opened at the close
        quotes = list(RightsQuote.objects.filter(listing=listing).order_by("-amount", "submitted_at", "pk")
                      .values_list("registration_id", "amount", "submitted_at"))
        part["bid_count"] = part["bidder_count"] = len(quotes)
        shown = table.public_shown("listing.quotes", stages)
        # the quote that won (权重报价: by score, not always the highest price), even where the others are not shown
        part["bids"] = [{"id": f"quote-{n}", "amount": amount, "at": at, "paddle": None, "timed": False,
                         "is_winner": sold and registration == listing.leading_id}
                        for n, (registration, amount, at) in enumerate(quotes, start=1)
                        if shown or (listing.leading_id is not None and registration == listing.leading_id)]
        return part
    bids = list(RightsBid.objects.filter(listing=listing, sequence__isnull=False).order_by("sequence")
                .values_list("sequence", "amount", "received_at", "in_timed_round", "registration_id",
                             "registration__paddle"))
    part["bid_count"] = len(bids)
    part["bidder_count"] = len({b[4] for b in bids})
    part["bids"] = [{"id": str(seq), "amount": amount, "at": at, "timed": timed, "paddle": paddle,
                     "is_winner": sold and registration == listing.leading_id}
                    for seq, amount, at, timed, registration, paddle in bids]
    return part


def listing_open_facts(listing: RightsListing) -> dict[str, Any]:
    """The listing's public facts for the open data; what belongs to a stage not yet reached is left out here."""
    kind = PROCEDURE_KINDS[listing.kind]
    mode = procedures.procedure_for(listing).mode
    stages = stages_reached(listing)
    suspensions = [s for s in RightsSuspension.objects.filter(listing=listing).order_by("suspended_at", "pk")
                   if s.suspended_at >= listing.announced_at]  # suspension_publish announces only these
    facts: dict[str, Any] = {
        "process": "rights", "listing_id": listing.pk, "code": listing.code, "title": listing.title,
        "kind": listing.kind, "kind_label": str(ProcedureKindChoice(listing.kind).label), "mode": mode,
        "has_timed_round": kind.has_timed_round and mode == "listing", "category_code": kind.category_code,
        "center_name": listing.center.name, "center_code": listing.center.code, "state": listing.state,
        "stages": stages, "grantor": _grantor(listing),
        "announced_at": listing.announced_at, "registration_opens_at": listing.registration_opens_at,
        "registration_closes_at": listing.registration_closes_at, "listing_starts_at": listing.listing_starts_at,
        "listing_ends_at": listing.listing_ends_at, "original_end": _original_end(listing, suspensions),
        "start_price": listing.start_price, "increment": listing.increment, "deposit": listing.deposit,
        "round_minutes": listing.round_minutes, "bidders_min": listing.bidders_min,
        "quote_ceiling": listing.quote_ceiling, "appraised_value": listing.appraised_value,
        "takes_quotes": procedures.PROCEDURES[mode].takes_quotes,
        # 权重报价: the announced factors (price first), public from the announcement
        "weight_factors": [{"position": f.position, "name": f.name, "unit": f.unit, "weight": f.weight,
                            "minimum": f.minimum, "maximum": f.maximum} for f in weighting.listing_factors(listing)]
        if mode == procedures.WeightedQuoteProcedure.mode else [],
        "approval_reference": listing.approval_reference,
        "suspensions": [{"suspended_at": s.suspended_at, "reason": s.reason, "from_state": s.from_state,
                         "resumed_at": s.resumed_at, "resumed_until": s.resumed_until} for s in suspensions],
        "closed": None, "contract": None,
    }
    if table.LISTING_CLOSED in stages:
        facts["closed"] = _closed_part(listing, stages, mode)
    if table.CONTRACT_RECORDED in stages:
        contract = RightsContract.objects.get(listing=listing)
        facts["contract"] = {
            "number": contract.number, "signed_on": contract.signed_on, "price": contract.price,
            "deposit_credited": contract.deposit_credited, "recorded_at": contract.recorded_at,
            # the schedule and the payments' dates and amounts; never the bank's reference
            "instalments": [{"number": i.number, "due_on": i.due_on, "amount": i.amount, "paid_at": i.paid_at}
                            for i in contract.instalments.order_by("number")]}
    return facts
