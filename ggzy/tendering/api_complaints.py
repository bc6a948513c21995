"""API of challenges (异议/质疑) and complaints (投诉): the bidder files and withdraws, the tenderer/agency answers,
the supervision department accepts, refuses and decides. Mounted under the tendering router; the pages call the
same services. A complainant sealed before the opening is never named in an answer to anyone but itself."""


import datetime as dt

from django.http import Http404
from ninja import Field, Router, Schema, Status

from ggzy.accounts.roles import Role
from ggzy.core.api_errors import ACTION, LOOKUP, TEXT_MAX, ObjectId, answers
from ggzy.core.errors import DomainError
from ggzy.core.permissions import AUTHENTICATED, requires, roles

from . import selectors
from . import selectors_complaints as sc
from .models import Challenge, Complaint
from .schemas import AnswerIn, ReasonIn
from .services import challenges, complaints

router = Router()
BIDDER = roles(Role.BIDDER)
SUPERVISOR = roles(Role.SUPERVISOR)
ANSWERERS = roles(Role.TENDERER, Role.AGENCY, Role.CENTER_STAFF, Role.ADMIN)


class ChallengeIn(Schema):
    subject: str = Field(max_length=24, description="documents / opening / evaluation_result / other")
    facts: str = Field(max_length=TEXT_MAX, description="事实与理由")
    requests: str = Field(max_length=TEXT_MAX, description="请求事项")
    known_on: dt.date | None = Field(None, description="知道或应当知道权益受损之日（其他事项）")


class ComplaintIn(ChallengeIn):
    challenge_id: ObjectId | None = Field(None, description="前置异议（质疑）编号")


class AcceptIn(Schema):
    suspend: bool = Field(False, description="受理时责令暂停招标投标（采购）活动")


class DecideIn(Schema):
    outcome: str = Field(max_length=16, description="upheld / dismissed")
    decision: str = Field(max_length=TEXT_MAX, description="处理决定")


def _lot(request, lot_id: int):
    lot = selectors.lot_get_for_user(user=request.user, lot_id=lot_id)
    if lot is None:
        raise Http404
    return lot


def challenge_out(c: Challenge, *, complainant: str | None = None) -> dict:
    out = {"id": c.pk, "kind": c.kind, "kind_label": c.get_kind_display(), "subject": c.subject,
           "state": c.state, "facts": c.facts, "requests": c.requests, "filed_at": c.filed_at,
           "answer_due": c.answer_due, "answer": c.answer, "answered_at": c.answered_at,
           "attachment_sha256": c.attachment_sha256 or None}
    if complainant is not None:
        out["complainant"] = complainant
    return out


def complaint_out(c: Complaint, *, complainant: str | None = None) -> dict:
    out = {"id": c.pk, "lot_id": c.lot_id, "subject": c.subject, "state": c.state, "challenge_id": c.challenge_id,
           "facts": c.facts, "requests": c.requests, "filed_at": c.filed_at, "acceptance_due": c.acceptance_due,
           "decision_due": c.decision_due, "outcome": c.outcome or None, "reason": c.reason}
    if complainant is not None:
        out["complainant"] = complainant
    return out


# --- challenges -----------------------------------------------------------------------------------------------
@router.post("/lots/{lot_id}/challenges", response=answers(dict, *ACTION, status=201),
             summary="提出异议（工程）或质疑（政府采购）（投标人/供应商）")
@requires(BIDDER)
def challenge_file(request, lot_id: ObjectId, payload: ChallengeIn):
    c = challenges.challenge_file(actor=request.user, lot=_lot(request, lot_id), subject=payload.subject,
                                  facts=payload.facts, requests=payload.requests, known_on=payload.known_on)
    return Status(201, challenge_out(c))


@router.get("/lots/{lot_id}/challenges", response=answers(dict, *LOOKUP), summary="标段的异议（质疑）")
@requires(AUTHENTICATED)
def challenge_list(request, lot_id: ObjectId):
    """Answerers see every challenge (a sealed complainant unnamed); a bidder its own and the published answers."""
    lot = _lot(request, lot_id)
    rows = sc.challenges_for_answerer(request.user, lot)
    names = sc.complainant_names(rows)
    return {"all": [challenge_out(c, complainant=names[c.pk]) for c in rows],
            "mine": [challenge_out(c) for c in sc.own_challenges(request.user, lot)],
            "published_answers": sc.published_answers(request.user, lot)}


