"""我的证书: the signed-in user binds a person certificate to the account (signing a challenge in the browser,
the key file never leaves the page) or removes a binding; administrators register one for another account."""

from __future__ import annotations

from cryptography.hazmat.primitives.serialization import Encoding
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ggzy.core.errors import DomainError
from ggzy.core.forms import apply_domain_error
from ggzy.core.permissions import AUTHENTICATED, requires, roles
from ggzy.core.roles import Role

from . import bindings
from . import certificates as certs
from .login import CHALLENGE_TTL, certificate_challenge_issue
from .models import PersonCertificate


class BindForm(forms.Form):
    """What the page posts: the certificate, the signature over the challenge and its nonce (no key)."""

    certificate = forms.CharField(label=_("证书（PEM）"), widget=forms.HiddenInput, required=False)
    signature = forms.CharField(label=_("签名值"), widget=forms.HiddenInput, required=False)
    nonce = forms.CharField(label=_("挑战码"), widget=forms.HiddenInput, required=False)


class RegisterForm(forms.Form):
    username = forms.CharField(label=_("账户用户名"), max_length=150)
    certificate = forms.FileField(label=_("个人证书文件（PEM或DER）"))


def site_origin(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _page(request, *, form=None, status=200):
    challenge = certificate_challenge_issue(session=request.session, origin=site_origin(request))
    return render(request, "pki/pages/my_certificates.html", {
        "bindings": bindings.person_certificate_list_for(user=request.user), "form": form or BindForm(),
        "challenge": challenge, "ttl_minutes": int(CHALLENGE_TTL.total_seconds() // 60),
    }, status=status)


@requires(AUTHENTICATED)
def my_certificates_view(request):
    if request.method != "POST":
        return _page(request)
    form = BindForm(request.POST)
    if form.is_valid():
        try:
            binding = bindings.person_certificate_bind(
                actor=request.user, session=request.session, certificate_pem=form.cleaned_data["certificate"],
                signature=form.cleaned_data["signature"], nonce=form.cleaned_data["nonce"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已绑定个人证书“{binding.common_name}”，此后可用该证书登录和签名")
            return redirect("pki:my_certificates")
    return _page(request, form=form, status=400)


@requires(AUTHENTICATED)
@require_POST
def unbind_view(request, pk: int):
    binding = get_object_or_404(PersonCertificate, pk=pk, user=request.user)
    try:
        bindings.person_certificate_unbind(actor=request.user, binding=binding)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已解除证书“{binding.common_name}”的绑定")
    return redirect("pki:my_certificates")


@requires(roles(Role.ADMIN))
def register_view(request):
    """An administrator registers a person certificate for an account (marked as not proven by its holder)."""
    form = RegisterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        user = get_user_model().objects.filter(username=form.cleaned_data["username"].strip(), is_active=True).first()
        if user is None:
            form.add_error("username", "没有该用户名的有效账户")
        else:
            try:
                raw = form.cleaned_data["certificate"].read()
                text = raw.decode() if b"-----BEGIN" in raw else _pem_of(raw)
                binding = bindings.person_certificate_register(actor=request.user, user=user, certificate_pem=text)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"已为账户 {user.username} 登记个人证书“{binding.common_name}”")
                return redirect("pki:person_certificate_register")
    recent = PersonCertificate.objects.select_related("user").defer("certificate_pem").order_by("-bound_at")[:30]
    return render(request, "pki/pages/person_certificates.html", {"form": form, "recent": recent},
                  status=400 if request.method == "POST" else 200)


def _pem_of(der: bytes) -> str:
    try:
        certificate = certs.certificate_load(der)
    except certs.CertificateFormatError as exc:
        raise DomainError(str(exc), field="certificate") from None
    return certificate.public_bytes(Encoding.PEM).decode()


urlpatterns = [
    path("my-certificates/", my_certificates_view, name="my_certificates"),
    path("my-certificates/<int:pk>/unbind/", unbind_view, name="my_certificate_unbind"),
    path("trust/persons/", register_view, name="person_certificate_register"),
]
