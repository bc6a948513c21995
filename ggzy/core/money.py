"""Money in yuan as ``Decimal`` with two places (分); never floats. The one money type of the platform.

Every amount that enters the platform — a page's form, an API schema, a price sheet decrypted at the opening, a
service called from a management command — goes through :func:`yuan` (or the ``Money`` schema type and
``MoneyField`` form field, which call it). It accepts only plain decimal text as people write amounts
(``1234567.89``, ``1,234,567.89``), at most two decimals, never negative, within the column's range; anything else
(``1e20``, ``NaN``, ``Infinity``, ``1.234``, ``-0.01``, ``"１２３"``) is refused with a Chinese message naming the
field, before anything is stored.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from .errors import DomainError

CENT = Decimal("0.01")
# DecimalField(max_digits=16, decimal_places=2): the platform's amount columns (yuan, up to ¥99,999,999,999,999.99).
MONEY_MAX_DIGITS = 16
MONEY_DECIMAL_PLACES = 2
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?", re.ASCII)


def money_limit(max_digits: int = MONEY_MAX_DIGITS, decimal_places: int = MONEY_DECIMAL_PLACES) -> Decimal:
    """The largest amount a ``DecimalField(max_digits, decimal_places)`` column holds."""
    return Decimal(10) ** (max_digits - decimal_places) - Decimal(10) ** -decimal_places


def plain_decimal(value: object, *, field: str, label: str = "数值", places: int = MONEY_DECIMAL_PLACES,
                  maximum: Decimal | None = None, minimum: Decimal = Decimal(0)) -> Decimal:
    """Parse plain decimal text (or an int/Decimal/float equal to it) with at most ``places`` decimals.

    Exponents, NaN, infinities, signs other than a leading minus, full-width digits and more decimals than allowed
    are refused. Values outside ``[minimum, maximum]`` are refused. Messages name the field by its label.
    """
    if isinstance(value, bool) or value is None:
        raise DomainError(f"{label}不能为空" if value is None else f"{label}必须为数字", field=field)
    if isinstance(value, float):
        text = repr(value)  # the shortest text that round-trips: 1e+20 stays an exponent and is refused
    elif isinstance(value, Decimal | int | str):
        text = str(value)
    else:
        raise DomainError(f"{label}必须为数字", field=field)
    text = text.strip()
    if not text:
        raise DomainError(f"{label}不能为空", field=field)
    negative = text.startswith("-")
    body = text[1:] if negative else text
    if not (_PLAIN.fullmatch(body) or _GROUPED.fullmatch(body)):
        raise DomainError(f"{label}须填写普通数字（如 1234.56），不接受科学计数法、NaN 或其他字符", field=field)
    try:
        number = Decimal(body.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the patterns admit only valid decimals
        raise DomainError(f"{label}须填写普通数字", field=field) from None
    if negative:
        number = -number
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise DomainError(f"{label}最多保留{places}位小数" if places else f"{label}必须为整数", field=field)
    if number < minimum:
        raise DomainError(f"{label}不能为负数" if minimum == 0 else f"{label}不得小于{number_text(minimum)}",
                          field=field)
    if maximum is not None and number > maximum:
        raise DomainError(f"{label}超出允许范围（不得超过{number_text(maximum)}）", field=field)
    return number.quantize(Decimal(10) ** -places) if places else number.quantize(Decimal(1))


def yuan(value: object, *, field: str = "amount", label: str = "金额", max_digits: int = MONEY_MAX_DIGITS) -> Decimal:
    """Parse an amount in yuan: plain decimal text, at most two decimals, non-negative, within the column's range."""
    return plain_decimal(value, field=field, label=label, places=MONEY_DECIMAL_PLACES,
                         maximum=money_limit(max_digits))


def stored_amount(value: object) -> Decimal | None:
    """An amount read back for display (a column, or a price sheet's text with an optional ¥): the same rules as
    ``yuan`` — plain decimal text, two decimals at most, within the column — or None for anything else (1e20, NaN,
    "—"), which pages then show as the text it is, never reinterpreted and never an error."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip().removeprefix("¥")
    try:
        return yuan(value)
    except DomainError:
        return None


def number_text(value: Decimal | int) -> str:
    """A number as people write it: 20.00 → 20, 66.50 → 66.5, 1E+1 → 10 (never an exponent)."""
    if isinstance(value, int):
        return str(value)
    if not value.is_finite():
        return "—"
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def format_yuan(amount: Decimal | None) -> str:
    """¥1,234,567.89 (an amount that is missing or not a finite number shows as “—”, never an error)."""
    if amount is None:
        return "—"
    try:
        if not Decimal(amount).is_finite():
            return "—"
        return f"¥{Decimal(amount):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return "—"


_WAN = Decimal(10_000)
_MILLION = Decimal(1_000_000)


def format_yuan_compact(amount: Decimal | None, language: str = "zh-hans") -> str:
    """A large sum as people read it at a glance: 1,280.00万元 (Chinese), ¥12.80 million (English).

    Sums under 10,000 yuan (Chinese) or a million (English) keep the full form ``¥9,999.00``.
    """
    full = format_yuan(amount)
    if full == "—" or amount is None:
        return full
    value = Decimal(amount)
    if language.startswith("zh"):
        if value >= _WAN:
            return f"{(value / _WAN).quantize(CENT):,.2f}万元"
        return full
    if value >= _MILLION:
        return f"¥{(value / _MILLION).quantize(CENT):,.2f} million"
    return full


# ---- the schema type (django-ninja / pydantic) -------------------------------------------------------------------

def _money_validator(max_digits: int):
    def validate(value: object) -> Decimal:
        try:
            return yuan(value, field="", max_digits=max_digits)
        except DomainError as exc:
            raise PydanticCustomError("money", exc.message) from None

    return validate


def _money_json_schema(max_digits: int) -> dict[str, Any]:
    integer = max_digits - MONEY_DECIMAL_PLACES
    return {"type": "string", "pattern": rf"^[0-9]{{1,{integer}}}(\.[0-9]{{1,{MONEY_DECIMAL_PLACES}}})?$",
            "example": "1234567.89",
            "description": f"金额（元）：普通数字，最多两位小数，不超过{number_text(money_limit(max_digits))}"}


# An amount in an API request (``DecimalField(max_digits=16, decimal_places=2)`` columns).
Money = Annotated[Decimal, PlainValidator(_money_validator(MONEY_MAX_DIGITS), json_schema_input_type=str),
                  WithJsonSchema(_money_json_schema(MONEY_MAX_DIGITS), mode="validation")]
# Registered capital (``max_digits=18``).
CapitalMoney = Annotated[Decimal, PlainValidator(_money_validator(18), json_schema_input_type=str),
                         WithJsonSchema(_money_json_schema(18), mode="validation")]


def _bounded_validator(maximum: Decimal):
    def validate(value: object) -> Decimal:
        try:
            return plain_decimal(value, field="", label="数值", maximum=maximum)
        except DomainError as exc:
            raise PydanticCustomError("plain_decimal", exc.message) from None

    return validate


_HUNDRED = Decimal(100)
# A percentage or a score from 0 to 100 with at most two decimals (price weight, expert scores).
Percent = Annotated[Decimal, PlainValidator(_bounded_validator(_HUNDRED), json_schema_input_type=str),
                    WithJsonSchema({"type": "string", "pattern": r"^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$",
                                    "example": "30", "description": "0到100之间的数，最多两位小数"},
                                   mode="validation")]
