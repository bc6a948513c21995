"""The negotiation page (竞争性谈判): the panel's rounds, its record of each supplier's separate session, written
changes of requirements and the call for final quotations; the supplier's notices and its sealed final quotation;
the opening of the final quotations. Every write goes through ``services.negotiation``; what is shown is
``selectors_negotiation``'s, so a final quotation stays sealed (not even counted) until it is opened."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from ggzy.core.errors import DomainError
from ggzy.core.permissions import AUTHENTICATED, requires

from . import selectors, selectors_negotiation
from .procedures import procedure_for
from .services import negotiation
from .views_actions import lot_action_run


def _lot(request, lot_id: int):
    lot = selectors.lot_get_for_user(user=request.user, lot_id=lot_id)
    if lot is None:
        raise Http404("标段不存在")
    return lot


@requires(AUTHENTICATED)
def negotiation_view(request, lot_id: int):
    lot = _lot(request, lot_id)
    view = selectors_negotiation.negotiation_view(user=request.user, lot=lot)
    if view is None:
        raise Http404("没有可查看的谈判")
    words = procedure_for(lot).negotiation_words or {}
    return render(request, "tendering/pages/lot_negotiation.html", {"lot": lot, "view": view, "words": words})


def _deadline(request) -> dt.datetime:
    raw = (request.POST.get("deadline") or "").strip()
    moment = parse_datetime(raw) if raw else None
    if moment is None:
        raise DomainError("请填写最后报价截止时间（年-月-日 时:分）", field="deadline")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _bid_id(request) -> int:
    raw = request.POST.get("bid_id", "")
    if not raw.isdigit() or len(raw) > 12:
        raise DomainError("请选择供应商", field="bid_id")
    return int(raw)


ACTIONS = {
    "round": (lambda r, lot: negotiation.negotiation_round_open(actor=r.user, lot=lot), "已开始新一轮谈判"),
    "record": (lambda r, lot: negotiation.negotiation_record(actor=r.user, lot=lot, bid_id=_bid_id(r),
                                                             minutes=r.POST.get("minutes", "")), "谈判记录已保存"),
    "change": (lambda r, lot: negotiation.requirement_change_issue(actor=r.user, lot=lot, text=r.POST.get("text", "")),
               "变动已书面通知所有参加谈判的供应商"),
    "final-call": (lambda r, lot: negotiation.final_quotation_call(actor=r.user, lot=lot, deadline=_deadline(r)),
                   "已要求供应商提交最后报价"),
    "final-quotation": (lambda r, lot: negotiation.final_quotation_submit(
        actor=r.user, lot=lot, total_price=r.POST.get("total_price", "")), "最后报价已密封提交"),
    "final-open": (lambda r, lot: negotiation.final_quotations_open(actor=r.user, lot=lot), "最后报价已开启"),
}


@requires(AUTHENTICATED)
@require_POST
def negotiation_action_view(request, lot_id: int, action: str):
    return lot_action_run(request, _lot(request, lot_id), actions=ACTIONS, action=action,
                          page="tendering:lot_negotiation")


urlpatterns = [
    path("lots/<int:lot_id>/negotiation/", negotiation_view, name="lot_negotiation"),
    path("lots/<int:lot_id>/negotiation/<slug:action>/", negotiation_action_view, name="lot_negotiation_action"),
]
