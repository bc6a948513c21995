"""Credit services: create a record, correct it (a new version), never edit or delete one.

Every write runs in one transaction with its audit entry (and so its ledger entry); bad input raises a
``DomainError`` naming the field and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record, snapshot
from ggzy.core.credit_code import credit_code_validate
from ggzy.core.errors import Conflict, DomainError

from .models import (
    Behaviour,
    CreditRecord,
    CreditRestriction,
    Kind,
    NationalList,
    Publication,
    Source,
    SubjectKind,
)

TEXT_MAX = {"subject_name": 200, "title": 200, "authority": 200, "decision_no": 100, "source_ref": 64}
FACTS_MAX = 5000
_PERSON_KEY = re.compile(r"^[0-9a-f]{64}$")
_CORRECTABLE = ("subject_name", "title", "facts", "authority", "decision_no", "decided_on", "valid_from",
                "valid_until", "publication", "evidence", "kind", "national_list")


def _choice(value: Any, choices: type[models.TextChoices], field: str, label: str) -> str:
    value = str(value or "").strip()
    if value not in choices.values:
        allowed = "、".join(str(lbl) for lbl in choices.labels)
        raise DomainError(f"{label}不正确，应为：{allowed}", field=field)
    return value


def _text(value: Any, field: str, label: str, *, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise DomainError(f"请填写{label}", field=field)
    limit = TEXT_MAX.get(field, FACTS_MAX)
    if len(text) > limit:
        raise DomainError(f"{label}不能超过{limit}字", field=field)
    return text


def _date(value: Any, field: str, label: str, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise DomainError(f"请填写{label}", field=field)
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(f"{label}格式不正确，应为 YYYY-MM-DD", field=field) from None


def subject_key_clean(subject_kind: str, subject_key: Any) -> str:
    """The subject's identifier checked for its kind: a unified social credit code for entities and agencies, the
    expert's number for experts, a keyed hash (never the ID number itself) for people."""
    key = str(subject_key or "").strip()
    if subject_kind in (SubjectKind.ENTITY, SubjectKind.AGENCY):
        return credit_code_validate(key, field="subject_key")
    if subject_kind == SubjectKind.EXPERT:
        if not key.isdigit() or len(key) > 18:
            raise DomainError("专家标识应为专家编号（数字）", field="subject_key")
        return str(int(key))
    if not _PERSON_KEY.match(key):
        raise DomainError("从业人员标识应为身份证号码的密钥摘要（64位十六进制），不得填写身份证号码本身",
                          field="subject_key")
    return key


def _restrictions(items: Iterable[Mapping[str, Any]], *, valid_from: dt.date,
                  valid_until: dt.date | None) -> list[tuple[str, dt.date, dt.date | None]]:
    out: list[tuple[str, dt.date, dt.date | None]] = []
    seen: set[str] = set()
    for item in items:
        behaviour = _choice(item.get("behaviour"), Behaviour, "restrictions", "限制行为")
        if behaviour in seen:
            raise DomainError("同一限制行为只能填写一次", field="restrictions")
        seen.add(behaviour)
        starts = _date(item.get("starts_on") or valid_from, "restrictions", "限制开始日期") or valid_from
        ends = _date(item.get("ends_on"), "restrictions", "限制结束日期", required=False)
        if starts < valid_from:
            raise DomainError("限制开始日期不能早于信用记录有效期起", field="restrictions")
        if ends is not None and ends < starts:
            raise DomainError("限制结束日期不能早于开始日期", field="restrictions")
        if valid_until is not None and (ends is None or ends > valid_until):
            ends = valid_until
        out.append((behaviour, starts, ends))
    return out


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    kind = _choice(data.get("kind"), Kind, "kind", "信用记录类型")
    clean: dict[str, Any] = {
        "subject_name": _text(data.get("subject_name"), "subject_name", "主体名称"),
        "source": _choice(data.get("source"), Source, "source", "信用信息来源"),
        "kind": kind,
        "title": _text(data.get("title"), "title", "事由"),
        "facts": _text(data.get("facts"), "facts", "事实与依据", required=False),
        "authority": _text(data.get("authority"), "authority", "认定机关"),
        "decision_no": _text(data.get("decision_no"), "decision_no", "决定文书号", required=False),
        "source_ref": _text(data.get("source_ref"), "source_ref", "来源业务编号", required=False),
        "publication": _choice(data.get("publication") or Publication.PUBLIC, Publication, "publication",
                               "公开范围"),
        "evidence": dict(data.get("evidence") or {}),
        "national_list": (_choice(data.get("national_list"), NationalList, "national_list", "全国名单")
                          if data.get("national_list") else ""),
    }
    decided_on = _date(data.get("decided_on"), "decided_on", "决定日期")
    valid_from = _date(data.get("valid_from") or decided_on, "valid_from", "有效期起")
    valid_until = _date(data.get("valid_until"), "valid_until", "有效期止", required=False)
    assert decided_on is not None and valid_from is not None
    if valid_until is not None and valid_until < valid_from:
        raise DomainError("有效期止不能早于有效期起", field="valid_until")
    if decided_on > clock.today():
        raise DomainError("决定日期不能晚于今天", field="decided_on")
    clean.update(decided_on=decided_on, valid_from=valid_from, valid_until=valid_until)
    return clean


