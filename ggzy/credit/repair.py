"""Credit repair (信用修复): a subject asks for a record to leave publication before its period ends. The
conditions are checked when the request is recorded (the minimum publication period has passed, the breach is
corrected, the obligations are fulfilled, a credit commitment is made); a reviewer approves only when every
condition is met, and an approved repair takes the record off publication (it stays on file, versioned as before).
Serious-breach records with a restriction still in force cannot be repaired before the restriction ends."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.roles import Role

from .models import CreditRecord, Kind, RepairRequest, RepairState
from .publication import months_later, rule_for

REVIEW_ROLES = (Role.CENTER_STAFF, Role.SUPERVISOR, Role.ADMIN)
FIRM_ROLES = (Role.BIDDER, Role.TENDERER, Role.AGENCY)
FIRM_SUBJECTS = ("entity", "agency")


def _own_entity(actor):
    """The market entity a firm user acts for (registry), or None."""
    from .firms import entity_of_user

    return entity_of_user(actor)


def repair_eligible(record: CreditRecord) -> bool:
    """A record its subject may ask to repair: a current violation or list entry still published, with no request
    waiting for review."""
    return (record.kind in (Kind.VIOLATION, Kind.SERIOUS_BREACH) and record.is_current
            and record.unpublished_at is None and not record.repairs.filter(state=RepairState.SUBMITTED).exists())


def firm_records(actor) -> tuple[Any, list[CreditRecord]]:
    """(the firm, its current records — entity or agency — newest first) for the firm's own credit page."""
    entity = _own_entity(actor)
    if entity is None:
        return None, []
    rows = (CreditRecord.objects.filter(subject_kind__in=FIRM_SUBJECTS, subject_key=entity.credit_code,
                                        is_current=True)
            .prefetch_related("restrictions", "repairs").order_by("-decided_on", "-pk"))
    return entity, list(rows)
TEXT_MAX = 5000


def repair_conditions(record: CreditRecord, *, corrected: bool, obligations_fulfilled: bool,
                      committed: bool) -> list[dict[str, Any]]:
    today = clock.today()
    rule = rule_for(record.kind, record.decided_on)
    min_end = months_later(record.decided_on, rule.min_months if rule else 0)
    restricted = record.restrictions.filter(starts_on__lte=today).exclude(ends_on__lt=today).exists()
    return [
        {"code": "min_period", "label": f"已满最短公示期（{min_end.isoformat()}起）", "met": today >= min_end},
        {"code": "no_restriction", "label": "没有仍在执行的限制措施",
         "met": not (record.kind == Kind.SERIOUS_BREACH and restricted)},
        {"code": "corrected", "label": "失信行为已纠正", "met": bool(corrected)},
        {"code": "obligations", "label": "已履行行政处罚或判决确定的义务", "met": bool(obligations_fulfilled)},
        {"code": "commitment", "label": "已作出信用承诺", "met": bool(committed)},
    ]


def repair_submit(*, actor, record: CreditRecord, applicant_name: str, statement: str, corrected: bool = False,
                  obligations_fulfilled: bool = False, committed: bool = False) -> RepairRequest:
    role = getattr(actor, "role", None)
    if role in FIRM_ROLES:  # the firm files for itself: only its own records, under its own name
        entity = _own_entity(actor)
        if entity is None or record.subject_kind not in FIRM_SUBJECTS or record.subject_key != entity.credit_code:
            raise NotAllowed("只能为本单位的信用记录申请信用修复")
        applicant_name = entity.name
    elif role not in REVIEW_ROLES:
        raise NotAllowed("只有被记录的市场主体、交易中心工作人员或行政监督部门可以提出信用修复申请")
    name = str(applicant_name or "").strip()
    text = str(statement or "").strip()
    if not name:
        raise DomainError("请填写申请人", field="applicant_name")
    if len(name) > 200:
        raise DomainError("申请人不能超过200字", field="applicant_name")
    if not text:
        raise DomainError("请填写申请说明与信用承诺", field="statement")
    if len(text) > TEXT_MAX:
        raise DomainError(f"申请说明不能超过{TEXT_MAX}字", field="statement")
    if record.kind in (Kind.REWARD, Kind.PERFORMANCE):
        raise DomainError("守信激励和履约评价记录无需修复", field="record")
    with transaction.atomic():
        locked = CreditRecord.objects.select_for_update().get(pk=record.pk)
        if not locked.is_current or locked.unpublished_at is not None:
            raise Conflict("该记录已不在公示中，无需修复", field="record")
        if locked.repairs.filter(state=RepairState.SUBMITTED).exists():
            raise Conflict("该记录已有待审核的修复申请", field="record")
        request = RepairRequest.objects.create(
            record=locked, applicant_name=name, statement=text, submitted_at=clock.now(),
            submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
            conditions=repair_conditions(locked, corrected=corrected, obligations_fulfilled=obligations_fulfilled,
                                         committed=committed))
        audit_record(actor=actor, action="credit.repair_submit", obj=request,
                     after={"record": locked.record_no, "conditions": request.conditions,
                            "by_subject": role in FIRM_ROLES})
    return request


def repair_review(*, actor, request: RepairRequest, approve: bool, note: str) -> RepairRequest:
    if getattr(actor, "role", None) not in REVIEW_ROLES:
        raise NotAllowed("只有交易中心工作人员或行政监督部门可以审核信用修复申请")
    note = str(note or "").strip()
    if not note:
        raise DomainError("请填写审核意见", field="review_note")
    if len(note) > TEXT_MAX:
        raise DomainError(f"审核意见不能超过{TEXT_MAX}字", field="review_note")
    with transaction.atomic():
        locked = RepairRequest.objects.select_for_update().select_related("record").get(pk=request.pk)
        if locked.state != RepairState.SUBMITTED:
            raise Conflict("该申请已审核", field="state")
        if approve:
            unmet = [c["label"] for c in locked.conditions if not c["met"]]
            if unmet:
                raise Conflict(f"修复条件未满足：{'；'.join(unmet)}", field="state")
        now = clock.now()
        locked.state = RepairState.APPROVED if approve else RepairState.REJECTED
        locked.reviewed_at, locked.reviewed_by, locked.review_note = now, actor, note
        locked.save(update_fields=["state", "reviewed_at", "reviewed_by", "review_note"])
        if approve:
            CreditRecord.objects.filter(pk=locked.record_id, unpublished_at__isnull=True).update(unpublished_at=now)
        audit_record(actor=actor, action="credit.repair_review", obj=locked,
                     after={"record": locked.record.record_no, "state": locked.state, "note": note})
    return locked
