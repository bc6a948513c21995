"""``{% load ggzy_money %}``: amounts as Chinese users read them, in both languages.

``{{ lot.bond_amount|yuan }}`` → ¥12,800,000.00 (a thousands separator whatever the locale's number format says;
the zh-hans locale has none); ``{{ notice.budget|yuan_compact }}`` → 1,280.00万元 in Chinese, ¥12.80 million in
English. Text that is not a number (an opening record's stored text, "—") is shown as it is, never an error. The
API is not concerned: it keeps plain decimal strings.
"""

from django import template
from django.utils import translation

from ggzy.core.money import format_yuan, format_yuan_compact, stored_amount

register = template.Library()


@register.filter
def yuan(value):
    """¥1,234,567.89; empty or missing → “—”; other text unchanged."""
    if value is None or value == "":
        return "—"
    number = stored_amount(value)
    return format_yuan(number) if number is not None else value


@register.filter
def yuan_compact(value):
    """1,280.00万元 (zh) / ¥12.80 million (en) for large sums; small sums as ``yuan``."""
    if value is None or value == "":
        return "—"
    number = stored_amount(value)
    if number is None:
        return value
    return format_yuan_compact(number, translation.get_language() or "zh-hans")
