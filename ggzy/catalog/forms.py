"""Filter forms of the public pages."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import RuleCategory, RuleLevel, RuleStatus

ALL = _("全部")


def _with_blank(choices, label=ALL):
    return [("", label), *choices]


class CatalogFilterForm(forms.Form):
    city = forms.ChoiceField(label=_("城市"), required=False)
    on = forms.DateField(label=_("施行日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, centers=(), **kwargs):
        super().__init__(*args, **kwargs)
        city = cast(forms.ChoiceField, self.fields["city"])  # declared above as a ChoiceField
        city.choices = _with_blank([(c.code, c.region.name) for c in centers], _("仅省级目录"))


class RuleFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("效力状态"), required=False, choices=_with_blank(RuleStatus.choices))
    level = forms.ChoiceField(label=_("层级"), required=False, choices=_with_blank(RuleLevel.choices))
    category = forms.ChoiceField(label=_("类别"), required=False, choices=_with_blank(RuleCategory.choices))
