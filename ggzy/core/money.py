"""Money in yuan as ``Decimal`` with two places (分); never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import DomainError

CENT = Decimal("0.01")


def yuan(value: object, *, field: str = "amount") -> Decimal:
    """Parse an amount in yuan; refuse anything that is not a finite, non-negative number."""
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise DomainError("金额格式不正确", field=field) from None
    if not amount.is_finite() or amount < 0:
        raise DomainError("金额必须为非负数", field=field)
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_yuan(amount: Decimal) -> str:
    """¥1,234,567.89"""
    return f"¥{amount:,.2f}"
