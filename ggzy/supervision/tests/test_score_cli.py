"""``ggzy screens score``: CSV round trips, bad rows in Chinese, and the bounded-memory external sort."""

from __future__ import annotations

import csv
import io
import random
import subprocess
import sys
from pathlib import Path

import pytest

from ggzy.supervision.screens import scorecsv
from ggzy.supervision.screens.cli import main
from ggzy.supervision.screens.scorecsv import OUTPUT_HEADER, ScoreReport, ScreenInputError, score_csv

ROOT = Path(__file__).resolve().parents[3]


def _bids(tenders: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    rows = []
    for t in range(tenders):
        base = rng.randint(100_000, 900_000)
        for b in range(rng.randint(1, 6)):
            rows.append([f"T{t:04d}", f"B{b}", f"{base * rng.uniform(1, 1.3):.2f}"])
    rng.shuffle(rows)
    return rows


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _score(text: str, **kwargs) -> tuple[list[dict[str, str]], ScoreReport]:
    target = io.StringIO()
    report = score_csv(io.StringIO(text), target, **kwargs)
    return list(csv.DictReader(io.StringIO(target.getvalue()))), report


def test_unsorted_input_scored_once_per_tender_in_tender_order():
    # given 200 tenders' bids shuffled
    rows = _bids(200)
    # when scored
    out, report = _score(_csv(["tender_id", "bidder_id", "amount"], rows))
    # then one row per tender, sorted, every row read, and every indicator column in the header
    assert [r["tender_id"] for r in out] == sorted({r[0] for r in rows})
    assert len(rows) == report.rows
    assert list(out[0]) == OUTPUT_HEADER
    assert report.bad_rows == 0 and report.spilled_chunks == 0


def test_tiny_chunks_spill_to_disk_and_give_the_same_answer(tmp_path):
    # given the same shuffled table scored in memory and with chunks of 7 rows
    text = _csv(["tender_id", "bidder_id", "amount"], _bids(120))
    whole, _ = _score(text)
    chunked, report = _score(text, chunk_rows=7, workdir=str(tmp_path))
    # then the external sort really spilled many chunk files, and the answer is identical
    rows = report.rows
    assert report.spilled_chunks == -(-rows // 7) > 10
    assert chunked == whole
    # and the temporary files are gone
    assert list(tmp_path.iterdir()) == []


def test_the_sort_holds_at_most_one_chunk(monkeypatch):
    # given a spy on the chunk files written: no chunk may exceed chunk_rows
    sizes: list[int] = []
    real = scorecsv._encode

    def spy(bid):
        sizes.append(1)
        return real(bid)

    monkeypatch.setattr(scorecsv, "_encode", spy)
    bids = [scorecsv.Bid(f"T{i % 13}", "b", scorecsv.Decimal(1000 + i), i) for i in range(50)]
    seen = list(scorecsv.sorted_bids(iter(bids), chunk_rows=5))
    assert [b.tender_id for b in seen] == sorted(b.tender_id for b in bids)
    assert len(sizes) == 50  # every bid went through a chunk file, none kept aside


def test_tender_fired_columns_hold_the_measured_value():
    text = _csv(
        ["tender_id", "bidder_id", "amount"],
        [
            ["A", "x", "100000"],
            ["A", "y", "105000"],
            ["A", "z", "110000"],
            ["B", "x", "100000"],
            ["B", "y", "150000"],
            ["B", "z", "230000"],
        ],
    )
    out, _ = _score(text)
    a, b = out
    assert a["ARITH"] == "3" and a["CV"] and float(a["score"]) > float(b["score"])
    assert b["ARITH"] == "" and b["CV"] == ""


def test_bad_rows_are_reported_in_chinese_with_line_and_column_and_skipped():
    text = (
        _csv(
            ["tender_id", "bidder_id", "amount", "date", "is_winner", "estimate"],
            [
                ["A", "x", "100000", "2024-01-02", "1", ""],
                ["A", "y", "abc", "", "", ""],  # line 3
                ["A", "z", "-5", "", "", ""],  # line 4
                ["", "z", "100", "", "", ""],  # line 5
                ["A", "w", "101000", "2024-13-45", "", ""],  # line 6
                ["A", "v", "102000", "", "maybe", ""],  # line 7
                ["A", "u", "103000", "", "", "x"],  # line 8
                ["A", "t", "104000", "", "是", "120000"],
            ],
        )
        + "A,only,two\n"
    )  # line 10
    out, report = _score(text)
    assert report.bad_rows == 7
    joined = "\n".join(report.errors)
    for expected in [
        "第3行 amount 列",
        "第4行 amount 列：必须大于零",
        "第5行 tender_id 列：不能为空",
        "第6行 date 列",
        "第7行 is_winner 列",
        "第8行 estimate 列",
        "第10行：有 3 列",
    ]:
        assert expected in joined
    # and the good rows were still scored
    assert [r["tender_id"] for r in out] == ["A"] and out[0]["score"] != ""


def test_missing_required_column_is_refused_by_name():
    with pytest.raises(ScreenInputError, match="bidder_id"):
        _score("tender_id,amount\nA,100\n")
    with pytest.raises(ScreenInputError, match="为空"):
        _score("")


def test_cli_round_trip(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(_csv(["tender_id", "bidder_id", "amount"], _bids(30)) + "Z,q,oops\n", encoding="utf-8")
    target = tmp_path / "out.csv"
    out, err = io.StringIO(), io.StringIO()
    assert main(["score", str(source), str(target), "--chunk-rows", "10"], out, err) == 0
    assert "已评分 30 个标段" in out.getvalue()
    assert "amount 列" in err.getvalue()
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert len(rows) == 30
    # a missing file is a Chinese error, not a traceback
    assert main(["score", str(tmp_path / "none.csv"), str(target)], out, err) == 1
    assert "找不到文件" in err.getvalue()


def test_ggzy_command_reaches_screens_without_django_swallowing_settings(tmp_path):
    # given Cardinal's --settings FILE.ini, which Django's own --settings would take for a settings module
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"ocid": "o1", "tender": {"procurementMethod": "open", "tenderPeriod": '
        '{"startDate": "2024-01-01T00:00:00Z", "endDate": "2024-01-03T00:00:00Z"}}}\n'
    )
    ini = tmp_path / "s.ini"
    ini.write_text("[R003]\nthreshold = 15\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ggzy",
            "screens",
            "cardinal",
            str(source),
            "--settings",
            str(ini),
            "--no-meta",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == '{"OCID":{"o1":{"R003":1.0}}}'


def test_any_chunk_size_gives_the_in_memory_answer():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    text = _csv(["tender_id", "bidder_id", "amount"], _bids(25, seed=3))
    whole, _ = _score(text)

    @settings(max_examples=25, deadline=None)
    @given(st.integers(min_value=1, max_value=120))
    def check(chunk_rows):
        assert _score(text, chunk_rows=chunk_rows)[0] == whole

    check()


def test_spilled_rows_come_back_unchanged():
    # given bids whose fields need quoting, and every state of the optional columns
    bids = [
        scorecsv.Bid(
            'T,"1"\n', "b,1", scorecsv.Decimal("123.4500"), 2, "2024-01-02", True, scorecsv.Decimal("99.5")
        ),
        scorecsv.Bid("T2", "标段甲", scorecsv.Decimal("1E+3"), 3, "", False, None),
        scorecsv.Bid("T3", "c", scorecsv.Decimal("7"), 4, "", None, None),
    ]
    # when they go through a chunk file
    back = list(scorecsv.sorted_bids(iter(bids * 2), chunk_rows=1))
    # then each comes back equal
    assert sorted(back, key=lambda b: (b.tender_id, b.line)) == sorted(
        bids * 2, key=lambda b: (b.tender_id, b.line)
    )
