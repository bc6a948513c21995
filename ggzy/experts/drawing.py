"""The expert draw as a pure, documented, deterministic function (no Django; see docs/expert-draw.md).

Two parts:

* ``avoid`` — which experts of the pool may be drawn for a request, and for every other one a reason code.
  Plain data in (``Candidate``, ``Rules``), plain data out; the selector that gathers the data lives beside it.
* ``select`` / ``redraw`` / ``replay`` — given the secret seed, the public beacon (the root hash of the first
  ledger checkpoint signed after the seed's commitment), the eligible list of pseudonymous IDs with their
  classifications and employer group, the needs and the per-employer cap: the ordered selection. A redraw (补抽)
  continues down the same ranking and never returns anyone who refused or timed out.

``scripts/recompute_draw.py`` reimplements ``select``/``replay`` with the standard library only, from the spec;
a test checks that both agree.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

SPEC_VERSION = "ggzy-draw-1"

# Reason codes for avoided experts (kept internally, never shown before the result is final).
R_INACTIVE = "inactive"  # status is not 在库 (active)
R_UNAVAILABLE = "unavailable"  # marked unavailable (leave, travel …) on the draw date
R_NO_CLASSIFICATION = "no_classification"  # none of the requested classifications
R_REGION_EXCLUDED = "region_excluded"
R_REGION_NOT_INCLUDED = "region_not_included"
R_BIDDER = "bidder_employee"
R_TENDERER = "tenderer_employee"
R_AGENCY = "agency_employee"
R_SUPERVISOR = "supervisor_employee"
R_RELATIVE = (
    "relative_conflict"  # a declared relative works for a bidder / the tenderer / agency / supervisor
)
R_PENALTY_BIDDING = "penalty_bidding"
R_PENALTY_CREDIT = "penalty_credit"
R_TOO_OFTEN = "too_often_for_tenderer"
R_CREDIT = "credit"  # a credit restriction of behaviour expert_draw in force (ggzy.credit)
R_LOW_RATING = "low_rating"  # average rating in the window below the template's threshold (with enough ratings)
R_INCIDENTS = "penalties_no_shows"  # penalties + unanswered invitations in the window above the template's limit

REASONS = (
    R_INACTIVE,
    R_UNAVAILABLE,
    R_NO_CLASSIFICATION,
    R_REGION_EXCLUDED,
    R_REGION_NOT_INCLUDED,
    R_BIDDER,
    R_TENDERER,
    R_AGENCY,
    R_SUPERVISOR,
    R_RELATIVE,
    R_PENALTY_BIDDING,
    R_PENALTY_CREDIT,
    R_CREDIT,
    R_LOW_RATING,
    R_INCIDENTS,
    R_TOO_OFTEN,
)

MARKS_PER_RATING = 4  # attendance, punctuality, quality, conduct: each 1–5


@dataclass(frozen=True)
class Candidate:
    """One expert of the pool, as plain data gathered by the selector."""

    expert_id: int
    classifications: frozenset[str]
    region_id: int | None
    active: bool = True
    available: bool = True
    employer_id: int | None = None
    employer_name: str = ""
    relative_entity_ids: frozenset[int] = frozenset()
    penalty_kinds: frozenset[str] = frozenset()  # kinds of penalties in force on the draw date
    times_for_tenderer: int = 0  # drawn for the same tenderer within the configured window
    credit_restricted: bool = False  # a credit restriction for behaviour "expert_draw" in force on the draw date
    rating_count: int = 0  # ratings received within the record window (center and tenderer sides)
    rating_points: int = 0  # the sum of their marks (four marks of 1–5 per rating)
    incidents: int = 0  # penalties decided + invitations left unanswered (timed out) within the record window


@dataclass(frozen=True)
class Rules:
    """The request's avoidance inputs; conflict entities are passed in by the caller (tendering)."""

    classifications: frozenset[str]
    bidder_entity_ids: frozenset[int] = frozenset()
    tenderer_entity_id: int | None = None
    agency_entity_id: int | None = None
    supervising_entity_ids: frozenset[int] = frozenset()
    regions_include: frozenset[int] = frozenset()
    regions_exclude: frozenset[int] = frozenset()
    max_times_for_tenderer: int | None = None  # more than this many times in the window → avoided
    rating_min: Decimal | None = None  # an average mark below this (over >= rating_count_min ratings) → avoided
    rating_count_min: int = 1
    incidents_max: int | None = None  # more than this many penalties + no-shows in the window → avoided


