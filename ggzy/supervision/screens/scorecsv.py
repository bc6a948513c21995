"""``ggzy screens score INPUT.csv OUTPUT.csv``: price screens per tender over a bid table from anywhere.

INPUT has a header with ``tender_id,bidder_id,amount`` and optionally ``date,is_winner,estimate`` (other columns are
ignored; optional cells may be empty). Rows need not be sorted: they are cut into chunks of ``chunk_rows``, each
chunk sorted by tender and spilled to a temporary file, and the files are merged (``heapq.merge``), so memory holds
one chunk and one tender at a time, never the whole table. A bad row is reported in Chinese with its line number
and column and skipped; the other rows are scored.

OUTPUT: ``tender_id,score`` and one column per screen (its code), holding the measured value where the screen
fired and empty where it did not; tenders in ``tender_id`` order (as text).
"""

from __future__ import annotations

import csv
import heapq
import itertools
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from .price import RULES, TenderScore, score_tender

REQUIRED = ("tender_id", "bidder_id", "amount")
OPTIONAL = ("date", "is_winner", "estimate")
CHUNK_ROWS = 200_000
MAX_REPORTED_ERRORS = 1000
OUTPUT_HEADER = ["tender_id", "score", *(rule.code for rule in RULES)]

_TRUE = {"1", "true", "yes", "y", "t", "是"}
_FALSE = {"0", "false", "no", "n", "f", "否"}
_YEAR = re.compile(r"^\d{4}$")


class ScreenInputError(ValueError):
    """The input as a whole cannot be read (no header, a required column missing); the message is Chinese."""


@dataclass(frozen=True)
class Bid:
    tender_id: str
    bidder_id: str
    amount: Decimal
    line: int
    date: str = ""
    is_winner: bool | None = None
    estimate: Decimal | None = None


@dataclass
class ScoreReport:
    rows: int = 0
    tenders: int = 0
    bad_rows: int = 0
    errors: list[str] = field(default_factory=list)
    spilled_chunks: int = 0

    def error(self, message: str) -> None:
        self.bad_rows += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(message)


def _decimal(text: str, line: int, column: str, *, required: bool) -> Decimal | None:
    text = text.strip().replace(",", "")
    if not text:
        if required:
            raise ValueError(f"第{line}行 {column} 列：不能为空")
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"第{line}行 {column} 列：“{text[:40]}”不是数字") from None
    if not value.is_finite():
        raise ValueError(f"第{line}行 {column} 列：“{text[:40]}”不是有限的数")
    if value <= 0:
        raise ValueError(f"第{line}行 {column} 列：必须大于零")
    return value


def _date(text: str, line: int) -> str:
    text = text.strip()
    if not text or _YEAR.match(text):
        return text
    try:
        (datetime if "T" in text or " " in text else date).fromisoformat(text)
    except ValueError:
        raise ValueError(f"第{line}行 date 列：“{text[:40]}”不是日期（应为 YYYY-MM-DD 或年份）") from None
    return text


def _winner(text: str, line: int) -> bool | None:
    text = text.strip().lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"第{line}行 is_winner 列：“{text[:40]}”应为 1/0、true/false 或 是/否")


def read_bids(stream: IO[str], report: ScoreReport) -> Iterator[Bid]:
    """Valid bids of a CSV stream, one at a time; bad rows go to ``report`` (Chinese, line and column). The header
    is checked at once (:class:`ScreenInputError`); the rows as they are iterated."""
    reader = csv.reader(stream)
    try:
        header = [h.strip().lstrip("\ufeff") for h in next(reader)]
    except StopIteration:
        raise ScreenInputError("输入文件为空：第1行应为表头 tender_id,bidder_id,amount") from None
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ScreenInputError(f"第1行表头缺少列：{'、'.join(missing)}（必需 tender_id,bidder_id,amount）")
    where = {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}
    return _rows(reader, header, where, report)


def _rows(reader: Any, header: list[str], where: dict[str, int], report: ScoreReport) -> Iterator[Bid]:
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        report.rows += 1
        if len(row) != len(header):
            report.error(f"第{line}行：有 {len(row)} 列，表头有 {len(header)} 列")
            continue

        def cell(name: str, row: list[str] = row) -> str:
            return row[where[name]] if name in where else ""

        try:
            tender_id = cell("tender_id").strip()
            bidder_id = cell("bidder_id").strip()
            if not tender_id:
                raise ValueError(f"第{line}行 tender_id 列：不能为空")
            if not bidder_id:
                raise ValueError(f"第{line}行 bidder_id 列：不能为空")
            amount = _decimal(cell("amount"), line, "amount", required=True)
            assert amount is not None
            bid = Bid(
                tender_id,
                bidder_id,
                amount,
                line,
                _date(cell("date"), line),
                _winner(cell("is_winner"), line),
                _decimal(cell("estimate"), line, "estimate", required=False),
            )
        except ValueError as exc:
            report.error(str(exc))
            continue
        yield bid


