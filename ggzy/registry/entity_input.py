"""Checks of the one-form input, used by the services: each collects every error under its field name.

Rows of a list are named ``<list>.<index>.<field>`` (e.g. ``key_persons.0.id_number``), so a page can put a
message beside the right cell and an API client can find it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.core.money import yuan

from .choices import EntityStatus, EntityType
from .credit_code import credit_code_normalize, credit_code_validate
from .models import Center, Region
from .models.regions import RegionLevel
from .personal_id import id_number_normalize, id_number_validate

REQUIRED = "此项为必填项"
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|400-?\d{3}-?\d{4})$")

ENTITY_FIELDS = ("name", "entity_type", "legal_representative", "registered_address", "business_address",
                 "region", "contact_name", "contact_phone", "email", "registered_capital", "established_on",
                 "status")
ENTITY_REQUIRED = ("name", "entity_type", "legal_representative", "registered_address", "region",
                   "contact_name", "contact_phone")
MAX_LENGTHS = {"name": 200, "legal_representative": 64, "registered_address": 255, "business_address": 255,
               "contact_name": 64, "bank_name": 128, "account_name": 200, "account_number": 40,
               "qualification_type": 128, "level": 32, "certificate_number": 64, "issuer": 128, "role": 64}
BANK_ACCOUNT_FIELDS = ("bank_name", "account_name", "account_number")
QUALIFICATION_FIELDS = ("qualification_type", "level", "certificate_number", "issuer", "valid_from",
                        "valid_until")
KEY_PERSON_FIELDS = ("name", "role", "id_number", "phone", "certificate_number")


def _text(value: Any) -> str:
    return str(value if value is not None else "").strip()


def _date(value: Any, key: str, errors: dict[str, str]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[key] = "日期格式应为 YYYY-MM-DD"
        return None


def _texts(row: dict[str, Any], names: tuple[str, ...], prefix: str, errors: dict[str, str]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name in names:
        value = _text(row.get(name))
        limit = MAX_LENGTHS.get(name)
        if limit and len(value) > limit:
            errors[prefix + name] = f"不能超过{limit}个字符"
        clean[name] = value
    return clean


def _required(clean: dict[str, Any], names: tuple[str, ...], prefix: str, errors: dict[str, str]) -> None:
    for name in names:
        if clean.get(name) in (None, "") and prefix + name not in errors:
            errors[prefix + name] = REQUIRED


def credit_code_clean(raw: Any, errors: dict[str, str], key: str = "credit_code") -> str:
    code = credit_code_normalize(raw)
    if not code:
        errors[key] = REQUIRED
        return code
    try:
        credit_code_validate(code, field=key)
    except DomainError as exc:
        errors[key] = exc.message
    return code


def phone_clean(raw: Any, key: str, errors: dict[str, str]) -> str:
    phone = _text(raw).replace(" ", "")
    if phone and not PHONE_RE.match(phone):
        errors[key] = "电话号码格式不正确（手机号11位，或区号-座机号）"
    return phone


def region_lookup(raw: Any, errors: dict[str, str], key: str = "region") -> Region | None:
    """A city or county of the province, by its 6-digit code (or the Region itself)."""
    region: Region | None
    if isinstance(raw, Region):
        region = raw
    else:
        code = _text(raw)
        if not code:
            return None
        region = Region.objects.select_related("parent__center", "center").filter(code=code).first()
    if region is None or region.level not in (RegionLevel.CITY, RegionLevel.COUNTY):
        errors[key] = "所在地区无效（请选择市或县区）"
        return None
    return region


def region_center(region: Region) -> Center:
    """The home center of an entity in ``region``: the city's center (a county has none of its own)."""
    city = region if region.level == RegionLevel.CITY else region.parent
    if city is None:
        raise DomainError("所在地区无效（请选择市或县区）", field="region")
    return city.center


