"""The single-source page (单一来源): the public publicity (reasons, supplier, period) with its objections and their
answers; the purchaser's desk to publish, answer, start the negotiation and record the deal; anyone signed in may
object during the publicity. Every write goes through ``services.single_source``."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_POST

from ggzy.core.permissions import AUTHENTICATED, PUBLIC, requires

from . import selectors, selectors_single_source
from .models import SingleSourceObjection
from .services import single_source
from .views_actions import lot_action_run


def _lot(request, lot_id: int):
    lot = selectors.lot_get_for_user(user=request.user, lot_id=lot_id)
    if lot is None:
        raise Http404("标段不存在")
    return lot


@requires(PUBLIC)
def single_source_view(request, lot_id: int):
    lot = _lot(request, lot_id)
    view = selectors_single_source.single_source_view(user=request.user, lot=lot)
    if view is None:
        raise Http404("没有单一来源公示")
    return render(request, "tendering/pages/lot_single_source.html", {"lot": lot, "view": view})


def _objection(request, lot):
    raw = request.POST.get("objection", "")
    found = SingleSourceObjection.objects.filter(pk=int(raw), lot=lot).first() if raw.isdigit() and len(raw) < 12 \
        else None
    if found is None:
        raise Http404("异议不存在")
    return found


ACTIONS = {
    "publicity": (lambda r, lot: single_source.single_source_publicize(
        actor=r.user, lot=lot, supplier_code=r.POST.get("supplier_code", ""), reasons=r.POST.get("reasons", "")),
        "单一来源公示已发布"),
    "objection": (lambda r, lot: single_source.single_source_objection_raise(
        actor=r.user, lot=lot, text=r.POST.get("text", "")), "异议已提交"),
    "answer": (lambda r, lot: single_source.single_source_objection_answer(
        actor=r.user, objection=_objection(r, lot), answer=r.POST.get("answer", ""),
        is_upheld=r.POST.get("is_upheld") == "1"), "异议已答复"),
    "negotiation": (lambda r, lot: single_source.single_source_negotiation_start(actor=r.user, lot=lot),
                    "已开始与供应商协商"),
    "deal": (lambda r, lot: single_source.single_source_conclude(
        actor=r.user, lot=lot, price=r.POST.get("price", ""), price_basis=r.POST.get("price_basis", ""),
        minutes=r.POST.get("minutes", "")), "成交结果已公告"),
}


@requires(AUTHENTICATED)
@require_POST
def single_source_action_view(request, lot_id: int, action: str):
    return lot_action_run(request, _lot(request, lot_id), actions=ACTIONS, action=action,
                          page="tendering:lot_single_source")


urlpatterns = [
    path("lots/<int:lot_id>/single-source/", single_source_view, name="lot_single_source"),
    path("lots/<int:lot_id>/single-source/<slug:action>/", single_source_action_view, name="lot_single_source_action"),
]
