"""Evaluation arithmetic — pure functions: ranking by lowest evaluated price or comprehensive scoring.

Government-procurement price score (政府采购货物和服务招标投标管理办法 Art. 55): the lowest qualifying price is the
base; price score = base ÷ bid × weight × 100, weight being the price share (e.g. 30% → 0.30).

Two government-procurement rules from template data: a small or micro enterprise that declared so (中小企业声明函)
is ranked and price-scored on its price less the template's deduction (政府采购促进中小企业发展管理办法 Art. 9;
the awarded amount stays the bid price); bids offering the same core-product brand count as one supplier, and only the
best of that brand is ranked (政府采购货物和服务招标投标管理办法 Art. 31).
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
    brand: str = ""
    sme: bool = False

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


def evaluation_price(price: Decimal, *, sme: bool, sme_deduction_percent: Decimal) -> Decimal:
    """The price used for ranking and the price score: the bid price, less the SME deduction when declared."""
    if not sme or sme_deduction_percent <= 0:
        return price
    return (price * (Decimal(100) - sme_deduction_percent) / Decimal(100)).quantize(TWO, rounding=ROUND_HALF_UP)


def brand_key(brand: str) -> str:
    """Brands compare without case or surrounding/inner spaces ("Dell " = "dell")."""
    return "".join((brand or "").split()).casefold()


def suppliers_counted(bids: list[BidScores], *, same_brand_as_one: bool) -> int:
    """Qualified suppliers as the minimum count sees them: one brand counts once (87号令 Art. 31)."""
    qualified = [b for b in bids if b.is_qualified]
    if not same_brand_as_one:
        return len(qualified)
    branded = {brand_key(b.brand) for b in qualified if brand_key(b.brand)}
    return len(branded) + sum(1 for b in qualified if not brand_key(b.brand))


def rank(bids: list[BidScores], *, method: str, price_weight: Decimal, tie_break: str,
         same_brand_as_one: bool = False, sme_deduction_percent: Decimal = Decimal(0)) -> list[dict]:
    """Qualified bids ranked best first; each row carries the numbers that put it there."""
    qualified = [b for b in bids if b.is_qualified]
    if not qualified:
        return []
    priced = {b.bid_id: evaluation_price(b.price, sme=b.sme, sme_deduction_percent=sme_deduction_percent)
              for b in qualified}
    base = min(priced.values())
    rows = []
    for b in qualified:
        row: dict = {"bid_id": b.bid_id, "bidder": b.bidder, "price": b.price, "arrived_order": b.arrived_order,
                     "technical": b.technical_avg, "commercial": b.commercial_avg}
        if b.sme and sme_deduction_percent > 0:  # the report shows the deduction and the price it ranked on
            row["sme"] = True
            row["sme_deduction_percent"] = str(sme_deduction_percent)
            row["evaluation_price"] = str(priced[b.bid_id])
        if b.brand:
            row["brand"] = b.brand
        if method == "comprehensive":
            row["price_score"] = price_score(base=base, price=priced[b.bid_id], weight_percent=price_weight)
            row["total"] = row["price_score"] + row["technical"] + row["commercial"]
        else:
            row["price_score"] = Decimal(0)
            row["total"] = Decimal(0)
        rows.append(row)
    if method == "comprehensive":
        rows.sort(key=lambda r: (-r["total"], *_tie_key(r, tie_break)))
    else:
        rows.sort(key=lambda r: (priced[r["bid_id"]], *_tie_key(r, tie_break)))
    if same_brand_as_one:  # only the best of each brand keeps its place; the others are listed under it
        kept: list[dict] = []
        best: dict[str, dict] = {}
        for row in rows:
            key = brand_key(row.get("brand", ""))
            if key and key in best:
                best[key].setdefault("same_brand_bids", []).append(row["bid_id"])
                continue
            if key:
                best[key] = row
            kept.append(row)
        rows = kept
    for position, row in enumerate(rows, start=1):
        row["rank"] = position
        for key in ("price", "technical", "commercial", "price_score", "total"):
            row[key] = str(row[key])
    return rows