def entity_fields_clean(data: dict[str, Any], errors: dict[str, str], *, partial: bool) -> dict[str, Any]:
    """The entity's own fields; with ``partial`` only those present in ``data`` (an update)."""
    names = [n for n in ENTITY_FIELDS if not partial or n in data]
    row = {n: data.get(n) for n in names}
    clean = _texts(row, tuple(n for n in names if n not in ("region", "registered_capital", "established_on")),
                   "", errors)
    if "entity_type" in clean and clean["entity_type"] and clean["entity_type"] not in EntityType.values:
        errors["entity_type"] = "主体类型无效"
    if "status" in clean:
        clean["status"] = clean["status"] or EntityStatus.ACTIVE
        if clean["status"] not in EntityStatus.values:
            errors["status"] = "状态无效"
    if "contact_phone" in clean:
        clean["contact_phone"] = phone_clean(clean["contact_phone"], "contact_phone", errors)
    if clean.get("email"):
        try:
            validate_email(clean["email"])
        except ValidationError:
            errors["email"] = "电子邮箱格式不正确"
    if "region" in names:
        clean["region"] = region_lookup(row["region"], errors)
    if "registered_capital" in names:
        clean["registered_capital"] = _capital(row["registered_capital"], errors)
    if "established_on" in names:
        clean["established_on"] = _date(row["established_on"], "established_on", errors)
        if clean["established_on"] and clean["established_on"] > clock.today():
            errors["established_on"] = "成立日期不能晚于今天"
    _required(clean, tuple(n for n in ENTITY_REQUIRED if n in names), "", errors)
    return clean


def _capital(raw: Any, errors: dict[str, str]) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        return yuan(raw, field="registered_capital", label="注册资本", max_digits=18)
    except DomainError as exc:
        errors["registered_capital"] = exc.message
        return None


def bank_account_clean(row: dict[str, Any], prefix: str, errors: dict[str, str]) -> dict[str, Any]:
    clean = _texts(row, BANK_ACCOUNT_FIELDS, prefix, errors)
    clean["account_number"] = clean["account_number"].replace(" ", "")
    if clean["account_number"] and not re.fullmatch(r"[0-9-]{6,40}", clean["account_number"]):
        errors[prefix + "account_number"] = "银行账号应为6至40位数字"
    _required(clean, BANK_ACCOUNT_FIELDS, prefix, errors)
    basic = row.get("is_basic")
    if basic is None or isinstance(basic, bool):
        clean["is_basic"] = basic  # None: not said (an API client of old) — settled by basic_accounts_check
    else:
        errors[prefix + "is_basic"] = "“基本账户”应为是或否"
    return clean


BASIC_ACCOUNT_ONE = "只能有一个基本账户：请只勾选一个“基本账户”"


def basic_accounts_check(banks: list[dict[str, Any]], errors: dict[str, str], *, has_basic: bool = False,
                         prefix: str = "bank_accounts.{index}.", message: str = BASIC_ACCOUNT_ONE) -> None:
    """At most one basic account (基本存款账户) per entity: each one marked beyond the first is named. A row that
    does not say is the basic account if none is (the model's default), else a general one."""
    marked = [index for index, bank in enumerate(banks) if bank.get("is_basic")]
    for index in marked if has_basic else marked[1:]:
        errors.setdefault(prefix.format(index=index) + "is_basic", message)
    basic_given = has_basic or bool(marked)
    for bank in banks:
        if bank.get("is_basic") is None:
            bank["is_basic"] = not basic_given
            basic_given = True


def qualification_clean(row: dict[str, Any], prefix: str, errors: dict[str, str]) -> dict[str, Any]:
    clean = _texts(row, ("qualification_type", "level", "certificate_number", "issuer"), prefix, errors)
    clean["valid_from"] = _date(row.get("valid_from"), prefix + "valid_from", errors)
    clean["valid_until"] = _date(row.get("valid_until"), prefix + "valid_until", errors)
    if clean["valid_from"] and clean["valid_until"] and clean["valid_until"] < clean["valid_from"]:
        errors[prefix + "valid_until"] = "资质有效期截止日期不能早于起始日期"
    _required(clean, ("qualification_type", "certificate_number", "valid_from", "valid_until"), prefix, errors)
    return clean


def key_person_clean(row: dict[str, Any], prefix: str, errors: dict[str, str]) -> dict[str, Any]:
    clean = _texts(row, ("name", "role", "certificate_number"), prefix, errors)
    clean["phone"] = phone_clean(row.get("phone"), prefix + "phone", errors)
    clean["id_number"] = id_number_normalize(row.get("id_number"))
    if clean["id_number"]:
        try:
            id_number_validate(clean["id_number"], field=prefix + "id_number", today=clock.today())
        except DomainError as exc:
            errors[prefix + "id_number"] = exc.message
    _required(clean, ("name", "role", "id_number"), prefix, errors)
    return clean


def rows_clean(rows: Any, name: str, cleaner, errors: dict[str, str]) -> list[dict[str, Any]]:
    """Each row of a list, with errors keyed ``name.index.field``."""
    if rows in (None, ""):
        return []
    if not isinstance(rows, list | tuple) or not all(isinstance(row, dict) for row in rows):
        errors[name] = "格式不正确（应为对象列表）"
        return []
    return [cleaner(dict(row), f"{name}.{index}.", errors) for index, row in enumerate(rows)]
