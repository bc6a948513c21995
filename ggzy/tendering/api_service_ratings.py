"""/api/v1/tendering/lots/{id}/service-ratings: a party of the lot rates its center or agency (服务评价)."""


from ninja import Router, Schema, Status

from ggzy.core.api_errors import ACTION, ObjectId, answers
from ggzy.core.errors import NotFound
from ggzy.core.permissions import AUTHENTICATED, requires

from . import service_ratings
from .models import Lot

router = Router()


class LotServiceRatingIn(Schema):
    subject: str  # center / agency (the lot's own)
    compliance: int | str | None = None  # 依法规范 1–5
    efficiency: int | str | None = None  # 办事效率 1–5
    attitude: int | str | None = None  # 服务态度 1–5
    transparency: int | str | None = None  # 公开透明 1–5
    comment: str | None = None


class LotServiceRatingOut(Schema):
    id: int
    subject: str
    rater_kind: str
    compliance: int
    efficiency: int
    attitude: int
    transparency: int


@router.post("/lots/{lot_id}/service-ratings", response=answers(LotServiceRatingOut, *ACTION, status=201),
             summary="评价标段的交易中心或代理机构（招标人、结果确定后的投标人；每项一次）")
@requires(AUTHENTICATED)
def lot_service_rating_api(request, lot_id: ObjectId, payload: LotServiceRatingIn):
    lot = Lot.objects.select_related("project__center", "project__agency").filter(pk=lot_id).first()
    if lot is None:
        raise NotFound("标段不存在", field="lot_id")
    rating = service_ratings.lot_service_rate(actor=request.user, lot=lot, subject=payload.subject,
                                              data=payload.model_dump())
    return Status(201, LotServiceRatingOut(
        id=rating.pk, subject=rating.subject, rater_kind=rating.rater_kind, compliance=rating.compliance,
        efficiency=rating.efficiency, attitude=rating.attitude, transparency=rating.transparency))
