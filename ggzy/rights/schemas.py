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


# a factor's number as text (or a whole number): parsed by the service like money — plain decimals, at most 2
# places, no exponents or NaN — so every refusal names its field (factors.<position>.weight …)
FactorNumber = str | int


class WeightFactorIn(Schema):
    """One factor of a weighted quote other than the price (权重报价因素); higher is better."""

    name: Annotated[str, Field(max_length=200, description="因素名称，如 职工安置人数")]
    unit: Annotated[str, Field(max_length=200, description="单位，如 人、万元")] = ""
    weight: Annotated[FactorNumber, Field(description="权重（%），大于0，最多两位小数；与报价权重合计须为100")]
    minimum: Annotated[FactorNumber, Field(description="允许最小值（不小于0）")]
    maximum: Annotated[FactorNumber, Field(description="允许最大值（大于最小值）")]


class ListingCreateIn(Schema):
    """A listing to publish (center staff). ``quote_ceiling`` for 一次报价 and 权重报价; ``price_weight`` and
    ``factors`` (1–5, positions 1… in this order; the price is position 0) for 权重报价 only."""

    center: Annotated[str, Field(max_length=6, description="交易中心代码（管理员、省级中心；默认本人中心）")] = ""
    grantor_id: int
    kind: Annotated[str, Field(max_length=32)]
    code: Annotated[str, Field(max_length=200)]
    title: Annotated[str, Field(max_length=400)]
    announced_at: dt.datetime
    registration_opens_at: dt.datetime
    registration_closes_at: dt.datetime
    listing_starts_at: dt.datetime
    listing_ends_at: dt.datetime
    start_price: Money
    increment: Money
    deposit: Money
    quote_ceiling: Money | None = None
    appraised_value: Money | None = None
    approval_reference: Annotated[str, Field(max_length=200)] = ""
    price_weight: FactorNumber | None = None
    factors: Annotated[list[WeightFactorIn], Field(max_length=10)] | None = None


class ListingCreatedOut(Schema):
    id: int
    code: str
    kind: str
    state: str


class QuoteIn(Schema):
    """One sealed quote (一次报价, 权重报价): the price, and in a weighted quote the value of every announced factor
    keyed by its position as text — {"1": "120", "2": "3000"} (positions from 1, in the announcement's order; the
    hall and ``GET …/hall`` list them)."""

    amount: Money
    factors: Annotated[dict[str, FactorNumber], Field(max_length=10)] = {}


class QuoteOut(Schema):
    # only the bidder's own receipt: the quote stays sealed until the close
    submitted_at: dt.datetime
    amount: str


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
