"""Alerts API: ``/api/v1/supervision/…`` — the supervisor's list and detail (with the ledger proof), a lot's
alerts for its committee or supervisors, and the committee's decision. Same services and selectors as the pages."""

import datetime as dt
from typing import Any

from django.http import Http404
from ninja import Field, Query, Router, Schema

from ggzy.core.api_errors import ACTION, LOOKUP, ObjectId, answers
from ggzy.core.errors import NotAllowed, NotFound
from ggzy.core.permissions import AUTHENTICATED, requires, roles
from ggzy.core.roles import Role

from . import selectors, services
from .api_referral import router as referral_router
from .models import Alert, AlertLevel, AlertState

router = Router()
router.add_router("", referral_router)
SUPERVISORS = roles(Role.SUPERVISOR, Role.ADMIN)
LIST_MAX = 200


class AlertOut(Schema):
    id: int
    lot_id: int
    indicator: str
    version: int
    level: str
    score: float
    summary_zh: str
    summary_en: str
    subjects: list[str]
    state: str
    decision_reason: str
    decided_at: dt.datetime | None
    created_at: dt.datetime
    evidence_sha256: str

    @staticmethod
    def build(alert: Alert) -> dict[str, Any]:
        return {"id": alert.pk, "lot_id": alert.lot_id, "indicator": alert.indicator, "version": alert.version,
                "level": alert.level, "score": alert.score, "summary_zh": alert.summary_zh,
                "summary_en": alert.summary_en, "subjects": list(alert.subjects), "state": alert.state,
                "decision_reason": alert.decision_reason, "decided_at": alert.decided_at,
                "created_at": alert.created_at, "evidence_sha256": alert.evidence_sha256}


class ProofOut(Schema):
    ok: bool
    computed_sha256: str
    ledger_index: int | None
    reason_zh: str
    reason_en: str


class AlertDetailOut(AlertOut):
    evidence: dict[str, Any]
    proof: ProofOut


class AlertFilter(Schema):
    level: str = Field("", max_length=8, description="red / yellow")
    state: str = Field("", max_length=10, description="open / confirmed / dismissed / referred")


class DecisionIn(Schema):
    decision: str = Field(max_length=16, description="confirmed（认定）/ dismissed（不认定）")
    reason: str = Field(max_length=services.REASON_MAX)


def _alert(request, alert_id: int) -> Alert:
    try:
        return selectors.alert_get(user=request.user, alert_id=alert_id)
    except NotFound:
        raise Http404 from None


@router.get("/alerts", response=answers(list[AlertOut], 400, 401, 403), summary="监督范围内的预警（行政监督部门）")
@requires(SUPERVISORS)
def alert_list(request, query: Query[AlertFilter]):
    level = query.level if query.level in AlertLevel.values else ""
    state = query.state if query.state in AlertState.values else ""
    return [AlertOut.build(a) for a in selectors.supervised_alerts(user=request.user, level=level,
                                                                   state=state)[:LIST_MAX]]


@router.get("/alerts/{alert_id}", response=answers(AlertDetailOut, *LOOKUP), summary="预警详情：证据包与存证核验")
@requires(AUTHENTICATED)
def alert_detail(request, alert_id: ObjectId):
    alert = _alert(request, alert_id)
    check = selectors.alert_evidence_check(alert=alert)
    return {**AlertOut.build(alert), "evidence": alert.evidence,
            "proof": {"ok": check.ok, "computed_sha256": check.computed_sha256, "ledger_index": check.ledger_index,
                      "reason_zh": check.reason_zh, "reason_en": check.reason_en}}


@router.get("/lots/{lot_id}/alerts", response=answers(list[AlertOut], *LOOKUP),
            summary="标段的预警（本标段评标委员会、行政监督部门）")
@requires(AUTHENTICATED)
def lot_alerts(request, lot_id: ObjectId):
    if not selectors.can_see_lot_alerts(request.user, lot_id):
        raise NotAllowed("只有本标段评标委员会成员或行政监督部门可以查看预警")
    return [AlertOut.build(a) for a in selectors.lot_alerts(user=request.user, lot_id=lot_id)]


@router.post("/alerts/{alert_id}/decision", response=answers(AlertOut, *ACTION), summary="认定或不认定预警（评标委员会）")
@requires(AUTHENTICATED)
def alert_decision(request, alert_id: ObjectId, payload: DecisionIn):
    alert = services.alert_decide(actor=request.user, alert=_alert(request, alert_id), decision=payload.decision,
                                  reason=payload.reason)
    return AlertOut.build(alert)
