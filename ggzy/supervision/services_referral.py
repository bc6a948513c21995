"""The doors that change referrals (移交): the center refers a confirmed alert, or a case by hand, to the department
its power list names; the department accepts or returns it, investigates, decides and closes it; overdue referrals
escalate to the next level. Every step is one explicit transition (``TRANSITIONS``), a ``ReferralStep`` row and an
audit entry, in one transaction; a penalty decision's credit records are written in that same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from ggzy.catalog.calendar import add_working_days
from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.roles import Role
from ggzy.credit import services as credit
from ggzy.registry.models import Center, MarketEntity
from ggzy.tendering import selectors_supervision as lots

from . import selectors_referral as sel
from .models import (
    Alert,
    AlertState,
    Department,
    Referral,
    ReferralEscalation,
    ReferralOutcome,
    ReferralState,
    ReferralStep,
)

TEXT_MAX = 5000
TITLE_MAX = 200
DECISION_NO_MAX = 100
RESTRICTION_MONTHS_MAX = 36
SUBJECTS_MAX = 20

# (state, action) → the state it leads to. Anything not here is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (ReferralState.REFERRED, "accept"): ReferralState.ACCEPTED,
    (ReferralState.REFERRED, "return"): ReferralState.RETURNED,
    (ReferralState.ACCEPTED, "investigate"): ReferralState.INVESTIGATING,
    (ReferralState.INVESTIGATING, "decide"): ReferralState.DECIDED,
    (ReferralState.DECIDED, "close"): ReferralState.CLOSED,
}
ACTIONS = ("accept", "return", "investigate", "decide", "close")
# The note each action must carry: (field on Referral, its label).
NOTE_FIELDS = {"accept": ("acceptance_note", "受理意见"), "return": ("return_reason", "退回理由"),
               "investigate": ("investigation_notes", "调查记录"), "decide": ("decision_text", "决定内容"),
               "close": ("", "办结说明")}

Notifier = Callable[..., int]  # notify(users=..., title=..., body=..., link=...) → count


def _text(value: Any, field: str, label: str, *, limit: int = TEXT_MAX, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise DomainError(f"请填写{label}", field=field)
    if len(text) > limit:
        raise DomainError(f"{label}不能超过{limit}字", field=field)
    return text


def _step(referral: Referral, *, actor: Any, action: str, before: str, note: str, after: dict[str, Any]) -> None:
    entry = audit_record(actor=actor, action=f"supervision.referral_{action}", obj=referral,
                         center_id=referral.center_id, before={"state": before},
                         after={"state": referral.state, **after})
    ReferralStep.objects.create(referral=referral, action=action, from_state=before, to_state=referral.state,
                                actor=actor if getattr(actor, "is_authenticated", False) else None, at=clock.now(),
                                note=note, ledger_source_id=entry.pk)


def parse_id(value: Any) -> int | None:
    """A database id from a form or a caller, or None for anything else (text, 1e20, negative, too large)."""
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


def _subjects(entity_ids: Iterable[Any]) -> list[dict[str, str]]:
    ids: list[int] = []
    for raw in entity_ids:
        number = parse_id(raw)
        if number is None:
            raise DomainError("涉及主体不正确", field="subjects")
        ids.append(number)
    if not ids:
        raise DomainError("请选择涉及主体", field="subjects")
    if len(set(ids)) > SUBJECTS_MAX:
        raise DomainError(f"涉及主体不能超过{SUBJECTS_MAX}个", field="subjects")
    found = {e.pk: e for e in MarketEntity.objects.filter(pk__in=ids)}
    if len(found) != len(set(ids)):
        raise DomainError("涉及主体未登记", field="subjects")
    return [{"entity_id": str(pk), "credit_code": found[pk].credit_code, "name": found[pk].name}
            for pk in sorted(set(ids))]


def referral_create(*, actor: Any, power_item_id: Any, alert: Alert | None = None, lot_id: int | None = None,
                    title: Any = "", facts: Any = "", subject_ids: Iterable[Any] = ()) -> Referral:
    """Refer a confirmed alert (its lot and subjects, its evidence hash), or a case by hand (a lot and the
    subjects named), to the department of one power item the list offers for the lot's trade and center."""
    if actor is None or getattr(actor, "role", None) not in (Role.CENTER_STAFF, Role.ADMIN):
        raise NotAllowed("只有交易中心工作人员可以移交案件")
    if alert is not None:
        lot_id = alert.lot_id
        subject_ids = list(alert.subjects)
        title = title or alert.summary_zh[:TITLE_MAX]
    lot_id = parse_id(lot_id)
    label = lots.lot_label(lot_id=lot_id) if lot_id is not None else None
    if label is None or lot_id is None:
        raise DomainError("请选择标段", field="lot_id")
    center_id = label["center_id"]
    if not (actor.is_provincial or actor.center_id == center_id):
        raise NotAllowed("只能移交本中心标段的案件")
    choices = {p.pk: p for p in sel.power_items_for_lot(lot_id=lot_id)}
    item_id = parse_id(power_item_id)
    item = choices.get(item_id) if item_id is not None else None
    if item is None:
        raise DomainError("请从权责清单中选择承办事项", field="power_item")
    title = _text(title, "title", "案由", limit=TITLE_MAX)
    facts = _text(facts, "facts", "移交事实")
    subjects = _subjects(subject_ids)
    today = clock.today()
    due = add_working_days(today, item.time_limit_days)
    with transaction.atomic():
        if alert is not None:
            alert = Alert.objects.select_for_update().get(pk=alert.pk)
            if alert.state != AlertState.CONFIRMED:
                raise Conflict("只有评标委员会认定的预警可以移交", field="alert")
        referral = Referral.objects.create(
            number=f"pending-{clock.now().timestamp()}", center=Center.objects.get(pk=center_id), lot_id=lot_id,
            alert=alert, evidence_sha256=alert.evidence_sha256 if alert else "", power_item=item,
            department=item.department, title=title, facts=facts, subjects=subjects, referred_by=actor,
            referred_at=clock.now(), due_on=due.date, due_estimated=due.is_estimated)
        referral.number = f"YJ{today.year}-{referral.pk:06d}"
        referral.save(update_fields=["number"])
        if alert is not None:
            Alert.objects.filter(pk=alert.pk).update(state=AlertState.REFERRED)
            audit_record(actor=actor, action="supervision.alert_refer", obj=alert, center_id=center_id,
                         before={"state": AlertState.CONFIRMED},
                         after={"state": AlertState.REFERRED, "referral": referral.number})
        _step(referral, actor=actor, action="refer", before="", note=facts,
              after={"number": referral.number, "department": item.department.code, "power_item": item.code,
                     "due_on": due.date.isoformat(), "evidence_sha256": referral.evidence_sha256,
                     "subjects": [s["credit_code"] for s in subjects]})
    return referral


