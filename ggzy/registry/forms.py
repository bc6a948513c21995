"""Forms of the one-form application (一表申请) and the edit page. They parse input; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ggzy.accounts.roles import Role
from ggzy.core.forms import MoneyField

from . import selectors
from .choices import KEY_PERSON_ROLES, QUALIFICATION_TYPES, EntityStatus, EntityType

MAX_ROWS = 20
FORMSET_PREFIXES = ("bank_accounts", "qualifications", "key_persons")
def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EntityForm(forms.Form):
    """The entity's own fields (基本信息)."""

    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, min_length=18,
                                  help_text=_("18位，含末位校验码"))
    name = forms.CharField(label=_("主体名称"), max_length=200)
    entity_type = forms.ChoiceField(label=_("主体类型"), choices=EntityType.choices)
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=64)
    registered_capital = MoneyField(label=_("注册资本（元）"), required=False, max_digits=18)
    established_on = forms.DateField(label=_("成立日期"), required=False, widget=_date_input())
    region = forms.ChoiceField(label=_("所在地区"), help_text=_("决定主体所属的交易中心"))
    registered_address = forms.CharField(label=_("注册地址"), max_length=255)
    business_address = forms.CharField(label=_("经营地址"), max_length=255, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=64)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=32)
    email = forms.EmailField(label=_("电子邮箱"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = [("", _("请选择市或县区")), *selectors.region_choices()]
        code = self.fields["credit_code"]
        code.widget.attrs.update({
            "hx-get": reverse("registry:credit_code_check"), "hx-trigger": "blur changed",
            "hx-target": "next .helptext", "hx-swap": "innerHTML", "autocomplete": "off",
            "class": "uppercase"})


class EntityEditForm(EntityForm):
    """The edit page: the credit code is fixed; staff also set the status."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("状态"), choices=EntityStatus.choices)

    def __init__(self, *args: Any, may_change_status: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["credit_code"]
        if not may_change_status:
            del self.fields["status"]


class AccountForm(forms.Form):
    """The entity's first login (optional): after registering you are signed in with it."""

    username = forms.CharField(label=_("登录用户名"), max_length=150, required=False,
                               help_text=_("填写后将同时创建登录账户，用于管理本主体信息和参与交易"))
    password = forms.CharField(label=_("登录密码"), required=False, widget=forms.PasswordInput(render_value=True),
                               help_text=_("至少8位，不能全为数字"))
    role = forms.ChoiceField(label=_("账户角色"), initial=Role.BIDDER,
                             choices=[(Role.BIDDER, Role.BIDDER.label), (Role.TENDERER, Role.TENDERER.label),
                                      (Role.AGENCY, Role.AGENCY.label)])


def _datalist(field: forms.Field, list_id: str) -> None:
    field.widget.attrs["list"] = list_id


class BankAccountForm(forms.Form):
    bank_name = forms.CharField(label=_("开户银行"), max_length=128)
    account_name = forms.CharField(label=_("账户名称"), max_length=200)
    account_number = forms.CharField(label=_("银行账号"), max_length=40)
    is_basic = forms.BooleanField(label=pgettext_lazy("bank account flag", "基本账户"), required=False, initial=True,
                                  help_text=_("基本存款账户，每个主体只能有一个；投标保证金应从基本账户转出"))

    def has_changed(self) -> bool:
        # an empty extra row whose checkbox alone was unticked is still an empty row
        return any(name != "is_basic" for name in self.changed_data)


class QualificationForm(forms.Form):
    qualification_type = forms.CharField(label=_("资质类别"), max_length=128)
    level = forms.CharField(label=_("资质等级"), max_length=32, required=False)
    certificate_number = forms.CharField(label=_("证书编号"), max_length=64)
    issuer = forms.CharField(label=_("发证机关"), max_length=128, required=False)
    valid_from = forms.DateField(label=_("有效期起"), widget=_date_input())
    valid_until = forms.DateField(label=_("有效期至"), widget=_date_input())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _datalist(self.fields["qualification_type"], "qualification-types")


class KeyPersonForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=64)
    role = forms.CharField(label=_("职务/岗位"), max_length=64)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, help_text=_("仅主体用户与交易中心可见（脱敏）"))
    phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    certificate_number = forms.CharField(label=_("执业资格证书编号"), max_length=64, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _datalist(self.fields["role"], "key-person-roles")


def _formset(form_class: type[forms.Form]):
    return forms.formset_factory(form_class, extra=1, max_num=MAX_ROWS, validate_max=True, absolute_max=MAX_ROWS)


FORMSETS = {"bank_accounts": _formset(BankAccountForm), "qualifications": _formset(QualificationForm),
            "key_persons": _formset(KeyPersonForm)}
PART_FORMS = {"bank_accounts": BankAccountForm, "qualifications": QualificationForm,
              "key_persons": KeyPersonForm}
SUGGESTIONS = {"qualification_types": QUALIFICATION_TYPES, "key_person_roles": KEY_PERSON_ROLES}


def formset_rows(formset) -> tuple[list[dict[str, Any]], list[int]]:
    """The filled rows of a valid formset, and the index of the form each came from."""
    rows, indexes = [], []
    for index, form in enumerate(formset.forms):
        if form.cleaned_data and form.has_changed():
            rows.append(dict(form.cleaned_data))
            indexes.append(index)
    return rows, indexes
