"""Merging dispersed pools: Excel (.xlsx) and CSV files of departments and cities, matched by ID number.

Per import: rows added, updated, unchanged, conflicting (two employers, two titles… kept side by side until a staff
member chooses; nothing merged silently) and rejected with the reason per row and column. The file is read and
checked first (progress shown while it runs), then applied in one transaction: an import applies wholly or not at
all, and importing the same file again changes nothing (idempotent).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import translation

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import DomainError, NotAllowed
from ggzy.core.roles import Role
from ggzy.registry.models import Region

from ..identity import birth_date_of, id_number_digest, id_number_normalize, id_number_validate
from ..models import (
    Classification,
    ConflictStatus,
    Expert,
    ExpertClassification,
    ImportStatus,
    PoolConflict,
    PoolImport,
    PoolImportIssue,
    TitleLevel,
)
from .entry import entry_problems, entry_rules
from .relatives import RELATIVE_COLUMNS, relatives_parse, relatives_store_missing

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


def _staff_only(actor) -> None:
    if actor is None or getattr(actor, "role", None) not in (Role.CENTER_STAFF, Role.ADMIN):
        raise NotAllowed("只有交易中心工作人员可以导入专家库", field="file")


def pool_import_create(*, actor, source: str, file_name: str, content: bytes) -> PoolImport:
    """Store an uploaded file and queue its import (a Huey task once the transaction commits)."""
    _staff_only(actor)
    source = (source or "").strip()
    if not source:
        raise DomainError("请填写来源专家库（如：济南市专家库、省交通运输厅专家库）", field="source")
    if len(source) > 128:
        raise DomainError("来源专家库名称不能超过128个字", field="source")
    lower = (file_name or "").lower()
    if not (lower.endswith(".xlsx") or lower.endswith(".csv")):
        raise DomainError("只能导入 Excel（.xlsx）或 CSV（.csv）文件", field="file")
    if not content:
        raise DomainError("文件为空", field="file")
    if len(content) > MAX_FILE_BYTES:
        raise DomainError("文件不能超过10MB", field="file")
    with transaction.atomic():
        pool_import = PoolImport.objects.create(
            source=source,
            file_name=file_name[-255:],
            content=content,
            content_sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=actor,
            uploaded_at=clock.now(),
        )
        audit_record(
            actor=actor,
            action="experts.import.create",
            obj=pool_import,
            after={"source": source, "file_name": pool_import.file_name},
        )
        transaction.on_commit(lambda: _enqueue(pool_import.pk))
    return pool_import


def _enqueue(import_id: int) -> None:
    from ..tasks import pool_import_task

    pool_import_task(import_id)


# ------------------------------------------------------------------ reading


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_table(file_name: str, content: bytes) -> list[list[str]]:
    """The rows of the first sheet (xlsx) or of the CSV (UTF-8 with or without BOM, or GB18030), as strings."""
    if file_name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 — any unreadable workbook is the user's file, not our fault
            raise DomainError("无法读取 Excel 文件（请确认为 .xlsx 格式）", field="file") from exc
        sheet = book.worksheets[0]
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
        return rows
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DomainError("无法识别 CSV 文件的字符编码（请使用 UTF-8 或 GBK）", field="file")
    return [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text))]


def _header_map(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        cleaned = title.replace(" ", "").replace("*", "").strip().lower()
        for key, names in COLUMNS.items():
            if cleaned in {n.lower() for n in names} and key not in found:
                found[key] = index
    missing = [COLUMN_LABELS[k] for k in REQUIRED if k not in found]
    if missing:
        raise DomainError(f"表头缺少必需的列：{'、'.join(missing)}", field="file")
    return found


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


# ------------------------------------------------------------------ running


def pool_import_run(import_id: int) -> PoolImport:
    """Read, check and apply one import (the Huey task); a second run of a finished import does nothing."""
    pool_import = PoolImport.objects.get(pk=import_id)
    if pool_import.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return pool_import
    PoolImport.objects.filter(pk=import_id).update(status=ImportStatus.RUNNING, processed_rows=0)
    try:
        parsed = _read_and_check(pool_import)
        _apply(pool_import, parsed)
    except DomainError as exc:
        PoolImport.objects.filter(pk=import_id).update(
            status=ImportStatus.FAILED, error=exc.message[:500], finished_at=clock.now()
        )
    pool_import.refresh_from_db()
    return pool_import


def _read_and_check(pool_import: PoolImport) -> list[ParsedRow]:
    table = read_table(pool_import.file_name, bytes(pool_import.content))
    while table and not any(table[-1]):
        table.pop()
    if not table:
        raise DomainError("文件中没有数据", field="file")
    if len(table) - 1 > MAX_ROWS:
        raise DomainError(f"一次最多导入{MAX_ROWS}行", field="file")
    columns = _header_map(table[0])
    body = [(n, row) for n, row in enumerate(table[1:], start=2) if any(c for c in row)]
    PoolImport.objects.filter(pk=pool_import.pk).update(total_rows=len(body))
    regions, today = _Regions(), clock.today()
    known_codes = set(Classification.objects.filter(is_active=True).values_list("code", flat=True))
    rules = entry_rules(today)
    parsed = []
    for done, (number, row) in enumerate(body, start=1):
        parsed.append(_parse_row(number, row, columns, regions, known_codes, rules, today))
        if done % PROGRESS_EVERY == 0:
            PoolImport.objects.filter(pk=pool_import.pk).update(processed_rows=done)
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


@transaction.atomic
def _apply(pool_import: PoolImport, rows: list[ParsedRow]) -> None:
    counts = {"added": 0, "updated": 0, "unchanged": 0, "conflicting": 0, "rejected": 0}
    now = clock.now()
    first_row_of: dict[str, ParsedRow] = {}
    classifications = {c.code: c for c in Classification.objects.all()}
    for row in rows:
        if row.problems:
            counts["rejected"] += 1
            PoolImportIssue.objects.bulk_create(
                [
                    PoolImportIssue(
                        pool_import=pool_import,
                        row_number=row.number,
                        column=column,
                        message=reason[:500],
                        name=row.name[:64],
                    )
                    for column, reason in row.problems
                ]
            )
            continue
        earlier = first_row_of.get(row.digest)
        if (
            earlier is not None
            and earlier.values == row.values
            and earlier.classification_codes == row.classification_codes
            and earlier.relatives == row.relatives
        ):
            counts["rejected"] += 1
            PoolImportIssue.objects.create(
                pool_import=pool_import,
                row_number=row.number,
                column="",
                message=f"与第{earlier.number}行重复，未重复导入",
                name=row.name[:64],
            )
            continue
        first_row_of.setdefault(row.digest, row)
        expert = Expert.objects.filter(id_number_digest=row.digest).first()
        if expert is None:
            expert = Expert.objects.create(
                id_number=row.id_number,
                id_number_digest=row.digest,
                birth_date=birth_date_of(row.id_number),
                name=row.values["name"],
                phone=row.values["phone"],
                title=row.values["title"],
                title_level=row.values["title_level"],
                years_in_field=row.values["years_in_field"],
                employer_name=row.values["employer_name"],
                region=row.values["region"],
                entered_on=now.date(),
                source=pool_import.source[:128],
                created_at=now,
                updated_at=now,
            )
            ExpertClassification.objects.bulk_create(
                [
                    ExpertClassification(expert=expert, classification=classifications[c])
                    for c in dict.fromkeys(row.classification_codes)
                ]
            )
            relatives_store_missing(expert, row.relatives)
            counts["added"] += 1
            continue
        counts[_merge(pool_import, expert, row, classifications, now)] += 1
    PoolImport.objects.filter(pk=pool_import.pk).update(
        status=ImportStatus.DONE, processed_rows=len(rows), finished_at=clock.now(), **counts
    )
    audit_record(actor=pool_import.uploaded_by, action="experts.import.apply", obj=pool_import, after=counts)


def _merge(pool_import: PoolImport, expert: Expert, row: ParsedRow, classifications, now) -> str:
    """Merge one row into an existing expert: empty fields are filled, larger years and new classifications
    added; every other difference becomes an open conflict. Returns the row's outcome."""
    changed: list[str] = []
    conflicts = 0
    for key in CONFLICT_FIELDS:
        incoming = row.values[key]
        current = getattr(expert, key)
        if key == "region":
            same = incoming is None or current.pk == incoming.pk
        else:
            same = not incoming or incoming == current
        if same:
            continue
        if not current and key != "region":
            setattr(expert, key, incoming)
            changed.append(key)
            continue
        incoming_text = _value_text(key, incoming)[:255]
        # a value already raised, or one a staff member already decided against, is not raised again
        seen = PoolConflict.objects.filter(
            Q(incoming_value=incoming_text) | Q(current_value=incoming_text, status=ConflictStatus.REPLACED),
            expert=expert,
            field=key,
        ).exists()
        if not seen:
            PoolConflict.objects.create(
                pool_import=pool_import,
                expert=expert,
                row_number=row.number,
                field=key,
                current_value=_value_text(key, current)[:255],
                incoming_value=incoming_text,
            )
            conflicts += 1
        elif PoolConflict.objects.filter(
            expert=expert, field=key, incoming_value=incoming_text, status=ConflictStatus.OPEN
        ).exists():
            conflicts += 1
    if row.values["years_in_field"] > expert.years_in_field:
        expert.years_in_field = row.values["years_in_field"]
        changed.append("years_in_field")
    held = set(expert.classifications.values_list("classification_id", flat=True))
    new_codes = [c for c in dict.fromkeys(row.classification_codes) if c not in held]
    if new_codes:
        ExpertClassification.objects.bulk_create(
            [ExpertClassification(expert=expert, classification=classifications[c]) for c in new_codes]
        )
        changed.append("classifications")
    if relatives_store_missing(expert, row.relatives):
        changed.append("relatives")
    if changed:
        expert.updated_at = now
        expert.save()
    if conflicts:
        return "conflicting"
    return "updated" if changed else "unchanged"