def _encode(bid: Bid) -> list[str]:
    """A bid as a CSV row of a spilled chunk (the csv module reads and writes in C)."""
    winner = "" if bid.is_winner is None else ("1" if bid.is_winner else "0")
    estimate = "" if bid.estimate is None else str(bid.estimate)
    return [bid.tender_id, str(bid.line), bid.bidder_id, str(bid.amount), bid.date, winner, estimate]


def _decode(row: list[str]) -> Bid:
    tender_id, line, bidder_id, amount, day, winner, estimate = row
    return Bid(
        tender_id,
        bidder_id,
        Decimal(amount),
        int(line),
        day,
        None if winner == "" else winner == "1",
        Decimal(estimate) if estimate else None,
    )


def _read_chunk(stream: IO[str]) -> Iterator[Bid]:
    for row in csv.reader(stream):
        yield _decode(row)


def _key(bid: Bid) -> tuple[str, int]:
    return bid.tender_id, bid.line


def sorted_bids(
    bids: Iterable[Bid],
    *,
    chunk_rows: int = CHUNK_ROWS,
    workdir: str | None = None,
    report: ScoreReport | None = None,
) -> Iterator[Bid]:
    """``bids`` in (tender_id, line) order with at most ``chunk_rows`` of them in memory: an external merge sort
    (sorted chunks spilled to temporary files, then ``heapq.merge``). A table that fits one chunk never touches
    the disk."""
    if chunk_rows < 1:
        raise ValueError("chunk_rows 必须至少为 1")
    source = iter(bids)
    first = list(itertools.islice(source, chunk_rows))
    rest = list(itertools.islice(source, 1))
    if not rest:
        yield from sorted(first, key=_key)
        return
    with tempfile.TemporaryDirectory(prefix="ggzy-screens-", dir=workdir) as tmp:
        paths: list[str] = []

        def spill(chunk: list[Bid]) -> None:
            chunk.sort(key=_key)
            path = os.path.join(tmp, f"chunk-{len(paths):06d}.csv")
            with open(path, "w", encoding="utf-8", newline="") as out:
                csv.writer(out, lineterminator="\n").writerows(_encode(b) for b in chunk)
            paths.append(path)

        spill(first)
        del first
        chunk = rest
        for bid in source:
            chunk.append(bid)
            if len(chunk) >= chunk_rows:
                spill(chunk)
                chunk = []
        if chunk:
            spill(chunk)
        del chunk
        if report is not None:
            report.spilled_chunks = len(paths)
        files = [open(p, encoding="utf-8", newline="") for p in paths]  # noqa: SIM115 - closed below
        try:
            yield from heapq.merge(*(_read_chunk(f) for f in files), key=_key)
        finally:
            for f in files:
                f.close()


def tenders(bids: Iterable[Bid]) -> Iterator[tuple[str, list[Bid]]]:
    """Consecutive bids of one tender grouped (input sorted by tender)."""
    for tender_id, group in itertools.groupby(bids, key=lambda b: b.tender_id):
        yield tender_id, list(group)


def score_bids(
    bids: Iterable[Bid],
    *,
    chunk_rows: int = CHUNK_ROWS,
    workdir: str | None = None,
    report: ScoreReport | None = None,
) -> Iterator[TenderScore]:
    """One :class:`TenderScore` per tender, in tender order, from bids in any order."""
    for tender_id, group in tenders(sorted_bids(bids, chunk_rows=chunk_rows, workdir=workdir, report=report)):
        yield score_tender(tender_id, [b.amount for b in group], [b.bidder_id for b in group])


def _format(value: float) -> str:
    return f"{value:.6g}"


def output_row(result: TenderScore) -> list[str]:
    fired = {f.rule.code: f for f in result.fired}
    row = [result.tender_id, "" if result.score is None else f"{result.score:.6f}"]
    for rule in RULES:
        finding = fired.get(rule.code)
        row.append("" if finding is None or finding.value is None else _format(finding.value))
    return row


def score_csv(
    source: IO[str],
    target: IO[str],
    *,
    chunk_rows: int = CHUNK_ROWS,
    workdir: str | None = None,
    on_error: Callable[[str], None] | None = None,
) -> ScoreReport:
    """Read bids from ``source`` (CSV), write one scored row per tender to ``target``; returns counts and the
    Chinese messages for the rows it skipped (each also passed to ``on_error`` as it is found)."""
    report = ScoreReport()
    if on_error is not None:
        plain = report.error

        def error(message: str) -> None:
            plain(message)
            on_error(message)

        report.error = error  # type: ignore[method-assign]
    writer = csv.writer(target, lineterminator="\n")
    bids = read_bids(source, report)
    writer.writerow(OUTPUT_HEADER)
    for result in score_bids(bids, chunk_rows=chunk_rows, workdir=workdir, report=report):
        report.tenders += 1
        writer.writerow(output_row(result))
    return report
