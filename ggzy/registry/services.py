"""Writes of the market-entity registry (一表申请): register, update (versioned), and the entity's parts.

Every change after registration bumps ``MarketEntity.version`` and writes one ``EntityVersion`` (who, when,
what) plus the audit entry, in the same transaction. Personal data (ID numbers, phones) never enter a change
record or the audit trail in plain text: they appear as the marker ``已修改``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ggzy.accounts.models import User
from ggzy.accounts.roles import MARKET_ENTITY_ROLES, Role
from ggzy.accounts.services import user_create
from ggzy.core import clock
from ggzy.core.audit import audit_record, jsonable
from ggzy.core.errors import Conflict, DomainError, NotAllowed, TooManyRequests

from . import entity_input as check
from . import policies
from .choices import EntityStatus, NameChangeState, VerificationMethod, VersionAction
from .models import (
    EntityBankAccount,
    EntityNameChange,
    EntityRegistration,
    EntityVersion,
    KeyPerson,
    MarketEntity,
    MarketEntityAccount,
    Qualification,
)
from .pinyin import name_sort_key

CHANGED = "已修改"
SENSITIVE_FIELDS = frozenset({"contact_phone", "phone", "id_number"})
BASIC_ACCOUNT_TAKEN = "本主体已登记基本账户，只能有一个基本账户：请取消勾选“基本账户”，或先删除原基本账户"
LIST_LABELS = {"bank_accounts": "基本账户", "qualifications": "资质证书", "key_persons": "主要人员",
               "account": "登录账户", "accounts": "主体用户"}
_LIST_MODELS = {"bank_accounts": EntityBankAccount, "qualifications": Qualification, "key_persons": KeyPerson}
_ACCOUNT_LABELS = {"username": "用户名", "password": "密码", "role": "角色"}


def field_label(key: str) -> str:
    """“主要人员第1行·身份证号码” for ``key_persons.0.id_number``; the verbose name for an entity field."""
    parts = key.split(".")
    if parts[0] == "account" and len(parts) == 2:
        return f"登录账户·{_ACCOUNT_LABELS.get(parts[1], parts[1])}"
    if parts[0] in _LIST_MODELS and len(parts) == 3 and parts[1].isdigit():
        model = _LIST_MODELS[parts[0]]
        return f"{LIST_LABELS[parts[0]]}第{int(parts[1]) + 1}行·{_verbose(model, parts[2])}"
    if parts[0] == "credit_code":
        return "统一社会信用代码"
    return _verbose(MarketEntity, parts[0])


def _verbose(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return LIST_LABELS.get(name, name)


def _refuse(errors: dict[str, str]) -> None:
    """Raise one DomainError carrying every message; its headline names the first field."""
    if not errors:
        return
    exc = DomainError(errors=errors)
    key, message = next(iter(errors.items()))
    exc.args = (message if field_label(key) in message else f"{field_label(key)}：{message}",)
    raise exc


def _change_value(name: str, value: Any) -> Any:
    return CHANGED if name in SENSITIVE_FIELDS else jsonable(value)


def _row_summary(row: dict[str, Any]) -> dict[str, Any]:
    """A row as a change record shows it: sensitive values replaced by the marker."""
    return {name: (CHANGED if name in SENSITIVE_FIELDS and value else jsonable(value))
            for name, value in row.items() if name != "id"}


def _version_record(*, entity: MarketEntity, actor: Any, action: str, changes: dict[str, Any]) -> EntityVersion:
    """Bump the (locked) entity's version and record who changed what; audit in the same transaction."""
    now = clock.now()
    entity.version += 1
    entity.updated_at = now
    entity.save(update_fields=["version", "updated_at"])
    version = EntityVersion.objects.create(entity=entity, version=entity.version, action=action, changed_at=now,
                                           changed_by=actor if getattr(actor, "is_authenticated", False) else None,
                                           changes=changes)
    audit_record(actor=actor, action=f"entity.{action}", obj=entity,
                 before={k: v[0] if isinstance(v, list) else v for k, v in changes.items()},
                 after={"version": entity.version,
                        **{k: v[1] if isinstance(v, list) else v for k, v in changes.items()}})
    return version


