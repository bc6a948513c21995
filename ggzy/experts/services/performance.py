"""Performance record: ratings after an evaluation by the center and the tenderer, and penalties."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import DomainError, NotAllowed
from ggzy.core.roles import Role

from ..models import Expert, ExpertPenalty, ExpertRating, PenaltyKind, RaterRole

MARKS = ("attendance", "punctuality", "quality", "conduct")
MARK_LABELS = {"attendance": "出勤", "punctuality": "守时", "quality": "评审质量", "conduct": "职业操守"}


def _rater_role(actor) -> str:
    if actor is not None and actor.role in (Role.CENTER_STAFF, Role.ADMIN):
        return RaterRole.CENTER
    if actor is not None and actor.role in (Role.TENDERER, Role.AGENCY):
        return RaterRole.TENDERER  # the tenderer's side: the tenderer or its agency (one rating for both)
    raise NotAllowed("只有交易中心和招标人可以评价专家", field="__all__")


def expert_rate(
    *, actor, expert: Expert, subject_code: str, marks: dict[str, object], comment: str = ""
) -> ExpertRating:
    """One rating per expert, lot and rater side (the center; the tenderer or its agency); marks 1–5 each. Whether
    the rater may rate this lot (the lot's tenderer/agency, the lot's center, after the report is signed) is checked
    by the caller that knows the lot (``tendering.views_ratings``)."""
    role = _rater_role(actor)
    subject_code = (subject_code or "").strip()
    if not subject_code or len(subject_code) > 64:
        raise DomainError("请填写标段编号（不超过64个字符）", field="subject_code")
    values: dict[str, int] = {}
    for key in MARKS:
        raw = marks.get(key)
        try:
            value = int(str(raw))
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            raise DomainError(f"{MARK_LABELS[key]}评分应为1至5的整数", field=key)
        values[key] = value
    if len(comment or "") > 500:
        raise DomainError("评语不能超过500字", field="comment")
    try:
        with transaction.atomic():
            rating = ExpertRating.objects.create(
                expert=expert,
                subject_code=subject_code,
                rater_role=role,
                comment=(comment or "").strip(),
                rated_at=clock.now(),
                rated_by=actor,
                **values,
            )
            audit_record(
                actor=actor,
                action="experts.rating.create",
                obj=rating,
                after={"subject_code": subject_code, "rater_role": role, **values},
            )
    except IntegrityError:
        raise DomainError("本标段已评价过该专家", field="subject_code") from None
    return rating


@transaction.atomic
def expert_penalty_record(
    *, actor, expert: Expert, kind: str, reason: str, decided_on: dt.date, until: dt.date | None = None
) -> ExpertPenalty:
    """Record a penalty (bidding matters / bad credit / other); while it runs the draw avoids the expert."""
    if actor is None or actor.role not in (Role.CENTER_STAFF, Role.SUPERVISOR, Role.ADMIN):
        raise NotAllowed("只有交易中心或行政监督部门可以登记专家处理记录", field="__all__")
    if kind not in PenaltyKind.values:
        raise DomainError("处理类型无效", field="kind")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写处理事由", field="reason")
    if until is not None and until < decided_on:
        raise DomainError("期限不能早于决定日期", field="until")
    penalty = ExpertPenalty.objects.create(
        expert=expert,
        kind=kind,
        reason=reason[:500],
        decided_on=decided_on,
        until=until,
        decided_by=actor,
        recorded_at=clock.now(),
    )
    audit_record(
        actor=actor,
        action="experts.penalty.create",
        obj=penalty,
        after={"kind": kind, "decided_on": str(decided_on), "until": str(until or "")},
    )
    return penalty
