"""Test data for rights listings: a land listing whose periods meet the template, bidders admitted with paddles."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from ggzy.accounts.roles import Role
from ggzy.core import clock

from ..choices import PROCEDURE_KINDS
from ..services import listings, registration

SHANGHAI = ZoneInfo("Asia/Shanghai")
_codes = itertools.count(1)


def listing_make(make_user, center, *, kind="land_listing", listing_ends_at=None, start_price="1000000.00",
                 increment="10000.00", deposit="200000.00", staff=None, grantor=None, quote_ceiling=None,
                 appraised_value=None, approval_reference="", price_weight=None, factors=None,
                 qualification_timing="before"):
    """A listing announced 60 days before its end, registration from 40 days before, listing for the 16 days before
    it (at least 10 working days); the clock is not moved."""
    ends = listing_ends_at or clock.now() + dt.timedelta(days=30)
    staff = staff or make_user(Role.CENTER_STAFF, center=center)
    grantor = grantor or make_user(Role.TENDERER)
    return listings.listing_create(
        actor=staff, center=center, grantor=grantor, kind=kind, code=f"TD-{next(_codes):05d}", title="济南市某地块",
        announced_at=ends - dt.timedelta(days=60), registration_opens_at=ends - dt.timedelta(days=40),
        registration_closes_at=ends - dt.timedelta(days=2), listing_starts_at=ends - dt.timedelta(days=16),
        listing_ends_at=ends, start_price=start_price, increment=increment, deposit=deposit,
        quote_ceiling=quote_ceiling, approval_reference=approval_reference, price_weight=price_weight, factors=factors,
        qualification_timing=qualification_timing,
        appraised_value=appraised_value if appraised_value is not None or PROCEDURE_KINDS[kind].category_code != "05"
        else start_price)


def admit(make_user, listing, *, staff, bidder=None):
    """A bidder registers, pays the deposit and is qualified: returns the admitted registration."""
    bidder = bidder or make_user(Role.BIDDER)
    reg = registration.registration_apply(actor=bidder, listing_id=listing.pk)
    registration.registration_deposit_record(actor=staff, registration_id=reg.pk, amount=str(listing.deposit),
                                             reference=f"BANK-{reg.pk}")
    return registration.registration_qualify(actor=staff, registration_id=reg.pk, approve=True)


def admit_on_deposit(make_user, listing, *, staff, bidder=None):
    """资格后审: a bidder registers and pays the deposit, which admits at once (no prior check)."""
    bidder = bidder or make_user(Role.BIDDER)
    reg = registration.registration_apply(actor=bidder, listing_id=listing.pk)
    return registration.registration_deposit_record(actor=staff, registration_id=reg.pk, amount=str(listing.deposit),
                                                    reference=f"BANK-{reg.pk}")