def _locked(*, actor: Any, entity: MarketEntity, expected_version: int | None = None) -> MarketEntity:
    """The entity's row, locked for this transaction, after the permission and version checks."""
    locked = MarketEntity.objects.select_for_update().get(pk=entity.pk)
    if not policies.can_update(actor, locked):
        raise NotAllowed("无权修改该市场主体的信息", field="credit_code")
    if expected_version is not None and expected_version != locked.version:
        raise Conflict("该主体信息已被他人修改，请刷新后重试", field="version")
    return locked


# Registrations per hour: anonymous self-registration counted per client address, registration on behalf per
# staff account (their offices share one address). The system (demo loader, actor=None) is not counted.
REGISTRATION_LIMITS = {"address": 3, "account": 30}
REGISTRATION_WINDOW = dt.timedelta(hours=1)


def _registration_limit_check(*, actor: Any, address: str | None) -> None:
    """Refuse (DomainError) when this address or account has registered its hourly allowance already."""
    if actor is None:
        return
    limits = {**REGISTRATION_LIMITS, **getattr(settings, "GGZY_REGISTRATION_LIMITS", {})}
    since = clock.now() - REGISTRATION_WINDOW
    if getattr(actor, "is_authenticated", False):
        recent = EntityRegistration.objects.filter(registered_by=actor, registered_at__gt=since)
        limit, who = limits["account"], "同一账户"
    elif address:
        recent = EntityRegistration.objects.filter(address=address, registered_at__gt=since)
        limit, who = limits["address"], "同一网络地址"
    else:
        return
    times = list(recent.order_by("registered_at").values_list("registered_at", flat=True)[:limit])
    if len(times) >= limit:
        retry = timezone.localtime(times[0] + REGISTRATION_WINDOW)
        raise TooManyRequests(f"{who}每小时最多注册{limit}个市场主体，请于{retry:%H:%M}后再试", field="__all__",
                              retry_after=int((retry - clock.now()).total_seconds()))


def _verification_at_registration(actor: Any, now: dt.datetime) -> dict[str, Any]:
    """Staff registering on behalf of an entity have seen its papers, and the system imports known entities:
    both are verified at once. A self-registration is not (主体核验: certificate sign-in or the center's review)."""
    if actor is None:
        return {"verified_at": now, "verification_method": VerificationMethod.SYSTEM}
    if getattr(actor, "is_authenticated", False):
        return {"verified_at": now, "verification_method": VerificationMethod.STAFF_REGISTRATION,
                "verified_by": actor}
    return {}


