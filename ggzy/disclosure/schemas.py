import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from ggzy.core.api_errors import TEXT_MAX, column_limit
from ggzy.core.money import Money

from .models import Notice


class NoticePublicOut(Schema):
    id: int
    notice_type: str
    notice_type_label: str
    category_code: str
    category_name: str
    title: str
    center_code: str
    center_name: str
    region_code: str
    region_name: str
    project_code: str
    budget: Decimal | None
    deadline: dt.datetime | None
    published_at: dt.datetime
    status: str

    @staticmethod
    def from_notice(n) -> "NoticePublicOut":
        return NoticePublicOut(
            id=n.pk, notice_type=n.notice_type, notice_type_label=n.get_notice_type_display(),
            category_code=n.category_code, category_name=n.category_name, title=n.title,
            center_code=n.center.code, center_name=n.center.name, region_code=n.region.code,
            region_name=n.region.name, project_code=n.project_code, budget=n.budget, deadline=n.deadline,
            published_at=n.published_at, status=n.status)


class NoticeLinkOut(Schema):
    kind: str  # lot / signup / tender_notice
    url: str


class NoticeAttachmentOut(Schema):
    name: str
    sha256: str
    size: int | None = None


class NoticeDetailPublicOut(NoticePublicOut):
    body: str
    withdrawn_reason: str
    links: list[NoticeLinkOut] = []
    attachments: list[NoticeAttachmentOut] = []


class NoticePageOut(Schema):
    count: int = Field(description="匹配的公告数，最多数到 1000")
    count_capped: bool = Field(False, description="为 true 时匹配超过 1000 条，count 为 1000")
    page: int
    page_size: int
    items: list[NoticePublicOut]


class NoticeIn(Schema):
    notice_type: str = Field(max_length=column_limit(Notice, "notice_type"))
    category_code: str = Field(max_length=column_limit(Notice, "category_code"))
    region_code: str = Field(max_length=6)
    title: str = Field(max_length=column_limit(Notice, "title"))
    body: str = Field(max_length=TEXT_MAX)
    project_code: str = Field("", max_length=column_limit(Notice, "project_code"))
    budget: Money | None = None
    deadline: dt.datetime | None = None


class WithdrawIn(Schema):
    reason: str = Field(max_length=column_limit(Notice, "withdrawn_reason"))


class ImportRowOut(Schema):
    index: int  # the release's position in the file, from 1 (the line number for JSON Lines)
    outcome: str  # imported | duplicate | refused
    source_id: str  # ocid/release id
    notice_id: int | None
    field: str  # the OCDS field a refusal names
    reason: str


class ImportReportOut(Schema):
    source_system: str
    imported: int
    duplicates: int
    refused: int
    rows: list[ImportRowOut]