def _save_with_restrictions(record: CreditRecord, restrictions: list[tuple[str, dt.date, dt.date | None]],
                            *, actor: Any, action: str, before: dict | None = None) -> CreditRecord:
    record.created_at = clock.now()
    record.created_by = actor if getattr(actor, "is_authenticated", False) else None
    record.save()
    if not record.record_no:
        record.record_no = f"XY{record.decided_on.year}-{record.pk:06d}"
        record.save(update_fields=["record_no"])
    CreditRestriction.objects.bulk_create(
        CreditRestriction(record=record, behaviour=b, starts_on=s, ends_on=e) for b, s, e in restrictions)
    after = snapshot(record, exclude=("evidence",))
    after["restrictions"] = [[b, s, e] for b, s, e in restrictions]
    entry = audit_record(actor=actor, action=action, obj=record, before=before, after=after)
    record.ledger_source_id = entry.pk
    record.save(update_fields=["ledger_source_id"])
    return record


def record_create(*, actor: Any, subject_kind: str, subject_key: Any, restrictions: Iterable[Mapping[str, Any]] = (),
                  **data: Any) -> CreditRecord:
    """Record one credit fact (a decision, a list entry, a reward, a performance rating) about one subject.

    ``data``: subject_name, source, kind, title, facts, authority, decision_no, decided_on, valid_from, valid_until,
    publication, evidence, source_ref. ``restrictions``: mappings with behaviour, starts_on, ends_on."""
    subject_kind = _choice(subject_kind, SubjectKind, "subject_kind", "主体类别")
    key = subject_key_clean(subject_kind, subject_key)
    clean = _clean(data)
    limits = _restrictions(restrictions, valid_from=clean["valid_from"], valid_until=clean["valid_until"])
    if limits and clean["kind"] in (Kind.REWARD, Kind.PERFORMANCE):
        raise DomainError("守信激励和履约评价记录不能设置限制措施", field="restrictions")
    with transaction.atomic():
        if clean["source_ref"] and CreditRecord.objects.filter(
                source=clean["source"], source_ref=clean["source_ref"], is_current=True).exists():
            raise Conflict("该来源业务已形成信用记录，如需修改请提交更正", field="source_ref")
        record = CreditRecord(subject_kind=subject_kind, subject_key=key, **clean)
        return _save_with_restrictions(record, limits, actor=actor, action="credit.record_create")


def record_correct(*, actor: Any, record: CreditRecord, reason: str,
                   restrictions: Iterable[Mapping[str, Any]] | None = None, **changes: Any) -> CreditRecord:
    """Correct a record: a new version with the changes; the old one stays, no longer current."""
    reason = _text(reason, "reason", "更正理由")
    unknown = sorted(set(changes) - set(_CORRECTABLE))
    if unknown:
        raise DomainError(f"不能更正字段：{'、'.join(unknown)}", field=unknown[0])
    with transaction.atomic():
        old = CreditRecord.objects.select_for_update().get(pk=record.pk)
        if not old.is_current:
            raise Conflict("只能更正现行版本", field="record")
        base = {name: getattr(old, name) for name in _CORRECTABLE}
        base.update(source=old.source, source_ref="")
        base.update(changes)
        clean = _clean(base)
        clean["source_ref"] = old.source_ref
        if restrictions is None:
            restrictions = [{"behaviour": r.behaviour, "starts_on": r.starts_on, "ends_on": r.ends_on}
                            for r in old.restrictions.all()]
        limits = _restrictions(restrictions, valid_from=clean["valid_from"], valid_until=clean["valid_until"])
        if limits and clean["kind"] in (Kind.REWARD, Kind.PERFORMANCE):
            raise DomainError("守信激励和履约评价记录不能设置限制措施", field="restrictions")
        CreditRecord.objects.filter(pk=old.pk).update(is_current=False)
        new = CreditRecord(record_no=old.record_no, version=old.version + 1, supersedes=old,
                           correction_reason=reason, subject_kind=old.subject_kind, subject_key=old.subject_key,
                           **clean)
        return _save_with_restrictions(new, limits, actor=actor, action="credit.record_correct",
                                       before={"version": old.version})
