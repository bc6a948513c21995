"""Process templates: a version in force is history; changing it creates the next version."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max

from ggzy.core import clock
from ggzy.core.audit import audit_record, jsonable
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.money import money_limit, plain_decimal

from .. import policies
from ..choices import GENERAL_CATEGORY_CODE, PeriodUnit, StepRole, TradingMethod
from ..models import ProcessTemplate, TemplatePeriod, TemplateStep, TemplateVersion
from ..selectors import catalog_in_force, template_version_is_in_force

STEP_FIELDS = ("order", "code", "name", "role", "description")
PERIOD_FIELDS = ("key", "label", "value", "unit", "legal_basis", "is_verified")
SLUG = re.compile(r"^[a-z0-9_-]{1,64}$")
DENIED = "只有省级交易中心可以维护流程模板"


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _steps_of(version: TemplateVersion) -> list[dict]:
    return [{f: getattr(s, f) for f in STEP_FIELDS} for s in version.steps.order_by("order")]


def _periods_of(version: TemplateVersion) -> list[dict]:
    return [{f: getattr(p, f) for f in PERIOD_FIELDS} for p in version.periods.order_by("key")]


def _version_snapshot(version: TemplateVersion, steps: list[dict], periods: list[dict]) -> dict:
    return jsonable({"number": version.number, "effective_from": version.effective_from, "note": version.note,
                     "steps": steps, "periods": periods})


def _clean_steps(rows: Sequence[Mapping[str, Any]]) -> list[dict]:
    errors: list[str] = []
    cleaned: list[dict] = []
    for i, row in enumerate(rows, start=1):
        step = {"order": row.get("order", i), "code": str(row.get("code") or "").strip(),
                "name": str(row.get("name") or "").strip(), "role": row.get("role") or "",
                "description": str(row.get("description") or "").strip()}
        try:
            step["order"] = int(step["order"])
        except (TypeError, ValueError):
            errors.append(f"第{i}个环节：顺序必须为整数")
            continue
        if step["order"] < 1:
            errors.append(f"第{i}个环节：顺序必须为正整数")
        if not SLUG.match(step["code"]):
            errors.append(f"第{i}个环节：环节代码只能包含小写字母、数字、下划线")
        if not step["name"]:
            errors.append(f"第{i}个环节：名称不能为空")
        if step["role"] not in StepRole.values:
            errors.append(f"第{i}个环节：办理角色无效")
        cleaned.append(step)
    if len({s["order"] for s in cleaned}) != len(cleaned):
        errors.append("环节顺序不能重复")
    if len({s["code"] for s in cleaned}) != len(cleaned):
        errors.append("环节代码不能重复")
    if errors:
        raise DomainError(errors={"steps": errors})
    return sorted(cleaned, key=lambda s: s["order"])


def _clean_periods(rows: Sequence[Mapping[str, Any]]) -> list[dict]:
    errors: list[str] = []
    cleaned: list[dict] = []
    for row in rows:
        key = str(row.get("key") or "").strip()
        name = key or "（未命名）"
        period: dict[str, Any] = {
            "key": key, "label": str(row.get("label") or "").strip(), "unit": row.get("unit") or "",
            "legal_basis": str(row.get("legal_basis") or "").strip(),
            "is_verified": bool(row.get("is_verified", False))}
        try:
            period["value"] = plain_decimal(row.get("value"), field="periods", label="数值", maximum=money_limit())
        except DomainError as exc:
            errors.append(f"参数 {name}：{exc.message}")
            period["value"] = None
        if not SLUG.match(key):
            errors.append(f"参数 {name}：参数键只能包含小写字母、数字、下划线")
        if not period["label"]:
            errors.append(f"参数 {name}：名称不能为空")
        if period["unit"] not in PeriodUnit.values:
            errors.append(f"参数 {name}：单位无效")
        cleaned.append(period)
    if len({p["key"] for p in cleaned}) != len(cleaned):
        errors.append("参数键不能重复")
    if errors:
        raise DomainError(errors={"periods": errors})
    return sorted(cleaned, key=lambda p: p["key"])


def _merged_periods(base: list[dict], change: Any, removed: Sequence[str]) -> list[dict]:
    """``change`` is either the full list, or {key: {field: value}} merged onto the base version's rows."""
    if change is None:
        rows = [dict(p) for p in base]
    elif isinstance(change, Mapping):
        by_key = {p["key"]: dict(p) for p in base}
        for key, fields in change.items():
            by_key[key] = {**by_key.get(key, {"key": key}), **dict(fields), "key": key}
        rows = list(by_key.values())
    else:
        rows = [dict(p) for p in change]
    return [p for p in rows if p.get("key") not in set(removed)]


def _write_children(version: TemplateVersion, steps: list[dict], periods: list[dict]) -> None:
    TemplateStep.objects.bulk_create([TemplateStep(version=version, **s) for s in steps])
    TemplatePeriod.objects.bulk_create([TemplatePeriod(version=version, **p) for p in periods])