def entity_register(*, actor: Any, data: dict[str, Any], address: str | None = None) -> MarketEntity:
    """一表申请: the entity, its bank accounts, qualifications, key persons and (optionally) its first login.

    ``address`` is the client's IP address: self-registrations are limited per address and hour."""
    if not policies.can_register(actor):
        raise NotAllowed("已登录的市场主体用户不能再注册新主体；交易中心工作人员可代为登记", field="__all__")
    _registration_limit_check(actor=actor, address=address)
    errors: dict[str, str] = {}
    credit_code = check.credit_code_clean(data.get("credit_code"), errors)
    fields = check.entity_fields_clean(data, errors, partial=False)
    fields["status"] = EntityStatus.ACTIVE
    banks = check.rows_clean(data.get("bank_accounts"), "bank_accounts", check.bank_account_clean, errors)
    qualifications = check.rows_clean(data.get("qualifications"), "qualifications", check.qualification_clean,
                                      errors)
    persons = check.rows_clean(data.get("key_persons"), "key_persons", check.key_person_clean, errors)
    account = _account_clean(data.get("account"), errors)
    if "credit_code" not in errors and MarketEntity.objects.filter(credit_code=credit_code).exists():
        errors["credit_code"] = "该统一社会信用代码已注册"
    seen: set[str] = set()
    for index, bank in enumerate(banks):
        if bank["account_number"] and bank["account_number"] in seen:
            errors.setdefault(f"bank_accounts.{index}.account_number", "银行账号重复")
        seen.add(bank["account_number"])
    check.basic_accounts_check(banks, errors)
    center = check.region_center(fields["region"]) if fields.get("region") else None
    if center is not None and not policies.can_register_at(actor, center.pk):
        raise NotAllowed("只能为本交易中心服务区域内的主体代为登记", field="region")
    _refuse(errors)
    now = clock.now()
    with transaction.atomic():
        entity = MarketEntity(credit_code=credit_code, center=center, created_at=now, updated_at=now, version=1,
                              name_sort=name_sort_key(fields.get("name") or ""),
                              **fields, **_verification_at_registration(actor, now))
        try:
            with transaction.atomic():
                entity.save()
        except IntegrityError:
            raise DomainError("该统一社会信用代码已注册", field="credit_code") from None
        EntityBankAccount.objects.bulk_create(EntityBankAccount(entity=entity, **row) for row in banks)
        Qualification.objects.bulk_create(Qualification(entity=entity, **row) for row in qualifications)
        KeyPerson.objects.bulk_create(KeyPerson(entity=entity, **row) for row in persons)
        registrant = actor if getattr(actor, "is_authenticated", False) else None
        EntityRegistration.objects.create(entity=entity, registered_at=now, address=address or None,
                                          registered_by=registrant)
        EntityVersion.objects.create(entity=entity, version=1, action=VersionAction.REGISTER, changed_at=now,
                                     changed_by=actor if getattr(actor, "is_authenticated", False) else None,
                                     changes={})
        audit_record(actor=actor, action="entity.register", obj=entity, after={
            "credit_code": credit_code, "name": entity.name, "region": entity.region.code,
            "bank_accounts": len(banks), "qualifications": len(qualifications), "key_persons": len(persons),
            "account": account["username"] if account else None, "verified": entity.is_verified})
        if account:
            user = _account_create(actor=actor, account=account)
            MarketEntityAccount.objects.create(user=user, entity=entity, linked_at=now)
    return entity


def _account_clean(raw: Any, errors: dict[str, str]) -> dict[str, str] | None:
    """The optional first login: all three fields, or none."""
    raw = dict(raw or {})
    account = {name: str(raw.get(name) or "").strip() for name in ("username", "password", "role")}
    if not account["username"] and not account["password"]:
        return None
    account["role"] = account["role"] or Role.BIDDER
    if not account["username"]:
        errors["account.username"] = check.REQUIRED
    elif len(account["username"]) > 150:
        errors["account.username"] = "不能超过150个字符"
    elif User.objects.filter(username=account["username"]).exists():
        errors["account.username"] = "该用户名已被使用"
    if account["role"] not in MARKET_ENTITY_ROLES:
        errors["account.role"] = "角色应为投标人、招标人或招标代理机构"
    if not account["password"]:
        errors["account.password"] = check.REQUIRED
    else:
        try:
            password_validation.validate_password(account["password"], User(username=account["username"]))
        except ValidationError as exc:
            errors["account.password"] = "；".join(exc.messages)
    return account


def _account_create(*, actor: Any, account: dict[str, str]) -> User:
    try:
        return user_create(actor=actor, username=account["username"], password=account["password"],
                           role=account["role"])
    except DomainError as exc:  # a name taken in between: say so under the form's own field
        raise DomainError(errors={f"account.{k}": v for k, v in exc.errors.items()}) from None


