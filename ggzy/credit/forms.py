"""The credit pages' forms: every check is the service's (its Chinese message lands on the field it names)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from ggzy.core.errors import DomainError
from ggzy.core.secrets import keyed_digest

from .models import Behaviour, Kind, NationalList, Publication, Source, SubjectKind

PERSON_DIGEST_CONTEXT = "credit.person.id_number"
_ID = re.compile(r"^\d{17}[\dX]$")


def person_key(id_number: str) -> str:
    """A person's subject key: the keyed digest of the ID number (the number itself is never stored)."""
    number = str(id_number or "").strip().upper()
    if not _ID.match(number):
        raise DomainError("身份证号码应为18位（最后一位可为X）", field="subject_key")
    return keyed_digest(number, context=PERSON_DIGEST_CONTEXT)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


class RecordForm(forms.Form):
    subject_kind = forms.ChoiceField(label=_("主体类别"), choices=SubjectKind.choices)
    subject_key = forms.CharField(label=_("主体标识"), max_length=64, required=False,
                                  help_text=_("统一社会信用代码；专家填专家编号；从业人员填身份证号码（只保存其密钥摘要）"))
    subject_name = forms.CharField(label=_("主体名称"), max_length=200, required=False)
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices)
    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices)
    title = forms.CharField(label=_("事由"), max_length=200, required=False)
    facts = forms.CharField(label=_("事实与依据"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            max_length=5000)
    authority = forms.CharField(label=_("认定机关"), max_length=200, required=False)
    decision_no = forms.CharField(label=_("决定文书号"), max_length=100, required=False)
    decided_on = forms.CharField(label=_("决定日期"), required=False, widget=_date_input())
    valid_from = forms.CharField(label=_("有效期起"), required=False, widget=_date_input())
    valid_until = forms.CharField(label=_("有效期止"), required=False, widget=_date_input())
    publication = forms.ChoiceField(label=_("公开范围"), choices=Publication.choices)
    behaviours = forms.MultipleChoiceField(label=_("限制行为"), choices=Behaviour.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    restriction_ends_on = forms.CharField(label=_("限制结束日期"), required=False, widget=_date_input(),
                                          help_text=_("不填则至有效期止"))

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        behaviours = data.pop("behaviours", [])
        ends = data.pop("restriction_ends_on", "")
        data["restrictions"] = [{"behaviour": b, "ends_on": ends or None} for b in behaviours]
        if data["subject_kind"] == SubjectKind.PERSON:
            data["subject_key"] = person_key(data["subject_key"])
        return data


class CorrectForm(RecordForm):
    reason = forms.CharField(label=_("更正理由"), max_length=5000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("subject_kind", "subject_key", "source"):
            self.fields.pop(name)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        behaviours = data.pop("behaviours", [])
        ends = data.pop("restriction_ends_on", "")
        data["restrictions"] = [{"behaviour": b, "ends_on": ends or None} for b in behaviours]
        return data


class ImportForm(forms.Form):
    national_list = forms.ChoiceField(label=_("名单类型"), required=False,
                                      choices=[("", _("一般信用记录（按文件中的来源和类型）"))] + list(NationalList.choices))
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))


class RepairForm(forms.Form):
    """The firm's own repair request: its statement and the conditions it declares met."""

    statement = forms.CharField(label=_("申请说明与信用承诺"), max_length=5000, required=False,
                                widget=forms.Textarea(attrs={"rows": 4}))
    corrected = forms.BooleanField(label=_("失信行为已纠正"), required=False)
    obligations_fulfilled = forms.BooleanField(label=_("已履行行政处罚或判决确定的义务"), required=False)
    committed = forms.BooleanField(label=_("已作出信用承诺"), required=False)


class RepairReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("审核结论"), choices=[("approve", _("准予修复")), ("reject", _("不予修复"))])
    review_note = forms.CharField(label=_("审核意见"), max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
