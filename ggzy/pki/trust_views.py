"""Trust-store pages (可信CA管理): administrators register CAs, import CRLs and enable/disable CAs through the
services; provincial staff and supervisors may look; everyone sees the published list of recognised CAs.

Mount with ``path("pki/", include("ggzy.pki.trust_views"))`` in ggzy/urls.py (this module carries its urlpatterns).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.core.forms import apply_domain_error
from ggzy.core.permissions import PUBLIC, requires, roles

from . import services
from .models import RevocationList, TrustedCA
from .policies import can_manage_trust_store
from .selectors import trusted_ca_list_visible

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
    """Every CA with its newest CRL's update times annotated (one query)."""
    newest = RevocationList.objects.filter(ca=OuterRef("pk")).order_by("-this_update")
    return trusted_ca_list_visible().annotate(
        crl_this_update=Subquery(newest.values("this_update")[:1]),
        crl_next_update=Subquery(newest.values("next_update")[:1]),
        crl_revoked_count=Subquery(newest.values("revoked_count")[:1]),
    )


def trust_rows():
    now = clock.now()
    return [(ca, crl_freshness(ca.crl_this_update, ca.crl_next_update, now=now)) for ca in trusted_ca_list_with_crl()]


class CaRegisterForm(forms.Form):
    certificate = forms.FileField(label="CA证书文件（PEM或DER）")


class CrlImportForm(forms.Form):
    crl = forms.FileField(label="CRL文件（PEM或DER）")


def _require_view(request) -> None:
    if not can_view_trust_store(request.user):
        raise PermissionDenied("只有系统管理员和省级工作人员可以查看可信CA管理页面")


def _page(request, *, register_form=None, crl_form=None, status=200):
    return render(request, "pki/pages/trust_store.html", {
        "rows": trust_rows(), "can_manage": can_manage_trust_store(request.user),
        "register_form": register_form or CaRegisterForm(), "crl_form": crl_form or CrlImportForm(),
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
    path("cas/", recognised_ca_list_view, name="recognised_cas"),
]
