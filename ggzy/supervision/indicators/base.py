"""The indicators' shared vocabulary and registry (Django-free, so the pure rule modules and the bench can use it).

An indicator is a rule with a stable ``code`` and an integer ``version`` (bump it whenever what it computes changes:
a re-run with the same data and the same versions must give the same signals). A *lot* indicator looks at one lot
after its opening; a *history* indicator looks at the whole history (nightly). Each returns ``Signal`` objects:
what fired, how strongly, about whom, in words a supervisor can read, and the data it used (JSON-serialisable,
enough to check the finding by hand — this is what the evidence package seals).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Level = Literal["red", "yellow"]
Scope = Literal["lot", "history"]


@dataclass(frozen=True)
class Signal:
    """One finding of one indicator (预警信号)."""

    indicator: str  # the IndicatorSpec.code that produced it
    version: int  # the IndicatorSpec.version that produced it
    level: Level  # red: a statutory "deemed collusion" fact or equally strong; yellow: worth a look
    score: float  # 0..1, higher = more suspicious (used to order alerts, never to decide)
    summary_zh: str  # one sentence, Chinese, naming what was found (no sealed data before the opening)
    summary_en: str
    data: Mapping[str, Any]  # the facts used, JSON-serialisable and deterministic (sorted lists, str amounts)
    lot_id: int | None = None  # the lot it concerns (history signals may name one or none)
    subjects: tuple[str, ...] = ()  # market entity ids (as str), sorted, that the finding concerns


@dataclass(frozen=True)
class IndicatorSpec:
    """A registered rule: its identity, its explanation and the function that runs it."""

    code: str  # stable, dotted, e.g. "collusion.same_fingerprint"
    version: int
    scope: Scope
    title_zh: str
    title_en: str
    explanation_zh: str  # what it looks at, why it matters (cite the clause when it comes from law), when it fires
    explanation_en: str
    # lot scope: run(lot_id=...) -> Iterable[Signal]; history scope: run(since=..., until=...) -> Iterable[Signal]
    run: Callable[..., Iterable[Signal]] = field(compare=False, repr=False)
    basis: str = ""  # the legal clause or published source, e.g. "招标投标法实施条例 第四十条"


_REGISTRY: dict[str, IndicatorSpec] = {}


def register(spec: IndicatorSpec) -> IndicatorSpec:
    """Add an indicator to the registry (module import time). A code registered twice is a programming error."""
    existing = _REGISTRY.get(spec.code)
    if existing is not None and existing is not spec:
        raise ValueError(f"indicator {spec.code} registered twice")
    _REGISTRY[spec.code] = spec
    return spec


def registered(scope: Scope | None = None) -> list[IndicatorSpec]:
    """Every registered indicator (of one scope), ordered by code."""
    return sorted((s for s in _REGISTRY.values() if scope is None or s.scope == scope), key=lambda s: s.code)


def get(code: str) -> IndicatorSpec | None:
    return _REGISTRY.get(code)
