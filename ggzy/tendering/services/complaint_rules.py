"""What challenges (异议/质疑) and complaints (投诉) share: who has standing, the filing windows from the template, the
sealed identity of the complainant and the explicit transition tables.

Windows (every number from the project's template version, ``rules``):
- works (招标投标法实施条例): the documents until ``documents_objection_before_deadline`` before the deadline
  (Art. 22); the opening at the opening itself (Art. 44); the evaluation result during the candidates' publicity
  (Art. 54). A complaint within ``complaint_within`` of knowing (Art. 60); on those three subjects only after an
  objection, whose answer period does not count.
- government procurement (政府采购法): a challenge within ``challenge_within`` of the day the supplier knew (Art. 52;
  财政部令第94号 Art. 10: the documents' availability, the step's end, the result notice's end); a complaint only
  after a challenge, within ``complaint_within`` after its answer period (Art. 55).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ggzy.accounts.roles import Role
from ggzy.catalog import calendar as work_calendar
from ggzy.catalog import selectors as catalog_selectors
from ggzy.core import clock
from ggzy.core import files as file_store
from ggzy.core.api_errors import TEXT_MAX
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed

from .. import policies, rules, sealing
from ..choices import (
    ChallengeKind,
    ChallengeState,
    ComplaintState,
    ComplaintSubject,
    LotState,
)
from ..models import Lot, SignUp
from ..procedures import procedure_for

F = ChallengeState
C = ComplaintState
# The explicit state machines: a transition not in its table is refused.
CHALLENGE_TRANSITIONS: frozenset[tuple[str, str]] = frozenset({(F.FILED, F.ANSWERED), (F.FILED, F.WITHDRAWN)})
COMPLAINT_TRANSITIONS: frozenset[tuple[str, str]] = frozenset({
    (C.FILED, C.ACCEPTED), (C.FILED, C.REFUSED), (C.ACCEPTED, C.DECIDED),
    (C.FILED, C.WITHDRAWN), (C.ACCEPTED, C.WITHDRAWN),
})
ATTACHMENT_MAX = 20 * 1024 * 1024
SUBJECT_LABELS = {s.value: str(s.label) for s in ComplaintSubject}


def is_government(lot: Lot) -> bool:
    return procedure_for(lot).is_government_procurement


def kind_for(lot: Lot) -> str:
    """质疑 in government procurement, 异议 in works tendering."""
    return ChallengeKind.CHALLENGE if is_government(lot) else ChallengeKind.OBJECTION


def kind_label(lot: Lot) -> str:
    return "质疑" if is_government(lot) else "异议"


def move(*, actor, obj, table: frozenset[tuple[str, str]], to: str, action: str, center_id: int,
         after: dict | None = None, seal: dict | None = None) -> None:
    """Change ``obj.state`` to ``to`` if its table allows it; audit the transition. Inside the caller's transaction.
    ``seal`` (``audit_seal``) keeps a complainant's own act before the opening from naming it."""
    source = obj.state
    if (source, to) not in table:
        labels = dict(type(obj)._meta.get_field("state").choices)
        raise Conflict(f"当前状态为“{labels.get(source, source)}”，不能变更为“{labels.get(to, to)}”", field="state")
    obj.state = to
    obj.save()
    audit_record(actor=actor, action=action, obj=obj, center_id=center_id, before={"state": source},
                 after={"state": to, **(after or {})}, **(seal or {}))


# --- input ----------------------------------------------------------------------------------------------------
def text(value, *, field: str, label: str) -> str:
    cleaned = (value or "").strip() if isinstance(value, str) or value is None else None
    if cleaned is None:
        raise DomainError(f"{label}格式不正确", field=field)
    if not cleaned:
        raise DomainError(f"{label}不能为空", field=field)
    if len(cleaned) > TEXT_MAX or "\x00" in cleaned:
        raise DomainError(f"{label}过长或含有非法字符", field=field)
    return cleaned


def subject_value(value) -> str:
    if value not in SUBJECT_LABELS:
        raise DomainError("请选择事项：招标（采购）文件、开标、评标结果或其他事项", field="subject")
    return str(value)


