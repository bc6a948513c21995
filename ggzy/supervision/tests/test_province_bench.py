"""The province generator (deterministic, planted cartels) and the bench over it, at a small size."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
from pathlib import Path

from ggzy.supervision.screens.generate import HEADER, generate
from ggzy.supervision.screens.province import read_once, run_province, score_against_truth

ROOT = Path(__file__).resolve().parents[3]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_generator_is_deterministic_for_a_seed_and_differs_for_another(tmp_path):
    # given three runs, two with the same seed
    a = generate(tmp_path / "a", lots=600, bids=6000, seed=3)
    generate(tmp_path / "b", lots=600, bids=6000, seed=3)
    generate(tmp_path / "c", lots=600, bids=6000, seed=4)
    # when / then
    assert _digest(tmp_path / "a" / "bids.csv") == _digest(tmp_path / "b" / "bids.csv")
    assert _digest(tmp_path / "a" / "truth.json") == _digest(tmp_path / "b" / "truth.json")
    assert _digest(tmp_path / "a" / "bids.csv") != _digest(tmp_path / "c" / "bids.csv")
    assert a["rows"] == read_once(tmp_path / "a" / "bids.csv")


def test_generated_province_has_the_planted_shape(tmp_path):
    # given a small province
    truth = generate(tmp_path, lots=1000, bids=10_000, seed=14)
    with open(tmp_path / "bids.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    # then: the header, about the asked number of bids, one winner a lot, no label in the bid file
    assert list(rows[0]) == HEADER
    assert 8_000 <= len(rows) <= 12_000
    winners: dict[str, int] = {}
    for r in rows:
        winners[r["lot_id"]] = winners.get(r["lot_id"], 0) + int(r["is_winner"])
    assert set(winners.values()) == {1}
    assert len(truth["cartels"]) == 2
    for cartel in truth["cartels"]:
        lots = {str(n) for n in cartel["lots"]}
        bidders = {r["bidder_id"] for r in rows if r["lot_id"] in lots}
        assert set(cartel["members"]) <= bidders
        if cartel["cover"]:
            assert not any(r["bidder_id"] == cartel["cover"] and r["is_winner"] == "1" for r in rows)


def test_full_indicator_set_finds_the_planted_cartels_and_nothing_on_a_competitive_history(tmp_path):
    # given a province and, separately, its competitive lots only (every cartel lot removed)
    truth = generate(tmp_path, lots=3000, bids=30_000, seed=14)
    cartel_lots = {str(n) for c in truth["cartels"] for n in c["lots"]}
    members = {m for c in truth["cartels"] for m in c["members"]}
    with open(tmp_path / "bids.csv", newline="", encoding="utf-8") as f, \
            open(tmp_path / "clean.csv", "w", newline="", encoding="utf-8") as g:
        reader, writer = csv.reader(f), csv.writer(g)
        writer.writerow(next(reader))
        writer.writerows(r for r in reader if r[0] not in cartel_lots)
    # when
    result = run_province(tmp_path / "bids.csv")
    clean = run_province(tmp_path / "clean.csv")
    # then every cartel is found by some history rule; on the clean history no rotation names a member
    report = score_against_truth(result, truth)
    assert report["found_any"] == 1.0 and report["found_by"]["history.rotation"] > 0
    assert not [f for f in clean.history if f.code == "history.rotation" and set(f.subjects) & members]
    assert result.lots == 3000 and result.price_scores and result.cardinal["OCID"]


def test_bench_script_prints_time_memory_and_found_share(tmp_path, capsys):
    # given the bench script at a small size
    spec = importlib.util.spec_from_file_location("bench_province", ROOT / "bench" / "bench_supervision_province.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    # when
    report = bench.main(["--lots", "2000", "--bids", "20000", "--json", "--dir", str(tmp_path)])
    # then
    printed = json.loads(capsys.readouterr().out)
    assert printed == report
    assert report["lots"] == 2000 and report["indicators_seconds"] > 0 and report["read_once_seconds"] > 0
    assert report["peak_rss_mib"] > 0 and report["found_any"] == 1.0


def test_odd_amounts_are_marked_and_the_rest_goes_on(tmp_path):
    # given a tiny file with hostile prices (1e400, NaN, exponent text, words) and a short row
    header = ",".join(HEADER)
    rows = [f"1,T,01,2026-01-01,100000.00,A,{p},0,0,,,," for p in ("1e400", "NaN", "1e20", "abc")]
    rows += ["1,T,01,2026-01-01,100000.00,B,95000.00,1,0,,,,", "1,T,01,2026-01-01,100000.00,C,98000.00,0,0,,,,",
             "2,T,01,2026-01-01,oops"]
    (tmp_path / "bids.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    # when
    result = run_province(tmp_path / "bids.csv")
    # then the odd rows are named, the lot with two good prices is still scored
    assert len(result.odd_rows) == 5
    assert "第2行 price 列" in result.odd_rows[0] and "第8行：应有13列" in result.odd_rows[-1]
    assert result.lots == 1 and "1" in result.price_scores
