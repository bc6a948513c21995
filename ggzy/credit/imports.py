"""Credit records from files (Excel .xlsx or CSV): records of any source, or one of the three national lists.

Every row is checked by the same service a hand entry uses (``services.record_create``), so a row is refused for
the same reasons, named by row and column. All or nothing: when any row is rejected the file adds nothing and the
report lists every rejected row; a row already recorded (same source and 来源业务编号) is skipped, so importing the
same file twice adds nothing the second time.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction

from ggzy.core import clock, tables
from ggzy.core.audit import audit_record
from ggzy.core.errors import DomainError, NotAllowed
from ggzy.core.roles import Role

from . import services
from .models import (
    Behaviour,
    CreditImport,
    CreditRecord,
    Kind,
    NationalList,
    Publication,
    Source,
    SubjectKind,
)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
IMPORT_ROLES = (Role.CENTER_STAFF, Role.SUPERVISOR, Role.ADMIN)

# field → accepted headers (the first is the one the report names)
COLUMNS: dict[str, tuple[str, ...]] = {
    "subject_kind": ("主体类别", "subject_kind"),
    "subject_key": ("统一社会信用代码", "主体标识", "subject_key", "credit_code"),
    "subject_name": ("主体名称", "名称", "单位名称", "subject_name"),
    "source": ("来源", "source"),
    "kind": ("类型", "记录类型", "kind"),
    "title": ("事由", "失信行为", "违法事实摘要", "title"),
    "facts": ("事实与依据", "facts"),
    "authority": ("认定机关", "执行法院", "公布机关", "authority"),
    "decision_no": ("决定文书号", "案号", "decision_no"),
    "decided_on": ("决定日期", "列入日期", "立案时间", "decided_on"),
    "valid_from": ("有效期起", "valid_from"),
    "valid_until": ("有效期止", "移出日期", "valid_until"),
    "publication": ("公开范围", "publication"),
    "restrictions": ("限制行为", "restrictions"),
    "source_ref": ("来源业务编号", "source_ref"),
}
LABELS = {key: names[0] for key, names in COLUMNS.items()}
LABELS["reason"] = "更正理由"
REQUIRED = ("subject_key", "subject_name", "title", "authority", "decided_on")
# what each national list is, as a credit record
LIST_DEFAULTS = {
    NationalList.DISHONEST_DEBTOR: {"source": Source.COURT, "kind": Kind.SERIOUS_BREACH},
    NationalList.GP_VIOLATION: {"source": Source.PLATFORM, "kind": Kind.SERIOUS_BREACH},
    NationalList.TAX_VIOLATION: {"source": Source.TAX, "kind": Kind.SERIOUS_BREACH},
}


def read_table(file_name: str, content: bytes) -> list[list[str]]:
    return tables.read_table(file_name, content, max_rows=MAX_ROWS)


def _header(header: list[str], required: tuple[str, ...]) -> dict[str, int]:
    return tables.header_columns(header, COLUMNS, required)


def _choice_value(text: str, choices: Any) -> str:
    """A choice given by its value or its Chinese label."""
    for value, label in choices.choices:
        if text in (value, str(label)):
            return value
    return text


def _row_data(row: list[str], columns: dict[str, int], national_list: str) -> dict[str, Any]:
    get = {key: (row[i].strip() if i < len(row) else "") for key, i in columns.items()}
    data: dict[str, Any] = {k: v for k, v in get.items() if k not in ("restrictions",)}
    data["subject_kind"] = _choice_value(get.get("subject_kind") or SubjectKind.ENTITY, SubjectKind)
    if national_list:
        data.update(LIST_DEFAULTS[NationalList(national_list)], national_list=national_list)
    else:
        data["source"] = _choice_value(get.get("source", ""), Source)
        data["kind"] = _choice_value(get.get("kind", ""), Kind)
    data["publication"] = _choice_value(get.get("publication") or Publication.PUBLIC, Publication)
    behaviours = [b.strip() for b in get.get("restrictions", "").replace("，", ",").replace("、", ",").split(",")]
    data["restrictions"] = [{"behaviour": _choice_value(b, Behaviour)} for b in behaviours if b]
    return data


class _Rejected(Exception):
    """Rolls back every row of a file with a rejected row."""


def credit_import(*, actor, file_name: str, content: bytes, national_list: str = "") -> CreditImport:
    """Import a file; returns its report (stored, with the rejected rows)."""
    if getattr(actor, "role", None) not in IMPORT_ROLES:
        raise NotAllowed("只有交易中心工作人员或行政监督部门可以导入信用记录", field="file")
    if national_list and national_list not in NationalList.values:
        raise DomainError("名单类型不正确", field="national_list")
    name = (file_name or "").strip()
    if not name.lower().endswith((".xlsx", ".csv")):
        raise DomainError("只能导入 Excel（.xlsx）或 CSV（.csv）文件", field="file")
    if not content:
        raise DomainError("文件为空", field="file")
    if len(content) > MAX_FILE_BYTES:
        raise DomainError(f"文件不能超过{MAX_FILE_BYTES // (1024 * 1024)}MB", field="file")
    rows = read_table(name, content)
    while rows and not any(rows[-1]):
        rows.pop()
    if len(rows) < 2:
        raise DomainError("文件没有数据行（第一行应为表头）", field="file")
    if len(rows) - 1 > MAX_ROWS:
        raise DomainError(f"一次最多导入{MAX_ROWS}行", field="file")
    required = REQUIRED if national_list else (*REQUIRED, "source", "kind")
    columns = _header(rows[0], required)
    report = CreditImport(file_name=name[-200:], sha256=hashlib.sha256(content).hexdigest(),
                          national_list=national_list, imported_at=clock.now(),
                          imported_by=actor if getattr(actor, "is_authenticated", False) else None)
    rejected: list[dict[str, Any]] = []
    added = skipped = 0
    try:
        with transaction.atomic():
            for number, row in enumerate(rows[1:], start=2):
                if not any(row):
                    continue
                report.rows += 1
                data = _row_data(row, columns, national_list)
                ref = data.get("source_ref", "")
                if ref and CreditRecord.objects.filter(source=data.get("source"), source_ref=ref,
                                                       is_current=True).exists():
                    skipped += 1
                    continue
                try:
                    with transaction.atomic():
                        services.record_create(actor=actor, **data)
                    added += 1
                except DomainError as exc:
                    for field, messages in exc.errors.items():
                        for message in messages:
                            rejected.append({"row": number, "column": LABELS.get(field, field), "reason": message})
            if rejected:
                raise _Rejected
            report.added, report.skipped = added, skipped
            report.save()
            audit_record(actor=actor, action="credit.import", obj=report,
                         after={"file": report.file_name, "sha256": report.sha256, "list": national_list,
                                "rows": report.rows, "added": added, "skipped": skipped})
    except _Rejected:
        with transaction.atomic():
            report.added, report.skipped, report.rejected = 0, 0, rejected
            report.save()
            audit_record(actor=actor, action="credit.import_rejected", obj=report,
                         after={"file": report.file_name, "sha256": report.sha256, "rows": report.rows,
                                "rejected": len(rejected)})
    return report
