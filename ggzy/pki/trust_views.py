"""Trust-store pages (可信CA管理): administrators register CAs, import CRLs and enable/disable CAs through the
services; provincial staff and supervisors may look; everyone sees the published list of recognised CAs.

Mount with ``path("pki/", include("ggzy.pki.trust_views"))`` in ggzy/urls.py (this module carries its urlpatterns).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.core.forms import apply_domain_error
from ggzy.core.permissions import PUBLIC, requires, roles
from ggzy.core.roles import Role

from . import services
from .bindings_views import urlpatterns as bindings_urlpatterns
from .models import OcspResponse, RevocationList, TrustedCA
from .policies import can_manage_trust_store
from .selectors import ocsp_response_list_recent, trusted_ca_list_visible

CRL_DUE_SOON = dt.timedelta(hours=24)
TRUST_STORE_VIEWERS = roles(Role.ADMIN, Role.CENTER_STAFF, Role.SUPERVISOR)


def can_view_trust_store(user) -> bool:
    """Administrators, and provincial staff or supervisors (read only)."""
    return can_manage_trust_store(user) or bool(getattr(user, "is_provincial", False))


@dataclass(frozen=True)
class CrlFreshness:
    """How current a CA's newest CRL is: ``state`` is ok / due_soon / stale / missing."""

    state: str
    label: str
    this_update: dt.datetime | None
    next_update: dt.datetime | None


def crl_freshness(this_update, next_update, *, now: dt.datetime) -> CrlFreshness:
    if next_update is None:
        return CrlFreshness("missing", "无CRL（证书校验将失败）", None, None)
    if next_update < now:
        return CrlFreshness("stale", "CRL已过期（证书校验将失败）", this_update, next_update)
    if next_update - now < CRL_DUE_SOON:
        return CrlFreshness("due_soon", "CRL即将过期", this_update, next_update)
    return CrlFreshness("ok", "CRL有效", this_update, next_update)


def trusted_ca_list_with_crl():
    """Every CA with its newest CRL's update times and its count of current OCSP answers annotated (one query)."""
    newest = RevocationList.objects.filter(ca=OuterRef("pk")).order_by("-this_update")
    current = (OcspResponse.objects.filter(ca=OuterRef("pk"), next_update__gte=clock.now())
               .order_by().values("ca").annotate(n=Count("pk")).values("n"))
    return trusted_ca_list_visible().annotate(
        crl_this_update=Subquery(newest.values("this_update")[:1]),
        crl_next_update=Subquery(newest.values("next_update")[:1]),
        crl_revoked_count=Subquery(newest.values("revoked_count")[:1]),
        ocsp_current=Subquery(current[:1]),
    )


def trust_rows():
    now = clock.now()
    return [(ca, crl_freshness(ca.crl_this_update, ca.crl_next_update, now=now)) for ca in trusted_ca_list_with_crl()]


class CaRegisterForm(forms.Form):
    certificate = forms.FileField(label=_("CA证书文件（PEM或DER）"))


class CrlImportForm(forms.Form):
    crl = forms.FileField(label=_("CRL文件（PEM或DER）"))


class OcspImportForm(forms.Form):
    response = forms.FileField(label=_("OCSP响应文件（DER）"))


class CaSourcesForm(forms.Form):
    crl_url = forms.CharField(label=_("CRL下载地址"), required=False, max_length=500)
    ocsp_url = forms.CharField(label=_("OCSP服务地址"), required=False, max_length=500)


def _require_view(request) -> None:
    if not can_view_trust_store(request.user):
        raise PermissionDenied("只有系统管理员和省级工作人员可以查看可信CA管理页面")


def _page(request, *, register_form=None, crl_form=None, ocsp_form=None, sources=None, status=200):
    rows = [(ca, crl, sources[1] if sources and sources[0] == ca.pk
             else CaSourcesForm(initial={"crl_url": ca.crl_url, "ocsp_url": ca.ocsp_url}, prefix=f"ca{ca.pk}"))
            for ca, crl in trust_rows()]
    return render(request, "pki/pages/trust_store.html", {
        "rows": rows, "can_manage": can_manage_trust_store(request.user),
        "register_form": register_form or CaRegisterForm(), "crl_form": crl_form or CrlImportForm(),
        "ocsp_form": ocsp_form or OcspImportForm(), "ocsp_recent": ocsp_response_list_recent(),
        "sources_open": sources[0] if sources else None,
    }, status=status)


