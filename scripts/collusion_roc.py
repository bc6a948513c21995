"""Tender-level ROC AUC of ``ggzy screens score`` beside the plain coefficient-of-variation screen, per labelled
dataset in ../shared/testdata/collusion/ (or the directory given as the first argument).

    .venv/bin/python scripts/collusion_roc.py [DIR]

For each dataset the bids are written to a temporary CSV in the tool's input format (``tender_id,bidder_id,amount``:
the precomputed screens and the labels are dropped, amounts come from the raw bid column), scored by running
``ggzy screens score`` on it, and only then compared with the tender labels. AUC is the rank (Mann-Whitney) formula
with mid-ranks for ties; tenders with fewer than two bids (no screen applies) score 0. Nothing is tuned here.
"""

from __future__ import annotations

import contextlib
import csv
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ggzy.supervision.screens.price import coefficient_of_variation  # noqa: E402

Bids = Iterator[tuple[str, str, str]]


def _garcia(name: str, bid_column: str = "Bid_value") -> Callable[[Path], tuple[Bids, dict[str, int]]]:
    """The García Rodríguez et al. (2022) files: one row per bid, tender label ``Collusive_competitor``
    (already tender level; the maximum over the bids is taken in case a file marks single bids)."""

    def load(path: Path) -> tuple[Bids, dict[str, int]]:
        labels: dict[str, int] = defaultdict(int)
        rows: list[tuple[str, str, str]] = []
        with open(path / name, encoding="utf-8", newline="") as f:
            for i, row in enumerate(csv.DictReader(f)):
                tender = row["Tender"]
                labels[tender] = max(labels[tender], int(float(row["Collusive_competitor"] or 0)))
                rows.append((tender, row.get("Competitors") or f"row{i}", row[bid_column]))
        return iter(rows), dict(labels)

    return load


def _korea(path: Path) -> tuple[Bids, dict[str, int]]:
    """The Korean PPS notices: each row pairs the first-ranked bid with one competing bid; a notice's bids are the
    first-ranked bid once plus every competing bid (for 645 of the 1,446 notices that is fewer firms than
    ``num_bidders``: the file does not carry every bid)."""
    labels: dict[str, int] = {}
    bids: dict[str, dict[str, str]] = defaultdict(dict)
    with open(path / "data_bid_level.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            notice = row["bid_notice_id"]
            labels[notice] = int(float(row["bid_rigging_label"]))
            first = row["Firm_id_(1st_rank_Bidder)"] or "first"
            bids[notice].setdefault(first, row["Bid_Price_(1st_rank_Bidder)"])
            other = row["Firm_id_(Competing_Bidder)"] or f"other{len(bids[notice])}"
            bids[notice].setdefault(other, row["Bid_Price_(Competing_Bidder)"])
    rows = [(notice, firm, amount) for notice, firms in bids.items() for firm, amount in firms.items()]
    return iter(rows), labels


DATASETS: dict[str, tuple[str, Callable[[Path], tuple[Bids, dict[str, int]]]]] = {
    "Brazil": ("DB_Collusion_Brazil_processed.csv", _garcia("DB_Collusion_Brazil_processed.csv")),
    "Italy": ("DB_Collusion_Italy_processed.csv", _garcia("DB_Collusion_Italy_processed.csv")),
    "America (Ohio milk)": (
        "DB_Collusion_America_processed.csv",
        _garcia("DB_Collusion_America_processed.csv"),
    ),
    "Korea (PPS)": ("data_bid_level.csv", _korea),
}


def auc(scores: list[float], labels: list[int]) -> float:
    """Area under the ROC curve by the rank formula: (R₊ − n₊(n₊+1)/2) / (n₊·n₋), mid-ranks for ties."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    positives = sum(labels)
    negatives = len(labels) - positives
    if not positives or not negatives:
        return float("nan")
    rank_sum = sum(r for r, y in zip(ranks, labels, strict=True) if y)
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def evaluate(load: Callable[[Path], tuple[Bids, dict[str, int]]], directory: Path) -> dict[str, float]:
    rows, labels = load(directory)
    amounts: dict[str, list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "bids.csv")
        with open(source, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["tender_id", "bidder_id", "amount"])
            for tender, bidder, amount in rows:
                writer.writerow([tender, bidder, amount])
                with contextlib.suppress(ValueError):
                    amounts[tender].append(float(amount))
        scored = os.path.join(tmp, "scores.csv")
        # the command itself, as a user runs it
        subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
            [sys.executable, "-m", "ggzy", "screens", "score", source, scored],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with open(scored, encoding="utf-8", newline="") as f:
            score = {row["tender_id"]: float(row["score"] or 0) for row in csv.DictReader(f)}
    tenders = sorted(labels)
    y = [labels[t] for t in tenders]
    # the plain CV screen: a lower coefficient of variation is more suspicious
    cv = [
        -coefficient_of_variation(amounts[t])
        if len(amounts[t]) >= 2 and sum(amounts[t]) > 0
        else float("-inf")
        for t in tenders
    ]
    return {
        "tenders": len(tenders),
        "collusive": sum(y),
        "score": auc([score.get(t, 0.0) for t in tenders], y),
        "cv": auc(cv, y),
    }


def main(argv: list[str]) -> int:
    directory = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared" / "testdata" / "collusion"
    print(f"{'dataset':22} {'tenders':>8} {'collusive':>9} {'AUC score':>10} {'AUC CV':>8}")
    found = 0
    for name, (filename, load) in DATASETS.items():
        if not (directory / filename).exists():
            print(f"{name:22} (缺少 {directory / filename})")
            continue
        found += 1
        r = evaluate(load, directory)
        print(f"{name:22} {r['tenders']:8d} {r['collusive']:9d} {r['score']:10.3f} {r['cv']:8.3f}")
    return 0 if found else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
