"""The one table reader of imports: encodings, dates, whole numbers, the row limit, the header, refusals in Chinese."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from ggzy.core import tables
from ggzy.core.errors import DomainError

COLUMNS = {"name": ("名称", "name"), "code": ("统一社会信用代码", "code"), "note": ("备注", "note")}


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_cells_become_text_dates_iso_and_whole_numbers_without_point() -> None:
    content = _xlsx(
        [["名称", "数量", "日期"], ["甲公司", 12.0, dt.datetime(2026, 3, 1, 9, 30)], ["乙", 1.5, None]]
    )
    assert tables.read_table("a.XLSX", content) == [
        ["名称", "数量", "日期"],
        ["甲公司", "12", "2026-03-01"],
        ["乙", "1.5", ""],
    ]


def test_csv_in_utf8_with_bom_and_in_gb18030_read_alike() -> None:
    text = "名称,备注\n 甲公司 ,说明\n"
    assert tables.read_table("a.csv", text.encode("utf-8-sig")) == tables.read_table(
        "a.csv", text.encode("gb18030")
    )
    assert tables.read_table("a.csv", text.encode("gb18030"))[1] == ["甲公司", "说明"]


def test_unreadable_files_are_refused_in_chinese_naming_the_file_field() -> None:
    with pytest.raises(DomainError) as err:
        tables.read_table("a.xlsx", b"not a workbook")
    assert "Excel" in err.value.errors["file"][0]
    with pytest.raises(DomainError) as err:
        tables.read_table("a.csv", b"\xff\xfe\x00\xd8 broken")
    assert "字符编码" in err.value.errors["file"][0]


def test_row_limit_reads_one_row_too_many_and_stops() -> None:
    content = ("名称\n" + "".join(f"r{i}\n" for i in range(100))).encode()
    rows = tables.read_table("a.csv", content, max_rows=10)
    assert len(rows) == 12  # the header, ten rows allowed, one too many: the caller refuses the file
    assert (
        len(tables.read_table("a.xlsx", _xlsx([["名称"]] + [[f"r{i}"] for i in range(100)]), max_rows=10))
        == 12
    )


def test_header_matches_titles_loosely_and_names_the_missing_required_columns() -> None:
    assert tables.header_columns(["名称*", " CODE ", "其他"], COLUMNS, ("name", "code")) == {
        "name": 0,
        "code": 1,
    }
    with pytest.raises(DomainError) as err:
        tables.header_columns(["备注"], COLUMNS, ("name", "code"))
    assert err.value.errors == {"file": ["表头缺少必需的列：名称、统一社会信用代码"]}
