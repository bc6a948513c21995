"""The full Django-free indicator set over a bid file (``generate``'s ``bids.csv``), in one streaming pass: the price
screens per lot (``price.score_tender``), every history rule (``history.HistoryEngine``) and Cardinal's 11 flags on
OCDS releases built from the same rows (``ocds.compiled_release``). Then the findings are scored against what was
planted (``truth.json``), which the pass never reads.
"""

from __future__ import annotations

import csv
import math
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .cardinal import Cardinal, Settings
from .history import Finding, HistoryEngine, HistoryRecord, by_lot
from .ocds import CURRENCY, compiled_release
from .price import score_tender

PRICE_SUSPICIOUS = 0.5  # a lot is "price-suspicious" when at least half of its applicable screens fired


PLAIN = re.compile(r"[0-9]{1,16}(?:\.[0-9]{1,2})?", re.ASCII)


def amount(text: str) -> float | None:
    """A positive amount written as plain decimal text (at most 16 integer digits, 2 decimals, as the platform's
    amount columns), or None (empty, exponent text such as 1e20 or 1e400, NaN, words, ≤ 0): the bid is kept
    without a price, so one odd row never stops the run."""
    if not PLAIN.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) and value > 0 else None


def read_records(path: str | Path, odd: list[str] | None = None) -> Iterator[HistoryRecord]:
    """The bench file's rows as history records. A row with a wrong number of cells is skipped and an amount that is
    not a positive finite number is dropped; each is noted in ``odd`` (Chinese, with its line number)."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        for line, row in enumerate(reader, start=2):
            if len(row) != 13:
                if odd is not None:
                    odd.append(f"第{line}行：应有13列，实有{len(row)}列，已跳过")
                continue
            lot_id, buyer, category, opened, estimate, bidder, price, winner, disq, reason, start, deadline, \
                submitted = row
            value = amount(price)
            if price and value is None and odd is not None:
                odd.append(f"第{line}行 price 列：“{price[:40]}”不是正的有限金额，已按无报价处理")
            yield HistoryRecord(lot_id, buyer, category, opened, amount(estimate), bidder, value, winner == "1",
                                disq == "1", reason, start, deadline, submitted)


def read_once(path: str | Path) -> int:
    """The floor: parse every CSV row once and do nothing with it."""
    with open(path, newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.reader(f)) - 1


@dataclass
class ProvinceResult:
    rows: int = 0
    lots: int = 0
    price_scores: dict[str, float] = field(default_factory=dict)  # lot id → score (lots with a score)
    history: list[Finding] = field(default_factory=list)
    cardinal: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    odd_rows: list[str] = field(default_factory=list)  # rows skipped or amounts dropped, in Chinese


def run_province(path: str | Path) -> ProvinceResult:
    result = ProvinceResult()
    started = time.perf_counter()
    engine = HistoryEngine()
    cardinal = Cardinal(Settings(currency=CURRENCY))
    for rows in by_lot(read_records(path, result.odd_rows)):
        result.rows += len(rows)
        result.lots += 1
        priced = [r for r in rows if r.price is not None and r.price > 0]
        if len(priced) >= 2:
            score = score_tender(rows[0].lot_id, [Decimal(f"{r.price:.2f}") for r in priced],
                                 [r.bidder_id for r in priced])
            if score.score is not None:
                result.price_scores[rows[0].lot_id] = score.score
        engine.fold_lot(rows)
        cardinal.fold(compiled_release(rows))
    result.history = engine.finish()
    result.cardinal = cardinal.finish()
    result.seconds = time.perf_counter() - started
    return result


def score_against_truth(result: ProvinceResult, truth: dict[str, Any]) -> dict[str, Any]:
    """The share of planted cartels each rule found (a finding naming ≥ 2 members, or a member as cover bidder), the
    findings that name no planted firm (false leads), captured buyers found, and the price screens on cartel lots."""
    cartels = truth["cartels"]
    member_of = {m: c["id"] for c in cartels for m in c["members"]}
    found: dict[str, set[int]] = {code: set() for code in ("history.cobidding", "history.rotation",
                                                            "history.cover_bidder", "history.disqualified_together")}
    false_leads: Counter[str] = Counter()
    for f in result.history:
        if f.code == "history.single_bid_buyer":
            continue
        hits = Counter(member_of[s] for s in f.subjects if s in member_of)
        if f.code == "history.cover_bidder" and hits:
            found[f.code].update(hits)
        elif any(n >= 2 for n in hits.values()):
            found[f.code].update(c for c, n in hits.items() if n >= 2)
        else:
            false_leads[f.code] += 1
    any_found = set().union(*found.values())
    buyers = {f.subjects[0] for f in result.history if f.code == "history.single_bid_buyer"}
    captured = set(truth["captured_buyers"])
    cartel_lots = {str(lot) for c in cartels for lot in c["lots"]}
    scores_cartel = [s for lot, s in result.price_scores.items() if lot in cartel_lots]
    scores_other = [s for lot, s in result.price_scores.items() if lot not in cartel_lots]
    n = len(cartels)
    return {
        "cartels": n,
        "found_any": len(any_found) / n if n else 0.0,
        "found_by": {code: len(ids) / n if n else 0.0 for code, ids in found.items()},
        "false_leads": dict(false_leads),
        "captured_buyers_found": len(buyers & captured) / len(captured) if captured else 0.0,
        "other_single_bid_buyers": len(buyers - captured),
        "price_suspicious_cartel_lots": _share(scores_cartel),
        "price_suspicious_other_lots": _share(scores_other),
        "cardinal_flags": dict(sorted(_cardinal_counts(result.cardinal).items())),
    }


def _share(scores: list[float]) -> float:
    return sum(1 for s in scores if s >= PRICE_SUSPICIOUS) / len(scores) if scores else 0.0


def _cardinal_counts(out: dict[str, Any]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for group in ("OCID", "Buyer", "ProcuringEntity", "Tenderer"):
        for flags in out.get(group, {}).values():
            counts.update(flags.keys())
    return counts
