"""The center's form to publish a listing (挂牌项目发布): every kind, with the sealed quote's ceiling and the weighted
quote's price weight and factors (权重报价因素, up to five rows). The service checks everything and names the field;
the factors' fields are named as the service names them (``factors.2.weight``), so each refusal lands on its field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ggzy.accounts.models import User
from ggzy.accounts.roles import Role
from ggzy.core.forms import MoneyField

from .choices import ProcedureKindChoice
from .weighting import MAX_FACTORS

FACTOR_PARTS = ("name", "unit", "weight", "minimum", "maximum")


def _when(label):
    return forms.DateTimeField(label=label, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class ListingPublishForm(forms.Form):
    kind = forms.ChoiceField(label=_("交易方式"), choices=ProcedureKindChoice.choices)
    code = forms.CharField(label=_("项目编号"), max_length=40)
    title = forms.CharField(label=_("名称"), max_length=200)
    grantor = forms.ModelChoiceField(label=_("出让方"), queryset=User.objects.none())
    announced_at = _when(_("公告时间"))
    registration_opens_at = _when(_("报名开始"))
    registration_closes_at = _when(_("报名截止"))
    listing_starts_at = _when(_("挂牌（报价）开始"))
    listing_ends_at = _when(_("挂牌（报价）截止"))
    start_price = MoneyField(label=_("起始价（元）"))
    increment = MoneyField(label=_("增价幅度（元）"))
    deposit = MoneyField(label=_("竞买保证金（元）"))
    quote_ceiling = MoneyField(label=_("报价上限（元；一次报价、权重报价）"), required=False)
    appraised_value = MoneyField(label=_("评估结果（元；国有产权）"), required=False)
    approval_reference = forms.CharField(label=_("低于评估结果的批准文件文号"), max_length=100, required=False)
    price_weight = forms.CharField(label=_("报价权重（%；权重报价）"), max_length=20, required=False,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grantor = self.fields["grantor"]
        assert isinstance(grantor, forms.ModelChoiceField)
        grantor.queryset = User.objects.filter(role=Role.TENDERER, is_active=True).order_by("username")
        words = {"name": gettext("名称"), "unit": gettext("单位"), "weight": gettext("权重（%）"),
                 "minimum": gettext("允许最小值"), "maximum": gettext("允许最大值")}
        for n in range(1, MAX_FACTORS + 1):  # labels in the reader's language, built per request
            for part in FACTOR_PARTS:
                attrs = {"inputmode": "decimal"} if part in ("weight", "minimum", "maximum") else {}
                self.fields[f"factors.{n}.{part}"] = forms.CharField(
                    label=gettext("权重报价因素%(n)s：%(part)s") % {"n": n, "part": words[part]}, required=False,
                    max_length=60, widget=forms.TextInput(attrs=attrs))

    def factor_rows(self) -> list[dict[str, str]]:
        """The factor rows up to the last one filled in (a blank row between is kept: the service refuses it by its
        position, so the message lands on that row)."""
        rows = [{part: self.cleaned_data.get(f"factors.{n}.{part}", "").strip() for part in FACTOR_PARTS}
                for n in range(1, MAX_FACTORS + 1)]
        while rows and not any(rows[-1].values()):
            rows.pop()
        return rows
