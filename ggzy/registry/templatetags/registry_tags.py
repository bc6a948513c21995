"""Template helpers of the registry: links shown only to the users the linked view admits."""

from django import template

from ggzy.registry import policies

register = template.Library()


@register.filter
def can_register_entity(user) -> bool:
    """``{% if user|can_register_entity %}``: the one-form application (anonymous visitors, staff, admins)."""
    return policies.can_register(user)
