"""API schemas of the rights app (money through ``core.money.Money``; the public schema has no identities)."""


import datetime as dt
from typing import Annotated

from ninja import Field, Schema

from ggzy.core.money import Money

Sequence = Annotated[int, Field(ge=0, le=2**31 - 1)]


class BidIn(Schema):
    amount: Money
    seen_sequence: Sequence
    idempotency_key: Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class BidOut(Schema):
    accepted: bool
    sequence: int | None
    amount: str
    refusal: str
    message: str
    current_sequence: int
    current_price: str | None
    round_ends_at: str | None
    replayed: bool


class ReserveIn(Schema):
    amount: Money


class DepositIn(Schema):
    amount: Money
    reference: Annotated[str, Field(min_length=1, max_length=64)]


class SettlementIn(Schema):
    reference: Annotated[str, Field(min_length=1, max_length=64)]


class InstalmentIn(Schema):
    due_on: dt.date
    amount: Money


class ContractIn(Schema):
    number: Annotated[str, Field(min_length=1, max_length=64)]
    signed_on: dt.date
    instalments: Annotated[list[InstalmentIn], Field(max_length=12)]


class SuspendIn(Schema):
    reason: Annotated[str, Field(max_length=200)]


class ResumptionIn(Schema):
    # at least the template's resumption_notice_min ahead; a template without it: empty resumes at once
    resume_at: dt.datetime | None = None


class SuspensionOut(Schema):
    id: int
    reason: str
    from_state: str
    suspended_at: dt.datetime
    remaining_seconds: int
    resumption_announced_at: dt.datetime | None
    resume_at: dt.datetime | None
    resumed_at: dt.datetime | None
    resumed_until: dt.datetime | None


class QualifyIn(Schema):
    approve: bool
    reason: Annotated[str, Field(max_length=200)] = ""


class WinnerQualificationIn(Schema):
    """资格后审: the center's decision on the winner's qualification after winning (a refusal needs the reason)."""

    approve: bool
    reason: Annotated[str, Field(max_length=200)] = ""


class WinnerQualificationOut(Schema):
    approved: bool
    reason: str
    decided_at: dt.datetime | None
    outcome: str
    void_notice_id: int | None


class ListingPublicOut(Schema):
    id: int
    code: str
    title: str
    kind: str
    state: str
    center: str
    listing_starts_at: str
    listing_ends_at: str
    start_price: str
    increment: str
    deposit: str
    current_price: str | None
    current_sequence: int
    outcome: str


class RegistrationOut(Schema):
    id: int
    state: str
    paddle: int | None
    # where the deposit is paid (the registration's own virtual sub-account); given to the bidder and the center
    subaccount: str | None = None