def rating_below(c: Candidate, rules: Rules) -> bool:
    """The average mark (all marks of the ratings in the window) is below ``rules.rating_min``, over at least
    ``rules.rating_count_min`` ratings. Exact: points < threshold × marks (Decimal × int), no float."""
    if rules.rating_min is None or c.rating_count < max(1, rules.rating_count_min):
        return False
    return Decimal(c.rating_points) < rules.rating_min * (c.rating_count * MARKS_PER_RATING)


def _matches(code: str, wanted: frozenset[str]) -> bool:
    """An expert classified under ``code`` serves a need for ``wanted`` codes when equal or a sub-code."""
    return code in wanted or any(code.startswith(w) for w in wanted)


def avoid(pool: Iterable[Candidate], rules: Rules) -> tuple[list[Candidate], dict[int, str]]:
    """Split the pool into (eligible candidates in pool order, {expert_id: first reason code})."""
    bidders = rules.bidder_entity_ids
    others: dict[str, set[int]] = {
        R_TENDERER: {rules.tenderer_entity_id} if rules.tenderer_entity_id is not None else set(),
        R_AGENCY: {rules.agency_entity_id} if rules.agency_entity_id is not None else set(),
        R_SUPERVISOR: set(rules.supervising_entity_ids),
    }
    conflicted: set[int] = set(bidders).union(*others.values())
    eligible: list[Candidate] = []
    avoided: dict[int, str] = {}
    for c in pool:
        reason = _reason(c, rules, bidders, others, conflicted)
        if reason is None:
            eligible.append(c)
        else:
            avoided[c.expert_id] = reason
    return eligible, avoided


def _reason(
    c: Candidate, rules: Rules, bidders: frozenset[int], others: dict[str, set], conflicted: set
) -> str | None:
    if not c.active:
        return R_INACTIVE
    if not c.available:
        return R_UNAVAILABLE
    if not any(_matches(code, rules.classifications) for code in c.classifications):
        return R_NO_CLASSIFICATION
    if c.region_id in rules.regions_exclude:
        return R_REGION_EXCLUDED
    if rules.regions_include and c.region_id not in rules.regions_include:
        return R_REGION_NOT_INCLUDED
    if c.employer_id is not None:
        if c.employer_id in bidders:
            return R_BIDDER
        for code, ids in others.items():
            if c.employer_id in ids:
                return code
    if c.relative_entity_ids & conflicted:
        return R_RELATIVE
    if "bidding" in c.penalty_kinds:
        return R_PENALTY_BIDDING
    if "credit" in c.penalty_kinds:
        return R_PENALTY_CREDIT
    if c.credit_restricted:
        return R_CREDIT
    if rating_below(c, rules):
        return R_LOW_RATING
    if rules.incidents_max is not None and c.incidents > rules.incidents_max:
        return R_INCIDENTS
    if rules.max_times_for_tenderer is not None and c.times_for_tenderer > rules.max_times_for_tenderer:
        return R_TOO_OFTEN
    return None


# --- pseudonyms ---------------------------------------------------------------------------------------------


def pseudonym(key: bytes, kind: str, ident: int | str) -> str:
    """``hex(HMAC-SHA256(key, kind ":" ident))[:32]`` — the key is the draw's pseudonym key, never published."""
    return hmac.digest(key, f"{kind}:{ident}".encode(), "sha256").hex()[:32]


# --- the selection ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One line of the published eligible list."""

    id: str  # the expert's pseudonym
    classes: tuple[str, ...]  # the expert's classification codes (sorted)
    group: str  # the employer's pseudonym ("" = no employer known; never counts for the cap)


@dataclass(frozen=True)
class Slot:
    need: str
    id: str


@dataclass
class Outcome:
    slots: list[Slot] = field(default_factory=list)  # in selection order
    shortfall: dict[str, int] = field(default_factory=dict)  # need → how many could not be filled

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.slots]

    def failure_reason(self) -> str:
        """A clear Chinese reason when the needs could not be met ("" when they are)."""
        if not self.shortfall:
            return ""
        parts = "；".join(f"专业 {code} 缺 {n} 人" for code, n in sorted(self.shortfall.items()))
        return f"符合条件的专家不足：{parts}"


