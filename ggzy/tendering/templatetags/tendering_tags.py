"""``{% load tendering_tags %}``: ``{{ lot|lot_state }}`` is the lot's state as its procedure names it.

One source for the status tag: a government-procurement lot's ``candidates`` state is its result notice
(成交结果公告 for single source, inquiry and negotiation), not the works tendering's 候选人公示.
"""

from django import template

from ..procedures import procedure_for

register = template.Library()


@register.filter
def lot_state(lot):
    """The label of ``lot.state`` under the lot's procedure (in the page's language)."""
    return procedure_for(lot).state_label(lot.state)


@register.filter
def negotiation_words(lot):
    """The words of the lot's rounds-and-final-quotations page (竞争性谈判 or 竞争性磋商), by its procedure."""
    return procedure_for(lot).negotiation_words or {}


@register.simple_tag
def round_heading(words, number):
    """"第n轮谈判" / "第n轮磋商" in the page's language."""
    return words["round"] % {"n": number}
