"""Price screens for one tender: each a named, versioned rule with its published source and a fixed threshold.

A *screen* (Harrington 2008; OECD 2009) is a statistic of the bids in one tender that differs, on average, between
competitive and collusive tenders. The continuous screens here are those of Imhof (2017, "Simple statistical
screens to detect bid rigging", Université de Fribourg WP 484), Huber & Imhof (2019, "Machine learning with screens
for detecting bid-rigging cartels", Int. J. Industrial Organization 65:277-301) and García Rodríguez, Rodríguez
Montequín, Ortega Fernández & Villanueva Balsera (2022, "Collusion detection in public procurement auctions with
machine learning algorithms", Automation in Construction 133:104047): coefficient of variation (CV), spread (SPD),
percentage difference between the two lowest bids (DIFFP), relative distance (RD), kurtosis (KURT), skewness (SKEW)
and the Kolmogorov-Smirnov statistic (KSTEST). The papers define each statistic and the direction in which
collusion moves it; the thresholds below are this project's a-priori conventions (stated with each rule, never
fitted to any labelled data; docs/screens.md).

The regular-pattern screens (identical prices, arithmetic progressions, constant ratios) follow the OECD
*Guidelines for Fighting Bid Rigging in Public Procurement* (2009, "suspicious pricing patterns"). They only fire
when the coincidence is unlikely at the precision the prices are written in (see ``quantum``): milk quoted to the
cent ties by chance, a 7-digit works bid does not.

The combined score is not fitted (``combined_score``, docs/screens.md): a dispersion composite. Imhof (2017) and
Huber & Imhof (2019) find the *variance* screens (cover bids compress the distribution) to be what carries across
markets, while the asymmetry screens (DIFFP, RD, SKEW) depend on how a cartel allots the win. The score is the mean
of the two scale-free variance screens CV and SPD, each mapped by ``t / (t + x)`` around its a-priori threshold
``t`` (continuous, so the ranking keeps what a binary threshold throws away); an OECD pattern moves it halfway to 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

SCORE_RULE = "dispersion-composite/2"
COMPOSITE = ("CV", "SPD")  # the variance screens the score averages (Imhof 2017; Huber & Imhof 2019)


@dataclass(frozen=True)
class Rule:
    """One screen: ``code`` and ``version`` name it in evidence; ``fires`` says in which direction the threshold is
    crossed (``"le"``: value ≤ threshold fires, ``"ge"``: value ≥ threshold fires, ``"pattern"``: any match)."""

    code: str
    version: int
    name: str
    explanation: str
    source: str
    min_bids: int
    threshold: float | None
    fires: str


RULES: tuple[Rule, ...] = (
    Rule(
        "CV",
        1,
        "变异系数",
        "各投标报价的样本标准差除以平均值。报价越集中，越可能是事先商定的陪标报价；CV ≤ 0.05 时触发。",
        "Imhof (2017); Huber & Imhof (2019); García Rodríguez et al. (2022)",
        2,
        0.05,
        "le",
    ),
    Rule(
        "SPD",
        1,
        "报价极差",
        "(最高报价 − 最低报价) ÷ 最低报价。极差越小，报价越集中；SPD ≤ 0.10 时触发。",
        "Imhof (2017); García Rodríguez et al. (2022)",
        2,
        0.10,
        "le",
    ),
    Rule(
        "DIFFP",
        1,
        "最低两价差",
        "(第二低报价 − 最低报价) ÷ 最低报价。中标者与陪标者之间的差距异常大；DIFFP ≥ 0.05 时触发。",
        "Imhof (2017); García Rodríguez et al. (2022)",
        2,
        0.05,
        "ge",
    ),
    Rule(
        "RD",
        1,
        "相对距离",
        "(第二低报价 − 最低报价) ÷ 未中标（除最低价外）各报价的样本标准差。最低价与其余报价的距离"
        "大于其余报价之间的离散程度，是陪标的典型形态；RD ≥ 1 时触发。",
        "Imhof (2017); Huber & Imhof (2019)",
        3,
        1.0,
        "ge",
    ),
    Rule(
        "SKEW",
        1,
        "偏度",
        "报价的样本偏度（校正的 Fisher–Pearson 系数 G1）。陪标报价聚集在高处、中标价远离其下，"
        "分布左偏；SKEW ≤ −0.5（通常所称的中度偏斜）时触发。",
        "Huber & Imhof (2019); García Rodríguez et al. (2022)",
        3,
        -0.5,
        "le",
    ),
    Rule(
        "KURT",
        1,
        "峰度",
        "报价的样本超额峰度（G2）。陪标报价彼此贴近，分布尖峰；KURT ≥ 1 时触发。",
        "Huber & Imhof (2019); García Rodríguez et al. (2022)",
        4,
        1.0,
        "ge",
    ),
    Rule(
        "KSTEST",
        1,
        "K-S 统计量",
        "报价的经验分布与 [最低价, 最高价] 上均匀分布之间的 Kolmogorov–Smirnov 距离 D。"
        "竞争报价大致分散，商定报价成团；D 不小于 5% 水平的渐近临界值 1.36/√n 时触发。",
        "Huber & Imhof (2019); García Rodríguez et al. (2022); Smirnov (1948)",
        3,
        None,
        "ge",
    ),
    Rule(
        "IDENT",
        1,
        "报价相同",
        "两家以上不同投标人的报价完全相同（报价至少有 1000 个最小单位，即偶然相同的可能很小）。",
        "OECD (2009) 打击围标串标指南：可疑报价模式",
        2,
        None,
        "pattern",
    ),
    Rule(
        "ARITH",
        1,
        "等差报价",
        "按大小排列后，至少三家相邻报价的差额完全相等，且差额至少 100 个最小单位。",
        "OECD (2009) 打击围标串标指南：可疑报价模式",
        3,
        None,
        "pattern",
    ),
    Rule(
        "RATIO",
        1,
        "等比报价",
        "按大小排列后，至少三家相邻报价之比相等（在报价精度允许的舍入误差内），比值不为 1，"
        "且报价至少有 10000 个最小单位。",
        "OECD (2009) 打击围标串标指南：可疑报价模式",
        3,
        None,
        "pattern",
    ),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}


@dataclass(frozen=True)
class Finding:
    """One screen's result on one tender: the value it measured, whether it fired, and the rule that decided."""

    rule: Rule
    value: float | None
    fired: bool

    @property
    def threshold(self) -> float | None:
        return self.rule.threshold


