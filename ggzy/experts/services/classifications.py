"""The classification standard: imported idempotently from a CSV of code,name,parent_code."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from ggzy.core.errors import DomainError

from ..models import Classification

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "classifications.csv"


@dataclass
class ClassificationImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _rows(text: str) -> list[tuple[int, str, str, str]]:
    lines = [
        (n, line)
        for n, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    rows = []
    for (number, _), record in zip(
        lines, csv.reader(io.StringIO("\n".join(line for _, line in lines))), strict=True
    ):
        if [c.strip() for c in record] == ["code", "name", "parent_code"]:
            continue
        if len(record) < 2:
            raise DomainError(f"第{number}行：应为 code,name,parent_code 三列", field="file")
        code, name = record[0].strip().upper(), record[1].strip()
        parent = record[2].strip().upper() if len(record) > 2 else ""
        if not code or not name:
            raise DomainError(f"第{number}行：分类代码和名称不能为空", field="file")
        if parent and not code.startswith(parent):
            raise DomainError(f"第{number}行：分类代码 {code} 应以上级代码 {parent} 开头", field="file")
        rows.append((number, code, name, parent))
    return rows


@transaction.atomic
def classifications_import(text: str | None = None) -> ClassificationImportResult:
    """Create or update every row (by code); parents may come later in the file. Nothing is deleted."""
    rows = _rows(DEFAULT_FILE.read_text(encoding="utf-8") if text is None else text)
    known = {c.code: c for c in Classification.objects.all()}
    codes = {code for _, code, _, _ in rows} | set(known)
    for number, _code, _, parent in rows:
        if parent and parent not in codes:
            raise DomainError(f"第{number}行：上级分类 {parent} 不存在", field="file")
    result = ClassificationImportResult()
    by_code = {code: (name, parent) for _, code, name, parent in rows}

    def level(code: str) -> int:
        parent = by_code[code][1] if code in by_code else (known[code].parent_id or "")
        return 1 if not parent else level(parent) + 1

    for _, code, name, parent in sorted(rows, key=lambda r: level(r[1])):
        current = known.get(code)
        wanted = {"name": name, "parent_id": parent or None, "level": level(code)}
        if current is None:
            known[code] = Classification.objects.create(code=code, **wanted)
            result.created += 1
        elif any(getattr(current, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(current, k, v)
            current.save(update_fields=["name", "parent", "level"])
            result.updated += 1
        else:
            result.unchanged += 1
    return result
