"""Reading an uploaded table (Excel .xlsx or CSV) for an import: the cells as text, the header matched to fields.

One reader for every import of rows (credit records, the expert pool …): the same encodings, the same refusals in
Chinese, naming the file field. What a row means stays with the importing app."""

from __future__ import annotations

import csv
import io
from typing import Any

from .errors import DomainError


def cell_text(value: Any) -> str:
    """A cell as text: empty for nothing, ISO dates for date cells, 12 rather than 12.0 for whole numbers."""
    if value is None:
        return ""
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_table(file_name: str, content: bytes, *, max_rows: int | None = None) -> list[list[str]]:
    """The rows of the first sheet (xlsx) or of the CSV (UTF-8 with or without BOM, or GB18030), as strings.

    With ``max_rows``, at most that many data rows and one more are read (the caller sees there are too many without
    the rest of a huge file being read)."""
    limit = None if max_rows is None else max_rows + 2  # the header, the rows allowed, one too many
    if file_name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            rows: list[list[str]] = []
            for row in sheet.iter_rows(values_only=True):
                if limit is not None and len(rows) >= limit:
                    break
                rows.append([cell_text(v) for v in row])
            book.close()
        except Exception as exc:  # noqa: BLE001 — any unreadable workbook is the user's file
            raise DomainError("无法读取 Excel 文件（请确认为 .xlsx 格式）", field="file") from exc
        return rows
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DomainError("无法识别 CSV 文件的字符编码（请使用 UTF-8 或 GBK）", field="file")
    try:
        out: list[list[str]] = []
        for row in csv.reader(io.StringIO(text)):
            if limit is not None and len(out) >= limit:
                break
            out.append([cell_text(v) for v in row])
        return out
    except csv.Error as exc:
        raise DomainError("CSV 文件格式不正确", field="file") from exc


def header_columns(
    header: list[str], columns: dict[str, tuple[str, ...]], required: tuple[str, ...]
) -> dict[str, int]:
    """Field → column index, from the header row: each field's accepted titles (spaces and a required-marking "*"
    ignored, case-insensitive); the first title of each field names it when a required column is missing."""
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        cleaned = title.replace(" ", "").replace("*", "").strip().lower()
        for key, names in columns.items():
            if cleaned in {n.lower() for n in names} and key not in found:
                found[key] = index
    missing = [columns[k][0] for k in required if k not in found]
    if missing:
        raise DomainError(f"表头缺少必需的列：{'、'.join(missing)}", field="file")
    return found
