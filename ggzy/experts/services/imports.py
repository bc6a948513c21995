"""Merging dispersed pools: Excel (.xlsx) and CSV files of departments and cities, matched by ID number.

Per import: rows added, updated, unchanged, conflicting (two employers, two titles… kept side by side until a staff
member chooses; nothing merged silently) and rejected with the reason per row and column. The file is read and
checked first (progress shown while it runs), then applied in one transaction: an import applies wholly or not at
all, and importing the same file again changes nothing (idempotent).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.db.models import Q

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import DomainError, NotAllowed
from ggzy.core.roles import Role

from ..identity import birth_date_of
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
from .entry import entry_rules
from .import_rows import (
    CONFLICT_FIELDS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    PROGRESS_EVERY,
    ParsedRow,
    _header_map,
    _level_label,
    _parse_row,
    _Regions,
    _value_text,
    read_table,
)
from .relatives import relatives_store_missing


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