CONFLICT_APPLY = {"name", "employer_name", "title", "title_level", "region", "phone"}


@transaction.atomic
def pool_conflict_resolve(*, actor, conflict: PoolConflict, take_incoming: bool) -> PoolConflict:
    """Keep the pool's value or take the imported one; recorded with who chose and when."""
    _staff_only(actor)
    conflict = PoolConflict.objects.select_for_update().select_related("expert").get(pk=conflict.pk)
    if conflict.status != ConflictStatus.OPEN:
        raise DomainError("该冲突已处理", field="status")
    expert = conflict.expert
    if take_incoming:
        value: Any = conflict.incoming_value
        if conflict.field == "title_level":
            value = next((v for v in TitleLevel.values if _level_label(v) == value), None)
        elif conflict.field == "region":
            value = _Regions().get(value)
        if value is None:
            raise DomainError("导入值无效，无法采用", field="incoming_value")
        setattr(expert, conflict.field, value)
        if conflict.field == "employer_name":
            expert.employer = None  # the linked market entity was the old employer's
        expert.updated_at = clock.now()
        expert.save()
    conflict.status = ConflictStatus.REPLACED if take_incoming else ConflictStatus.KEPT
    conflict.resolved_by, conflict.resolved_at = actor, clock.now()
    conflict.save(update_fields=["status", "resolved_by", "resolved_at"])
    audit_record(
        actor=actor,
        action="experts.conflict.resolve",
        obj=conflict,
        after={"field": conflict.field, "status": conflict.status},
    )
    return conflict
