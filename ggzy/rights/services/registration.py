"""Registration (竞买报名): the bidder applies, the center records the deposit and checks the qualification; an
admitted bidder gets an anonymous paddle number (竞买号牌). Nobody but the center learns who the others are.

The deposit arrives on the registration's own virtual sub-account and is matched from the imported bank statement
(services.deposits); the center may also record it here from the bank's credit advice.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed, NotFound
from ggzy.core.money import yuan

from .. import procedures
from ..choices import ListingState, RegistrationState
from ..models import RightsRegistration
from .common import admitted_counter, hall_changed, listing_locked, seal_key_for
from .deposits import subaccount_for
from .listings import record_transitions

PADDLE_LOW, PADDLE_HIGH = 101, 999


def registration_apply(*, actor, listing_id: int) -> RightsRegistration:
    """A bidder applies during the registration window (报名期)."""
    if actor is None or getattr(actor, "role", None) != Role.BIDDER:
        raise NotAllowed("只有竞买人（市场主体）可以报名", field="__all__")
    with transaction.atomic():
        listing = listing_locked(listing_id)
        now = clock.now()
        before = listing.state
        if procedures.advance(listing, now, admitted_counter(listing)):
            listing.save()
            record_transitions(listing, before)
        if not (listing.registration_opens_at <= now < listing.registration_closes_at) or listing.state in (
                ListingState.TIMED_ROUND, ListingState.CLOSED):
            raise Conflict("不在报名期内", field="__all__")
        if RightsRegistration.objects.filter(listing=listing, bidder=actor).exists():
            raise Conflict("您已报名本项目", field="__all__")
        registration = RightsRegistration.objects.create(listing=listing, bidder=actor, applied_at=now)
        registration.subaccount = subaccount_for(listing_id=listing.pk, registration_id=registration.pk)
        registration.save(update_fields=["subaccount"])
        audit_record(actor=actor, action="rights.registration_applied", obj=registration, sealed=True,
                     seal_key=seal_key_for(listing.pk), after={"listing": listing.pk})
    return registration


def _staff_registration(actor, registration_id: int) -> RightsRegistration:
    if actor is None or getattr(actor, "role", None) not in (Role.CENTER_STAFF, Role.ADMIN):
        raise NotAllowed("只有交易中心工作人员可以办理", field="__all__")
    registration = (RightsRegistration.objects.select_for_update().select_related("listing")
                    .filter(pk=registration_id).first())
    if registration is None:
        raise NotFound("竞买申请不存在", field="registration")
    if actor.role == Role.CENTER_STAFF and actor.center_id != registration.listing.center_id:
        raise NotAllowed("只能办理本中心的项目", field="registration")
    if registration.listing.state == ListingState.CLOSED:
        raise Conflict("挂牌已结束", field="registration")
    return registration


def admit_if_ready(registration: RightsRegistration) -> None:
    """Deposit received and qualified → admitted, with a random paddle unused in this listing. Under 资格后审 the
    deposit alone admits: the qualification is checked for the winner only, after the close (资格待审)."""
    if registration.state != RegistrationState.APPLIED or registration.deposit_received_at is None:
        return
    if registration.qualified_at is None and not registration.listing.is_qualified_after_winning:
        return
    taken = set(RightsRegistration.objects.filter(listing=registration.listing_id, paddle__isnull=False)
                .values_list("paddle", flat=True))
    free = [n for n in range(PADDLE_LOW, PADDLE_HIGH + 1) if n not in taken]
    if not free:
        raise Conflict("竞买号牌已用完", field="registration")
    registration.paddle = free[secrets.randbelow(len(free))]
    registration.state = RegistrationState.ADMITTED
    hall_changed(registration.listing_id)  # the bidder's own part of the hall ("me") changes


def registration_deposit_record(*, actor, registration_id: int, amount: object, reference: str) -> RightsRegistration:
    """Center staff record the deposit the bank credited (the full amount the announcement asks)."""
    value = yuan(amount, field="amount", label="保证金金额")
    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        raise DomainError("到账凭证号不能为空，且不超过64个字符", field="reference")
    with transaction.atomic():
        registration = _staff_registration(actor, registration_id)
        if registration.deposit_received_at is not None:
            raise Conflict("保证金已登记到账", field="amount")
        if value < registration.listing.deposit:
            raise DomainError("到账金额低于公告要求的竞买保证金", field="amount")
        registration.deposit_amount = value
        registration.deposit_reference = reference
        registration.deposit_received_at = clock.now()
        admit_if_ready(registration)
        registration_save(registration)
        audit_record(actor=actor, action="rights.deposit_recorded", obj=registration,
                     seal_key=seal_key_for(registration.listing_id),
                     after={"amount": value, "reference": reference})
    return registration


def registration_qualify(*, actor, registration_id: int, approve: bool, reason: str = "") -> RightsRegistration:
    """Center staff decide the qualification (资格审查，报名后竞价前; 资格前审 only)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        registration = _staff_registration(actor, registration_id)
        if registration.listing.is_qualified_after_winning:
            raise Conflict("本项目实行资格后审：竞价前不审查资格，竞价结束后审查竞得人的资格", field="approve")
        if registration.state != RegistrationState.APPLIED or registration.qualified_at is not None:
            raise Conflict("该申请已审核", field="approve")
        if approve:
            registration.qualified_at = clock.now()
            admit_if_ready(registration)
        else:
            if not reason or len(reason) > 200:
                raise DomainError("请填写未通过原因（不超过200个字符）", field="reason")
            registration.state = RegistrationState.REFUSED
            registration.refusal_reason = reason
        registration_save(registration)
        audit_record(actor=actor, action="rights.registration_qualified", obj=registration,
                     seal_key=seal_key_for(registration.listing_id),
                     after={"approve": bool(approve), "reason": reason})
    return registration


def registration_save(registration: RightsRegistration) -> None:
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        raise Conflict("竞买号牌冲突，请重试", field="registration") from None