def known_on_value(value, *, required: bool, lot: Lot) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise DomainError("请填写知道或者应当知道其权益受到损害之日", field="known_on")
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise DomainError("日期格式应为 YYYY-MM-DD", field="known_on") from None
    if not isinstance(value, dt.date):
        raise DomainError("日期格式应为 YYYY-MM-DD", field="known_on")
    if value > clock.today():
        raise DomainError("知道权益受损之日不能晚于今天", field="known_on")
    if value < timezone.localdate(lot.project.created_at):
        raise DomainError("知道权益受损之日不能早于项目登记日", field="known_on")
    return value


def attachment(name: str | None, content: bytes | None) -> tuple[str, str]:
    """(name, sha256) of an optional attachment, stored in the content-addressed file store."""
    if not content:
        return "", ""
    if len(content) > ATTACHMENT_MAX:
        raise DomainError("附件不能超过20MB", field="attachment")
    clean_name = (name or "附件").strip()[:200] or "附件"
    return clean_name, file_store.put(content)


# --- standing and identity ------------------------------------------------------------------------------------
def standing(*, actor, lot: Lot, subject: str):
    """The entity the actor files for, when it has standing; NotAllowed otherwise. The documents may be objected to
    by any potential bidder in works (实施条例 Art. 22), in government procurement only by a supplier that obtained
    them (财政部令第94号 Art. 11, here: signed up); every other subject needs a sign-up for the lot."""
    if getattr(actor, "role", None) != Role.BIDDER:
        raise NotAllowed("只有投标人（供应商）或其他利害关系人可以提出异议、质疑或投诉")
    entity = policies.acting_entity_verified(actor)
    if entity is None:
        raise NotAllowed("只有已登记的市场主体可以提出异议、质疑或投诉")
    tag = sealing.bidder_tag(lot_id=lot.pk, entity_id=entity.pk)
    signed_up = SignUp.objects.filter(lot=lot, bidder_tag=tag).exists()
    if subject == ComplaintSubject.DOCUMENTS and not is_government(lot):
        return entity, tag
    if not signed_up:
        raise NotAllowed("只有报名参加本标段的投标人（供应商）可以就此事项提出异议、质疑或投诉", field="lot")
    return entity, tag


def identity_fields(lot: Lot, entity, tag: str) -> dict:
    """Before the opening the complainant is sealed like a sign-up; after it, named."""
    if lot.opened_at is None:
        return {"complainant_tag": tag, "complainant_sealed": sealing.seal_small(lot, {"entity_id": entity.pk}),
                "complainant": None, "is_sealed": True}
    return {"complainant_tag": tag, "complainant_sealed": b"", "complainant": entity, "is_sealed": False}


def own_tag(actor, lot: Lot) -> str | None:
    """The acting bidder's tag in ``lot`` (to find its own challenges and complaints), or None."""
    entity = policies.acting_entity(actor) if getattr(actor, "role", None) == Role.BIDDER else None
    return sealing.bidder_tag(lot_id=lot.pk, entity_id=entity.pk) if entity is not None else None


def audit_seal(lot: Lot) -> dict:
    """A filing before the opening names no actor and is sealed in the ledger until the opening lifts the key."""
    return {"sealed": True, "seal_key": sealing.seal_key(lot.pk)} if lot.opened_at is None else {}


# --- windows --------------------------------------------------------------------------------------------------
def end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def before(project, key: str, end: dt.datetime) -> dt.datetime:
    """``end`` minus the period ``key`` in its own unit."""
    row = catalog_selectors.period_get(rules._version(project), key)
    amount = int(row.value)
    if row.unit == "working_days":
        local = timezone.localtime(end)
        day = work_calendar.add_working_days(local.date(), -amount).date
        return local.replace(year=day.year, month=day.month, day=day.day)
    return end - dt.timedelta(days=amount)


def _late(label: str, deadline: dt.datetime, basis: str) -> Conflict:
    when = timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")
    return Conflict(f"{label}期限已过（截止 {when}{'，' + basis if basis else ''}），不予受理", field="filed_at")


