from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ggzy.core.forms import MoneyField
from ggzy.registry.models import Center, Region

from .categories import portal_categories
from .models import NoticeType


def _city_choices():
    return [("", _("全省"))] + [(c.code, c.region.name) for c in Center.objects.select_related("region").order_by("code")
                            if not c.is_provincial]


class NoticeFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("标题、正文、单位名称或项目编号")}))
    city = forms.ChoiceField(label=_("地市"), required=False)
    category = forms.ChoiceField(label=_("交易类别"), required=False)
    notice_type = forms.ChoiceField(label=_("公告类型"), required=False,
                                    choices=[("", _("全部类型"))] + list(NoticeType.choices))
    stage = forms.ChoiceField(label=_("阶段"), required=False, choices=[
        ("", _("全部阶段")), ("announcement", _("招标/采购/出让公告")), ("change", _("变更公告")),
        ("publicity", _("候选人/成交公示")), ("result", _("结果/合同公告")), ("ended", _("终止/流标"))])
    date_from = forms.DateField(label=_("发布日期自"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["city"]).choices = [*_city_choices(), ("370000", _("省级"))]
        cast(forms.ChoiceField, self.fields["category"]).choices = [("", _("全部类别")), *portal_categories().items()]


class NoticePublishForm(forms.Form):
    notice_type = forms.ChoiceField(label=_("公告类型"), choices=NoticeType.choices)
    category_code = forms.ChoiceField(label=_("交易类别"))
    region = forms.ModelChoiceField(label=_("项目所在地"), queryset=Region.objects.none())
    title = forms.CharField(label=_("标题"), max_length=200)
    project_code = forms.CharField(label=_("统一交易标识码"), max_length=32, required=False)
    budget = MoneyField(label=_("预算/估算金额（元）"), required=False)
    deadline = forms.DateTimeField(label=_("截止时间"), required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 12}))

    def __init__(self, *args, center=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category_code"]).choices = list(portal_categories().items())
        regions = Region.objects.order_by("code")
        if center is not None and not center.is_provincial:
            regions = regions.filter(pk=center.region_id) | regions.filter(parent_id=center.region_id)
        cast(forms.ModelChoiceField, self.fields["region"]).queryset = regions


class NoticeImportForm(forms.Form):
    source_system = forms.CharField(label=_("来源系统"), max_length=64,
                                    widget=forms.TextInput(attrs={"placeholder": _("如：某省公共资源交易平台、某集团阳光采购平台")}))
    source_format = forms.ChoiceField(label=_("文件格式"), initial="ocds", required=False, choices=[
        ("ocds", _("OCDS（发布包、记录包或 JSON Lines）")), ("national", _("全国交换格式（记录数组或 JSON Lines）"))])
    file = forms.FileField(label=_("文件"))
