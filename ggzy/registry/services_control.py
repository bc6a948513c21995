"""Writes of control relationships (控制关系, 招标投标法实施条例 第三十四条): recorded by staff of the controlled
entity's center (source: staff, or business-registration import) or declared by either entity of the relationship.

A relationship is never deleted: it is ended (``valid_until``), so what held on a past opening day stays provable.
Each change is audited in the same transaction; the controlling person's ID number enters neither the row nor the
audit trail (only its keyed hash and last four characters).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record, snapshot
from ggzy.core.errors import DomainError, NotAllowed, NotFound
from ggzy.core.money import plain_decimal

from . import policies
from .choices import ControlKind, ControlSource
from .credit_code import credit_code_normalize
from .models import EntityControl, MarketEntity
from .personal_id import id_number_normalize, id_number_validate

SHAREHOLDING_MIN_PERCENT = Decimal(50)  # 控股: 持股50%以上 (公司法 第二百六十五条 控股股东)
_AUDIT_EXCLUDE = ("controller_person_hash",)


def person_hash(id_number: str) -> str:
    """HMAC-SHA256 of a normalised ID number under the deployment's key: equal numbers give equal hashes, and the
    number cannot be read back without the key (ID numbers are too few for a plain hash to hide them)."""
    key = getattr(settings, "GGZY_PERSON_HASH_KEY", "") or settings.SECRET_KEY
    return hmac.new(f"ggzy-person|{key}".encode(), id_number_normalize(id_number).encode(), hashlib.sha256).hexdigest()


def can_record(user: Any, controlled: MarketEntity, controller: MarketEntity | None) -> bool:
    """Staff over the controlled entity, or a user of either entity of the relationship (a declaration)."""
    return (policies.is_staff_over(user, controlled) or policies.is_entity_user(user, controlled)
            or (controller is not None and policies.is_entity_user(user, controller)))


def _date(raw: Any, key: str, label: str, errors: dict[str, str], *, required: bool) -> dt.date | None:
    if raw in (None, ""):
        if required:
            errors[key] = f"请填写{label}"
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        errors[key] = f"{label}格式不正确（应为YYYY-MM-DD）"
        return None


def _clean(data: dict[str, Any], controlled: MarketEntity) -> dict[str, Any]:
    """Every wrong field named at once (one DomainError), or the row's values."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    code = credit_code_normalize(str(data.get("controller_credit_code") or ""))
    name = str(data.get("controller_person_name") or "").strip()
    id_number = id_number_normalize(data.get("controller_person_id_number"))
    if code and (name or id_number):
        errors["controller_credit_code"] = "控制方只能是一个单位或一个自然人：请只填写统一社会信用代码，或只填写姓名和身份证号"
    elif code:
        controller = MarketEntity.objects.filter(credit_code=code).first()
        if controller is None:
            errors["controller_credit_code"] = "控制方（单位）统一社会信用代码未在本平台登记"
        elif controller.pk == controlled.pk:
            errors["controller_credit_code"] = "控制方不能是被控制主体本身"
        clean["controller_entity"] = controller
    elif name or id_number:
        if not name:
            errors["controller_person_name"] = "请填写控制方（自然人）姓名"
        elif len(name) > 64:
            errors["controller_person_name"] = "控制方（自然人）姓名不能超过64个字符"
        try:
            id_number_validate(id_number, field="controller_person_id_number", today=clock.now().date())
        except DomainError as exc:
            errors["controller_person_id_number"] = f"控制方身份证号：{exc.message}"
        clean.update(controller_person_name=name, controller_person_hash=person_hash(id_number),
                     controller_person_id_tail=id_number[-4:])
    else:
        errors["controller_credit_code"] = "请填写控制方：单位的统一社会信用代码，或自然人的姓名和身份证号"
    kind = str(data.get("kind") or "")
    if kind not in ControlKind.values:
        errors["kind"] = "控制关系类型无效（应为控股、实际控制人或管理关系）"
    share_raw = data.get("share_percent")
    share = None
    if share_raw not in (None, ""):
        try:
            share = plain_decimal(share_raw, field="share_percent", label="持股比例", places=2,
                                  maximum=Decimal(100))
        except DomainError as exc:
            errors["share_percent"] = f"{exc.message}（应为0到100之间的数）"
    if kind == ControlKind.SHAREHOLDING and "share_percent" not in errors:
        if share is None:
            errors["share_percent"] = "控股关系请填写持股比例"
        elif share < SHAREHOLDING_MIN_PERCENT:
            errors["share_percent"] = f"持股比例{share}%不足{SHAREHOLDING_MIN_PERCENT}%，不构成控股关系"
    valid_from = _date(data.get("valid_from"), "valid_from", "起始日期", errors, required=True)
    valid_until = _date(data.get("valid_until"), "valid_until", "终止日期", errors, required=False)
    if valid_from and valid_until and valid_until < valid_from:
        errors["valid_until"] = "终止日期不能早于起始日期"
    if errors:
        raise DomainError(errors=errors)
    clean.update(kind=kind, share_percent=share, valid_from=valid_from, valid_until=valid_until)
    return clean


