"""/api/v1/centers: ratings of trading centers and agencies (the supervisors' averages; the third-party channel)."""


from ninja import Router, Schema, Status

from ggzy.accounts.client_address import client_address
from ggzy.core.api_errors import answers
from ggzy.core.errors import DomainError
from ggzy.core.permissions import PUBLIC, requires
from ggzy.registry.models import Center

from . import selectors_ratings, services_ratings
from .models import RatingSubject
from .views_ratings import SUPERVISORS

router = Router()


class RatingScoresIn(Schema):
    compliance: int | str | None = None  # 依法规范 1–5
    efficiency: int | str | None = None  # 办事效率 1–5
    attitude: int | str | None = None  # 服务态度 1–5
    transparency: int | str | None = None  # 公开透明 1–5
    comment: str | None = None


class ThirdPartyRatingIn(RatingScoresIn):
    subject: str  # center / agency
    center_code: str | None = None
    agency_credit_code: str | None = None


class RatingOut(Schema):
    id: int
    subject: str
    rater_kind: str
    compliance: int
    efficiency: int
    attitude: int
    transparency: int


class RatingRowOut(Schema):
    id: int
    name: str
    count: int
    third_party: int
    compliance: float
    efficiency: float
    attitude: float
    transparency: float
    overall: float | None


class RatingSummaryOut(Schema):
    centers: list[RatingRowOut]
    agencies: list[RatingRowOut]


def rating_out(rating) -> RatingOut:
    return RatingOut(id=rating.pk, subject=rating.subject, rater_kind=rating.rater_kind, compliance=rating.compliance,
                     efficiency=rating.efficiency, attitude=rating.attitude, transparency=rating.transparency)


@router.get("/ratings/summary", response=answers(RatingSummaryOut, 401, 403),
            summary="交易中心与代理机构评价汇总（监管人员）")
@requires(SUPERVISORS)
def rating_summary_api(request):
    return RatingSummaryOut(
        centers=[RatingRowOut(**row) for row in selectors_ratings.rating_summary(subject=RatingSubject.CENTER)],
        agencies=[RatingRowOut(**row) for row in selectors_ratings.rating_summary(subject=RatingSubject.AGENCY)])


@router.post("/ratings/third-party", response=answers(RatingOut, 400, 429, status=201),
             summary="第三方匿名评价交易中心或代理机构（按网络地址限流）")
@requires(PUBLIC)
def third_party_rating_api(request, payload: ThirdPartyRatingIn):
    center = agency = None
    if payload.subject == RatingSubject.CENTER:
        center = Center.objects.filter(code=payload.center_code or "").first()
        if center is None:
            raise DomainError("交易中心代码不存在", field="center_code")
    elif payload.subject == RatingSubject.AGENCY:
        agency = selectors_ratings.agency_entities().filter(credit_code=payload.agency_credit_code or "").first()
        if agency is None:
            raise DomainError("招标代理机构不存在", field="agency_credit_code")
    rating = services_ratings.third_party_rating_submit(subject=payload.subject, center=center, agency=agency,
                                                         data=payload.model_dump(), address=client_address(request))
    return Status(201, rating_out(rating))
