"""Bank statements as the centers' banks export them (CSV, UTF-8 or GBK): parsing shared by every account the
platform matches arrivals on — the bid bond account (tendering) and the rights deposit account (rights).

A malformed file or row raises ``DomainError`` naming the row as a spreadsheet shows it and the column; nothing is
returned half-parsed, so an import built on it is atomic."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from .errors import DomainError
from .money import yuan

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
STATEMENT_COLUMNS = ["流水号", "到账时间", "付款户名", "付款账号", "付款银行", "收款子账号", "金额"]
TIME_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y%m%d%H%M%S"]


def decode(data: bytes) -> str:
    if len(data) > MAX_IMPORT_BYTES:
        raise DomainError("文件过大（上限 5 MB）", field="file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise DomainError("文件编码无法识别：应为 UTF-8 或 GBK 编码的 CSV", field="file") from None


def table(data: bytes, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    """(row number as a spreadsheet shows it, the row by column name); the header must name every column."""
    reader = csv.reader(io.StringIO(decode(data)))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise DomainError("文件为空", field="file") from None
    except csv.Error as exc:
        raise DomainError(f"第1行：CSV 格式错误（{exc}）", field="file") from None
    missing = [c for c in columns if c not in header]
    if missing:
        raise DomainError(f"第1行（表头）缺少列：{'、'.join(missing)}", field="file")
    rows = []
    try:
        for number, raw in enumerate(reader, start=2):
            if not any(cell.strip() for cell in raw):
                continue
            if len(raw) != len(header):
                raise DomainError(f"第{number}行：有 {len(raw)} 列，表头有 {len(header)} 列", field="file")
            rows.append((number, {name: cell.strip() for name, cell in zip(header, raw, strict=True)}))
            if len(rows) > MAX_IMPORT_ROWS:
                raise DomainError(f"行数过多（上限 {MAX_IMPORT_ROWS} 行）", field="file")
    except csv.Error as exc:
        raise DomainError(f"第{reader.line_num}行：CSV 格式错误（{exc}）", field="file") from None
    if not rows:
        raise DomainError("文件没有数据行", field="file")
    return rows


def cell_error(number: int, column: str, problem: str) -> DomainError:
    return DomainError(f"第{number}行“{column}”列：{problem}", field="file")


def required(number: int, row: dict, column: str, max_length: int) -> str:
    value = row[column]
    if not value:
        raise cell_error(number, column, "不能为空")
    if len(value) > max_length:
        raise cell_error(number, column, f"过长（最多 {max_length} 个字符）")
    return value


def amount(number: int, row: dict, column: str) -> Decimal:
    try:
        value = yuan(row[column].replace(",", ""), field="file", label=column)
    except DomainError as exc:
        raise cell_error(number, column, exc.message) from None
    if value <= 0:
        raise cell_error(number, column, "金额必须大于0")
    return value


def moment(number: int, row: dict, column: str) -> dt.datetime:
    text = row[column]
    for fmt in TIME_FORMATS:
        try:
            return timezone.make_aware(dt.datetime.strptime(text, fmt))
        except ValueError:
            continue
    raise cell_error(number, column, f"“{text}”不是有效时间（应为 YYYY-MM-DD HH:MM:SS）")


def digits(number: int, row: dict, column: str, max_length: int = 40) -> str:
    value = "".join(required(number, row, column, max_length).split())
    if not value.isdigit():
        raise cell_error(number, column, "应为数字")
    return value


@dataclass(frozen=True)
class StatementRow:
    """One parsed row of a bank statement (``number`` as a spreadsheet shows it)."""

    number: int
    serial: str
    arrived_at: dt.datetime
    payer_name: str
    payer_account: str
    payer_bank: str
    subaccount: str
    amount: Decimal


def parse_statement(data: bytes) -> list[StatementRow]:
    """Every row of a statement, each checked (a 流水号 twice in one file is an error)."""
    parsed: list[StatementRow] = []
    seen: set[str] = set()
    for number, row in table(data, STATEMENT_COLUMNS):
        serial = required(number, row, "流水号", 64)
        if serial in seen:
            raise cell_error(number, "流水号", f"{serial} 在本文件中重复")
        seen.add(serial)
        parsed.append(StatementRow(
            number=number, serial=serial, arrived_at=moment(number, row, "到账时间"),
            payer_name=required(number, row, "付款户名", 200), payer_account=digits(number, row, "付款账号"),
            payer_bank=required(number, row, "付款银行", 128), subaccount=digits(number, row, "收款子账号"),
            amount=amount(number, row, "金额")))
    return parsed

