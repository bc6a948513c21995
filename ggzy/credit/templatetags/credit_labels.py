"""Labels of codes stored in credit data (e.g. a screening hit's national list), in the page's language: the data
keeps the Chinese label as it was, the page shows the code's label through the translation catalogue."""

from django import template

from ggzy.credit.models import Kind, NationalList

register = template.Library()


@register.filter
def national_list_label(code: str, stored: str = "") -> str:
    """The national list's label for ``code`` in the active language (``stored`` if the code is unknown)."""
    return str(NationalList(code).label) if code in NationalList.values else (stored or code)


@register.filter
def credit_kind_label(code: str) -> str:
    return str(Kind(code).label) if code in Kind.values else code
