"""Reading a dispersed pool's file (Excel .xlsx or CSV): the accepted columns, the table, one row parsed and checked
(ID number, title and level, years, region, classifications, relatives) — no writes. ``imports`` applies the rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

from ggzy.core import tables
from ggzy.core.errors import DomainError
from ggzy.registry.models import Region

from ..identity import birth_date_of, id_number_digest, id_number_normalize, id_number_validate
from ..models import TitleLevel
from .entry import entry_problems
from .relatives import RELATIVE_COLUMNS, relatives_parse

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20000
PROGRESS_EVERY = 50

# column → accepted headers (the first row of the file)
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "专家姓名", "name"),
    "id_number": ("身份证号码", "身份证号", "公民身份号码", "id_number"),
    "phone": ("手机号码", "手机", "联系电话", "phone"),
    "title": ("职称", "技术职称", "title"),
    "title_level": ("职称级别", "职称等级", "title_level"),
    "years_in_field": ("从业年限", "从事专业年限", "years_in_field"),
    "employer_name": ("工作单位", "单位", "employer_name"),
    "region": ("所在地区", "所在市", "地区", "region"),
    "classifications": ("评标专业", "专业分类", "专业", "classifications"),
    **RELATIVE_COLUMNS,  # declared relatives (branch poolpages)
}
COLUMN_LABELS = {key: names[0] for key, names in COLUMNS.items()}
REQUIRED = ("name", "id_number", "title", "years_in_field", "region")

LEVEL_LABELS = {
    "正高级": TitleLevel.SENIOR_FULL,
    "正高": TitleLevel.SENIOR_FULL,
    "副高级": TitleLevel.SENIOR_DEPUTY,
    "副高": TitleLevel.SENIOR_DEPUTY,
    "中级": TitleLevel.INTERMEDIATE,
    "初级": TitleLevel.OTHER,
    "其他": TitleLevel.OTHER,
}
# titles whose level is known without a level column (longest first: 教授级高级工程师 before 高级工程师)
TITLE_LEVELS = [
    ("教授级高级", TitleLevel.SENIOR_FULL),
    ("正高级", TitleLevel.SENIOR_FULL),
    ("研究员", TitleLevel.SENIOR_FULL),
    ("副教授", TitleLevel.SENIOR_DEPUTY),
    ("副研究员", TitleLevel.SENIOR_DEPUTY),
    ("教授", TitleLevel.SENIOR_FULL),
    ("副主任医师", TitleLevel.SENIOR_DEPUTY),
    ("主任医师", TitleLevel.SENIOR_FULL),
    ("高级", TitleLevel.SENIOR_DEPUTY),
    ("工程师", TitleLevel.INTERMEDIATE),
    ("会计师", TitleLevel.INTERMEDIATE),
    ("经济师", TitleLevel.INTERMEDIATE),
    ("讲师", TitleLevel.INTERMEDIATE),
]
# fields where a difference between the pool and a file is a conflict for a person to resolve
CONFLICT_FIELDS = ("name", "employer_name", "title", "title_level", "region", "phone")
FIELD_LABELS = {
    "name": "姓名",
    "employer_name": "工作单位",
    "title": "职称",
    "title_level": "职称级别",
    "region": "所在地区",
    "phone": "手机号码",
}
_PHONE = re.compile(r"^1\d{10}$")


# ------------------------------------------------------------------ reading


def read_table(file_name: str, content: bytes) -> list[list[str]]:
    return tables.read_table(file_name, content, max_rows=MAX_ROWS)


def _header_map(header: list[str]) -> dict[str, int]:
    return tables.header_columns(header, COLUMNS, REQUIRED)


def _title_level(title: str, given: str) -> str | None:
    if given:
        return LEVEL_LABELS.get(given.replace(" ", ""))
    for marker, level in TITLE_LEVELS:
        if marker in title:
            return level
    return TitleLevel.OTHER


class _Regions:
    def __init__(self) -> None:
        self.by_key: dict[str, Region] = {}
        for region in Region.objects.exclude(level="province"):
            self.by_key[region.code] = region
            self.by_key.setdefault(region.name, region)
            if region.level == "city":
                self.by_key[region.name.removesuffix("市")] = region

    def get(self, value: str) -> Region | None:
        return self.by_key.get(value.strip())


@dataclass
class ParsedRow:
    number: int
    name: str = ""
    id_number: str = ""
    digest: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    classification_codes: list[str] = field(default_factory=list)
    relatives: list[dict] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column label, reason)


def _parse_row(
    number: int,
    row: list[str],
    columns: dict[str, int],
    regions: _Regions,
    known_codes: set[str],
    rules,
    today,
) -> ParsedRow:
    def get(key: str) -> str:
        index = columns.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    parsed = ParsedRow(number=number, name=get("name"))
    problem = parsed.problems.append
    if not parsed.name:
        problem((COLUMN_LABELS["name"], "姓名不能为空"))
    number_text = id_number_normalize(get("id_number"))
    if not number_text:
        problem((COLUMN_LABELS["id_number"], "身份证号码不能为空"))
    else:
        try:
            id_number_validate(number_text, today=today)
            parsed.id_number, parsed.digest = number_text, id_number_digest(number_text)
        except DomainError as exc:
            problem((COLUMN_LABELS["id_number"], exc.message))
    title = get("title")
    if not title:
        problem((COLUMN_LABELS["title"], "职称不能为空"))
    level = _title_level(title, get("title_level"))
    if level is None:
        problem((COLUMN_LABELS["title_level"], "职称级别应为 正高级/副高级/中级/其他"))
    years_text = get("years_in_field")
    years = int(years_text) if years_text.isdigit() and len(years_text) <= 2 else None
    if years is None:
        problem((COLUMN_LABELS["years_in_field"], "从业年限应为0至99的整数"))
    region_text = get("region")
    region = regions.get(region_text) if region_text else None
    if region is None:
        problem(
            (COLUMN_LABELS["region"], f"所在地区无效：{region_text}" if region_text else "所在地区不能为空")
        )
    phone = get("phone").replace(" ", "").replace("-", "")
    if phone and not _PHONE.match(phone):
        problem((COLUMN_LABELS["phone"], "手机号码应为11位数字"))
    codes = [c.strip().upper() for c in re.split(r"[;；,，、\s]+", get("classifications")) if c.strip()]
    unknown = [c for c in codes if c not in known_codes]
    if unknown:
        problem((COLUMN_LABELS["classifications"], f"专业分类代码不存在：{'、'.join(unknown)}"))
    parsed.classification_codes = codes
    parsed.relatives, relative_problems = relatives_parse(get)
    parsed.problems.extend(relative_problems)
    if parsed.id_number and title and level and years is not None:
        for key, reason in entry_problems(
            birth_date=birth_date_of(parsed.id_number),
            title_level=level,
            years_in_field=years,
            on_date=today,
            rules=rules,
        ).items():
            label = {
                "years_in_field": COLUMN_LABELS["years_in_field"],
                "title_level": COLUMN_LABELS["title"],
                "id_number": COLUMN_LABELS["id_number"],
            }[key]
            problem((label, f"不符合入库条件：{reason}"))
    parsed.values = {
        "name": parsed.name,
        "phone": phone,
        "title": title,
        "title_level": level,
        "years_in_field": years or 0,
        "employer_name": get("employer_name"),
        "region": region,
    }
    return parsed


def _level_label(value: str) -> str:
    """The record keeps the Chinese label whatever language the request (or a task) runs in."""
    with translation.override("zh-hans"):
        return str(TitleLevel(value).label)


def _value_text(key: str, value: Any) -> str:
    if key == "region":
        return value.name if value is not None else ""
    if key == "title_level":
        return _level_label(value) if value else ""
    return str(value or "")
