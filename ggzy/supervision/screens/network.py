"""A firm's co-bidding neighbourhood (pure): the firms that bid in the same lots as it, how often each pair met, who
won, and a deterministic layout for a server-drawn SVG (no JavaScript; the page scales the ``viewBox``).

``neighbourhood(records, firm)`` reads the history rows of the lots the firm bid in (grouped by lot) and keeps the
``max_nodes - 1`` neighbours it met most often (ties by id); edges are every pair among the kept firms that bid
together, weighted by the lots they shared.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .history import HistoryRecord, by_lot

VIEW = 400  # the SVG viewBox is VIEW × VIEW


@dataclass(frozen=True)
class Node:
    id: str
    bids: int  # lots of the neighbourhood it bid in
    wins: int
    with_focus: int  # lots shared with the focus firm (the focus: its own bids)
    x: float = 0.0
    y: float = 0.0
    r: float = 0.0

    @property
    def is_winner(self) -> bool:
        return self.wins > 0


@dataclass(frozen=True)
class Edge:
    a: str
    b: str
    weight: int
    x1: float = 0.0
    y1: float = 0.0
    x2: float = 0.0
    y2: float = 0.0
    width: float = 1.0


@dataclass
class Graph:
    focus: str
    lots: int = 0
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    omitted: int = 0  # neighbours left out beyond max_nodes


def neighbourhood(records: Iterable[HistoryRecord], focus: str, *, max_nodes: int = 16) -> Graph:
    bids: Counter[str] = Counter()
    wins: Counter[str] = Counter()
    met: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    lots = 0
    for rows in by_lot(records):
        firms = sorted({r.bidder_id for r in rows})
        if focus not in firms:
            continue
        lots += 1
        for r in rows:
            if r.is_winner:
                wins[r.bidder_id] += 1
        for i, a in enumerate(firms):
            bids[a] += 1
            if a != focus:
                met[a] += 1
            for b in firms[i + 1:]:
                pairs[(a, b)] += 1
    ranked = sorted(met, key=lambda f: (-met[f], f))
    kept = [focus, *ranked[: max_nodes - 1]] if lots else []
    graph = Graph(focus=focus, lots=lots, omitted=max(0, len(ranked) - (max_nodes - 1)))
    positions = _layout(kept)
    top = max(met.values(), default=1)
    for f in kept:
        x, y = positions[f]
        share = (met[f] if f != focus else top) / top
        graph.nodes.append(Node(f, bids[f], wins[f], met[f] if f != focus else bids[f], x, y,
                                round(8 + 10 * share, 1)))
    keep = set(kept)
    heaviest = max((w for (a, b), w in pairs.items() if a in keep and b in keep), default=1)
    for (a, b), w in sorted(pairs.items()):
        if a in keep and b in keep:
            (x1, y1), (x2, y2) = positions[a], positions[b]
            graph.edges.append(Edge(a, b, w, x1, y1, x2, y2, round(1 + 7 * w / heaviest, 1)))
    return graph


def _layout(kept: list[str]) -> dict[str, tuple[float, float]]:
    """The focus in the middle, the neighbours on a circle in order of how often they met it."""
    centre = VIEW / 2
    out: dict[str, tuple[float, float]] = {}
    if not kept:
        return out
    out[kept[0]] = (centre, centre)
    ring = kept[1:]
    for i, f in enumerate(ring):
        angle = -math.pi / 2 + 2 * math.pi * i / len(ring)
        out[f] = (round(centre + 150 * math.cos(angle), 1), round(centre + 150 * math.sin(angle), 1))
    return out