def entity_update(*, actor: Any, entity: MarketEntity, data: dict[str, Any],
                  expected_version: int | None = None) -> MarketEntity:
    """Change the entity's own fields; records a new version with the before/after of each changed field."""
    with transaction.atomic():
        locked = _locked(actor=actor, entity=entity, expected_version=expected_version)
        errors: dict[str, str] = {}
        if "credit_code" in data and check.credit_code_normalize(data["credit_code"]) != locked.credit_code:
            errors["credit_code"] = "统一社会信用代码不可修改"
        fields = check.entity_fields_clean(data, errors, partial=True)
        _refuse(errors)
        if "status" in fields and fields["status"] != locked.status and not policies.can_change_status(actor,
                                                                                                      locked):
            raise NotAllowed("仅交易中心工作人员可变更主体状态", field="status")
        if fields.get("region") is not None and fields["region"].pk != locked.region_id:
            center = check.region_center(fields["region"])
            if policies.is_staff_over(actor, locked) and not policies.can_register_at(actor, center.pk):
                raise NotAllowed("不能将主体迁往本交易中心服务区域以外", field="region")
            fields["center"] = center
        requested_name = None
        if fields.get("name", locked.name) != locked.name and policies.name_change_needs_review(actor, locked):
            requested_name = fields.pop("name")  # goes to the center's review; the name stays until approved
        changes: dict[str, Any] = {}
        for name, value in fields.items():
            before = getattr(locked, name)
            if before != value:
                changes[name] = CHANGED if name in SENSITIVE_FIELDS else [
                    _display(before), _display(value)]
                setattr(locked, name, value)
        changes.pop("center", None)
        if requested_name is not None:
            _name_change_request(actor=actor, entity=locked, new_name=requested_name)
        if not changes:
            return locked
        locked.name_sort = name_sort_key(locked.name)
        locked.save()
        _version_record(entity=locked, actor=actor, action=VersionAction.UPDATE, changes=changes)
    entity.refresh_from_db()
    return locked


