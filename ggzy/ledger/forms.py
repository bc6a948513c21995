from django import forms
from django.utils.translation import gettext_lazy as _


class TraceForm(forms.Form):
    object = forms.CharField(label=_("对象（类型:标识）"), max_length=140,
                             help_text=_("例如 tendering.tender:42；类型与标识见审计记录或存证记录"))
