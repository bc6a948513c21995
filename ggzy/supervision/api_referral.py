"""Referrals API: ``/api/v1/supervision/powers`` (the power lists) and ``/api/v1/supervision/referrals…`` — the
center refers a confirmed alert or a case by hand, the department records each step. Same services and selectors
as the pages."""

import datetime as dt
from typing import Any

from django.http import Http404
from ninja import Field, Router, Schema, Status

from ggzy.core.api_errors import ACTION, LOOKUP, ObjectId, answers
from ggzy.core.errors import DomainError, NotFound
from ggzy.core.permissions import requires, roles
from ggzy.core.roles import Role

from . import selectors_referral as sel
from . import services_referral as svc
from .models import Alert, Referral

router = Router()
READERS = roles(Role.CENTER_STAFF, Role.SUPERVISOR, Role.ADMIN)
STAFF = roles(Role.CENTER_STAFF, Role.ADMIN)
LIST_MAX = 200


class PowerItemOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    kind: str
    department_code: str
    department_name: str
    legal_basis: str
    category_codes: list[str]
    matters: str
    time_limit_days: int
    time_limit_verify: bool
    effective_from: dt.date
    effective_until: dt.date | None


class StepOut(Schema):
    action: str
    from_state: str
    to_state: str
    at: dt.datetime
    note: str


class ReferralOut(Schema):
    id: int
    number: str
    state: str
    overdue: bool
    lot_id: int | None
    alert_id: int | None
    evidence_sha256: str
    power_item: str
    department: str
    title: str
    facts: str
    subjects: list[dict[str, str]]
    referred_at: dt.datetime
    due_on: dt.date
    due_estimated: bool
    outcome: str
    decision_no: str
    decided_on: dt.date | None
    restriction_months: int
    penalised: list[dict[str, str]]
    steps: list[StepOut]

    @staticmethod
    def build(r: Referral) -> dict[str, Any]:
        return {"id": r.pk, "number": r.number, "state": r.state, "overdue": sel.is_overdue(r), "lot_id": r.lot_id,
                "alert_id": r.alert_id, "evidence_sha256": r.evidence_sha256, "power_item": r.power_item.code,
                "department": r.department.code, "title": r.title, "facts": r.facts, "subjects": r.subjects,
                "referred_at": r.referred_at, "due_on": r.due_on, "due_estimated": r.due_estimated,
                "outcome": r.outcome, "decision_no": r.decision_no, "decided_on": r.decided_on,
                "restriction_months": r.restriction_months, "penalised": r.penalised,
                "steps": [{"action": s.action, "from_state": s.from_state, "to_state": s.to_state, "at": s.at,
                           "note": s.note} for s in r.steps.all()]}


class ReferralIn(Schema):
    power_item_id: ObjectId
    alert_id: ObjectId | None = None
    lot_id: ObjectId | None = None
    title: str = Field("", max_length=svc.TITLE_MAX)
    facts: str = Field(max_length=svc.TEXT_MAX)
    subject_ids: list[ObjectId] = Field([], max_length=svc.SUBJECTS_MAX)


class StepIn(Schema):
    action: str = Field(max_length=16, description="accept / return / investigate / decide / close")
    note: str = Field(max_length=svc.TEXT_MAX, description="受理意见、退回理由、调查记录、决定内容或办结说明")
    outcome: str = Field("", max_length=16, description="decide: penalty / no_violation")
    decision_no: str = Field("", max_length=svc.DECISION_NO_MAX)
    penalty: str = Field("", max_length=svc.TEXT_MAX)
    restriction_months: int = Field(0, ge=0, le=svc.RESTRICTION_MONTHS_MAX)
    penalised: list[str] = Field([], max_length=svc.SUBJECTS_MAX, description="受处罚主体的统一社会信用代码")


@router.get("/powers", response=answers(list[PowerItemOut], 401, 403), summary="权责清单（现行有效事项）")
@requires(READERS)
def power_list(request):
    return [{"id": p.pk, "code": p.code, "name": p.name, "name_en": p.name_en, "kind": p.kind,
             "department_code": p.department.code, "department_name": p.department.name,
             "legal_basis": p.legal_basis, "category_codes": list(p.category_codes), "matters": p.matters,
             "time_limit_days": p.time_limit_days, "time_limit_verify": p.time_limit_verify,
             "effective_from": p.effective_from, "effective_until": p.effective_until}
            for p in sel.power_items_active().order_by("department__code", "code")]


@router.get("/referrals", response=answers(list[ReferralOut], 401, 403), summary="移交案件（逾期在前）")
@requires(READERS)
def referral_list(request):
    return [ReferralOut.build(r) for r, _ in sel.referrals_with_deadlines(user=request.user, limit=LIST_MAX)]


def _referral(request, referral_id: int) -> Referral:
    try:
        return sel.referral_get(user=request.user, referral_id=referral_id)
    except NotFound:
        raise Http404 from None


@router.get("/referrals/{referral_id}", response=answers(ReferralOut, *LOOKUP), summary="移交案件详情与办理记录")
@requires(READERS)
def referral_detail(request, referral_id: ObjectId):
    return ReferralOut.build(_referral(request, referral_id))


@router.post("/referrals", response=answers(ReferralOut, *ACTION, status=201), summary="移交案件（交易中心）")
@requires(STAFF)
def referral_create(request, payload: ReferralIn):
    alert = None
    if payload.alert_id is not None:
        alert = Alert.objects.filter(pk=payload.alert_id).first()
        if alert is None or not (request.user.is_provincial or alert.center_id == request.user.center_id):
            raise DomainError("预警不存在", field="alert_id")
    referral = svc.referral_create(actor=request.user, power_item_id=payload.power_item_id, alert=alert,
                                   lot_id=payload.lot_id, title=payload.title, facts=payload.facts,
                                   subject_ids=payload.subject_ids)
    return Status(201, ReferralOut.build(referral))


@router.post("/referrals/{referral_id}/steps", response=answers(ReferralOut, *ACTION),
             summary="办理移交案件：受理、退回、调查、决定、办结（承办部门）")
@requires(READERS)
def referral_step(request, referral_id: ObjectId, payload: StepIn):
    referral = svc.referral_act(actor=request.user, referral=_referral(request, referral_id), action=payload.action,
                                note=payload.note, outcome=payload.outcome, decision_no=payload.decision_no,
                                penalty=payload.penalty, restriction_months=payload.restriction_months,
                                penalised=payload.penalised)
    return ReferralOut.build(referral)
