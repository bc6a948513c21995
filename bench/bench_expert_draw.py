"""Latency of the expert draw: 9 experts from a pool of 100,000 with every avoidance rule on.

    python bench/bench_expert_draw.py                  # 100,000 experts, 200 draws
    python bench/bench_expert_draw.py --n 20000 --runs 50

The pool is built in memory as the draw's selector hands it over (``drawing.Candidate``: classifications, region,
status, availability, employer, relatives' entities, penalties in force, times drawn for the tenderer), spread
over 200 classification codes; each draw asks for 3 classifications (4 + 3 + 2 experts) with bidders, tenderer,
agency and supervising department conflicts, a region exclusion, the per-employer cap and the too-often rule.
Timed per draw: the candidates of the requested classifications are picked from a classification index (what the
indexed query returns), then ``drawing.avoid`` (pseudonyms included) and ``drawing.Draw.run``. Beside it, the
baseline: the same index lookup alone (the plain "fetch the eligible list" step). Aim (issue 13): p99 < 50 ms.

Not measured here yet: the database round trip of the selector (the models arrive with the pool's migration);
the baseline is therefore the in-memory index lookup, not a SQL query.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ggzy.experts import drawing as d  # noqa: E402

CODES = [f"{chr(65 + i // 20)}{i % 20 + 1:02d}" for i in range(200)]  # the national standard has ~300 codes


def pool(n: int, rng: random.Random) -> list[d.Candidate]:
    out = []
    for i in range(1, n + 1):
        k = rng.choice((1, 1, 2, 3))
        out.append(
            d.Candidate(
                expert_id=i,
                classifications=frozenset(rng.sample(CODES, k)),
                region_id=rng.randint(1, 17),
                active=rng.random() > 0.05,
                available=rng.random() > 0.05,
                employer_id=rng.randint(1, 20_000),
                relative_entity_ids=frozenset(rng.sample(range(1, 20_001), rng.choice((0, 0, 1, 2)))),
                penalty_kinds=frozenset(
                    ["bidding"] if rng.random() < 0.01 else ["credit"] if rng.random() < 0.01 else []
                ),
                times_for_tenderer=rng.choice((0, 0, 0, 1, 2, 4)),
            )
        )
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(13)
    experts = pool(args.n, rng)
    index: dict[str, list[d.Candidate]] = {}
    for c in experts:
        for code in c.classifications:
            index.setdefault(code, []).append(c)
    draws, fetches, sizes = [], [], []
    for _ in range(args.runs):
        codes = rng.sample(CODES, 3)
        needs = list(zip(codes, (4, 3, 2), strict=True))
        rules = d.Rules(
            classifications=frozenset(codes),
            bidder_entity_ids=frozenset(rng.sample(range(1, 20_001), 8)),
            tenderer_entity_id=rng.randint(1, 20_000),
            agency_entity_id=rng.randint(1, 20_000),
            supervising_entity_ids=frozenset({rng.randint(1, 20_000)}),
            regions_exclude=frozenset({rng.randint(1, 17)}),
            max_times_for_tenderer=3,
        )
        key, seed, beacon = secrets.token_bytes(32), secrets.token_bytes(32), secrets.token_hex(32)
        t0 = time.perf_counter()
        seen: dict[int, d.Candidate] = {}
        for code in codes:
            for c in index[code]:
                seen[c.expert_id] = c
        t1 = time.perf_counter()
        eligible, _avoided = d.avoid(seen.values(), rules)
        entries = [
            d.Entry(
                d.pseudonym(key, "expert", c.expert_id),
                tuple(sorted(c.classifications)),
                d.pseudonym(key, "employer", c.employer_id) if c.employer_id else "",
            )
            for c in eligible
        ]
        out = d.Draw(seed, beacon, entries, needs, max_per_group=1).run()
        t2 = time.perf_counter()
        assert len(out.ids) == 9, out.failure_reason()
        fetches.append((t1 - t0) * 1000)
        draws.append((t2 - t0) * 1000)
        sizes.append(len(seen))
    print(
        f"expert draw: 9 of {args.n:,} experts, all avoidance rules on, {args.runs} draws, "
        f"~{statistics.median(sizes):,.0f} candidates per request"
    )
    print(
        f"  draw (fetch + avoid + pseudonyms + select): median {statistics.median(draws):.1f} ms, "
        f"p99 {pct(draws, 99):.1f} ms   (aim p99 < 50 ms)"
    )
    print(
        f"  baseline (fetch the candidate list only):   median {statistics.median(fetches):.1f} ms, "
        f"p99 {pct(fetches, 99):.1f} ms"
    )


if __name__ == "__main__":
    main()
