"""Suspension (中止) and resumption (恢复) of a listing's bidding — issue 15 item 3.

Center staff suspend a listing in a bidding state (listing, timed round / live auction, sealed quoting) with an
announced reason, never within the template's final minutes of the running period
(``suspension_blocked_final_minutes``, 待核实). The time the period still had is kept; on resumption the listing
returns to the state it left, from the last committed high (nothing about the bids changes), with at least the
time it lost: the remaining time, and a timed round at least one full countdown. Both acts go into the audit log
and the public suspension notices (RightsSuspension). A suspended listing refuses bids and quotes (its procedure
has no deadline to pass while suspended).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from ggzy.accounts.roles import Role
from ggzy.catalog import selectors as catalog
from ggzy.catalog.selectors import PeriodMissing
from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed

from .. import procedures
from ..choices import ListingState
from ..models import RightsListing, RightsSuspension
from .common import admitted_counter, hall_changed, listing_locked, minutes
from .listings import record_transitions
from .publicity import suspension_publish


def _staff(actor) -> None:
    if actor is None or getattr(actor, "role", None) not in (Role.CENTER_STAFF, Role.ADMIN):
        raise NotAllowed("只有交易中心工作人员可以中止或恢复竞价", field="__all__")


def _locked_and_current(listing_id: int) -> tuple[RightsListing, dt.datetime]:
    listing = listing_locked(listing_id)
    now = clock.now()  # after the lock
    before = listing.state
    if procedures.advance(listing, now, admitted_counter(listing)):
        listing.save()
        record_transitions(listing, before)
    return listing, now


def blocked_final_minutes(listing: RightsListing) -> int:
    try:
        return int(catalog.period_value(listing.template_version, "suspension_blocked_final_minutes"))
    except PeriodMissing:
        return 0


def listing_suspend(*, actor, listing_id: int, reason: str) -> RightsSuspension:
    _staff(actor)
    text = (reason or "").strip()
    if not text or len(text) > 200:
        raise DomainError("中止原因不能为空，且不超过200个字符", field="reason")
    with transaction.atomic():
        listing, now = _locked_and_current(listing_id)
        proc = procedures.procedure_for(listing)
        if listing.state not in procedures.SUSPENDABLE:
            raise Conflict(f"「{proc.state_label(listing.state)}」状态的项目不能中止，只有报价进行中的项目可以中止",
                           field="state")
        deadline = proc.running_deadline(listing)
        remaining = (deadline - now) if deadline is not None else dt.timedelta(0)
        blocked = blocked_final_minutes(listing)
        if remaining <= minutes(blocked):
            raise Conflict(f"距本阶段截止不足{blocked}分钟，按流程模板不得中止", field="__all__")
        seconds = int(remaining.total_seconds())
        notice = RightsSuspension.objects.create(listing=listing, reason=text, from_state=listing.state,
                                                 suspended_at=now, remaining_seconds=seconds)
        listing.suspended_from, listing.suspended_at, listing.suspended_remaining_seconds = listing.state, now, seconds
        procedures.transition(listing, ListingState.SUSPENDED, now)
        listing.save()
        hall_changed(listing.pk)
        suspension_publish(listing, reason=text)
        audit_record(actor=actor, action="rights.listing_suspended", obj=listing,
                     after={"reason": text, "from_state": notice.from_state, "remaining_seconds": seconds})
    return notice


def listing_resume(*, actor, listing_id: int) -> RightsSuspension:
    _staff(actor)
    with transaction.atomic():
        listing = listing_locked(listing_id)
        now = clock.now()
        if listing.state != ListingState.SUSPENDED:
            raise Conflict("项目未中止，无需恢复", field="state")
        back_to = listing.suspended_from
        lost = dt.timedelta(seconds=listing.suspended_remaining_seconds or 0)
        if back_to == ListingState.TIMED_ROUND:
            lost = max(lost, minutes(listing.round_minutes))
        until = now + lost
        proc = procedures.procedure_for(listing)
        procedures.transition(listing, back_to, now)
        proc.set_running_deadline(listing, back_to, until)
        listing.suspended_from, listing.suspended_at, listing.suspended_remaining_seconds = "", None, None
        listing.save()
        hall_changed(listing.pk)
        notice = RightsSuspension.objects.filter(listing=listing, resumed_at__isnull=True).order_by("-pk").first()
        if notice is None:  # pragma: no cover — a suspended listing always has its open notice
            raise Conflict("未找到中止公告", field="state")
        notice.resumed_at, notice.resumed_until = now, until
        notice.save(update_fields=["resumed_at", "resumed_until"])
        suspension_publish(listing, reason=notice.reason, resumed_until=until)
        audit_record(actor=actor, action="rights.listing_resumed", obj=listing,
                     after={"state": back_to, "until": until, "current_sequence": listing.current_sequence,
                            "current_price": listing.current_price})
    return notice
