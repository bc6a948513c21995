"""Reads of the rights app, already scoped to the reader.

What a reader sees of a live listing: the current price and sequence, the countdown by server time, the history of
accepted bids by sequence, and (an admitted bidder) their own paddle and whether they lead. Until the result only
the center sees the other bidders' paddle numbers: a bidder sees their own bids marked as theirs and every other bid
as "another bidder", the public sees amounts only — so nobody can count the competitors by their paddles while the
listing runs. Who the other bidders are, and how many registered, nobody but the center learns until the result;
the reserve is shown only after the close.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ggzy.accounts.roles import Role
from ggzy.catalog import selectors as catalog
from ggzy.catalog.calendar import add_working_days
from ggzy.catalog.selectors import PeriodMissing
from ggzy.core.money import format_yuan, number_text

from . import procedures, weighting
from .choices import PROCEDURE_KINDS, ListingOutcome, ListingState, ProcedureKindChoice, RegistrationState
from .models import RightsBid, RightsListing, RightsQuote, RightsRegistration
from .services.bidding import minimum_next

HISTORY_SHOWN = 50


def listing_list_public(*, now: dt.datetime) -> QuerySet[RightsListing]:
    """Listings whose announcement time has come (before it, only the center and the grantor see one)."""
    return (RightsListing.objects.select_related("center").filter(announced_at__lte=now)
            .order_by("listing_ends_at", "pk"))


def listing_list_for(*, user, now: dt.datetime) -> QuerySet[RightsListing]:
    """The list a reader sees: the announced listings, and the ones still to be announced of the reader's center
    (an administrator: all) or granted by the reader."""
    rows = RightsListing.objects.select_related("center").order_by("listing_ends_at", "pk")
    if not getattr(user, "is_authenticated", False):
        return rows.filter(announced_at__lte=now)
    if user.role == Role.ADMIN:
        return rows
    mine = Q(grantor=user) | (Q(center_id=user.center_id) if user.role == Role.CENTER_STAFF else Q(pk__in=[]))
    return rows.filter(Q(announced_at__lte=now) | mine)


def listing_visible(*, user, listing: RightsListing, now: dt.datetime) -> bool:
    """Whether ``user`` may see ``listing`` at all: once announced, everyone; before, its center and grantor."""
    return listing.announced_at <= now or is_center_of(user, listing) or (
        getattr(user, "is_authenticated", False) and user.pk == listing.grantor_id)


def listing_new_defaults(*, now: dt.datetime) -> dict[str, str]:
    """The publication form's first values: announced at the next whole hour, registration open at once, bidding
    from 30 days later for 20 days (long enough for every template's notice and listing periods, the state property
    disclosure's 20 working days included), registration closing two days before the end."""
    local = timezone.localtime(now).replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    starts = (local + dt.timedelta(days=30)).replace(hour=9)
    ends = (starts + dt.timedelta(days=20)).replace(hour=10)
    closes = (ends - dt.timedelta(days=2)).replace(hour=16)

    def text(at: dt.datetime) -> str:
        return at.strftime("%Y-%m-%dT%H:%M")

    return {"kind": "land_listing", "announced_at": text(local), "registration_opens_at": text(local),
            "registration_closes_at": text(closes), "listing_starts_at": text(starts), "listing_ends_at": text(ends)}


def listing_get(listing_id: int) -> RightsListing | None:
    return RightsListing.objects.select_related("center", "template_version").filter(pk=listing_id).first()


def registration_of(*, user, listing: RightsListing) -> RightsRegistration | None:
    if not getattr(user, "is_authenticated", False) or user.role != Role.BIDDER:
        return None
    return RightsRegistration.objects.filter(listing=listing, bidder=user).first()


def is_center_of(user, listing: RightsListing) -> bool:
    """The listing's own center (its staff, or an administrator): the only ones who see the bidders while it runs."""
    return getattr(user, "is_authenticated", False) and (
        user.role == Role.ADMIN or (user.role == Role.CENTER_STAFF and user.center_id == listing.center_id))


def registration_in_listing(*, listing_id: int, registration_id: int) -> bool:
    return RightsRegistration.objects.filter(pk=registration_id, listing_id=listing_id).exists()


def registrations_for_staff(*, user, listing: RightsListing) -> list[RightsRegistration]:
    """The center's view of who registered (never shown to bidders or the public before the result)."""
    if is_center_of(user, listing):
        return list(listing.registrations.select_related("bidder").order_by("applied_at", "pk"))
    return []


def suspension_for_staff(*, user, listing: RightsListing, now: dt.datetime) -> dict | None:
    """The center's suspension panel on the hall: whether it may suspend now, the open suspension and, once
    suspended, the earliest resumption time the template allows (None: not this center's staff)."""
    from .services.suspension import resumption_notice_earliest

    if not is_center_of(user, listing):
        return None
    phase = procedures.phase_at(listing, now, _admitted(listing))  # as the service will see it, after advancing
    suspended = phase == ListingState.SUSPENDED
    record = listing.suspensions.filter(resumed_at__isnull=True).order_by("-pk").first() if suspended else None
    earliest = resumption_notice_earliest(listing, now) if suspended else None
    first = None
    if earliest is not None:  # the form picks whole minutes: the first whole minute allowed
        first = earliest[0].replace(second=0, microsecond=0)
        first += dt.timedelta(minutes=1) if first < earliest[0] else dt.timedelta(0)
    return {"can_suspend": phase in procedures.SUSPENDABLE, "suspended": suspended, "record": record,
            "earliest": first, "rule": earliest[1] if earliest else "",
            "can_announce": suspended and listing.resume_at is None}


def _admitted(listing: RightsListing):
    return lambda: listing.registrations.filter(state=RegistrationState.ADMITTED).count()


def hall_state(*, user, listing: RightsListing, now: dt.datetime) -> dict:
    """The hall's parts for ``user`` at ``now``: clock, price, me, history, result (JSON-ready)."""
    probe = procedures.probe_at(listing, now, _admitted(listing))  # the deadlines as of now (a resumption too)
    phase = probe.state
    deadline: dt.datetime | None
    if phase == ListingState.TIMED_ROUND:
        deadline = probe.round_ends_at
    elif phase in (ListingState.ANNOUNCED, ListingState.REGISTRATION):
        opens_late = procedures.procedure_for(listing).opens_at_listing_end
        deadline = listing.listing_ends_at if opens_late else listing.listing_starts_at
    elif phase in (ListingState.LISTING, ListingState.QUOTING):
        deadline = probe.listing_ends_at
    elif phase == ListingState.SUSPENDED:
        deadline = probe.resume_at  # the countdown to the announced resumption (none announced: no countdown)
    else:
        deadline = None
    closed = phase == ListingState.CLOSED
    stored_closed = listing.state == ListingState.CLOSED
    me = registration_of(user=user, listing=listing)
    admitted = me is not None and me.state == RegistrationState.ADMITTED
    bids = list(RightsBid.objects.filter(listing=listing, sequence__isnull=False).select_related("registration")
                .order_by("-sequence")[:HISTORY_SHOWN])
    result: dict = {"closed": closed, "final": stored_closed}
    if stored_closed:
        winner = listing.leading if listing.outcome == ListingOutcome.SOLD else None
        label = str(ListingOutcome(listing.outcome).label)
        if winner is not None and listing.is_qualified_after_winning and winner.qualified_at is None:
            label = _("成交（竞得人资格待审）")  # 资格后审: the confirmation waits for the winner's check
        result |= {"outcome": listing.outcome, "outcome_label": label,
                   "reserve": format_yuan(listing.reserve_revealed) if listing.reserve_revealed is not None else "",
                   "winner_paddle": winner.paddle if winner is not None else None,
                   "winner_name": str(winner.bidder) if winner is not None else "",
                   "scores": weighted_scores(listing)}
    own = me.pk if admitted and me is not None else None
    reveal = stored_closed or is_center_of(user, listing)  # the others' paddles: the center, or after the result

    def paddle(registration: RightsRegistration) -> int | None:
        return registration.paddle if reveal or registration.pk == own else None

    leading_paddle = paddle(bids[0].registration) if bids else None
    return {
        "clock": {"server_now": timezone.localtime(now).isoformat(), "phase": str(phase), "phase_label": procedures.procedure_for(listing).state_label(phase),
                  "deadline": timezone.localtime(deadline).isoformat() if deadline else "",
                  "resume_at": (timezone.localtime(probe.resume_at).isoformat()
                                if phase == ListingState.SUSPENDED and probe.resume_at else ""),
                  "round_minutes": listing.round_minutes},
        "price": {"sequence": listing.current_sequence,
                  "current": format_yuan(listing.current_price) if listing.current_price is not None else "",
                  "current_value": str(listing.current_price) if listing.current_price is not None else "",
                  "start": format_yuan(listing.start_price), "increment": format_yuan(listing.increment),
                  "minimum_next": str(minimum_next(listing)), "minimum_next_text": format_yuan(minimum_next(listing)),
                  "leading_paddle": leading_paddle, "leading_mine": bool(bids) and bids[0].registration_id == own},
        "me": _me(me if admitted else None, listing),
        "history": [{"sequence": b.sequence, "paddle": paddle(b.registration), "mine": b.registration_id == own,
                     "amount": format_yuan(b.amount),
                     "at": timezone.localtime(b.received_at).isoformat(), "timed": b.in_timed_round} for b in bids],
        "result": result,
    }


def _me(registration: RightsRegistration | None, listing: RightsListing) -> dict:
    """An admitted bidder's own paddle and status: leading, outbid (has bid, another leads), or not yet bid."""
    if registration is None:
        return {"paddle": None, "admitted": False, "status": "", "status_label": "", "qualification_pending": False}
    if listing.leading_id == registration.pk and listing.outcome == ListingOutcome.SOLD:
        status, label = "won", _("您已竞得")
    elif listing.leading_id == registration.pk and listing.outcome == ListingOutcome.VOID:
        status, label = "void", _("竞得无效（竞得后资格审查未通过）")
    elif listing.leading_id == registration.pk and listing.outcome == ListingOutcome.FAILED:
        status, label = "below_reserve", _("您的最高报价未达底价，本次流拍")
    elif listing.leading_id == registration.pk:
        status, label = "leading", _("您的报价领先")
    elif RightsBid.objects.filter(registration=registration, sequence__isnull=False).exists():
        status, label = "outbid", _("已被超越")
    elif listing.state != ListingState.CLOSED and RightsQuote.objects.filter(registration=registration).exists():
        status, label = "quoted", _("已提交密封报价，报价期结束后开启")
    else:
        status, label = "", ""
    pending = listing.is_qualified_after_winning and registration.qualified_at is None and not \
        registration.refusal_reason
    return {"paddle": registration.paddle, "admitted": True, "status": status, "status_label": label,
            "qualification_pending": pending}


def _number(factor: weighting.FactorTerms, value) -> str:
    if factor.position == weighting.PRICE_POSITION:
        return format_yuan(value)
    return number_text(value)


def weighting_factors(listing: RightsListing) -> list[dict]:
    """权重报价: the announced factors (public from the announcement; none in other modes), price first."""
    if procedures.procedure_for(listing).mode != "weighted_quote":
        return []
    return [{"position": f.position, "name": f.name, "unit": f.unit, "weight": number_text(f.weight),
             "minimum": _number(f, f.minimum), "maximum": _number(f, f.maximum), "is_price": f.position == 0}
            for f in weighting.listing_factors(listing)]


def weighted_scores(listing: RightsListing) -> list[dict] | None:
    """权重报价's score table — only once the listing is closed (sealed before: nothing, not even a count); None for
    other modes. Each row: rank, paddle, and per factor (price first) the value and the score; the total."""
    if listing.state != ListingState.CLOSED or procedures.procedure_for(listing).mode != "weighted_quote":
        return None
    factors = weighting.listing_factors(listing)
    return [{"rank": row.rank, "paddle": row.paddle, "total": number_text(row.total),
             "is_winner": listing.outcome == ListingOutcome.SOLD and row.registration_id == listing.leading_id,
             "cells": [{"value": _number(f, row.values[f.position]), "score": number_text(row.scores[f.position])}
                       for f in factors]}
            for row in weighting.listing_scores(listing)]


def my_quote(*, user, listing: RightsListing) -> dict | None:
    """The signed-in bidder's own sealed quote (一次报价, 权重报价): to them only, with their factor values."""
    me = registration_of(user=user, listing=listing)
    if me is None:
        return None
    quote = RightsQuote.objects.filter(registration=me).prefetch_related("factor_values__factor").first()
    if quote is None:
        return None
    return {"amount": format_yuan(quote.amount), "submitted_at": quote.submitted_at,
            "values": [{"name": v.factor.name, "unit": v.factor.unit, "value": number_text(v.value)}
                       for v in sorted(quote.factor_values.all(), key=lambda v: v.factor.position)]}


def mode_of(listing: RightsListing) -> str:
    """The listing's procedure mode: "listing", "english_auction", "sealed_quote" or "weighted_quote"."""
    return procedures.procedure_for(listing).mode


def kind_label(listing: RightsListing) -> str:
    return str(ProcedureKindChoice(listing.kind).label) if listing.kind in PROCEDURE_KINDS else listing.kind


def results_for(*, user, listing: RightsListing) -> dict | None:
    """After the close: the deal confirmation (its text to the winner, the grantor and the center; its state to all)
    and the deposits' settlements — every one to the center, only its own to a bidder, none to the public."""
    from .models import RightsConfirmation, RightsSettlement, RightsWinnerReview
    from .services.results import is_late

    if listing.state != ListingState.CLOSED:
        return None
    confirmation = RightsConfirmation.objects.filter(listing=listing).first()
    signed_in = getattr(user, "is_authenticated", False)
    is_staff = is_center_of(user, listing)
    winner_user = listing.leading.bidder_id if listing.leading is not None else None
    is_winner = signed_in and confirmation is not None and user.pk == winner_user
    is_grantor = signed_in and user.pk == listing.grantor_id
    review = RightsWinnerReview.objects.filter(listing=listing).first()
    checked = review is None or review.is_approved is True  # 资格后审: confirmable once the winner passed the check
    conf = None
    if confirmation is not None:
        conf = {"sha256": confirmation.sha256, "winner_confirmed_at": confirmation.winner_confirmed_at,
                "grantor_confirmed_at": confirmation.grantor_confirmed_at,
                "text": confirmation.text if (is_staff or is_winner or is_grantor) else None,
                "can_confirm": checked and ((is_winner and confirmation.winner_confirmed_at is None)
                                            or (is_grantor and confirmation.grantor_confirmed_at is None))}
    rows = RightsSettlement.objects.filter(registration__listing=listing).select_related("registration")
    if not is_staff:
        rows = rows.filter(registration__bidder_id=user.pk) if signed_in else rows.none()
    settlements = [{"id": s.pk, "paddle": s.registration.paddle, "kind": s.kind, "kind_label": s.get_kind_display(),
                    "amount": s.amount, "due_on": s.due_on, "settled_at": s.settled_at, "reference": s.reference,
                    "late": is_late(s)} for s in rows.order_by("registration__paddle")]
    return {"confirmation": conf, "settlements": settlements, "is_staff": is_staff,
            "winner_review": _winner_review_part(review, is_staff=is_staff),
            "publicity": result_publicity(listing),
            **_contract_part(listing, confirmation, show=is_staff or is_grantor or is_winner, is_staff=is_staff)}


def _winner_review_part(review, *, is_staff: bool) -> dict | None:
    """资格后审: the winner's check after winning — its state to everyone (the void notice is public), the form to
    the listing's center while it is pending."""
    if review is None:
        return None
    return {"pending": review.is_pending, "approved": review.is_approved, "reason": review.reason,
            "decided_at": review.decided_at, "can_decide": is_staff and review.is_pending}


def _contract_part(listing: RightsListing, confirmation, *, show: bool, is_staff: bool) -> dict:
    """The contract and its payment schedule, to the center, the winner and the grantor; the form's facts to staff."""
    from .models import RightsContract
    from .services.contract import DOWN_KEY, TERM_KEY, instalment_late, price_and_credit, template_limit

    contract = RightsContract.objects.filter(listing=listing).first()
    part: dict = {"contract": None, "can_record_contract": False}
    if contract is not None and show:
        part["contract"] = {
            "number": contract.number, "signed_on": contract.signed_on, "price": contract.price,
            "deposit_credited": contract.deposit_credited,
            "instalments": [{"id": i.pk, "number": i.number, "due_on": i.due_on, "amount": i.amount,
                             "paid_at": i.paid_at, "reference": i.reference, "late": instalment_late(i)}
                            for i in contract.instalments.order_by("number")]}
    confirmed = confirmation is not None and confirmation.winner_confirmed_at and confirmation.grantor_confirmed_at
    if is_staff and contract is None and confirmed and listing.leading is not None:
        price, credited = price_and_credit(listing)
        down, term = template_limit(listing, DOWN_KEY), template_limit(listing, TERM_KEY)
        part |= {"can_record_contract": True, "balance": price - credited, "deposit_credited": credited,
                 "instalment_down": down, "instalment_term": term}
    return part


# the template's result rule: state property is publicised for at least N working days (order 32); land, mining and
# environmental rights publish their result within N working days
PUBLICITY_KEYS = (("result_publicity_min", "publicity"), ("result_publish_within", "publish_within"))


def result_publicity(listing: RightsListing) -> dict | None:
    """The result's publicity by the listing's template: its kind, the working days and the day it runs to (counted
    from the close). None when the template has neither number."""
    if listing.closed_at is None:
        return None
    for key, kind in PUBLICITY_KEYS:
        try:
            days = int(catalog.period_value(listing.template_version, key))
        except PeriodMissing:
            continue
        until = add_working_days(timezone.localtime(listing.closed_at).date(), days).date
        return {"kind": kind, "key": key, "days": days, "until": until}
    return None
