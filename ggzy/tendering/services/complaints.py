"""Complaints (投诉) to the supervising department (works) or the finance department (government procurement).

filed → accepted | refused; accepted → decided (upheld/dismissed); filed/accepted → withdrawn
(``complaint_rules.COMPLAINT_TRANSITIONS``). The acceptance and decision deadlines come from the template at filing
(works: the decision counts from the acceptance, 实施条例 Art. 61, and is recomputed then; government procurement:
from the receipt, 政府采购法 Art. 56). The department may suspend the lot when accepting (Art. 62; GP Art. 57 caps it
at the template's ``complaint_suspension_max``)."""

from __future__ import annotations

from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import DomainError, NotAllowed

from .. import rules
from ..choices import ComplaintOutcome, ComplaintState, ComplaintSubject
from ..models import Challenge, Complaint, Lot
from ..procedures import lot_fresh
from . import complaint_rules as cr
from .suspensions import suspension_start, suspensions_lift


def complaint_file(*, actor, lot: Lot, subject: str, facts: str, requests: str, challenge: Challenge | None = None,
                   known_on=None, attachment_name: str | None = None, attachment: bytes | None = None) -> Complaint:
    """A complainant with standing files within the template's window; acceptance and decision are due by the
    template's working days."""
    lot = lot_fresh(lot)
    subject = cr.subject_value(subject)
    entity, tag = cr.standing(actor=actor, lot=lot, subject=subject)
    if challenge is not None:
        challenge = Challenge.objects.get(pk=challenge.pk)  # as it is now (the caller may hold an older copy)
        if challenge.lot_id != lot.pk or challenge.complainant_tag != tag:
            raise DomainError("所选异议（质疑）不是本人就本标段提出的", field="challenge")
        if challenge.subject != subject:
            raise DomainError("投诉事项应当与所选异议（质疑）的事项一致", field="subject")
    facts = cr.text(facts, field="facts", label="事实与理由")
    requests = cr.text(requests, field="requests", label="请求事项")
    direct = not cr.is_government(lot) and subject == ComplaintSubject.OTHER
    known_on = cr.known_on_value(known_on, required=direct, lot=lot)
    now = clock.now()
    cr.complaint_deadline(lot=lot, challenge=challenge, subject=subject, known_on=known_on, now=now)
    name, digest = cr.attachment(attachment_name, attachment)
    with transaction.atomic():
        locked = Lot.objects.select_for_update().select_related("project").get(pk=lot.pk)
        acceptance_due = rules.after(locked.project, "complaint_acceptance_within", now)
        decision_start = now if cr.is_government(locked) else acceptance_due
        complaint = Complaint.objects.create(
            lot=locked, challenge=challenge, subject=subject, facts=facts, requests=requests, known_on=known_on,
            attachment_name=name, attachment_sha256=digest, filed_at=now, acceptance_due=acceptance_due,
            decision_due=rules.after(locked.project, "complaint_decision_within", decision_start),
            **cr.identity_fields(locked, entity, tag))
        audit_record(actor=actor, action="complaint.file", obj=complaint, center_id=locked.project.center_id,
                     after={"subject": subject, "acceptance_due": acceptance_due,
                            "decision_due": complaint.decision_due, "sealed": complaint.is_sealed,
                            **({} if complaint.is_sealed else {"facts": facts})},
                     **cr.audit_seal(locked))
    return complaint


def _supervised(actor, complaint: Complaint) -> Lot:
    lot = lot_fresh(complaint.lot)
    if not cr.can_supervise(actor, lot):
        raise NotAllowed("只有本标段所属交易中心的行政监督部门可以处理投诉")
    return lot


def complaint_accept(*, actor, complaint: Complaint, suspend: bool = False) -> Complaint:
    """Accept (受理); optionally order the lot suspended while the complaint is handled."""
    lot = _supervised(actor, complaint)
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        now = clock.now()
        locked.accepted_at, locked.handled_by = now, actor
        if not cr.is_government(lot):  # 实施条例 Art. 61: 自受理投诉之日起30个工作日内
            locked.decision_due = rules.after(lot.project, "complaint_decision_within", now)
        cr.move(actor=actor, obj=locked, table=cr.COMPLAINT_TRANSITIONS, to=ComplaintState.ACCEPTED,
                action="complaint.accept", center_id=lot.project.center_id,
                after={"decision_due": locked.decision_due, "late": now > locked.acceptance_due,
                       "suspend": bool(suspend)})
        if suspend:
            cap = rules.period_optional(lot.project, "complaint_suspension_max")
            ends_at = rules.after(lot.project, "complaint_suspension_max", now) if cap is not None else None
            suspension_start(actor=actor, lot=lot, complaint=locked, ends_at=ends_at,
                             reason=f"行政监督部门处理投诉#{locked.pk}期间责令暂停")
    return locked


def complaint_refuse(*, actor, complaint: Complaint, reason: str) -> Complaint:
    """Refuse (不予受理) with the reason."""
    lot = _supervised(actor, complaint)
    reason = cr.text(reason, field="reason", label="不予受理理由")
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        now = clock.now()
        locked.refused_at, locked.reason, locked.handled_by = now, reason, actor
        cr.move(actor=actor, obj=locked, table=cr.COMPLAINT_TRANSITIONS, to=ComplaintState.REFUSED,
                action="complaint.refuse", center_id=lot.project.center_id,
                after={"reason": reason, "late": now > locked.acceptance_due})
    return locked


def complaint_decide(*, actor, complaint: Complaint, outcome: str, decision: str) -> Complaint:
    """The written decision (处理决定): upheld or dismissed; a suspension it caused is lifted."""
    lot = _supervised(actor, complaint)
    if outcome not in ComplaintOutcome.values:
        raise DomainError("请选择处理结果：投诉成立或投诉不成立", field="outcome")
    decision = cr.text(decision, field="decision", label="处理决定")
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        now = clock.now()
        locked.decided_at, locked.outcome, locked.reason, locked.handled_by = now, outcome, decision, actor
        cr.move(actor=actor, obj=locked, table=cr.COMPLAINT_TRANSITIONS, to=ComplaintState.DECIDED,
                action="complaint.decide", center_id=lot.project.center_id,
                after={"outcome": outcome, "decision": decision, "late": now > locked.decision_due})
        suspensions_lift(actor=actor, lot=lot, complaint=locked, reason="投诉已作出处理决定")
    return locked


def complaint_withdraw(*, actor, complaint: Complaint) -> Complaint:
    """The complainant withdraws before the decision; a suspension it caused is lifted."""
    lot = lot_fresh(complaint.lot)
    if cr.own_tag(actor, lot) != complaint.complainant_tag:
        raise NotAllowed("只有投诉人可以撤回投诉")
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        locked.withdrawn_at = clock.now()
        cr.move(actor=actor, obj=locked, table=cr.COMPLAINT_TRANSITIONS, to=ComplaintState.WITHDRAWN,
                action="complaint.withdraw", center_id=lot.project.center_id, seal=cr.audit_seal(lot))
        suspensions_lift(actor=actor, lot=lot, complaint=locked, reason="投诉已撤回")
    return locked