def rank(seed: bytes, beacon: str, need: str, entries: Sequence[Entry]) -> list[Entry]:
    """The entries serving ``need`` ordered by HMAC-SHA256(seed, beacon ‖ 0x00 ‖ need ‖ 0x00 ‖ id), ties by id."""
    prefix = f"{beacon}\x00{need}\x00".encode()
    digest = hmac.digest
    scored = []
    for e in entries:
        for c in e.classes:
            if c.startswith(need):  # equal, or a code below the need's code
                scored.append((digest(seed, prefix + e.id.encode(), "sha256"), e.id, e))
                break
    scored.sort(key=lambda t: (t[0], t[1]))
    return [t[2] for t in scored]


class Draw:
    """A running draw: the ranking per need, who holds a slot, who is excluded (refused / timed out)."""

    def __init__(
        self,
        seed: bytes,
        beacon: str,
        entries: Sequence[Entry],
        needs: Sequence[tuple[str, int]],
        max_per_group: int | None = None,
    ) -> None:
        self.needs = sorted((str(code), int(n)) for code, n in needs)
        self.max_per_group = max_per_group
        self.group = {e.id: e.group for e in entries}
        self.ranking = {code: rank(seed, beacon, code, entries) for code, _ in self.needs}
        self.held: list[Slot] = []
        self.excluded: list[str] = []
        self.shortfall: dict[str, int] = {}

    def _take(self, need: str) -> Slot | None:
        held_ids = {s.id for s in self.held}
        gone = held_ids | set(self.excluded)
        per_group: dict[str, int] = {}
        for s in self.held:
            g = self.group[s.id]
            if g:
                per_group[g] = per_group.get(g, 0) + 1
        for e in self.ranking[need]:
            if e.id in gone:
                continue
            if self.max_per_group is not None and e.group and per_group.get(e.group, 0) >= self.max_per_group:
                continue
            slot = Slot(need, e.id)
            self.held.append(slot)
            return slot
        return None

    def run(self) -> Outcome:
        for code, n in self.needs:
            for _ in range(n):
                if self._take(code) is None:
                    self.shortfall[code] = self.shortfall.get(code, 0) + 1
        return self.outcome()

    def redraw(self, refused_id: str) -> Slot | None:
        """Release ``refused_id``'s slot, exclude it for good, and fill the slot further down the same ranking."""
        slot = next((s for s in self.held if s.id == refused_id), None)
        if slot is None:
            raise ValueError(f"{refused_id} 不在本次抽取结果中")
        self.held.remove(slot)
        self.excluded.append(refused_id)
        new = self._take(slot.need)
        if new is None:
            self.shortfall[slot.need] = self.shortfall.get(slot.need, 0) + 1
        return new

    def outcome(self) -> Outcome:
        return Outcome(slots=list(self.held), shortfall=dict(self.shortfall))


def select(
    seed: bytes,
    beacon: str,
    entries: Sequence[Entry],
    needs: Sequence[tuple[str, int]],
    max_per_group: int | None = None,
) -> Outcome:
    """The first selection."""
    return Draw(seed, beacon, entries, needs, max_per_group).run()


def replay(
    seed: bytes,
    beacon: str,
    entries: Sequence[Entry],
    needs: Sequence[tuple[str, int]],
    max_per_group: int | None,
    refusals: Sequence[str],
) -> Outcome:
    """The first selection followed by one redraw per refusal/timeout, in the published order."""
    d = Draw(seed, beacon, entries, needs, max_per_group)
    d.run()
    for r in refusals:
        d.redraw(r)
    return d.outcome()


def published(
    seed: bytes,
    beacon: str,
    entries: Sequence[Entry],
    needs: Sequence[tuple[str, int]],
    max_per_group: int | None,
    refusals: Sequence[str],
    outcome: Outcome,
    **extra: object,
) -> dict:
    """The JSON document published once the result is final (the input of scripts/recompute_draw.py)."""
    return {
        "spec": SPEC_VERSION,
        **extra,
        "seed": seed.hex(),
        "seed_sha256": hashlib.sha256(seed).hexdigest(),
        "beacon": beacon,
        "needs": [[code, n] for code, n in sorted(needs)],
        "max_per_employer": max_per_group,
        "eligible": [{"id": e.id, "classes": list(e.classes), "group": e.group} for e in entries],
        "refusals": list(refusals),
        "result": [{"need": s.need, "id": s.id} for s in outcome.slots],
        "shortfall": dict(sorted(outcome.shortfall.items())),
    }