def _decision(referral: Referral, data: dict[str, Any]) -> dict[str, Any]:
    outcome = str(data.get("outcome") or "")
    if outcome not in ReferralOutcome.values:
        raise DomainError("请选择处理结论", field="outcome")
    clean: dict[str, Any] = {"outcome": outcome,
                             "decision_no": _text(data.get("decision_no"), "decision_no", "决定文书号",
                                                  limit=DECISION_NO_MAX)}
    if outcome == ReferralOutcome.NO_VIOLATION:
        return {**clean, "penalty": "", "restriction_months": 0, "penalised": []}
    clean["penalty"] = _text(data.get("penalty"), "penalty", "处罚内容")
    raw = data.get("restriction_months")
    try:
        months = int(str(raw if raw not in (None, "") else 0).strip())
    except ValueError:
        raise DomainError("限制投标月数应为整数", field="restriction_months") from None
    if not 0 <= months <= RESTRICTION_MONTHS_MAX:
        raise DomainError(f"限制投标月数应在0至{RESTRICTION_MONTHS_MAX}之间", field="restriction_months")
    codes = [str(c).strip() for c in (data.get("penalised") or [])]
    known = {s["credit_code"]: s for s in referral.subjects}
    if not codes:
        raise DomainError("请选择受处罚主体", field="penalised")
    if any(c not in known for c in codes):
        raise DomainError("受处罚主体必须是移交案件的涉及主体", field="penalised")
    clean.update(restriction_months=months, penalised=[dict(known[c]) for c in dict.fromkeys(codes)])
    return clean


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _credit_records(referral: Referral, *, actor: Any) -> None:
    """One credit record per penalised subject, with its bidding restriction (same transaction)."""
    decided = referral.decided_on or clock.today()
    until = _add_months(decided, referral.restriction_months) if referral.restriction_months else None
    restrictions = [{"behaviour": "bid", "starts_on": decided, "ends_on": until}] if until else []
    for subject in referral.penalised:
        record = credit.record_create(
            actor=actor, subject_kind="entity", subject_key=subject["credit_code"], subject_name=subject["name"],
            source="supervision", source_ref=f"referral:{referral.pk}:{subject['credit_code']}", kind="violation",
            title=referral.title, facts=f"{referral.penalty}\n{referral.decision_text}".strip(),
            authority=referral.department.name, decision_no=referral.decision_no, decided_on=decided,
            valid_from=decided, valid_until=until, restrictions=restrictions,
            evidence={"referral": referral.number, "evidence_sha256": referral.evidence_sha256,
                      "power_item": referral.power_item.code})
        subject["record_no"] = record.record_no


