"""Public notices API and staff publishing."""

import datetime as dt

from django.http import Http404
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from ggzy.accounts.roles import Role
from ggzy.core.api_errors import ObjectId, answers
from ggzy.core.errors import DomainError
from ggzy.core.permissions import PUBLIC, requires, roles
from ggzy.registry.models import Center, Region

from . import selectors, services, services_import
from .schemas import (
    ImportReportOut,
    ImportRowOut,
    NoticeAttachmentOut,
    NoticeDetailPublicOut,
    NoticeIn,
    NoticeLinkOut,
    NoticePageOut,
    NoticePublicOut,
    WithdrawIn,
)

router = Router()
MAX_PAGE_SIZE = 100
COUNT_CAP = 1000  # matches are counted this far (ADR 0016); past it ``count_capped`` says "more"
MAX_PAGE = 100_000  # past the last page the list is empty; beyond this the offset is a mistake


class NoticeFilters(Schema):
    q: str = Field("", max_length=100)
    city: str = Field("", max_length=6)
    category: str = Field("", max_length=2)
    notice_type: str = Field("", max_length=32)
    stage: str = Field("", max_length=16, description="announcement | change | publicity | result | ended")
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


@router.get("/notices", response=answers(NoticePageOut, 400), summary="公告列表（公开）")
@requires(PUBLIC)
def notice_list(request, filters: Query[NoticeFilters]):
    results = selectors.notice_search_public(q=filters.q, city=filters.city, category=filters.category,
                                             notice_type=filters.notice_type, stage=filters.stage,
                                             date_from=filters.date_from, date_to=filters.date_to)
    start = (filters.page - 1) * filters.page_size
    items = [NoticePublicOut.from_notice(n) for n in results[start:start + filters.page_size]]
    count = results.count_upto(COUNT_CAP)
    return NoticePageOut(count=min(count, COUNT_CAP), count_capped=count > COUNT_CAP, page=filters.page,
                         page_size=filters.page_size, items=items)


def _detail(notice) -> NoticeDetailPublicOut:
    base = NoticePublicOut.from_notice(notice).dict()
    return NoticeDetailPublicOut(**base, body=notice.body, withdrawn_reason=notice.withdrawn_reason,
                                 links=[NoticeLinkOut(kind=link["kind"], url=link["url"]) for link in notice.links or []],
                                 attachments=[NoticeAttachmentOut(**a) for a in notice.attachments or []])


@router.get("/notices/{notice_id}", response=answers(NoticeDetailPublicOut, 400, 404), summary="公告详情（公开）")
@requires(PUBLIC)
def notice_detail(request, notice_id: ObjectId):
    notice = selectors.notice_get_public(notice_id=notice_id)
    if notice is None:
        raise Http404
    return _detail(notice)


@router.post("/notices", response=answers(NoticeDetailPublicOut, 400, 401, 403, status=201), summary="发布公告（交易中心工作人员）")
@requires(roles(Role.CENTER_STAFF, Role.ADMIN))
def notice_create(request, payload: NoticeIn):
    region = Region.objects.filter(code=payload.region_code).first()
    if region is None:
        raise DomainError("行政区划代码不存在", field="region_code")
    data = payload.dict()
    data.pop("region_code")
    notice = services.notice_publish(actor=request.user, center=request.user.center, region=region, **data)
    return Status(201, _detail(notice))


@router.post("/notices/{notice_id}/withdraw", response=answers(NoticeDetailPublicOut, 400, 401, 403, 404, 409), summary="撤回公告")
@requires(roles(Role.CENTER_STAFF, Role.ADMIN))
def notice_withdraw(request, notice_id: ObjectId, payload: WithdrawIn):
    notice = selectors.notice_list_visible(user=request.user).filter(pk=notice_id).first()
    if notice is None:
        raise Http404
    return _detail(services.notice_withdraw(actor=request.user, notice=notice, reason=payload.reason))


class ImportParams(Schema):
    source_system: str = Field(min_length=1, max_length=services_import.SOURCE_SYSTEM_MAX,
                               description="来源系统名称，如“某省公共资源交易平台”")
    center: str = Field("", max_length=6, description="导入到哪个交易中心（代码），缺省为本人所在中心")
    source_format: str = Field("ocds", pattern="^(ocds|national)$",
                               description="文件格式：ocds（缺省）或 national（全国交换格式）")


@router.post("/imports", response=answers(ImportReportOut, 400, 401, 403), summary="导入外部公告（OCDS 或全国交换格式，交易中心工作人员）")
@requires(roles(Role.CENTER_STAFF, Role.ADMIN))
def notice_import(request, params: Query[ImportParams], file: File[UploadedFile] = None):  # type: ignore[assignment]
    """The body is the OCDS file itself (a release package, a record package or JSON Lines), either as the
    multipart field ``file`` or as the request body; the answer lists every release: imported, skipped as a
    duplicate, or refused with the field and the reason."""
    center = request.user.center
    if params.center:
        center = Center.objects.filter(code=params.center).first()
        if center is None:
            raise DomainError("交易中心代码不存在", field="center")
    if center is None:
        raise DomainError("账号未关联交易中心，请指定 center", field="center")
    if file is None and request.content_type == "multipart/form-data":
        raise DomainError("请上传 OCDS 文件", field="file")
    data = file.read() if file is not None else request.body
    importer = (services_import.notices_import_national if params.source_format == "national"
                else services_import.notices_import_ocds)
    report = importer(actor=request.user, center=center, data=data, source_system=params.source_system)
    return ImportReportOut(source_system=report.source_system, imported=report.imported,
                           duplicates=report.duplicates, refused=report.refused,
                           rows=[ImportRowOut(**vars(row)) for row in report.rows])
