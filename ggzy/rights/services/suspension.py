"""Suspension (中止) and resumption (恢复) of a listing's bidding — issue 15 item 3.

Center staff suspend a listing in a bidding state (listing, timed round / live auction, sealed quoting) with an
announced reason, never within the template's final minutes of the running period
(``suspension_blocked_final_minutes``, 待核实). The time the period still had is kept. Resumption is announced
ahead (恢复交易公告, DOMAIN.md: land and mining rights ≥ 5 days; the template's ``resumption_notice_min``): staff
give the resumption time, the notice goes on the portal at once, and the listing resumes when the time comes —
a time-driven transition of its procedure, applied by the chronograph or by whoever touches the listing first
(services.listings.record_transitions closes the suspension record). It returns to the state it left, from the
last committed high (nothing about the bids changes), with at least the time it lost: the remaining time, and a
timed round at least one full countdown. Every act goes into the audit log and the public notices
(RightsSuspension). A suspended listing refuses bids and quotes until it has resumed.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ggzy.accounts.roles import Role
from ggzy.catalog import calendar
from ggzy.catalog import selectors as catalog
from ggzy.catalog.choices import PeriodUnit
from ggzy.catalog.selectors import PeriodMissing
from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed

from .. import procedures
from ..choices import ListingState
from ..models import RightsListing, RightsSuspension
from .common import admitted_counter, hall_changed, listing_locked, minutes, moment
from .listings import record_transitions
from .publicity import suspension_publish


def _staff(actor) -> None:
    if actor is None or getattr(actor, "role", None) not in (Role.CENTER_STAFF, Role.ADMIN):
        raise NotAllowed("只有交易中心工作人员可以中止或恢复竞价", field="__all__")


def _own_center(actor, listing: RightsListing) -> None:
    if actor.role == Role.CENTER_STAFF and actor.center_id != listing.center_id:
        raise NotAllowed("只能中止或恢复本中心的项目", field="__all__")


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
        _own_center(actor, listing)
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


def resumption_notice_earliest(listing: RightsListing, now: dt.datetime) -> tuple[dt.datetime, str] | None:
    """The earliest resumption time the template allows when announced at ``now``, and the rule in words; None
    where the template has no ``resumption_notice_min`` (the resumption may take effect at once)."""
    try:
        period = catalog.period_get(listing.template_version, "resumption_notice_min")
    except PeriodMissing:
        return None
    n = int(period.value)
    if period.unit == PeriodUnit.WORKING_DAYS:
        day = calendar.add_working_days(timezone.localdate(now), n).date
        return timezone.make_aware(dt.datetime.combine(day, timezone.localtime(now).time())), f"{n}个工作日"
    if period.unit == PeriodUnit.HOURS:
        return now + dt.timedelta(hours=n), f"{n}小时"
    if period.unit == PeriodUnit.MINUTES:
        return now + minutes(n), f"{n}分钟"
    return now + dt.timedelta(days=n), f"{n}日"  # calendar days (DOMAIN.md: land/mining ≥ 5 days ahead)


def listing_resumption_announce(*, actor, listing_id: int, resume_at: object = None) -> RightsSuspension:
    """恢复交易公告: staff announce when a suspended listing resumes. The time must be at least the template's
    ``resumption_notice_min`` ahead (DOMAIN.md: land and mining rights, ≥ 5 days); the notice, stating that time and
    the period's new deadline, goes on the portal now. The listing resumes when the time comes (procedures: the
    chronograph, or whoever touches it first), from the last committed high with at least the time it lost. A
    template without the field: the time may be left empty (resumes at once) or given, not in the past."""
    _staff(actor)
    wanted = moment(resume_at, field="resume_at", label="恢复交易时间")
    with transaction.atomic():
        listing = listing_locked(listing_id)
        now = clock.now()  # after the lock
        _own_center(actor, listing)
        if listing.state != ListingState.SUSPENDED:
            raise Conflict("项目未中止，无需恢复", field="state")
        if listing.resume_at is not None:
            raise Conflict(f"已公告于{timezone.localtime(listing.resume_at):%Y-%m-%d %H:%M}恢复交易，不能重复公告",
                           field="resume_at")
        earliest = resumption_notice_earliest(listing, now)
        if earliest is not None:
            at_least, rule = earliest
            if wanted is None:
                raise DomainError(f"请填写恢复交易时间（流程模板 resumption_notice_min：须提前{rule}公告）",
                                  field="resume_at")
            if wanted < at_least:
                raise DomainError(f"恢复交易时间须在公告之日起{rule}之后（不早于"
                                  f"{timezone.localtime(at_least):%Y-%m-%d %H:%M}；流程模板 resumption_notice_min）",
                                  field="resume_at")
        elif wanted is not None and wanted < now:
            raise DomainError("恢复交易时间不能早于现在", field="resume_at")
        when = wanted if wanted is not None else now
        until = procedures.resumed_until(listing, when)
        notice = RightsSuspension.objects.filter(listing=listing, resumed_at__isnull=True).order_by("-pk").first()
        if notice is None:  # pragma: no cover — a suspended listing always has its open notice
            raise Conflict("未找到中止公告", field="state")
        notice.resumption_announced_at, notice.resume_at, notice.resumed_until = now, when, until
        notice.save(update_fields=["resumption_announced_at", "resume_at", "resumed_until"])
        listing.resume_at = when
        listing.save(update_fields=["resume_at"])
        hall_changed(listing.pk)
        suspension_publish(listing, reason=notice.reason, resume_at=when, resumed_until=until)
        audit_record(actor=actor, action="rights.listing_resumption_announced", obj=listing,
                     after={"resume_at": when, "until": until, "current_sequence": listing.current_sequence,
                            "current_price": listing.current_price})
        _locked_and_current(listing.pk)  # a resumption due now (no notice period) takes effect at once
    notice.refresh_from_db()
    return notice
