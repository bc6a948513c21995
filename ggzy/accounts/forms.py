from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput)
    code = forms.CharField(label=_("动态口令"), max_length=6, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class TotpForm(forms.Form):
    code = forms.CharField(label=_("动态口令"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class CertificateLoginForm(forms.Form):
    """What the certificate login page posts; the private key never leaves the browser (its input has no name)."""

    certificate = forms.CharField(label=_("证书（PEM）"), widget=forms.HiddenInput, required=False)
    signature = forms.CharField(label=_("签名值"), widget=forms.HiddenInput, required=False)
    nonce = forms.CharField(label=_("挑战码"), widget=forms.HiddenInput, required=False)
    username = forms.CharField(label=_("账户（可选）"), max_length=150, required=False,
                               help_text=_("同一市场主体有多个账户时，填写要登录的账户用户名；否则留空"))
