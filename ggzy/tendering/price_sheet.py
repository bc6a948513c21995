"""The structured price sheet (报价单) and the client fingerprint a bidding client sends — their validation."""

from __future__ import annotations

from ggzy.core.errors import DomainError
from ggzy.core.money import yuan

FINGERPRINT_FIELDS = {
    "public_ip": "公网IP",
    "mac": "网卡MAC地址",
    "cpu_serial": "CPU序列号",
    "disk_serial": "硬盘序列号",
    "file_creator_id": "投标文件制作工具标识",
}
MAX_ITEMS = 500
MAX_KEY_PERSONS = 20
MAX_DURATION_DAYS = 36500
MAX_BRAND = 100  # a hundred years: anything longer is a typing error, and must fit the opening record


def price_sheet_clean(sheet: object) -> dict:
    """{"total_price": "1234.56", "duration_days": 180, "quality": "合格", "items": [{"name", "amount"}]}

    Every wrong field is named in one DomainError (``errors`` keyed ``price_sheet.<field>``)."""
    if not isinstance(sheet, dict):
        raise DomainError("报价单格式不正确（应为对象）", field="price_sheet")
    problems: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    total = None
    if sheet.get("total_price") in (None, ""):
        refuse("price_sheet.total_price", "请填写投标总价")
    else:
        try:
            total = yuan(sheet.get("total_price"), field="price_sheet.total_price", label="投标总价")
        except DomainError as exc:
            for field, messages in exc.errors.items():
                problems.setdefault(field, []).extend(messages)
        if total is not None and total <= 0:
            refuse("price_sheet.total_price", "投标总价必须大于0")
    duration = sheet.get("duration_days")
    if duration is not None and (not isinstance(duration, int) or isinstance(duration, bool)
                                 or not 0 < duration <= MAX_DURATION_DAYS):
        refuse("price_sheet.duration_days", f"工期（天）必须为1到{MAX_DURATION_DAYS}之间的整数")
    quality = sheet.get("quality", "")
    if not isinstance(quality, str) or len(quality) > 100:
        refuse("price_sheet.quality", "质量标准格式不正确")
    items = sheet.get("items", [])
    clean_items = []
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        refuse("price_sheet.items", f"分项报价最多{MAX_ITEMS}项")
        items = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not str(item.get("name", "")).strip():
            refuse(f"price_sheet.items.{i}.name", "分项报价缺少名称")
            continue
        try:
            amount = yuan(item.get("amount"), field=f"price_sheet.items.{i}.amount", label=f"第{i + 1}项分项金额")
        except DomainError as exc:
            for field, messages in exc.errors.items():
                problems.setdefault(field, []).extend(messages)
            continue
        clean_items.append({"name": str(item["name"]).strip()[:100], "amount": str(amount)})
    # 拟派主要人员 (project manager, technical lead…): ids of the bidder's own registry key persons, sealed with the
    # sheet; the fraud indicators compare them with persons named in winning bids of live projects.
    persons = sheet.get("key_persons", [])
    if (not isinstance(persons, list) or len(persons) > MAX_KEY_PERSONS
            or not all(isinstance(p, int) and not isinstance(p, bool) and 0 < p < 2**63 for p in persons)):
        refuse("price_sheet.key_persons", f"拟派主要人员应为本主体登记的主要人员编号列表（最多{MAX_KEY_PERSONS}人）")
        persons = []
    # 核心产品品牌 (goods, 87号令 Art. 31: bids of one brand count as one supplier) and the SME declaration
    # (中小企业声明函, 财库〔2020〕46号: small and micro enterprises get the template's price deduction); both sealed.
    brand = sheet.get("brand", "")
    if brand is None:
        brand = ""
    if not isinstance(brand, str) or len(brand) > MAX_BRAND:
        refuse("price_sheet.brand", f"核心产品品牌应为不超过{MAX_BRAND}字的文字")
        brand = ""
    sme = sheet.get("sme", False)
    if sme in (None, ""):
        sme = False
    if not isinstance(sme, bool):
        refuse("price_sheet.sme", "中小企业声明（小微企业）应为是或否")
        sme = False
    if problems:
        raise DomainError(errors=problems)
    assert total is not None and isinstance(quality, str)
    clean = {"total_price": str(total), "duration_days": duration, "quality": quality.strip(), "items": clean_items}
    if persons:
        clean["key_persons"] = sorted(set(persons))
    if brand.strip():
        clean["brand"] = brand.strip()
    if sme:
        clean["sme"] = True
    return clean


def fingerprint_clean(fingerprint: object) -> dict:
    """The bidding client's machine fingerprint; unknown keys are refused, values are short strings."""
    if fingerprint is None:
        return {}
    if not isinstance(fingerprint, dict):
        raise DomainError("客户端指纹格式不正确", field="fingerprint")
    unknown = set(fingerprint) - set(FINGERPRINT_FIELDS)
    if unknown:
        raise DomainError(f"客户端指纹含未知字段：{'、'.join(sorted(unknown))}", field="fingerprint")
    clean = {}
    for key, value in fingerprint.items():
        if value in (None, ""):
            continue
        if not isinstance(value, str) or len(value) > 128:
            raise DomainError(f"{FINGERPRINT_FIELDS[key]}格式不正确", field=f"fingerprint.{key}")
        clean[key] = value.strip()
    return clean
