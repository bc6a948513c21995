"""一次报价 (a single sealed quote within the announced range) and 权重报价 (the same, with a value for each of the
transferor's announced factors) — the state property exchanges' quote modes.

Each admitted bidder submits one quote during the quoting period, between the start price and the announced
ceiling; it cannot be changed or withdrawn. Quotes are sealed: no page, count or log line shows them before the
close (the audit entry names no actor and carries no amount; the ledger entry is sealed with the listing's
registrations). The listing's procedure checks the quote's parts (``quote_parts``) and, at the close, opens them
(procedures.SealedQuoteProcedure, procedures.WeightedQuoteProcedure).
"""

from __future__ import annotations

from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, NotAllowed
from ggzy.core.money import yuan

from .. import procedures
from ..choices import ListingState, RegistrationState
from ..models import RightsQuote, RightsQuoteFactorValue, RightsRegistration
from .common import admitted_counter, listing_locked, seal_key_for
from .listings import record_transitions


def quote_submit(*, actor, listing_id: int, amount: object, factors: object = None) -> RightsQuote:
    """One sealed quote of an admitted bidder in the quoting period: ``amount`` (元) and, in a weighted quote,
    ``factors`` — the value of every announced factor by its position ({1: "120", 2: "3000"}). Never changed."""
    value = yuan(amount, field="amount", label="报价")
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAllowed("请先登录", field="__all__")
    with transaction.atomic():
        listing = listing_locked(listing_id)
        now = clock.now()  # after the lock
        registration = RightsRegistration.objects.filter(listing=listing, bidder=actor).order_by().first()
        if registration is None or registration.state != RegistrationState.ADMITTED:
            raise NotAllowed("您未取得本项目的竞买资格", field="__all__")
        proc = procedures.procedure_for(listing)
        if not proc.takes_quotes:
            raise Conflict("本项目不是一次报价或权重报价项目，请在竞价大厅报价", field="amount")
        before = listing.state
        if procedures.advance(listing, now, admitted_counter(listing)):
            listing.save()
            record_transitions(listing, before)
        if listing.state != ListingState.QUOTING:
            message = "报价期已结束" if listing.state == ListingState.CLOSED else proc.not_open_message(listing)
            if listing.state == ListingState.REGISTRATION:
                message = f"报价期尚未开始（{listing.listing_starts_at:%Y-%m-%d %H:%M} 开始）"
            raise Conflict(message, field="amount")
        if RightsQuote.objects.filter(registration=registration).exists():
            raise Conflict("一次报价只能提交一次，提交后不得修改或撤回", field="amount")
        parts = proc.quote_parts(listing, value, factors)  # DomainError naming the field: nothing stored
        quote = RightsQuote.objects.create(listing=listing, registration=registration, amount=value,
                                           submitted_at=now)
        if parts:
            by_position = {f.position: f for f in listing.weight_factors.all()}
            RightsQuoteFactorValue.objects.bulk_create(
                RightsQuoteFactorValue(quote=quote, factor=by_position[position], value=part)
                for position, part in parts.items())
        audit_record(actor=actor, action="rights.quote_submitted", obj=listing, sealed=True,
                     seal_key=seal_key_for(listing.pk), after={"quote": quote.pk})
    return quote