@requires(TRUST_STORE_VIEWERS)
def trust_store_view(request):
    _require_view(request)
    return _page(request)


@requires(roles(Role.ADMIN))
@require_POST
def ca_register_view(request):
    form = CaRegisterForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.ca_register(actor=request.user, certificate=form.cleaned_data["certificate"].read())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("pki:trust_store")
    return _page(request, register_form=form, status=400)


@requires(roles(Role.ADMIN))
@require_POST
def crl_import_view(request):
    form = CrlImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.crl_import(actor=request.user, crl=form.cleaned_data["crl"].read())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("pki:trust_store")
    return _page(request, crl_form=form, status=400)


@requires(roles(Role.ADMIN))
@require_POST
def ocsp_import_view(request):
    form = OcspImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            rows = services.ocsp_import(actor=request.user, response=form.cleaned_data["response"].read())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已导入OCSP响应：{len(rows)}个证书的状态")
            return redirect("pki:trust_store")
    return _page(request, ocsp_form=form, status=400)


@requires(roles(Role.ADMIN))
@require_POST
def ca_sources_view(request, pk: int):
    ca = get_object_or_404(TrustedCA, pk=pk)
    form = CaSourcesForm(request.POST, prefix=f"ca{ca.pk}")
    if form.is_valid():
        try:
            services.ca_sources_set(actor=request.user, ca=ca, crl_url=form.cleaned_data["crl_url"],
                                    ocsp_url=form.cleaned_data["ocsp_url"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已保存“{ca.name}”的吊销信息地址")
            return redirect("pki:trust_store")
    return _page(request, sources=(ca.pk, form), status=400)


@requires(roles(Role.ADMIN))
@require_POST
def ca_refresh_view(request, pk: int):
    """Run the scheduled refresh for one CA now (bounded by the fetch timeout)."""
    ca = get_object_or_404(TrustedCA, pk=pk)
    if not (ca.crl_url or ca.ocsp_url):
        messages.error(request, f"“{ca.name}”未设置CRL下载地址或OCSP服务地址")
        return redirect("pki:trust_store")
    result = services.revocation_refresh(ca=ca)
    labels = {"imported": "已下载新的CRL", "unchanged": "CRL未变化", "failed": "CRL下载失败", "not configured": "未设置CRL地址"}
    summary = f"{labels[result.crl]}；OCSP查询{result.ocsp_checked}次，新增状态{result.ocsp_imported}条"
    if result.errors:
        messages.error(request, f"“{ca.name}”：{summary}。{'；'.join(result.errors)}")
    else:
        messages.success(request, f"“{ca.name}”：{summary}")
    return redirect("pki:trust_store")


@requires(roles(Role.ADMIN))
@require_POST
def ca_set_enabled_view(request, pk: int):
    ca = get_object_or_404(TrustedCA, pk=pk)
    services.ca_set_enabled(actor=request.user, ca=ca, enabled=request.POST.get("enabled") == "1")
    return redirect("pki:trust_store")


@requires(PUBLIC)
def recognised_ca_list_view(request):
    """CA互认名录: the CAs whose certificates every center accepts."""
    cas = trusted_ca_list_visible().filter(enabled=True)
    return render(request, "pki/pages/recognised_cas.html", {"cas": cas})


app_name = "pki"
urlpatterns = [
    path("trust/", trust_store_view, name="trust_store"),
    path("trust/register/", ca_register_view, name="ca_register"),
    path("trust/crl/", crl_import_view, name="crl_import"),
    path("trust/<int:pk>/enabled/", ca_set_enabled_view, name="ca_set_enabled"),
    path("trust/<int:pk>/sources/", ca_sources_view, name="ca_sources"),
    path("trust/<int:pk>/refresh/", ca_refresh_view, name="ca_refresh"),
    path("trust/ocsp/", ocsp_import_view, name="ocsp_import"),
    path("cas/", recognised_ca_list_view, name="recognised_cas"),
    *bindings_urlpatterns,  # 我的证书, 登记个人证书
]
