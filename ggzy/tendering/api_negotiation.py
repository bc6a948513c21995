"""竞争性谈判 API: the panel's rounds, records, changes of requirements and the call for final quotations; the
suppliers' sealed final quotations; the opening of the final quotations (the pages call the same services)."""

import datetime as dt

from django.http import Http404
from ninja import Field, Router, Schema, Status

from ggzy.accounts.roles import Role
from ggzy.core.api_errors import ACTION, LOOKUP, ObjectId, answers
from ggzy.core.permissions import AUTHENTICATED, requires, roles

from . import selectors, selectors_negotiation
from .services import negotiation

router = Router()
PANEL = roles(Role.EXPERT, Role.TENDERER, Role.CENTER_STAFF, Role.ADMIN)
BIDDER = roles(Role.BIDDER)


class RecordIn(Schema):
    bid_id: int = Field(description="响应文件编号（开标记录中的）")
    minutes: str = Field(max_length=20000, description="谈判纪要")


class ChangeIn(Schema):
    text: str = Field(max_length=20000, description="谈判文件变动内容（书面通知所有参加谈判的供应商）")


class CallIn(Schema):
    deadline: dt.datetime = Field(description="最后报价截止时间")


class FinalQuotationIn(Schema):
    total_price: str = Field(max_length=32, description="最后报价（元）")


def _lot(request, lot_id: ObjectId):
    lot = selectors.lot_get_for_user(user=request.user, lot_id=lot_id)
    if lot is None:
        raise Http404
    return lot


@router.get("/lots/{lot_id}/negotiation", response=answers(dict, *LOOKUP), summary="竞争性谈判：轮次、记录、变动与最后报价")
@requires(AUTHENTICATED)
def negotiation_get(request, lot_id: ObjectId):
    view = selectors_negotiation.negotiation_view(user=request.user, lot=_lot(request, lot_id))
    if view is None:
        raise Http404
    return view


@router.post("/lots/{lot_id}/negotiation/rounds", response=answers(dict, *ACTION, status=201),
             summary="开始下一轮谈判（谈判小组）")
@requires(PANEL)
def round_open(request, lot_id: ObjectId):
    row = negotiation.negotiation_round_open(actor=request.user, lot=_lot(request, lot_id))
    return Status(201, {"number": row.number, "opened_at": row.opened_at})


@router.post("/lots/{lot_id}/negotiation/records", response=answers(dict, *ACTION, status=201),
             summary="记录与一家供应商的单独谈判（谈判小组）")
@requires(PANEL)
def record(request, lot_id: ObjectId, payload: RecordIn):
    row = negotiation.negotiation_record(actor=request.user, lot=_lot(request, lot_id), bid_id=payload.bid_id,
                                         minutes=payload.minutes)
    return Status(201, {"id": row.pk, "round": row.round.number, "bid_id": row.bid_id})


@router.post("/lots/{lot_id}/negotiation/changes", response=answers(dict, *ACTION, status=201),
             summary="谈判文件变动，书面通知所有参加谈判的供应商（谈判小组）")
@requires(PANEL)
def change(request, lot_id: ObjectId, payload: ChangeIn):
    row = negotiation.requirement_change_issue(actor=request.user, lot=_lot(request, lot_id), text=payload.text)
    return Status(201, {"id": row.pk, "round": row.round.number, "notified": len(row.notified), "sha256": row.sha256})


@router.post("/lots/{lot_id}/negotiation/final-call", response=answers(dict, *ACTION),
             summary="要求供应商提交最后报价（谈判小组组长）")
@requires(PANEL)
def final_call(request, lot_id: ObjectId, payload: CallIn):
    lot = negotiation.final_quotation_call(actor=request.user, lot=_lot(request, lot_id), deadline=payload.deadline)
    return {"state": lot.state, "final_quote_deadline": lot.final_quote_deadline}


@router.post("/lots/{lot_id}/negotiation/final-quotation", response=answers(dict, *ACTION, status=201),
             summary="提交最后报价（供应商，密封至开启）")
@requires(BIDDER)
def final_quotation(request, lot_id: ObjectId, payload: FinalQuotationIn):
    row = negotiation.final_quotation_submit(actor=request.user, lot=_lot(request, lot_id),
                                             total_price=payload.total_price)
    return Status(201, {"arrived_at": row.arrived_at, "sealed_sha256": row.sealed_sha256})


@router.post("/lots/{lot_id}/negotiation/final-open", response=answers(dict, *ACTION),
             summary="开启最后报价（谈判小组组长或中心工作人员）")
@requires(PANEL)
def final_open(request, lot_id: ObjectId):
    rows = negotiation.final_quotations_open(actor=request.user, lot=_lot(request, lot_id))
    return {"opened": [{"bid_id": r.bid_id, "price": r.price} for r in rows]}
