"""Experts maintain their own record: contact and availability apply at once; a change of employer or title waits
for center staff (one pending request per expert)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import DomainError, NotAllowed
from ggzy.core.roles import Role

from ..models import ChangeRequestStatus, Expert, ExpertChangeRequest, TitleLevel

DIRECT_FIELDS = ("phone", "available", "unavailable_until")
REVIEWED_FIELDS = ("employer_name", "title", "title_level")
_PHONE = re.compile(r"^1\d{10}$")


def _clean(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    direct: dict[str, Any] = {}
    reviewed: dict[str, Any] = {}
    if "phone" in data:
        phone = str(data["phone"] or "").strip()
        if phone and not _PHONE.match(phone):
            raise DomainError("手机号码应为11位数字", field="phone")
        direct["phone"] = phone
    if "available" in data:
        direct["available"] = bool(data["available"])
    if "unavailable_until" in data:
        until = data["unavailable_until"] or None
        if isinstance(until, str):
            try:
                until = dt.date.fromisoformat(until)
            except ValueError:
                raise DomainError("日期格式应为 YYYY-MM-DD", field="unavailable_until") from None
        if until is not None and until < clock.today():
            raise DomainError("暂不可抽取截止日期不能早于今天", field="unavailable_until")
        direct["unavailable_until"] = until
    for key in ("employer_name", "title"):
        if key in data:
            value = str(data[key] or "").strip()
            if not value:
                raise DomainError("此项为必填项", field=key)
            if len(value) > (200 if key == "employer_name" else 64):
                raise DomainError("内容过长", field=key)
            reviewed[key] = value
    if "title_level" in data:
        if data["title_level"] not in TitleLevel.values:
            raise DomainError("职称级别应为 正高级/副高级/中级/其他", field="title_level")
        reviewed["title_level"] = data["title_level"]
    return direct, reviewed


@transaction.atomic
def expert_profile_update(*, actor, expert: Expert, data: dict[str, Any]) -> ExpertChangeRequest | None:
    """Apply the direct fields; open a change request for employer/title changes (None when there is none)."""
    if actor is None or actor.role != Role.EXPERT or expert.user_id != actor.pk:
        raise NotAllowed("只能修改本人的专家信息", field="__all__")
    direct, reviewed = _clean(data)
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    before = {k: getattr(expert, k) for k in direct}
    for key, value in direct.items():
        setattr(expert, key, value)
    reviewed = {k: v for k, v in reviewed.items() if getattr(expert, k) != v}
    request = None
    if reviewed:
        if ExpertChangeRequest.objects.filter(expert=expert, status=ChangeRequestStatus.PENDING).exists():
            raise DomainError("已有待审核的变更申请，请等待审核后再提交", field="employer_name")
        request = ExpertChangeRequest.objects.create(
            expert=expert,
            changes=reviewed,
            previous={k: getattr(expert, k) for k in reviewed},
            requested_at=clock.now(),
        )
    if direct:
        expert.updated_at = clock.now()
        expert.save()
        audit_record(
            actor=actor,
            action="experts.profile.update",
            obj=expert,
            before={k: str(v) for k, v in before.items() if k != "phone"},
            after={k: str(v) for k, v in direct.items() if k != "phone"},
        )
    return request


@transaction.atomic
def change_request_decide(
    *, actor, request: ExpertChangeRequest, approve: bool, reason: str = ""
) -> ExpertChangeRequest:
    """Center staff approve (the changes apply) or return (with a reason) an expert's change of employer/title."""
    if actor is None or actor.role not in (Role.CENTER_STAFF, Role.ADMIN):
        raise NotAllowed("只有交易中心工作人员可以审核专家信息变更", field="__all__")
    request = ExpertChangeRequest.objects.select_for_update().select_related("expert").get(pk=request.pk)
    if request.status != ChangeRequestStatus.PENDING:
        raise DomainError("该申请已审核", field="status")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise DomainError("退回时须填写理由", field="reason")
    if approve:
        expert = request.expert
        for key, value in request.changes.items():
            if key in REVIEWED_FIELDS:
                setattr(expert, key, value)
        if "employer_name" in request.changes:
            expert.employer = None
        expert.updated_at = clock.now()
        expert.save()
    request.status = ChangeRequestStatus.APPROVED if approve else ChangeRequestStatus.REJECTED
    request.decided_by, request.decided_at, request.reason = actor, clock.now(), reason[:500]
    request.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    audit_record(
        actor=actor,
        action="experts.change.decide",
        obj=request,
        after={"status": request.status, "changes": request.changes},
    )
    return request
