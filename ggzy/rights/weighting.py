"""权重报价 (weighted quote) for state property transfer: the transferor's announced factors and the scoring.

At publication the transferor announces the price's weight and 1–5 other quantified factors (职工安置人数, 承诺投资额
（万元）, 承接债务（万元）…), each with a unit, a weight (%) and an allowed range [minimum, maximum]; the weights (price
included) are whole or two-decimal percentages, each above 0, summing to exactly 100. **Higher is better on every
factor** (a factor where less is better must be announced as its complement, e.g. 承接债务 rather than 剩余债务).

Scoring — this platform's formula, 待核实 against the exchange's own rules (none was found published; the weighting
is set per project in the announcement): for every factor, the price included, a quote's score is its value ÷ the
highest value any quote offers on that factor × the factor's weight, rounded half up to 2 places (the best on a
factor gets its full weight; best on all = 100). When every quote offers 0 on a factor, all are equally best and
each gets the full weight. The total is the sum of the rounded scores; the highest total wins, equal totals go to
the earlier submitted quote. Values are plain decimals (``core.money.plain_decimal``: no exponents, NaN or excess
digits), at most 2 decimals, within the columns' range.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ggzy.core.errors import DomainError
from ggzy.core.money import CENT, money_limit, number_text, plain_decimal

HUNDRED = Decimal(100)
MAX_FACTORS = 5
PRICE_POSITION = 0
PRICE_NAME = "报价"
NAME_MAX, UNIT_MAX = 40, 20


@dataclass(frozen=True)
class FactorTerms:
    """One announced factor (position 0: the price)."""

    position: int
    name: str
    unit: str
    weight: Decimal
    minimum: Decimal
    maximum: Decimal


@dataclass(frozen=True)
class QuoteScore:
    """One quote's row of the score table: its values and scores by factor position, total and rank."""

    quote_id: int
    registration_id: int
    paddle: int | None
    submitted_at: dt.datetime
    values: dict[int, Decimal]
    scores: dict[int, Decimal]
    total: Decimal
    rank: int

    @property
    def price(self) -> Decimal:
        return self.values[PRICE_POSITION]


def factor_number(value: object, *, field: str, label: str) -> Decimal:
    """A factor's value or bound: a plain non-negative decimal, at most 2 places, within the value column."""
    return plain_decimal(value, field=field, label=label, places=2, maximum=money_limit())


def _weight(value: object, *, field: str, label: str, errors: dict[str, list[str]]) -> Decimal | None:
    if value in (None, ""):
        errors.setdefault(field, []).append(f"请填写{label}（%）")
        return None
    try:
        weight = plain_decimal(value, field=field, label=label, places=2, maximum=HUNDRED)
    except DomainError as exc:
        errors.setdefault(field, []).append(exc.message)
        return None
    if weight <= 0:
        errors.setdefault(field, []).append(f"{label}须大于0")
        return None
    return weight


def _text(value: object, *, field: str, label: str, limit: int, required: bool,
          errors: dict[str, list[str]]) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        errors.setdefault(field, []).append(f"{label}须为文字")
    elif required and not text:
        errors.setdefault(field, []).append(f"{label}不能为空")
    elif len(text) > limit:
        errors.setdefault(field, []).append(f"{label}不超过{limit}个字符")
    return text


def factors_parse(*, price_weight: object, factors: object, start: Decimal, ceiling: Decimal
                  ) -> tuple[FactorTerms, ...]:
    """The announced factors, parsed and checked together (every field's reason at once); the price is position 0
    with the range [start price, ceiling]. DomainError naming ``price_weight``, ``factors`` or
    ``factors.<position>.<name|unit|weight|minimum|maximum>`` (positions from 1)."""
    errors: dict[str, list[str]] = {}
    price = _weight(price_weight, field="price_weight", label="报价权重", errors=errors)
    if not isinstance(factors, Sequence) or isinstance(factors, str | bytes) or not factors:
        raise DomainError(f"权重报价项目须公布1至{MAX_FACTORS}个报价以外的量化因素", field="factors",
                          errors=errors)
    if len(factors) > MAX_FACTORS:
        raise DomainError(f"报价以外的量化因素最多{MAX_FACTORS}个", field="factors", errors=errors)
    parsed = [FactorTerms(PRICE_POSITION, PRICE_NAME, "元", price or Decimal(0), start, ceiling)]
    names = {PRICE_NAME}
    for position, row in enumerate(factors, start=1):
        key = f"factors.{position}"
        if not isinstance(row, Mapping):
            errors.setdefault(key, []).append(f"第{position}个因素须包含名称、单位、权重和允许范围")
            continue
        label = f"第{position}个因素"
        name = _text(row.get("name"), field=f"{key}.name", label=f"{label}的名称", limit=NAME_MAX, required=True,
                     errors=errors)
        if name and name in names:
            errors.setdefault(f"{key}.name", []).append(f"{label}的名称「{name}」与其他因素重复")
        names.add(name)
        unit = _text(row.get("unit", ""), field=f"{key}.unit", label=f"{label}的单位", limit=UNIT_MAX,
                     required=False, errors=errors)
        weight = _weight(row.get("weight"), field=f"{key}.weight", label=f"{label}的权重", errors=errors)
        bounds: list[Decimal | None] = []
        for part, word in (("minimum", "允许最小值"), ("maximum", "允许最大值")):
            try:
                bounds.append(factor_number(row.get(part), field=f"{key}.{part}", label=f"{label}的{word}"))
            except DomainError as exc:
                errors.setdefault(f"{key}.{part}", []).append(exc.message)
                bounds.append(None)
        low, high = bounds
        if low is not None and high is not None and high <= low:
            errors.setdefault(f"{key}.maximum", []).append(f"{label}的允许最大值须大于允许最小值")
        if weight is not None and low is not None and high is not None and high > low:
            parsed.append(FactorTerms(position, name, unit, weight, low, high))
    if not errors:
        total = sum((f.weight for f in parsed), Decimal(0))
        if total != HUNDRED:
            errors["factors"] = [f"各因素权重（含报价权重）之和须为100%，现为{number_text(total)}%"]
    if errors:
        raise DomainError(errors=errors)
    return tuple(parsed)


