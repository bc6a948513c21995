"""A synthetic province for the supervision bench: competitive markets with planted cartels (deterministic, seeded).

``generate(out_dir, lots=100_000, bids=1_000_000, seed=14)`` writes

* ``bids.csv`` — one row per bid, a lot's rows adjacent, the columns of ``history.HistoryRecord``
  (``lot_id,buyer_id,category,opened,estimate,bidder_id,price,is_winner,disqualified,reason,tender_start,deadline,
  submitted``); no label;
* ``truth.json`` — what was planted: the cartels (members, cover firm, strategy, their lot ids) and the captured
  buyers, for scoring the detectors afterwards (the detectors never read it).

The province: 16 cities × 8 categories = 128 markets, each with its own firms (activity weights 0.5–2) and buyers.
A competitive lot draws 3…N bidders of its market (mean chosen so the total is ``bids``); each prices at
U(0.85, 1.00) × estimate; 3 % of bids are disqualified; the lowest valid bid wins.

Planted (one cartel per 500 lots, ~6 % of lots): a cartel is 3–6 firms of one market that bid mostly in the ring
(competitive weight 0.2; a *cover* firm, in half the cartels, bids nowhere else and never wins). Its lots are bid by
the members (plus, in one lot of five, one outsider pricing at 0.98–1.00 × estimate); the designated winner rotates
over the non-cover members and prices at U(0.93, 0.97) × estimate; covers price above it, in an arithmetic
progression (step 2–5 %) in half the cartels and at random +2…8 % in the others; in a quarter of the cartels the
covers hand in non-compliant bids (disqualified in 60 % of the lots). One buyer in 2,000 lots is *captured*: 70 % of
its lots get one bid.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

HEADER = ["lot_id", "buyer_id", "category", "opened", "estimate", "bidder_id", "price", "is_winner",
          "disqualified", "reason", "tender_start", "deadline", "submitted"]
CITIES = 16
CATEGORIES = [f"{n:02d}" for n in range(1, 9)]
START = dt.datetime(2023, 1, 2, 9, 30)


def _money(x: float) -> str:
    return f"{x:.2f}"


def generate(out_dir: str | Path, *, lots: int = 100_000, bids: int = 1_000_000, seed: int = 14,
             firms: int | None = None) -> dict[str, Any]:
    """Write ``bids.csv`` and ``truth.json`` into ``out_dir``; returns the truth (with the row count)."""
    rng = random.Random(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    markets = [(c, cat) for c in range(CITIES) for cat in CATEGORIES]
    firms = firms or max(len(markets) * 60, lots // 5)
    per_market = max(8, firms // len(markets))
    market_firms = [[f"E{m * per_market + k:06d}" for k in range(per_market)] for m in range(len(markets))]
    weights = [[rng.uniform(0.5, 2.0) for _ in range(per_market)] for _ in markets]
    buyers = [[f"T{m:03d}{k:03d}" for k in range(max(4, lots // len(markets) // 25))] for m in range(len(markets))]

    n_cartels = max(1, lots // 500)
    cartels: list[dict[str, Any]] = []
    taken: set[str] = set()
    for c in range(n_cartels):
        m = rng.randrange(len(markets))
        pool = [i for i, f in enumerate(market_firms[m]) if f not in taken]
        members_idx = rng.sample(pool, rng.randint(3, 6))
        members = [market_firms[m][i] for i in members_idx]
        taken.update(members)
        cover = members[-1] if c % 2 == 0 else None
        for i in members_idx:
            weights[m][i] = 0.0 if market_firms[m][i] == cover else 0.2
        cartels.append({"id": c, "market": m, "members": sorted(members), "cover": cover,
                        "pattern": "arithmetic" if c % 4 in (0, 1) else "random",
                        "non_compliant_covers": c % 4 == 3, "lots": []})
    captured = {buyers[m][0] for m in rng.sample(range(len(markets)), min(len(markets), max(1, lots // 2000)))}

    cartel_lot_share = 0.06
    cartel_lots = round(lots * cartel_lot_share)
    mean_cartel = 5.3
    mean_comp = max(3.0, (bids - cartel_lots * mean_cartel) / max(1, lots - cartel_lots))
    high = max(3, round(2 * mean_comp - 3))
    rows_written = 0
    turn = [0] * n_cartels
    with open(out / "bids.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for lot in range(1, lots + 1):
            deadline = START + dt.timedelta(minutes=5 * lot)
            start = deadline - dt.timedelta(days=rng.randint(20, 35))
            is_cartel = rng.random() < cartel_lot_share
            if is_cartel:
                cartel = cartels[rng.randrange(n_cartels)]
                m = cartel["market"]
            else:
                m = rng.randrange(len(markets))
            estimate = round(rng.uniform(2e5, 5e7), -3)
            buyer = rng.choice(buyers[m])
            offers: list[tuple[str, float, bool]] = []  # bidder, price, disqualified
            if is_cartel:
                cartel["lots"].append(lot)
                winners = [x for x in cartel["members"] if x != cartel["cover"]]
                winner = winners[turn[cartel["id"]] % len(winners)]
                turn[cartel["id"]] += 1
                price = estimate * rng.uniform(0.93, 0.97)
                offers.append((winner, price, False))
                step = rng.uniform(0.02, 0.05)
                non_compliant = cartel["non_compliant_covers"] and rng.random() < 0.6
                for j, x in enumerate((x for x in cartel["members"] if x != winner), start=1):
                    factor = 1 + step * j if cartel["pattern"] == "arithmetic" else rng.uniform(1.02, 1.08)
                    offers.append((x, price * factor, non_compliant))
                if rng.random() < 0.2:
                    outsider = rng.choices(market_firms[m], weights=weights[m])[0]
                    if outsider not in cartel["members"]:
                        offers.append((outsider, estimate * rng.uniform(0.98, 1.0), False))
            else:
                single = buyer in captured and rng.random() < 0.7
                k = 1 if single else rng.randint(3, high)
                chosen: set[str] = set()
                for _ in range(4 * k):  # weighted draws without replacement (bounded)
                    chosen.add(rng.choices(market_firms[m], weights=weights[m])[0])
                    if len(chosen) == k:
                        break
                offers = [(x, estimate * rng.uniform(0.85, 1.0), rng.random() < 0.03) for x in sorted(chosen)]
                if all(d for _, _, d in offers):
                    offers[0] = (offers[0][0], offers[0][1], False)
            valid = [o for o in offers if not o[2]]
            winner_id = min(valid, key=lambda o: o[1])[0]
            for bidder, price, disq in offers:
                arrived = deadline - dt.timedelta(minutes=rng.randint(10, 5000))
                w.writerow([lot, buyer, CATEGORIES[m % len(CATEGORIES)], deadline.date().isoformat(),
                            _money(estimate), bidder, _money(price), int(bidder == winner_id), int(disq),
                            "rejected" if disq else "", start.isoformat(), deadline.isoformat(), arrived.isoformat()])
                rows_written += 1
    truth = {"seed": seed, "lots": lots, "rows": rows_written, "cartels": cartels, "captured_buyers": sorted(captured)}
    with open(out / "truth.json", "w", encoding="utf-8") as f:
        json.dump(truth, f)
    return truth


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="生成合成省级投标数据（含植入的串标团伙）")
    parser.add_argument("out_dir")
    parser.add_argument("--lots", type=int, default=100_000)
    parser.add_argument("--bids", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args(argv)
    truth = generate(args.out_dir, lots=args.lots, bids=args.bids, seed=args.seed)
    print(f"{truth['rows']} bids, {args.lots} lots, {len(truth['cartels'])} cartels → {args.out_dir}")


if __name__ == "__main__":
    main()
