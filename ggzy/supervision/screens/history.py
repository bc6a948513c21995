"""History indicators over the platform's opened lots (Django-free, one pass, bounded memory).

Input: ``HistoryRecord`` rows (one per bid of a lot whose opening is published), **grouped by lot** (all rows of a lot
adjacent, as ``tendering.selectors_history`` and the bench files give them). ``HistoryEngine.fold_lot`` folds one lot
into counters: per firm (bids, wins, disqualifications), per pair of firms bidding the same lot (lots together, wins
of each with the other present, disqualified together), per buyer (lots, single-bid lots). Memory grows with the
number of firms and of pairs that ever met, plus one tuple of small ints per awarded lot (for the rotation rule),
never with the rows themselves; firm ids are interned to ints and a pair is one int key.

The rules (version 1 each; thresholds fixed a priori, not fitted to any data; docs/screens.md gives the reasons):

* ``history.cobidding`` — a pair of firms that met in ≥ 5 lots (minimum support), with lift ≥ 3 (they meet three
  times as often as their activities predict: ``n_ab · L / (n_a · n_b)``) and Jaccard ≥ 0.5 (at least half the lots
  either bid in, they bid in together). Association-rule measures (Agrawal, Imieliński & Swami 1993; lift: Brin et
  al. 1997) on the co-bidding network of Wachs & Kertész (2019, Sci. Rep. 9:10818) and Morselli & Ouellet (2018).
* ``history.rotation`` — a group (connected component of co-bidding pairs, 3–12 firms) that met in ≥ 6 lots with
  ≥ 2 members, won ≥ 80 % of them, ≥ 3 different members won and none won more than half: winners take turns
  (OECD 2009 "bid rotation"; Ishii 2009, Int. J. Ind. Org. 27:137-144).
* ``history.cover_bidder`` — a firm with ≥ 10 bids and no win, at least half of them in lots a co-bidding partner
  won (OECD 2009: "a firm that bids but never wins"; the cover side of rotation).
* ``history.single_bid_buyer`` — a buyer with ≥ 5 lots of which ≥ 3 and ≥ 50 % had exactly one valid bid
  (Fazekas, Tóth & King 2016, Eur. J. Crim. Policy Res. 22:369-397: single bidding is the core corruption-risk
  flag; Cardinal R018 per process).
* ``history.disqualified_together`` — a pair of firms disqualified in the same lot ≥ 3 times and in ≥ 50 % of the
  lots they bid together (deliberately non-compliant cover bids, OECD 2009; Cardinal R035/R038 per process/buyer).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

VERSION = 1
COBID_MIN_SUPPORT = 5
COBID_MIN_LIFT = 3.0
COBID_MIN_JACCARD = 0.5
ROTATION_MIN_LOTS = 6
ROTATION_MIN_GROUP_WIN_SHARE = 0.8
ROTATION_MIN_WINNERS = 3
ROTATION_MAX_TOP_SHARE = 0.5
ROTATION_GROUP_SIZE = (3, 12)
COVER_MIN_BIDS = 10
COVER_MIN_PARTNER_WIN_SHARE = 0.5
SINGLE_MIN_LOTS = 5
SINGLE_MIN_SINGLE = 3
SINGLE_MIN_SHARE = 0.5
DISQ_MIN_TOGETHER = 3
DISQ_MIN_SHARE = 0.5
CODES = (
    "history.cobidding",
    "history.rotation",
    "history.cover_bidder",
    "history.single_bid_buyer",
    "history.disqualified_together",
)


@dataclass(frozen=True)
class HistoryRecord:
    """One bid of an opened lot (plain values: nothing sealed, nothing before the opening)."""

    lot_id: str
    buyer_id: str
    category: str
    opened: str  # ISO date of the opening
    estimate: float | None
    bidder_id: str
    price: float | None
    is_winner: bool
    disqualified: bool
    reason: str = ""  # disqualification reason code
    tender_start: str = ""  # ISO datetime the documents were issued (Cardinal R003)
    deadline: str = ""  # ISO datetime of the bid deadline (R003, R030)
    submitted: str = ""  # ISO datetime the bid arrived (R030)
    method: str = "open"  # OCDS procurementMethod: open tenders "open", negotiation / inquiry "selective"


@dataclass(frozen=True)
class Finding:
    """A pure finding; the Django adapter turns it into an indicators.base.Signal."""

    code: str
    score: float
    subjects: tuple[str, ...]
    data: dict[str, Any]


def by_lot(records: Iterable[HistoryRecord]) -> Iterator[list[HistoryRecord]]:
    """The rows of each lot together (the input must keep a lot's rows adjacent)."""
    for _, rows in groupby(records, key=lambda r: r.lot_id):
        yield list(rows)


@dataclass
class HistoryEngine:
    ids: dict[str, int] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    lots: int = 0
    bids: list[int] = field(default_factory=list)
    wins: list[int] = field(default_factory=list)
    together: dict[int, int] = field(default_factory=lambda: defaultdict(int))  # pair → lots together
    won_with: dict[int, int] = field(default_factory=lambda: defaultdict(int))  # (winner, other) ordered → lots
    disq_together: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    buyers: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    # (frozenset-free) group bookkeeping is done at finish from the pair counters plus one stored winner list:
    lot_groups: list[tuple[tuple[int, ...], int]] = field(default_factory=list)  # only lots with a winner

    def _id(self, name: str) -> int:
        number = self.ids.get(name)
        if number is None:
            number = self.ids[name] = len(self.names)
            self.names.append(name)
            self.bids.append(0)
            self.wins.append(0)
        return number

    def fold_lot(self, rows: list[HistoryRecord]) -> None:
        if not rows:
            return
        self.lots += 1
        firms = sorted({self._id(r.bidder_id) for r in rows})
        winner = next((self._id(r.bidder_id) for r in rows if r.is_winner), -1)
        disq = sorted({self._id(r.bidder_id) for r in rows if r.disqualified})
        for f in firms:
            self.bids[f] += 1
        if winner >= 0:
            self.wins[winner] += 1
            self.lot_groups.append((tuple(firms), winner))
        shift = 1 << 32
        for i, a in enumerate(firms):
            for b in firms[i + 1:]:
                self.together[a * shift + b] += 1
        if winner >= 0:
            for other in firms:
                if other != winner:
                    self.won_with[winner * shift + other] += 1
        for i, a in enumerate(disq):
            for b in disq[i + 1:]:
                self.disq_together[a * shift + b] += 1
        buyer = self.buyers[rows[0].buyer_id]
        buyer[0] += 1
        valid = {r.bidder_id for r in rows if not r.disqualified}
        buyer[1] += len(valid) == 1

    # --- the population ----------------------------------------------------------------------------------------

    def _pairs(self) -> dict[tuple[int, int], dict[str, float]]:
        shift = 1 << 32
        found: dict[tuple[int, int], dict[str, float]] = {}
        for key, n_ab in self.together.items():
            if n_ab < COBID_MIN_SUPPORT:
                continue
            a, b = divmod(key, shift)
            n_a, n_b = self.bids[a], self.bids[b]
            lift = n_ab * self.lots / (n_a * n_b)
            jaccard = n_ab / (n_a + n_b - n_ab)
            if lift >= COBID_MIN_LIFT and jaccard >= COBID_MIN_JACCARD:
                found[(a, b)] = {"together": n_ab, "lift": lift, "jaccard": jaccard}
        return found

    def finish(self) -> list[Finding]:
        out: list[Finding] = []
        pairs = self._pairs()
        n = self.names
        for (a, b), m in sorted(pairs.items(), key=lambda kv: (n[kv[0][0]], n[kv[0][1]])):
            subjects = tuple(sorted((n[a], n[b])))
            out.append(Finding("history.cobidding", min(1.0, m["jaccard"]), subjects, {
                "firms": list(subjects), "lots_together": int(m["together"]),
                "bids": {n[a]: self.bids[a], n[b]: self.bids[b]}, "lots": self.lots,
                "lift": round(m["lift"], 4), "jaccard": round(m["jaccard"], 4),
                "thresholds": {"support": COBID_MIN_SUPPORT, "lift": COBID_MIN_LIFT, "jaccard": COBID_MIN_JACCARD},
            }))
        out.extend(self._rotation(pairs))
        out.extend(self._cover(pairs))
        out.extend(self._single_bid())
        out.extend(self._disqualified())
        return out

    def _components(self, pairs: dict[tuple[int, int], dict[str, float]]) -> list[list[int]]:
        parent: dict[int, int] = {}

        def root(x: int) -> int:
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for a, b in pairs:
            parent[root(a)] = root(b)
        groups: dict[int, list[int]] = defaultdict(list)
        for x in list(parent):
            groups[root(x)].append(x)
        return [sorted(g) for g in groups.values()]

    def _rotation(self, pairs: dict[tuple[int, int], dict[str, float]]) -> Iterator[Finding]:
        low, high = ROTATION_GROUP_SIZE
        groups = [g for g in self._components(pairs) if low <= len(g) <= high]
        member_of = {f: i for i, g in enumerate(groups) for f in g}
        met = [0] * len(groups)
        won: list[dict[int, int]] = [defaultdict(int) for _ in groups]
        for firms, winner in self.lot_groups:
            present: dict[int, int] = defaultdict(int)
            for f in firms:
                if f in member_of:
                    present[member_of[f]] += 1
            for g, count in present.items():
                if count >= 2:
                    met[g] += 1
                    if member_of.get(winner) == g:
                        won[g][winner] += 1
        n = self.names
        for g, members in enumerate(groups):
            group_wins = sum(won[g].values())
            if met[g] < ROTATION_MIN_LOTS or not group_wins:
                continue
            share, top = group_wins / met[g], max(won[g].values()) / group_wins
            if share >= ROTATION_MIN_GROUP_WIN_SHARE and len(won[g]) >= ROTATION_MIN_WINNERS \
                    and top <= ROTATION_MAX_TOP_SHARE:
                subjects = tuple(sorted(n[f] for f in members))
                yield Finding("history.rotation", share, subjects, {
                    "firms": list(subjects), "lots_met": met[g], "group_wins": group_wins,
                    "wins": {n[f]: c for f, c in sorted(won[g].items(), key=lambda kv: n[kv[0]])},
                    "group_win_share": round(share, 4), "top_winner_share": round(top, 4),
                })

    def _cover(self, pairs: dict[tuple[int, int], dict[str, float]]) -> Iterator[Finding]:
        shift = 1 << 32
        partners: dict[int, set[int]] = defaultdict(set)
        for a, b in pairs:
            partners[a].add(b)
            partners[b].add(a)
        n = self.names
        for f in sorted(partners, key=lambda x: n[x]):
            if self.wins[f] or self.bids[f] < COVER_MIN_BIDS:
                continue
            lost_to = {p: self.won_with.get(p * shift + f, 0) for p in sorted(partners[f], key=lambda x: n[x])}
            covered = sum(lost_to.values())  # lots can count once per partner; a lot has one winner, so no overlap
            share = covered / self.bids[f]
            if share >= COVER_MIN_PARTNER_WIN_SHARE:
                yield Finding("history.cover_bidder", min(1.0, share), (n[f],), {
                    "firm": n[f], "bids": self.bids[f], "wins": 0,
                    "lost_to_partners": {n[p]: c for p, c in lost_to.items() if c}, "share": round(share, 4),
                })

    def _single_bid(self) -> Iterator[Finding]:
        for buyer, (lots, single) in sorted(self.buyers.items()):
            share = single / lots
            if lots >= SINGLE_MIN_LOTS and single >= SINGLE_MIN_SINGLE and share >= SINGLE_MIN_SHARE:
                yield Finding("history.single_bid_buyer", share, (buyer,), {
                    "buyer": buyer, "lots": lots, "single_bid_lots": single, "share": round(share, 4),
                })

    def _disqualified(self) -> Iterator[Finding]:
        shift = 1 << 32
        n = self.names
        rows = []
        for key, count in self.disq_together.items():
            if count < DISQ_MIN_TOGETHER:
                continue
            a, b = divmod(key, shift)
            share = count / self.together[key]
            if share >= DISQ_MIN_SHARE:
                rows.append((tuple(sorted((n[a], n[b]))), count, self.together[key], share))
        for subjects, count, met, share in sorted(rows):
            yield Finding("history.disqualified_together", share, subjects, {
                "firms": list(subjects), "disqualified_together": count, "lots_together": met,
                "share": round(share, 4),
            })


def run_history(records: Iterable[HistoryRecord]) -> list[Finding]:
    """Every history rule over ``records`` (grouped by lot), findings in a stable order."""
    engine = HistoryEngine()
    for rows in by_lot(records):
        engine.fold_lot(rows)
    return engine.finish()
