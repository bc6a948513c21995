"""Writes of the disclosure app: publishing and withdrawing notices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record, snapshot
from ggzy.core.errors import DomainError, NotAllowed
from ggzy.publication.models import PublicationKind
from ggzy.publication.services import publication_record

from . import policies, search
from .categories import portal_categories
from .models import Notice, NoticeStatus, NoticeType

TITLE_MAX = 200


def notice_publish(*, actor, center, region, notice_type: str, category_code: str, title: str, body: str,
                   project_code: str = "", budget: Decimal | None = None, deadline: dt.datetime | None = None,
                   published_at: dt.datetime | None = None, by_procedure: bool = False,
                   links: list[dict] | None = None, attachments: list[dict] | None = None) -> Notice:
    """Publish a notice on the portal now (published_at is only for importing earlier notices).

    ``by_procedure=True`` is for a domain service that has already checked its own policy (e.g. a clarification
    filed by the agency is published by the platform at once)."""
    if not by_procedure and not policies.can_publish_notice(actor, center):
        raise NotAllowed("只有本中心工作人员可以发布公告", field="center")
    errors: dict[str, str] = {}
    title = (title or "").strip()
    body = (body or "").strip()
    if not title:
        errors["title"] = "标题不能为空"
    elif len(title) > TITLE_MAX:
        errors["title"] = f"标题不能超过{TITLE_MAX}个字"
    if not body:
        errors["body"] = "正文不能为空"
    if notice_type not in NoticeType.values:
        errors["notice_type"] = "公告类型无效"
    categories = portal_categories()
    if category_code not in categories:
        errors["category_code"] = "交易类别无效"
    if region is None:
        errors["region"] = "请选择项目所在地"
    elif not _region_within(region, center):
        errors["region"] = "项目所在地不在本中心服务区域内"
    if budget is not None and budget < 0:
        errors["budget"] = "金额必须为非负数"
    now = clock.now()
    if deadline is not None and deadline <= now and published_at is None:
        errors["deadline"] = "截止时间必须晚于当前时间"
    if errors:
        raise DomainError(errors=errors)
    with transaction.atomic():
        notice = Notice.objects.create(
            center=center, region=region, notice_type=notice_type, category_code=category_code,
            category_name=categories[category_code], title=title, body=body, project_code=project_code,
            budget=budget, deadline=deadline, published_at=published_at or now,
            published_by=actor if getattr(actor, "is_authenticated", False) else None,
            links=list(links or []), attachments=list(attachments or []))
        search.index_notice(notice)
        audit_record(actor=actor, action="notice.publish", obj=notice, after=snapshot(notice, exclude=["body"]))
        publication_record(kind=_push_kind(notice_type), action="publish", object_type="notice",
                           object_id=str(notice.pk), content=notice_push_content(notice),
                           published_at=notice.published_at)
    return notice


def notice_withdraw(*, actor, notice: Notice, reason: str) -> Notice:
    """Withdraw a published notice; the reason is shown in its place."""
    if not policies.can_withdraw_notice(actor, notice):
        raise NotAllowed("只有本中心工作人员可以撤回公告")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写撤回原因", field="reason")
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.status != NoticeStatus.PUBLISHED:
            raise DomainError("该公告已撤回", field="status")
        locked.status = NoticeStatus.WITHDRAWN
        locked.withdrawn_reason = reason[:255]
        locked.save(update_fields=["status", "withdrawn_reason"])
        search.unindex_notice(locked.pk)
        audit_record(actor=actor, action="notice.withdraw", obj=locked,
                     before={"status": NoticeStatus.PUBLISHED}, after={"status": locked.status, "reason": reason})
        publication_record(kind=PUSH_CHANGE, action="withdraw", object_type="notice", object_id=str(locked.pk),
                           content=notice_push_content(locked), published_at=clock.now())
    return locked


def _region_within(region, center) -> bool:
    """A center serves its own region and the regions below it (the provincial center serves all)."""
    if center.region_id == region.pk or center.is_provincial:
        return True
    return region.parent_id == center.region_id


# --- publication push (ggzy.publication): what a subscriber receives of a notice ---------------------------------

PUSH_NOTICE, PUSH_CHANGE, PUSH_RESULT = PublicationKind.NOTICE, PublicationKind.CHANGE, PublicationKind.RESULT
_PUSH_KINDS = {NoticeType.CHANGE: PUSH_CHANGE, NoticeType.CANDIDATES: PUSH_RESULT, NoticeType.RESULT: PUSH_RESULT,
               NoticeType.CONTRACT: PUSH_RESULT, NoticeType.DEAL: PUSH_RESULT, NoticeType.FAILURE: PUSH_RESULT,
               NoticeType.TERMINATION: PUSH_RESULT}


def _push_kind(notice_type: str) -> str:
    """公告 (tender, procurement, listing, prequalification), 更正 (change), 结果 (candidates … termination)."""
    return str(_PUSH_KINDS.get(notice_type, PUSH_NOTICE))  # type: ignore[call-overload]


def notice_push_content(notice: Notice) -> dict:
    """The notice as the portal shows it to an anonymous reader (no publisher account, no internal ids beyond the
    notice's own); the publication service passes every string through the masking table's free-text rule."""
    return {"id": notice.pk, "notice_type": notice.notice_type, "center": notice.center.name,
            "region": notice.region.name, "category_code": notice.category_code,
            "category_name": notice.category_name, "title": notice.title, "body": notice.body,
            "project_code": notice.project_code, "budget": None if notice.budget is None else str(notice.budget),
            "deadline": notice.deadline.isoformat() if notice.deadline else None,
            "published_at": notice.published_at.isoformat(), "links": notice.links,
            "attachments": notice.attachments, "status": notice.status,
            "withdrawn_reason": notice.withdrawn_reason}