def quote_values_parse(factors: Sequence[FactorTerms], values: object) -> dict[int, Decimal]:
    """A weighted quote's values for the factors other than the price, keyed by position (from 1; the keys may be
    text, as JSON objects have). Every factor needs a value within its range. DomainError naming ``factors`` or
    ``factors.<position>``, every field's reason at once."""
    others = [f for f in factors if f.position != PRICE_POSITION]
    if values is None:
        values = {}
    if not isinstance(values, Mapping):
        raise DomainError("因素报价须按因素序号填写（如 {\"1\": \"120\"}）", field="factors")
    given: dict[int, object] = {}
    errors: dict[str, list[str]] = {}
    known = {f.position for f in others}
    for key, value in values.items():
        text = str(key).strip()
        if not text.isascii() or not text.isdigit() or int(text) not in known:
            errors.setdefault("factors", []).append(f"本项目没有序号为「{text[:10]}」的因素")
            continue
        given[int(text)] = value
    parsed: dict[int, Decimal] = {}
    for factor in others:
        field = f"factors.{factor.position}"
        raw = given.get(factor.position)
        if raw in (None, ""):
            errors.setdefault(field, []).append(f"请填写「{factor.name}」")
            continue
        try:
            value = factor_number(raw, field=field, label=f"「{factor.name}」")
        except DomainError as exc:
            errors.setdefault(field, []).append(exc.message)
            continue
        if not factor.minimum <= value <= factor.maximum:
            unit = factor.unit or ""
            errors.setdefault(field, []).append(
                f"「{factor.name}」须在{number_text(factor.minimum)}至{number_text(factor.maximum)}{unit}之间")
            continue
        parsed[factor.position] = value
    if errors:
        raise DomainError(errors=errors)
    return parsed


@dataclass(frozen=True)
class QuoteEntry:
    """What scoring needs of one quote: its identity, submission time and values by position (price at 0)."""

    quote_id: int
    registration_id: int
    paddle: int | None
    submitted_at: dt.datetime
    values: dict[int, Decimal]


def score(weights: Mapping[int, Decimal], entries: Sequence[QuoteEntry]) -> list[QuoteScore]:
    """The score table, best first: value ÷ the highest value on the factor × weight, each rounded half up to 2
    places; total = their sum; equal totals: the earlier submitted (then the earlier recorded) first."""
    best = {position: max((e.values[position] for e in entries), default=Decimal(0)) for position in weights}
    rows = []
    for entry in entries:
        scores = {}
        for position, weight in weights.items():
            top = best[position]
            raw = weight if top == 0 else entry.values[position] / top * weight
            scores[position] = raw.quantize(CENT, rounding=ROUND_HALF_UP)
        rows.append((entry, scores, sum(scores.values(), Decimal(0)).quantize(CENT)))
    rows.sort(key=lambda r: (-r[2], r[0].submitted_at, r[0].quote_id))
    return [QuoteScore(e.quote_id, e.registration_id, e.paddle, e.submitted_at, dict(e.values), scores, total, rank)
            for rank, (e, scores, total) in enumerate(rows, start=1)]


def listing_factors(listing) -> list[FactorTerms]:
    """The listing's announced factors, by position (price first)."""
    return [FactorTerms(f.position, f.name, f.unit, f.weight, f.minimum, f.maximum)
            for f in listing.weight_factors.order_by("position")]


def listing_scores(listing) -> list[QuoteScore]:
    """Score every quote of the listing (two queries). Callers show it only after the close: it is sealed before."""
    from .models import RightsQuote, RightsQuoteFactorValue

    factors = listing_factors(listing)
    quotes = list(RightsQuote.objects.filter(listing=listing).select_related("registration")
                  .order_by("submitted_at", "pk"))
    values: dict[int, dict[int, Decimal]] = {q.pk: {PRICE_POSITION: q.amount} for q in quotes}
    for quote_id, position, value in (RightsQuoteFactorValue.objects.filter(quote__listing=listing)
                                      .values_list("quote_id", "factor__position", "value")):
        values[quote_id][position] = value
    entries = [QuoteEntry(q.pk, q.registration_id, q.registration.paddle, q.submitted_at, values[q.pk])
               for q in quotes]
    return score({f.position: f.weight for f in factors}, entries)
