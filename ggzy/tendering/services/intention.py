"""采购意向公开 — every GP method publishes the project's procurement intention (budget, requirements summary,
planned time) ahead of the procurement (《财政部关于开展政府采购意向公开工作的通知》财库〔2020〕10号: in principle at
least 30 days before the procurement activity; the figure is the template's, 待核实). Once a project has an
intention, its notices (采购公告, 单一来源公示) are refused until that period has run."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.disclosure.services import notice_publish

from .. import policies, rules
from ..models import Lot, ProcurementIntention, Project
from . import notices

KEY = "procurement_intention_before_min"
TEXT_MAX = 5000


def intention_applies(project: Project) -> bool:
    """The project's template has the intention rule (government procurement)."""
    return rules.period_optional(project, KEY) is not None


def _parse_day(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        return None


def intention_publish(*, actor, project: Project, requirements: str, planned_on) -> ProcurementIntention:
    """The purchaser (or its agency) publishes the intention; the planned time must leave the template's period."""
    project = Project.objects.select_related("center", "region").get(pk=project.pk)
    if not policies.is_project_owner(actor, project):
        raise NotAllowed("只有采购人或其代理机构可以公开采购意向")
    if not intention_applies(project):
        raise Conflict("本项目的交易规则没有采购意向公开（仅政府采购项目）", field="project")
    errors: dict[str, str] = {}
    text = (requirements or "").strip()
    if not text:
        errors["requirements"] = "请填写采购需求概况"
    elif len(text) > TEXT_MAX:
        errors["requirements"] = f"采购需求概况不得超过{TEXT_MAX}字"
    day = _parse_day(planned_on)
    now = clock.now()
    earliest = timezone.localdate(rules.after(project, KEY, now))
    if day is None:
        errors["planned_on"] = "预计采购时间格式不正确（应为日期，如 2026-06-01）"
    elif day < earliest:
        errors["planned_on"] = (f"预计采购时间应在采购意向公开{rules.describe(project, KEY)}以后"
                                f"（不早于{earliest:%Y-%m-%d}）")
    if errors or day is None:
        raise DomainError(errors=errors)
    if project.lots.exclude(state="draft").exists():
        raise Conflict("采购活动已经开始，不能再公开采购意向", field="project")
    budget = project.estimated_price
    body = "\n".join([
        f"项目名称：{project.title}　项目编号：{project.code}",
        f"采购单位：{project.tenderer.name if project.tenderer else ''}",
        f"预算金额：{notices.money(budget)}",
        "采购需求概况：", text,
        f"预计采购时间：{day:%Y年%m月}",
        "本次公开的采购意向是本单位政府采购工作的初步安排，具体采购项目情况以相关采购公告和采购文件为准。",
    ])
    try:
        with transaction.atomic():
            intention = ProcurementIntention.objects.create(project=project, requirements=text, budget=budget,
                                                            planned_on=day, published_at=now, published_by=actor)
            notice = notice_publish(actor=actor, by_procedure=True, center=project.center, region=project.region,
                                    notice_type="intention", category_code=project.category_code,
                                    title=f"{project.title}采购意向公开", body=body, project_code=project.code,
                                    budget=budget)
            intention.notice_id = notice.pk
            intention.save(update_fields=["notice_id"])
            audit_record(actor=actor, action="intention.publish", obj=intention, center_id=project.center_id,
                         after={"planned_on": day, "budget": budget,
                                "requirements_sha256": hashlib.sha256(text.encode()).hexdigest()})
    except IntegrityError:
        raise Conflict("本项目已公开采购意向", field="project") from None
    return intention


def intention_refusal(lot: Lot) -> str | None:
    """Why the lot's notice may not be published yet (its intention's period has not run), or None."""
    intention = ProcurementIntention.objects.filter(project_id=lot.project_id).first()
    if intention is None or not intention_applies(lot.project):
        return None
    ready = rules.after(lot.project, KEY, intention.published_at)
    if clock.now() < ready:
        return (f"采购意向公开（{timezone.localtime(intention.published_at):%Y-%m-%d}）至今不足"
                f"{rules.describe(lot.project, KEY)}，{timezone.localtime(ready):%Y-%m-%d %H:%M}前不得发布采购公告")
    return None


def require_intention_period(lot: Lot) -> None:
    reason = intention_refusal(lot)
    if reason:
        raise Conflict(reason, field="intention")