def _name_change_request(*, actor: Any, entity: MarketEntity, new_name: str) -> EntityNameChange:
    """Store a new name for review (the entity's row is locked by the caller); one pending request at a time."""
    pending = entity.name_changes.filter(state=NameChangeState.PENDING).first()
    if pending is not None:
        if pending.new_name == new_name:
            return pending
        raise Conflict(f"已有待审核的名称变更（“{pending.new_name}”），请等待交易中心审核后再申请", field="name")
    change = EntityNameChange.objects.create(
        entity=entity, old_name=entity.name, new_name=new_name, requested_at=clock.now(),
        requested_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit_record(actor=actor, action="entity.name_change_request", obj=entity, before={"name": entity.name},
                 after={"requested_name": new_name, "request": change.pk})
    return change


def _display(value: Any) -> Any:
    """How a value appears in a change record (a region by its name and code)."""
    if hasattr(value, "code") and hasattr(value, "name"):
        return f"{value.name}（{value.code}）"
    return jsonable(value)


def _part_add(*, actor: Any, entity: MarketEntity, model, cleaner, data: dict[str, Any], list_name: str,
              action: str):
    with transaction.atomic():
        locked = _locked(actor=actor, entity=entity)
        errors: dict[str, str] = {}
        row = cleaner(dict(data), "", errors)
        if model is EntityBankAccount and row["account_number"] and locked.bank_accounts.filter(
                account_number=row["account_number"]).exists():
            errors["account_number"] = "该银行账号已登记"
        if model is EntityBankAccount:
            check.basic_accounts_check([row], errors, has_basic=locked.bank_accounts.filter(is_basic=True).exists(),
                                       prefix="", message=BASIC_ACCOUNT_TAKEN)
        _refuse(errors)
        part = model.objects.create(entity=locked, **row)
        _version_record(entity=locked, actor=actor, action=action,
                        changes={list_name: [None, _row_summary(row)]})
    entity.version = locked.version
    return part


def _part_remove(*, actor: Any, entity: MarketEntity, model, part_id: int, list_name: str, action: str,
                 fields: tuple[str, ...]) -> None:
    with transaction.atomic():
        locked = _locked(actor=actor, entity=entity)
        part = model.objects.filter(entity=locked, pk=part_id).first()
        if part is None:
            raise DomainError("该记录不存在", field=list_name)
        row = {name: getattr(part, name) for name in fields}
        part.delete()
        _version_record(entity=locked, actor=actor, action=action, changes={list_name: [_row_summary(row), None]})
    entity.version = locked.version


def qualification_add(*, actor: Any, entity: MarketEntity, data: dict[str, Any]) -> Qualification:
    return _part_add(actor=actor, entity=entity, model=Qualification, cleaner=check.qualification_clean,
                     data=data, list_name="qualifications", action=VersionAction.QUALIFICATION_ADD)


def qualification_remove(*, actor: Any, entity: MarketEntity, qualification_id: int) -> None:
    _part_remove(actor=actor, entity=entity, model=Qualification, part_id=qualification_id,
                 list_name="qualifications", action=VersionAction.QUALIFICATION_REMOVE,
                 fields=check.QUALIFICATION_FIELDS)


def bank_account_add(*, actor: Any, entity: MarketEntity, data: dict[str, Any]) -> EntityBankAccount:
    return _part_add(actor=actor, entity=entity, model=EntityBankAccount, cleaner=check.bank_account_clean,
                     data=data, list_name="bank_accounts", action=VersionAction.BANK_ACCOUNT_ADD)


def bank_account_remove(*, actor: Any, entity: MarketEntity, bank_account_id: int) -> None:
    _part_remove(actor=actor, entity=entity, model=EntityBankAccount, part_id=bank_account_id,
                 list_name="bank_accounts", action=VersionAction.BANK_ACCOUNT_REMOVE,
                 fields=("bank_name", "account_name"))


def key_person_add(*, actor: Any, entity: MarketEntity, data: dict[str, Any]) -> KeyPerson:
    return _part_add(actor=actor, entity=entity, model=KeyPerson, cleaner=check.key_person_clean, data=data,
                     list_name="key_persons", action=VersionAction.KEY_PERSON_ADD)


def key_person_remove(*, actor: Any, entity: MarketEntity, key_person_id: int) -> None:
    _part_remove(actor=actor, entity=entity, model=KeyPerson, part_id=key_person_id, list_name="key_persons",
                 action=VersionAction.KEY_PERSON_REMOVE, fields=check.KEY_PERSON_FIELDS)


def entity_account_link(*, actor: Any, entity: MarketEntity, user: User) -> MarketEntityAccount:
    """Let ``user`` act for ``entity``. ``actor=None`` is the system (demo loader); otherwise staff only."""
    if actor is not None and not policies.is_staff_over(actor, entity):
        raise NotAllowed("仅交易中心工作人员可关联主体用户", field="user")
    if user.role not in MARKET_ENTITY_ROLES:
        raise DomainError("只有投标人、招标人或招标代理机构角色的用户可关联市场主体", field="user")
    with transaction.atomic():
        locked = MarketEntity.objects.select_for_update().get(pk=entity.pk)
        existing = MarketEntityAccount.objects.filter(user=user).first()
        if existing is not None:
            if existing.entity_id == locked.pk:
                return existing
            raise DomainError("该用户已关联其他市场主体", field="user")
        link = MarketEntityAccount.objects.create(user=user, entity=locked, linked_at=clock.now())
        _version_record(entity=locked, actor=actor, action=VersionAction.ACCOUNT_LINK,
                        changes={"accounts": [None, user.get_username()]})
    policies.entity_user_remember(user, locked.pk)
    entity.version = locked.version
    return link


def qualification_check_valid(*, entity: MarketEntity, qualification_type: str, on_date: dt.date,
                              level: str | None = None) -> Qualification:
    """The entity holds ``qualification_type`` (at ``level``) valid on ``on_date``; otherwise DomainError.

    Called by tendering when a bid is made: a suspended entity or an expired licence may not bid.
    """
    if entity.status != EntityStatus.ACTIVE:
        raise DomainError(f"市场主体“{entity.name}”已暂停，不能参与交易", field="qualification")
    held = list(Qualification.objects.filter(entity=entity, qualification_type=qualification_type))
    if level:
        held = [q for q in held if q.level == level]
    wanted = f"{qualification_type}{(' ' + level) if level else ''}"
    if not held:
        raise DomainError(f"未取得“{wanted}”资质", field="qualification")
    for qualification in held:
        if qualification.valid_from <= on_date <= qualification.valid_until:
            return qualification
    latest = max(held, key=lambda q: q.valid_until)
    if latest.valid_until < on_date:
        raise DomainError(f"资质已过期：“{wanted}”有效期至{latest.valid_until:%Y-%m-%d}", field="qualification")
    raise DomainError(f"资质尚未生效：“{wanted}”自{latest.valid_from:%Y-%m-%d}起有效", field="qualification")
