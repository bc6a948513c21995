"""JSON as the platform reads it from outside: numbers keep their exact text, NaN and Infinity are refused."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


class NonFiniteNumber(ValueError):
    """``NaN``, ``Infinity`` or ``-Infinity`` in JSON: not a number any field of the platform can hold."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"不接受 {name}（JSON 只允许有限的数字）")


def _refuse_constant(name: str) -> Any:
    raise NonFiniteNumber(name)


def strict_json_loads(text: str | bytes) -> Any:
    """``json.loads`` where a number with a fraction or exponent becomes a ``Decimal`` (``1e20`` stays
    ``Decimal("1E+20")``, which the money parser refuses as an exponent) and ``NaN``/``Infinity`` raise
    ``NonFiniteNumber`` (a ``ValueError``). Raises ``ValueError`` (``json.JSONDecodeError`` is one) on anything that is not JSON."""
    return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
