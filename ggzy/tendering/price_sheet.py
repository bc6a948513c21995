"""The structured price sheet (报价单) and the client fingerprint a bidding client sends — their validation."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ggzy.core.errors import DomainError

FINGERPRINT_FIELDS = {
    "public_ip": "公网IP",
    "mac": "网卡MAC地址",
    "cpu_serial": "CPU序列号",
    "disk_serial": "硬盘序列号",
    "file_creator_id": "投标文件制作工具标识",
}
MAX_ITEMS = 500


def price_sheet_clean(sheet: object) -> dict:
    """{"total_price": "1234.56", "duration_days": 180, "quality": "合格", "items": [{"name", "amount"}]}"""
    if not isinstance(sheet, dict):
        raise DomainError("报价单格式不正确（应为对象）", field="price_sheet")
    try:
        total = Decimal(str(sheet.get("total_price", "")).replace(",", ""))
    except InvalidOperation:
        raise DomainError("投标总价必须为数字", field="price_sheet.total_price") from None
    if not total.is_finite() or total <= 0:
        raise DomainError("投标总价必须大于0", field="price_sheet.total_price")
    if total.as_tuple().exponent < -2:  # type: ignore[operator]
        raise DomainError("投标总价最多保留两位小数", field="price_sheet.total_price")
    duration = sheet.get("duration_days")
    if duration is not None and (not isinstance(duration, int) or isinstance(duration, bool) or duration <= 0):
        raise DomainError("工期（天）必须为正整数", field="price_sheet.duration_days")
    quality = sheet.get("quality", "")
    if not isinstance(quality, str) or len(quality) > 100:
        raise DomainError("质量标准格式不正确", field="price_sheet.quality")
    items = sheet.get("items", [])
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise DomainError(f"分项报价最多{MAX_ITEMS}项", field="price_sheet.items")
    clean_items = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not str(item.get("name", "")).strip():
            raise DomainError("分项报价缺少名称", field=f"price_sheet.items.{i}.name")
        try:
            amount = Decimal(str(item.get("amount", "")))
        except InvalidOperation:
            raise DomainError("分项金额必须为数字", field=f"price_sheet.items.{i}.amount") from None
        if not amount.is_finite() or amount < 0:
            raise DomainError("分项金额必须为非负数", field=f"price_sheet.items.{i}.amount")
        clean_items.append({"name": str(item["name"]).strip()[:100], "amount": str(amount)})
    return {"total_price": str(total.quantize(Decimal("0.01"))), "duration_days": duration,
            "quality": quality.strip(), "items": clean_items}


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
