"""``{% load ggzy_ui %}``: ``{{ message|tr }}`` shows a service's or a view's message in the page's language."""

from django import template

from ggzy.core.ui_text import translate_message

register = template.Library()


@register.filter
def tr(value):
    """A DomainError or flash message (Chinese as written) in the active language when the catalogue knows it."""
    return translate_message(value)


@register.simple_tag
def agent_url():
    """The bidder's local certificate agent (settings.GGZY_AGENT_URL), for pki/partials/agent_panel.html."""
    from django.conf import settings

    return getattr(settings, "GGZY_AGENT_URL", "")
