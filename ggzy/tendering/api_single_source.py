"""单一来源 API: the purchaser's publicity, answers, negotiation start and result; anyone's objection."""

from django.http import Http404
from ninja import Field, Router, Schema, Status

from ggzy.accounts.roles import Role
from ggzy.core.api_errors import ACTION, LOOKUP, ObjectId, answers
from ggzy.core.permissions import AUTHENTICATED, PUBLIC, requires, roles

from . import selectors, selectors_single_source
from .models import SingleSourceObjection
from .services import single_source

router = Router()
OWNERS = roles(Role.TENDERER, Role.AGENCY)


class PublicityIn(Schema):
    supplier_code: str = Field(max_length=18, description="拟定供应商的统一社会信用代码")
    reasons: str = Field(max_length=20000, description="采用单一来源方式的理由")


class ObjectionIn(Schema):
    text: str = Field(max_length=20000, description="异议内容")


class ObjectionAnswerIn(Schema):
    answer: str = Field(max_length=20000, description="书面答复")
    is_upheld: bool = Field(description="异议是否成立（成立则不得采用单一来源方式）")


class DealIn(Schema):
    price: str = Field(max_length=32, description="成交价格（元）")
    price_basis: str = Field(max_length=20000, description="价格依据")
    minutes: str = Field(max_length=20000, description="协商情况记录")


def _lot(request, lot_id: ObjectId):
    lot = selectors.lot_get_for_user(user=request.user, lot_id=lot_id)
    if lot is None:
        raise Http404
    return lot


@router.get("/lots/{lot_id}/single-source", response=answers(dict, *LOOKUP), summary="单一来源：公示、异议与协商结果")
@requires(PUBLIC)
def single_source_get(request, lot_id: ObjectId):
    view = selectors_single_source.single_source_view(user=request.user, lot=_lot(request, lot_id))
    if view is None:
        raise Http404
    return view


@router.post("/lots/{lot_id}/single-source/publicity", response=answers(dict, *ACTION, status=201),
             summary="发布单一来源公示（采购人、代理机构）")
@requires(OWNERS)
def publicity(request, lot_id: ObjectId, payload: PublicityIn):
    row = single_source.single_source_publicize(actor=request.user, lot=_lot(request, lot_id),
                                                supplier_code=payload.supplier_code, reasons=payload.reasons)
    return Status(201, {"ends_at": row.ends_at, "notice_id": row.notice_id})


@router.post("/lots/{lot_id}/single-source/objections", response=answers(dict, *ACTION, status=201),
             summary="对单一来源公示提出异议（公示期内）")
@requires(AUTHENTICATED)
def objection(request, lot_id: ObjectId, payload: ObjectionIn):
    row = single_source.single_source_objection_raise(actor=request.user, lot=_lot(request, lot_id), text=payload.text)
    return Status(201, {"id": row.pk, "raised_at": row.raised_at})


@router.post("/lots/{lot_id}/single-source/objections/{objection_id}/answer", response=answers(dict, *ACTION),
             summary="答复单一来源公示异议（采购人、代理机构）")
@requires(OWNERS)
def objection_answer(request, lot_id: ObjectId, objection_id: ObjectId, payload: ObjectionAnswerIn):
    lot = _lot(request, lot_id)
    found = SingleSourceObjection.objects.filter(pk=objection_id, lot=lot).first()
    if found is None:
        raise Http404
    row = single_source.single_source_objection_answer(actor=request.user, objection=found, answer=payload.answer,
                                                       is_upheld=payload.is_upheld)
    return {"id": row.pk, "is_upheld": row.is_upheld}


@router.post("/lots/{lot_id}/single-source/negotiation", response=answers(dict, *ACTION),
             summary="公示期满后开始与供应商协商（采购人、代理机构）")
@requires(OWNERS)
def negotiation_start(request, lot_id: ObjectId):
    lot = single_source.single_source_negotiation_start(actor=request.user, lot=_lot(request, lot_id))
    return {"state": lot.state}


@router.post("/lots/{lot_id}/single-source/deal", response=answers(dict, *ACTION, status=201),
             summary="记录协商结果与价格依据，发布成交结果公告（采购人、代理机构）")
@requires(OWNERS)
def deal(request, lot_id: ObjectId, payload: DealIn):
    row = single_source.single_source_conclude(actor=request.user, lot=_lot(request, lot_id), price=payload.price,
                                               price_basis=payload.price_basis, minutes=payload.minutes)
    return Status(201, {"price": row.price, "concluded_at": row.concluded_at})