def challenge_deadline(*, lot: Lot, subject: str, known_on: dt.date | None, now: dt.datetime) -> dt.datetime:
    """The end of the window for a challenge on ``subject``; Conflict naming ``filed_at`` when closed or not open."""
    project = lot.project
    if lot.state == LotState.DRAFT or lot.documents_issued_at is None:
        raise Conflict("标段尚未发布，不能提出异议或质疑", field="lot")
    if is_government(lot):
        if subject == ComplaintSubject.DOCUMENTS:
            # 财政部令第94号 Art. 10: from the end of the documents' availability (or their receipt)
            start = lot.documents_sale_end or lot.documents_issued_at
        elif subject == ComplaintSubject.OPENING:
            if lot.opened_at is None:
                raise Conflict("尚未开标，不能对开标提出质疑", field="subject")
            start = lot.opened_at
        elif subject == ComplaintSubject.EVALUATION_RESULT:
            if lot.candidates_published_at is None:
                raise Conflict("中标（成交）结果尚未公告，不能对其提出质疑", field="subject")
            start = rules.after(project, "candidates_publicity_min", lot.candidates_published_at)
        else:
            assert known_on is not None
            start = end_of_day(known_on)
        deadline = rules.after(project, "challenge_within", start)
        if now > deadline:
            raise _late(f"质疑（{rules.describe(project, 'challenge_within')}）", deadline,
                        rules.basis(project, "challenge_within"))
        return deadline
    if subject == ComplaintSubject.DOCUMENTS:
        if lot.bid_deadline is None:
            raise Conflict("标段没有投标截止时间", field="lot")
        deadline = before(project, "documents_objection_before_deadline", lot.bid_deadline)
        if now > deadline:
            raise _late(f"对招标文件的异议应当在投标截止时间"
                        f"{rules.describe(project, 'documents_objection_before_deadline')}前提出，", deadline,
                        rules.basis(project, "documents_objection_before_deadline"))
        return deadline
    if subject == ComplaintSubject.OPENING:
        if procedure_for(lot).effective_state(now) != LotState.OPENING or lot.opened_at is None:
            raise Conflict("对开标的异议应当在开标现场提出（《招标投标法实施条例》第四十四条）", field="filed_at")
        return now
    if subject == ComplaintSubject.EVALUATION_RESULT:
        if lot.candidates_published_at is None:
            raise Conflict("中标候选人尚未公示，不能对评标结果提出异议", field="subject")
        deadline = rules.after(project, "candidates_publicity_min", lot.candidates_published_at)
        if now > deadline:
            raise _late("对评标结果的异议应当在中标候选人公示期间提出，", deadline,
                        rules.basis(project, "candidates_publicity_min"))
        return deadline
    raise DomainError("工程建设项目的异议限于招标文件、开标和评标结果；其他事项请直接向行政监督部门投诉",
                      field="subject")


def complaint_deadline(*, lot: Lot, challenge, subject: str, known_on: dt.date | None,
                       now: dt.datetime) -> dt.datetime:
    """The end of the complaint window (Art. 60 / GP Art. 55); Conflict naming the field when closed."""
    project = lot.project
    needs_challenge = is_government(lot) or subject != ComplaintSubject.OTHER
    if needs_challenge:
        label = kind_label(lot)
        if challenge is None:
            raise Conflict(f"就此事项投诉前应当先提出{label}（请选择已提出的{label}）", field="challenge")
        if challenge.state == ChallengeState.WITHDRAWN:
            raise Conflict(f"该{label}已撤回，不能据此投诉", field="challenge")
        if challenge.state == ChallengeState.FILED and now <= challenge.answer_due:
            raise Conflict(f"{label}答复期限未满且尚未答复，暂不能投诉", field="challenge")
        # GP: after the answer period (答复期满后, 政府采购法 Art. 55); works: the objection's answer period does
        # not count (实施条例 Art. 60), so the window starts at the answer (or its due time, when none came)
        start = challenge.answer_due if is_government(lot) else (challenge.answered_at or challenge.answer_due)
    else:
        assert known_on is not None
        start = end_of_day(known_on)
    deadline = rules.after(project, "complaint_within", start)
    if now > deadline:
        raise _late(f"投诉（{rules.describe(project, 'complaint_within')}）", deadline,
                    rules.basis(project, "complaint_within"))
    return deadline


def can_supervise(user, lot: Lot) -> bool:
    """A supervision officer of the lot's center (or of the province)."""
    if getattr(user, "role", None) != Role.SUPERVISOR or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_provincial or user.center_id == lot.project.center_id)


def can_answer(user, lot: Lot) -> bool:
    return policies.is_project_owner(user, lot.project) or policies.can_publish_lot(user, lot)
