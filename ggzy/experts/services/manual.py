"""Add one expert by hand (staff): the same parsing and entry checks as a pool import row (``imports._parse_row``:
ID number by GB 11643, title and level, years, region, phone, classification codes, the entry rules from template
data), so a record typed in is held to what a file is held to. A known ID number is never a second record: it is
refused with the existing expert's number, where staff compare and correct the record."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import translation

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import DomainError

from ..identity import birth_date_of
from ..models import Classification, Expert, ExpertClassification, TitleLevel
from .entry import entry_rules
from .import_rows import COLUMN_LABELS, _parse_row, _Regions
from .imports import _staff_only

# the import's column label → the form's field name, so each problem names the field it is about
_FIELD_OF_LABEL = {label: key for key, label in COLUMN_LABELS.items()}
FORM_FIELDS = ("name", "id_number", "phone", "title", "title_level", "years_in_field", "employer_name", "region")


def _level_label(value: str) -> str:
    if value not in TitleLevel.values:
        return value  # the parser refuses it with the import's message
    with translation.override("zh-hans"):
        return str(TitleLevel(value).label)


def expert_add(*, actor, data: dict[str, Any], classifications: list[str]) -> Expert:
    """Create one expert from a form; every problem at once, each naming its field; nothing written on a problem."""
    _staff_only(actor)
    columns = {key: i for i, key in enumerate((*FORM_FIELDS, "classifications"))}
    cells = [str(data.get(key) or "").strip() for key in FORM_FIELDS]
    cells[FORM_FIELDS.index("title_level")] = _level_label(cells[FORM_FIELDS.index("title_level")])
    cells.append(",".join(str(c) for c in classifications))
    today = clock.today()
    known = set(Classification.objects.filter(is_active=True).values_list("code", flat=True))
    row = _parse_row(1, cells, columns, _Regions(), known, entry_rules(today), today)
    errors: dict[str, list[str]] = {}
    for label, reason in row.problems:
        errors.setdefault(_FIELD_OF_LABEL.get(label, "__all__"), []).append(reason)
    if not classifications and "classifications" not in errors:
        errors["classifications"] = ["请至少选择一个评标专业"]
    for key, most, message in (("name", 64, "姓名不能超过64个字"), ("title", 64, "职称不能超过64个字"),
                               ("employer_name", 200, "工作单位不能超过200个字")):
        if len(row.values.get(key) or "") > most:
            errors.setdefault(key, []).append(message)
    if errors:
        raise DomainError(errors=errors)
    with transaction.atomic():
        existing = Expert.objects.select_for_update().filter(id_number_digest=row.digest).first()
        if existing is not None:
            raise DomainError(f"该身份证号码已在专家库中（专家编号 {existing.pk}），未重复登记，请在该专家页面核对信息",
                              field="id_number")
        now = clock.now()
        expert = Expert.objects.create(
            id_number=row.id_number, id_number_digest=row.digest, birth_date=birth_date_of(row.id_number),
            entered_on=now.date(), source="手工登记", created_at=now, updated_at=now, **row.values,
        )
        ExpertClassification.objects.bulk_create(
            [ExpertClassification(expert=expert, classification_id=c) for c in dict.fromkeys(row.classification_codes)]
        )
        audit_record(actor=actor, action="experts.expert.create", obj=expert,
                     after={"source": "手工登记", "classifications": sorted(set(row.classification_codes))})
    return expert