def referral_act(*, actor: Any, referral: Referral, action: str, note: Any = "", **data: Any) -> Referral:
    """One step of the department's handling: accept / return / investigate / decide / close."""
    if action not in ACTIONS:
        raise DomainError("操作不正确", field="action")
    if not sel.is_department_member(actor, referral.department_id):
        raise NotAllowed("只有承办部门的监督人员可以办理该移交案件")
    field, label = NOTE_FIELDS[action]
    note = _text(note, field or "note", label)
    clean = _decision(referral, data) if action == "decide" else {}
    with transaction.atomic():
        referral = Referral.objects.select_for_update().select_related("department", "power_item").get(
            pk=referral.pk)
        before = referral.state
        target = TRANSITIONS.get((before, action))
        if target is None:
            raise Conflict(f"当前状态（{referral.get_state_display()}）不能进行该操作", field="state")
        referral.state = target
        if field:
            setattr(referral, field, note)
        if action == "decide":
            for key, value in clean.items():
                setattr(referral, key, value)
            referral.decided_on = clock.today()
            _credit_records(referral, actor=actor)
        if action == "close":
            referral.closed_at = clock.now()
        if action == "return" and referral.alert_id is not None:
            # the center may refer the confirmed alert again, to the department that is competent
            Alert.objects.filter(pk=referral.alert_id, state=AlertState.REFERRED).update(state=AlertState.CONFIRMED)
            audit_record(actor=actor, action="supervision.alert_return", obj=referral.alert,
                         center_id=referral.center_id, before={"state": AlertState.REFERRED},
                         after={"state": AlertState.CONFIRMED, "referral": referral.number})
        referral.save()
        after: dict[str, Any] = {}
        if action == "decide":
            after = {"outcome": referral.outcome, "decision_no": referral.decision_no,
                     "restriction_months": referral.restriction_months,
                     "credit_records": [s.get("record_no") for s in referral.penalised]}
        _step(referral, actor=actor, action=action, before=before, note=note, after=after)
    return referral


def referrals_escalate_overdue(*, notify: Notifier | None = None) -> int:
    """Mark each overdue referral once per deadline (a ``ReferralEscalation`` row) and tell the next level: the
    department's parent, or the provincial supervisors when it has none. Safe to run any number of times."""
    today = clock.today()
    count = 0
    overdue = (Referral.objects.filter(state__in=sel.OPEN_STATES, due_on__lt=today)
               .select_related("department__parent").order_by("pk"))
    for referral in overdue:
        with transaction.atomic():
            if ReferralEscalation.objects.filter(referral=referral, due_on=referral.due_on).exists():
                continue
            parent: Department | None = referral.department.parent
            if parent is not None:
                users = list(parent.members.filter(is_active=True))
            else:
                users = list(get_user_model().objects.filter(role=Role.SUPERVISOR, center__region__level="province",
                                                             is_active=True))
            sent = 0
            if notify is not None and users:
                sent = notify(users=users, title=f"移交案件逾期未办结：{referral.number}",
                              body=f"{referral.department.name}承办的“{referral.title}”已超过办理期限"
                                   f"（{referral.due_on.isoformat()}），请督办。",
                              link=f"/supervision/referrals/{referral.pk}/")
            row = ReferralEscalation.objects.create(referral=referral, due_on=referral.due_on,
                                                    state=referral.state, to_department=parent, at=clock.now(),
                                                    notified=sent)
            audit_record(actor=None, action="supervision.referral_escalate", obj=row, center_id=referral.center_id,
                         after={"referral": referral.number, "due_on": referral.due_on.isoformat(),
                                "to": parent.code if parent else "province", "notified": sent})
            count += 1
    return count


