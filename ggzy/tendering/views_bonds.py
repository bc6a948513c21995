"""The center staff's bond desk (保证金管理): import the bond account's bank statement, import an issuer's
guarantee records, return unmatched arrivals, and refund bonds (or release guarantees) by their due dates.

Sealed means sealed: before a lot's opening this page shows per import only rows / matched / unmatched, and a refund
due on a lot not yet opened only by its opaque sub-account — never a lot, a bidder or a per-lot count.
Every write goes through ``services.bonds``."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from ggzy.core.errors import DomainError
from ggzy.core.permissions import requires

from .models import BankArrival, BondRefund, GuaranteeIssuer
from .services import bond_imports, bonds
from .views_custody import STAFF, _center_of


def _back(center):
    return redirect(f"{reverse('tendering:bonds')}?center={center.code}")


@requires(STAFF)
def bonds_view(request):
    center = _center_of(request)
    context = {
        "center": center, "account": bonds.bond_account_of(center),
        "statements": bond_imports.statement_imports_visible(user=request.user, center=center),
        "unmatched": bond_imports.arrivals_unmatched(user=request.user, center=center),
        "refunds": bonds.bond_refunds_visible(user=request.user, center=center),
        "issuers": GuaranteeIssuer.objects.all(), "columns": "，".join(bond_imports.STATEMENT_COLUMNS),
        "guarantee_columns": "，".join(bond_imports.GUARANTEE_COLUMNS),
    }
    return render(request, "tendering/pages/bonds.html", context)


def _upload(request):
    upload = request.FILES.get("file")
    if upload is None:
        raise DomainError("请选择文件", field="file")
    return upload


def _statement(request, center):
    upload = _upload(request)
    s = bond_imports.bank_statement_import(actor=request.user, center=center, data=upload.read(bond_imports.MAX_IMPORT_BYTES + 1),
                                    file_name=upload.name or "")
    return f"已导入：{s.rows} 行，匹配子账号 {s.matched} 笔，未匹配（待退回）{s.unmatched} 笔，重复流水 {s.duplicates} 笔"


def _guarantees(request, center):
    issuer = GuaranteeIssuer.objects.filter(code=request.POST.get("issuer", "")).first()
    if issuer is None:
        raise DomainError("请选择出函机构", field="issuer")
    upload = _upload(request)
    summary = bond_imports.guarantee_records_import(actor=request.user, center=center, issuer=issuer,
                                             data=upload.read(bond_imports.MAX_IMPORT_BYTES + 1))
    return f"已导入保函记录：{summary['rows']} 行，新增 {summary['created']} 条，重复 {summary['duplicates']} 条"


def _refund(request, center):
    refund = BondRefund.objects.filter(pk=request.POST.get("refund") or 0,
                                       bond__signup__lot__project__center=center).first()
    if refund is None:
        raise Http404("退还记录不存在")
    bonds.bond_refund_record(actor=request.user, refund=refund, reference=request.POST.get("reference", ""))
    return "已登记退还"


def _return(request, center):
    arrival = BankArrival.objects.filter(pk=request.POST.get("arrival") or 0, center=center).first()
    if arrival is None:
        raise Http404("到账记录不存在")
    bond_imports.arrival_return_mark(actor=request.user, arrival=arrival, reference=request.POST.get("reference", ""))
    return "已登记退回"


def _account(request, center):
    bonds.bond_account_set(actor=request.user, center=center, bank_name=request.POST.get("bank_name", ""),
                           account_name=request.POST.get("account_name", ""),
                           account_number=request.POST.get("account_number", ""))
    return "保证金专户已登记"


def _issuer(request, center):
    bonds.guarantee_issuer_register(actor=request.user, center=center, code=request.POST.get("code", ""),
                                    name=request.POST.get("name", ""), kind=request.POST.get("kind", ""))
    return "出函机构已登记"


ACTIONS = {"account": _account, "issuer": _issuer, "statement": _statement, "guarantees": _guarantees, "refund": _refund, "return": _return}


@requires(STAFF)
@require_POST
def bonds_action_view(request, action: str):
    run = ACTIONS.get(action)
    if run is None:
        raise Http404("未知操作")
    center = _center_of(request, request.POST.get("center"))
    try:
        done = run(request, center)
    except DomainError as exc:
        messages.error(request, "；".join("；".join(m) for m in exc.errors.values()) or exc.message)
    else:
        messages.success(request, done)
    return _back(center)


urlpatterns = [
    path("bonds/", bonds_view, name="bonds"),
    path("bonds/act/<slug:action>/", bonds_action_view, name="bonds_action"),
]
