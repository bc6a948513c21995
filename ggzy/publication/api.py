"""The changes feed (变更流): every publication in offset order, for subscribers that pull."""

from ninja import Field, Query, Router, Schema

from ggzy.core.api_errors import MAX_ID, answers
from ggzy.core.permissions import PUBLIC, requires

from . import selectors
from .services import publication_signature

router = Router()


class FeedQuery(Schema):
    offset: int = Field(0, ge=0, le=MAX_ID, description="已读取的最大偏移量（首次为 0）")
    limit: int = Field(100, ge=1, le=selectors.FEED_MAX_LIMIT)


class FeedItemOut(Schema):
    offset: int
    kind: str
    idempotency_key: str
    content: str = Field(description="推送内容（规范化 JSON，签名覆盖的字节）")
    signature: str = Field(description="平台签章：对 content 的 UTF-8 字节的分离式 CMS 签名（DER，base64）")


class FeedOut(Schema):
    items: list[FeedItemOut]
    next_offset: int = Field(description="下次请求使用的 offset")


@router.get("/feed", response=answers(FeedOut, 400), summary="变更流（按偏移量，不漏迟到提交）")
@requires(PUBLIC)
def feed(request, query: Query[FeedQuery]):
    rows = selectors.feed_page(offset=query.offset, limit=query.limit)
    items = [FeedItemOut(offset=p.offset, kind=p.kind, idempotency_key=p.idempotency_key, content=p.content,
                         signature=publication_signature(p)) for p in rows]
    return {"items": items, "next_offset": rows[-1].offset if rows else query.offset}