def _check_effective_day(template: ProcessTemplate, effective_from: Any, *, exclude_pk: int | None = None
                         ) -> dt.date:
    if not isinstance(effective_from, dt.date) or isinstance(effective_from, dt.datetime):
        raise DomainError("请填写施行日期", field="effective_from")
    if effective_from < clock.today():
        raise DomainError("施行日期不能早于今天：已施行的规则不能追溯修改", field="effective_from")
    clash = template.versions.filter(effective_from=effective_from)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise DomainError("该日期已有施行的版本，请选择其他施行日期", field="effective_from")
    return effective_from


def template_version_revise(*, actor: Any, version: TemplateVersion, changes: Mapping[str, Any],
                            effective_from: dt.date | None = None) -> TemplateVersion:
    """Apply ``changes`` (note, steps, periods, periods_removed) to ``version``.

    A version in force is never changed: the result is a new version (number + 1, ``effective_from`` required,
    not before today). A version not yet in force is edited in place. Either way the change is audited.
    """
    if not policies.can_edit_reference(actor):
        raise NotAllowed(DENIED)
    unknown = set(changes) - {"note", "steps", "periods", "periods_removed"}
    if unknown:
        raise DomainError("不支持修改：" + "、".join(sorted(unknown)), field="changes")
    with transaction.atomic():
        version = TemplateVersion.objects.select_for_update().select_related("template").get(pk=version.pk)
        template = version.template
        base_steps, base_periods = _steps_of(version), _periods_of(version)
        steps = _clean_steps(changes["steps"]) if changes.get("steps") is not None else base_steps
        periods = _clean_periods(_merged_periods(base_periods, changes.get("periods"),
                                                 changes.get("periods_removed") or ()))
        note = str(changes.get("note", version.note if not template_version_is_in_force(version) else "")).strip()
        before = _version_snapshot(version, base_steps, base_periods)
        if template_version_is_in_force(version):
            if steps == base_steps and periods == _clean_periods(base_periods):
                raise DomainError("未作任何修改，无需生成新版本", field="changes")
            effective_from = _check_effective_day(template, effective_from)
            if not note:
                raise DomainError("请填写修订说明", field="note")
            number = (template.versions.aggregate(m=Max("number"))["m"] or 0) + 1
            result = TemplateVersion.objects.create(
                template=template, number=number, effective_from=effective_from, created_by=_user(actor),
                created_at=clock.now(), note=note, based_on=version)
            _write_children(result, steps, periods)
            action = "catalog.template_version.revise"
        else:
            effective_from = _check_effective_day(template, effective_from or version.effective_from,
                                                  exclude_pk=version.pk)
            version.steps.all().delete()
            version.periods.all().delete()
            version.effective_from, version.note = effective_from, note
            version.save(update_fields=["effective_from", "note"])
            _write_children(version, steps, periods)
            result, action = version, "catalog.template_version.update"
        audit_record(actor=actor, action=action, obj=result, before=before,
                     after=_version_snapshot(result, steps, periods))
    return result


def process_template_create(*, actor: Any, category_code: str, method: str, name: str,
                            effective_from: dt.date, note: str = "") -> TemplateVersion:
    """A new template with an empty first version (steps and periods are then added by revision)."""
    if not policies.can_edit_reference(actor):
        raise NotAllowed(DENIED)
    errors: dict[str, str] = {}
    if method not in TradingMethod.values:
        errors["method"] = "交易方式无效"
    if not (name or "").strip():
        errors["name"] = "名称不能为空"
    on = effective_from if isinstance(effective_from, dt.date) else None
    codes = {e.code for e in catalog_in_force(on)} | {GENERAL_CATEGORY_CODE}
    if category_code not in codes:
        errors["category_code"] = "类别代码不在施行的省级交易目录中"
    if errors:
        raise DomainError(errors=errors)
    with transaction.atomic():
        if ProcessTemplate.objects.filter(category_code=category_code, method=method).exists():
            raise Conflict("该类别和交易方式的流程模板已存在", field="method")
        template = ProcessTemplate.objects.create(category_code=category_code, method=method, name=name.strip())
        effective_from = _check_effective_day(template, effective_from)
        version = TemplateVersion.objects.create(template=template, number=1, effective_from=effective_from,
                                                 created_by=_user(actor), created_at=clock.now(),
                                                 note=note or "新建模板")
        audit_record(actor=actor, action="catalog.process_template.create", obj=template,
                     after={"category_code": category_code, "method": method, "name": template.name,
                            "effective_from": effective_from})
    return version


def process_template_rename(*, actor: Any, template: ProcessTemplate, name: str) -> ProcessTemplate:
    """Rename a template (its versions, steps and periods are untouched)."""
    if not policies.can_edit_reference(actor):
        raise NotAllowed(DENIED)
    name = (name or "").strip()
    if not name:
        raise DomainError("名称不能为空", field="name")
    with transaction.atomic():
        template = ProcessTemplate.objects.select_for_update().get(pk=template.pk)
        before = template.name
        if before == name:
            return template
        template.name = name
        template.save(update_fields=["name"])
        audit_record(actor=actor, action="catalog.process_template.rename", obj=template,
                     before={"name": before}, after={"name": name})
    return template