@dataclass(frozen=True)
class TenderScore:
    tender_id: str
    bids: int
    score: float | None  # None when no screen applies (fewer than two bids)
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    amounts: tuple[str, ...] = ()  # the data the screens used, as written (for the evidence package)

    @property
    def fired(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.fired)

    def evidence(self) -> dict[str, object]:
        """A JSON-able record of what was decided and from what: the bids, every applicable screen with its rule
        version, value, threshold and outcome, and the score rule. Same data and rule versions → same record (the
        alerts seal it in the ledger)."""
        return {
            "tender_id": self.tender_id,
            "amounts": list(self.amounts),
            "score_rule": SCORE_RULE,
            "score": self.score,
            "screens": [
                {
                    "code": f.rule.code,
                    "version": f.rule.version,
                    "value": f.value,
                    "fired": f.fired,
                    "threshold": (
                        1.36 / math.sqrt(self.bids) if f.rule.code == "KSTEST" else f.rule.threshold
                    ),
                    "source": f.rule.source,
                }
                for f in self.findings
            ],
        }


# --- statistics -------------------------------------------------------------------------------------------------


def _mean(xs: Sequence[float]) -> float:
    return math.fsum(xs) / len(xs)


def sample_sd(xs: Sequence[float]) -> float:
    m = _mean(xs)
    return math.sqrt(math.fsum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def coefficient_of_variation(xs: Sequence[float]) -> float:
    return sample_sd(xs) / _mean(xs)


def spread(xs: Sequence[float]) -> float:
    return (max(xs) - min(xs)) / min(xs)


def diffp(xs: Sequence[float]) -> float:
    low = sorted(xs)
    return (low[1] - low[0]) / low[0]


def relative_distance(xs: Sequence[float]) -> float | None:
    """Imhof (2017): the gap between the two lowest bids over the standard deviation of the bids that lost (all but
    the lowest); None when those bids do not vary (the ratio is undefined)."""
    low = sorted(xs)
    sd = sample_sd(low[1:])
    return None if sd == 0 else (low[1] - low[0]) / sd


def skewness(xs: Sequence[float]) -> float | None:
    """Adjusted Fisher-Pearson G1 (n ≥ 3); None for identical bids."""
    n = len(xs)
    m = _mean(xs)
    m2 = math.fsum((x - m) ** 2 for x in xs) / n
    if m2 == 0:
        return None
    m3 = math.fsum((x - m) ** 3 for x in xs) / n
    g1 = m3 / m2**1.5
    return math.sqrt(n * (n - 1)) / (n - 2) * g1


def excess_kurtosis(xs: Sequence[float]) -> float | None:
    """Sample excess kurtosis G2 (n ≥ 4); None for identical bids."""
    n = len(xs)
    m = _mean(xs)
    m2 = math.fsum((x - m) ** 2 for x in xs) / n
    if m2 == 0:
        return None
    m4 = math.fsum((x - m) ** 4 for x in xs) / n
    g2 = m4 / m2**2 - 3
    return (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * g2 + 6)


def ks_uniform(xs: Sequence[float]) -> float | None:
    """Kolmogorov-Smirnov D between the bids' empirical distribution and the uniform one on [min, max]."""
    low = sorted(xs)
    a, b = low[0], low[-1]
    if a == b:
        return None
    n = len(low)
    d = 0.0
    for i, x in enumerate(low):
        f = (x - a) / (b - a)
        d = max(d, (i + 1) / n - f, f - i / n)
    return d


# --- regular patterns -------------------------------------------------------------------------------------------


def quantum_of(amounts: Sequence[Decimal]) -> Decimal:
    """The finest unit the prices are written in: 0.01 for "1234.50", 1 for "1200" (trailing zeros of integers are
    not taken as coarser units: a price list in whole yuan may well have a bid of 1200)."""
    exponent = min((min(a.as_tuple().exponent, 0) for a in amounts), default=0)  # type: ignore[type-var]
    return Decimal(1).scaleb(int(exponent))


def identical_prices(amounts: Sequence[Decimal], bidders: Sequence[str], quantum: Decimal) -> float | None:
    """The largest number of different bidders sharing one price (≥ 2 fires), counting only prices of at least
    1000 quanta."""
    who: dict[Decimal, set[str]] = {}
    for amount, bidder in zip(amounts, bidders, strict=True):
        if amount >= 1000 * quantum:
            who.setdefault(amount, set()).add(bidder)
    best = max((len(b) for b in who.values()), default=0)
    return float(best) if best >= 2 else None


def arithmetic_run(amounts: Sequence[Decimal], quantum: Decimal) -> float | None:
    """The longest run (≥ 3) of sorted distinct prices with one common difference of at least 100 quanta."""
    low = sorted(set(amounts))
    best = run = 1
    for i in range(1, len(low)):
        step = low[i] - low[i - 1]
        if i >= 2 and step == low[i - 1] - low[i - 2] and step >= 100 * quantum:
            run += 1
        else:
            run = 2
        best = max(best, run)
    return float(best) if best >= 3 else None


def ratio_run(amounts: Sequence[Decimal], quantum: Decimal) -> float | None:
    """The longest run (≥ 3) of sorted distinct prices, each at least 10000 quanta, whose neighbouring ratios agree:
    |b[i]² − b[i−1]·b[i+1]| ≤ b[i]·quantum (what rounding a geometric ladder to the quantum can leave), and
    which is not an arithmetic progression (that screen reports those)."""
    low = sorted(a for a in set(amounts) if a >= 10000 * quantum)
    best = run = 1
    for i in range(1, len(low)):
        if i >= 2:
            a, b, c = low[i - 2], low[i - 1], low[i]
            geometric = abs(b * b - a * c) <= b * quantum and (b - a) != (c - b)
            run = run + 1 if geometric else 2
        else:
            run = 2
        best = max(best, run)
    return float(best) if best >= 3 else None


# --- one tender -------------------------------------------------------------------------------------------------


def _decide(rule: Rule, value: float | None, n: int) -> Finding:
    if value is None or math.isnan(value):
        return Finding(rule, None, False)
    if rule.fires == "pattern":
        return Finding(rule, value, True)
    threshold = 1.36 / math.sqrt(n) if rule.code == "KSTEST" else rule.threshold
    assert threshold is not None
    fired = value <= threshold if rule.fires == "le" else value >= threshold
    return Finding(rule, value, fired)


def combined_score(findings: Sequence[Finding]) -> float:
    """``dispersion-composite/2``: the mean over CV and SPD of ``t / (t + x)`` (x the measured value, t the rule's
    a-priori threshold; an undefined value counts ½, i.e. no information); if an OECD pattern screen fired, halfway
    from that mean to 1. Monotone: lower dispersion or a fired pattern never lowers the score."""
    by_code = {f.rule.code: f for f in findings}
    parts = []
    for code in COMPOSITE:
        f = by_code.get(code)
        t = RULES_BY_CODE[code].threshold
        assert t is not None
        parts.append(0.5 if f is None or f.value is None else t / (t + max(f.value, 0.0)))
    score = sum(parts) / len(parts)
    if any(f.fired and f.rule.fires == "pattern" for f in findings):
        score = (1.0 + score) / 2
    return score


def score_tender(
    tender_id: str, amounts: Sequence[Decimal], bidders: Sequence[str] | None = None
) -> TenderScore:
    """Every applicable screen on one tender's bids (positive amounts), and the combined score
    (``combined_score``; None below two bids). A screen applies when the tender has its ``min_bids`` and its statistic is
    defined (e.g. RD needs losing bids that differ)."""
    n = len(amounts)
    bidders = list(bidders) if bidders is not None else [str(i) for i in range(n)]
    xs = [float(a) for a in amounts]
    quantum = quantum_of(amounts)
    compute = {
        "CV": lambda: coefficient_of_variation(xs),
        "SPD": lambda: spread(xs),
        "DIFFP": lambda: diffp(xs),
        "RD": lambda: relative_distance(xs),
        "SKEW": lambda: skewness(xs),
        "KURT": lambda: excess_kurtosis(xs),
        "KSTEST": lambda: ks_uniform(xs),
        "IDENT": lambda: identical_prices(amounts, bidders, quantum),
        "ARITH": lambda: arithmetic_run(amounts, quantum),
        "RATIO": lambda: ratio_run(amounts, quantum),
    }
    findings = []
    for rule in RULES:
        if n < rule.min_bids:
            continue
        findings.append(_decide(rule, compute[rule.code](), n))
    score = combined_score(findings) if n >= 2 else None
    return TenderScore(tender_id, n, score, tuple(findings), tuple(str(a) for a in amounts))
