"""Template helpers of the catalog pages."""

from django import template

register = template.Library()


@register.filter
def lookup(mapping, key):
    """``{{ names|lookup:code }}`` — a dictionary value by key (empty when absent)."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.filter
def plain_number(value):
    """A Decimal without trailing zeros or exponent: 20.00 → 20, 66.50 → 66.5, 10000000 → 10000000."""
    try:
        return f"{value.normalize():f}"
    except AttributeError:
        return value