def entity_control_record(*, actor: Any, controlled: MarketEntity, data: dict[str, Any]) -> EntityControl:
    """Record that a party controls ``controlled``. Staff choose the source (staff entry or business-registration
    import); an entity's own users always declare (source: declared)."""
    with transaction.atomic():
        controlled = MarketEntity.objects.select_for_update().get(pk=controlled.pk)
        clean = _clean(data, controlled)
        source: str
        if actor is None:  # the system importing business-registration data (demo loader, imports)
            source = ControlSource.BUSINESS_REGISTRATION
        elif not can_record(actor, controlled, clean.get("controller_entity")):
            raise NotAllowed("无权登记该主体的控制关系", field="controlled")
        elif policies.is_staff_over(actor, controlled):
            source = str(data.get("source") or ControlSource.STAFF)
            if source not in (ControlSource.STAFF, ControlSource.BUSINESS_REGISTRATION):
                raise DomainError("信息来源无效（工作人员录入或工商登记信息导入）", field="source")
        else:
            source = ControlSource.DECLARED
        control = EntityControl.objects.create(
            controlled=controlled, source=source, recorded_at=clock.now(),
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None, **clean)
        audit_record(actor=actor, action="entity.control_record", obj=controlled, before=None,
                     after=snapshot(control, exclude=_AUDIT_EXCLUDE))
    return control


def entity_control_end(*, actor: Any, control_id: int, valid_until: Any) -> EntityControl:
    """End a relationship on ``valid_until`` (kept for the past). Staff of the controlled entity's center, or a
    user of either entity when the relationship was declared."""
    with transaction.atomic():
        control = (EntityControl.objects.select_for_update(of=("self",)).select_related("controlled", "controller_entity")
                   .filter(pk=control_id).first())
        if control is None:
            raise NotFound("控制关系不存在", field="control")
        staff = policies.is_staff_over(actor, control.controlled)
        if not staff and not (control.source == ControlSource.DECLARED
                              and can_record(actor, control.controlled, control.controller_entity)):
            raise NotAllowed("无权终止该控制关系", field="control")
        errors: dict[str, str] = {}
        until = _date(valid_until, "valid_until", "终止日期", errors, required=True)
        if until is not None and until < control.valid_from:
            errors["valid_until"] = "终止日期不能早于起始日期"
        if control.valid_until is not None:
            errors["valid_until"] = "该控制关系已终止"
        if errors:
            raise DomainError(errors=errors)
        before = snapshot(control, exclude=_AUDIT_EXCLUDE)
        control.valid_until = until
        control.save(update_fields=["valid_until"])
        audit_record(actor=actor, action="entity.control_end", obj=control.controlled, before=before,
                     after=snapshot(control, exclude=_AUDIT_EXCLUDE))
    return control