@router.post("/challenges/{challenge_id}/answer", response=answers(dict, *ACTION), summary="答复异议（质疑）")
@requires(ANSWERERS)
def challenge_answer(request, challenge_id: ObjectId, payload: AnswerIn):
    row = sc.challenge_get_for_answerer(request.user, challenge_id)
    if row is None:
        raise Http404
    return challenge_out(challenges.challenge_answer(actor=request.user, challenge=row, answer=payload.answer))


@router.post("/challenges/{challenge_id}/withdraw", response=answers(dict, *ACTION), summary="撤回异议（质疑）")
@requires(BIDDER)
def challenge_withdraw(request, challenge_id: ObjectId):
    row = sc.own_challenge_get(request.user, challenge_id)
    if row is None:
        raise Http404
    return challenge_out(challenges.challenge_withdraw(actor=request.user, challenge=row))


# --- complaints -----------------------------------------------------------------------------------------------
@router.post("/lots/{lot_id}/complaints", response=answers(dict, *ACTION, status=201), summary="投诉（投标人/供应商）")
@requires(BIDDER)
def complaint_file(request, lot_id: ObjectId, payload: ComplaintIn):
    lot = _lot(request, lot_id)
    challenge = None
    if payload.challenge_id is not None:
        challenge = sc.own_challenge_get(request.user, payload.challenge_id)
        if challenge is None or challenge.lot_id != lot.pk:
            raise DomainError("所选异议（质疑）不是本人就本标段提出的", field="challenge_id")
    c = complaints.complaint_file(actor=request.user, lot=lot, subject=payload.subject, facts=payload.facts,
                                  requests=payload.requests, challenge=challenge, known_on=payload.known_on)
    return Status(201, complaint_out(c))


@router.get("/complaints", response=answers(list[dict], 401, 403), summary="待处理投诉及其期限（行政监督部门）")
@requires(SUPERVISOR)
def complaint_list(request):
    return [{"id": r.id, "lot_id": r.lot_id, "lot_code": r.lot_code, "lot_name": r.lot_name,
             "project_title": r.project_title, "subject": r.subject, "state": r.state,
             "complainant": r.complainant, "filed_at": r.filed_at, "acceptance_due": r.acceptance_due,
             "decision_due": r.decision_due, "due": r.due, "is_overdue": r.is_overdue}
            for r in sc.complaints_open_for_supervisor(request.user)]


def _supervised(request, complaint_id: int) -> Complaint:
    row = sc.complaint_get_for_supervisor(request.user, complaint_id)
    if row is None:
        raise Http404
    return row


@router.post("/complaints/{complaint_id}/accept", response=answers(dict, *ACTION), summary="受理投诉")
@requires(SUPERVISOR)
def complaint_accept(request, complaint_id: ObjectId, payload: AcceptIn):
    c = complaints.complaint_accept(actor=request.user, complaint=_supervised(request, complaint_id),
                                    suspend=payload.suspend)
    return complaint_out(c)


@router.post("/complaints/{complaint_id}/refuse", response=answers(dict, *ACTION), summary="不予受理投诉")
@requires(SUPERVISOR)
def complaint_refuse(request, complaint_id: ObjectId, payload: ReasonIn):
    c = complaints.complaint_refuse(actor=request.user, complaint=_supervised(request, complaint_id),
                                    reason=payload.reason)
    return complaint_out(c)


@router.post("/complaints/{complaint_id}/decide", response=answers(dict, *ACTION), summary="作出投诉处理决定")
@requires(SUPERVISOR)
def complaint_decide(request, complaint_id: ObjectId, payload: DecideIn):
    c = complaints.complaint_decide(actor=request.user, complaint=_supervised(request, complaint_id),
                                    outcome=payload.outcome, decision=payload.decision)
    return complaint_out(c)


@router.post("/complaints/{complaint_id}/withdraw", response=answers(dict, *ACTION), summary="撤回投诉（投诉人）")
@requires(BIDDER)
def complaint_withdraw(request, complaint_id: ObjectId):
    row = sc.own_complaint_get(request.user, complaint_id)
    if row is None:
        raise Http404
    return complaint_out(complaints.complaint_withdraw(actor=request.user, complaint=row))
