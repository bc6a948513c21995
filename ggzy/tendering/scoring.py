"""Evaluation arithmetic — pure functions: ranking by lowest evaluated price or comprehensive scoring.

Government-procurement price score (政府采购货物和服务招标投标管理办法 Art. 55): the lowest qualifying price is the
base; price score = base ÷ bid × weight × 100, weight being the price share (e.g. 30% → 0.30).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

TWO = Decimal("0.01")


@dataclass
class BidScores:
    bid_id: int
    bidder: str
    price: Decimal
    arrived_order: int
    technical: list[Decimal] = field(default_factory=list)
    commercial: list[Decimal] = field(default_factory=list)
    qualified_votes: list[bool] = field(default_factory=list)

    @property
    def is_qualified(self) -> bool:
        """A bid passes when a majority of members found it compliant."""
        return sum(self.qualified_votes) * 2 > len(self.qualified_votes)

    @property
    def technical_avg(self) -> Decimal:
        return _avg(self.technical)

    @property
    def commercial_avg(self) -> Decimal:
        return _avg(self.commercial)


def _avg(values: list[Decimal]) -> Decimal:
    if not values:
        return Decimal(0)
    return (sum(values, Decimal(0)) / len(values)).quantize(TWO, rounding=ROUND_HALF_UP)


def price_score(*, base: Decimal, price: Decimal, weight_percent: Decimal) -> Decimal:
    return (base / price * weight_percent).quantize(TWO, rounding=ROUND_HALF_UP)


def _tie_key(row: dict, tie_break: str) -> tuple:
    if tie_break == "higher_technical":
        return (-row["technical"], row["arrived_order"])
    if tie_break == "earlier_submission":
        return (row["arrived_order"],)
    return (row["price"], row["arrived_order"])


def rank(bids: list[BidScores], *, method: str, price_weight: Decimal, tie_break: str) -> list[dict]:
    """Qualified bids ranked best first; each row carries the numbers that put it there."""
    qualified = [b for b in bids if b.is_qualified]
    if not qualified:
        return []
    base = min(b.price for b in qualified)
    rows = []
    for b in qualified:
        row: dict = {"bid_id": b.bid_id, "bidder": b.bidder, "price": b.price, "arrived_order": b.arrived_order,
                     "technical": b.technical_avg, "commercial": b.commercial_avg}
        if method == "comprehensive":
            row["price_score"] = price_score(base=base, price=b.price, weight_percent=price_weight)
            row["total"] = row["price_score"] + row["technical"] + row["commercial"]
        else:
            row["price_score"] = Decimal(0)
            row["total"] = Decimal(0)
        rows.append(row)
    if method == "comprehensive":
        rows.sort(key=lambda r: (-r["total"], *_tie_key(r, tie_break)))
    else:
        rows.sort(key=lambda r: (r["price"], *_tie_key(r, tie_break)))
    for position, row in enumerate(rows, start=1):
        row["rank"] = position
        for key in ("price", "technical", "commercial", "price_score", "total"):
            row[key] = str(row[key])
    return rows
