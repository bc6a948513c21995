"""Template helpers of the catalog pages."""

from decimal import Decimal

from django import template

from ggzy.core.money import number_text

register = template.Library()


@register.filter
def lookup(mapping, key):
    """``{{ names|lookup:code }}`` — a dictionary value by key (empty when absent)."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.filter
def plain_number(value):
    """A Decimal without trailing zeros or exponent: 20.00 → 20, 66.50 → 66.5, 10000000 → 10000000."""
    if isinstance(value, Decimal | int):
        return number_text(value)
    return value
