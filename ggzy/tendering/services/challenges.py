"""Challenges: 异议 to the tenderer (works) and 质疑 to the purchaser or agency (government procurement).

filed → answered | withdrawn (``complaint_rules.CHALLENGE_TRANSITIONS``); one on the evaluation result suspends the
lot until answered. Every transition is audited into the ledger; a filing before the opening names no actor."""

from __future__ import annotations

from django.db import transaction

from ggzy.accounts.services import notify
from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import NotAllowed
from ggzy.registry.models import MarketEntityAccount

from .. import rules
from ..choices import ChallengeState, ComplaintSubject
from ..models import Challenge, Lot
from ..procedures import lot_fresh
from . import complaint_rules as cr
from .suspensions import suspension_start, suspensions_lift


def challenge_file(*, actor, lot: Lot, subject: str, facts: str, requests: str, known_on=None,
                   attachment_name: str | None = None, attachment: bytes | None = None) -> Challenge:
    """A bidder (supplier) with standing files a challenge within its window; the answer is due within the
    template's ``objection_answer_within``."""
    lot = lot_fresh(lot)
    subject = cr.subject_value(subject)
    entity, tag = cr.standing(actor=actor, lot=lot, subject=subject)
    facts = cr.text(facts, field="facts", label="事实与理由")
    requests = cr.text(requests, field="requests", label="请求事项")
    known_on = cr.known_on_value(known_on, required=subject == ComplaintSubject.OTHER and cr.is_government(lot),
                                 lot=lot)
    now = clock.now()
    cr.challenge_deadline(lot=lot, subject=subject, known_on=known_on, now=now)
    name, digest = cr.attachment(attachment_name, attachment)
    with transaction.atomic():
        locked = Lot.objects.select_for_update().select_related("project").get(pk=lot.pk)
        challenge = Challenge.objects.create(
            lot=locked, kind=cr.kind_for(locked), subject=subject, facts=facts, requests=requests, known_on=known_on,
            attachment_name=name, attachment_sha256=digest, filed_at=now,
            answer_due=rules.after(locked.project, "objection_answer_within", now),
            **cr.identity_fields(locked, entity, tag))
        # the record of a sealed filing carries no facts either: they may tell who wrote them
        audit_record(actor=actor, action="challenge.file", obj=challenge, center_id=locked.project.center_id,
                     after={"kind": challenge.kind, "subject": subject, "answer_due": challenge.answer_due,
                            "sealed": challenge.is_sealed, **({} if challenge.is_sealed else {"facts": facts})},
                     **cr.audit_seal(locked))
        if subject == ComplaintSubject.EVALUATION_RESULT:
            # 招标投标法实施条例 Art. 54: 作出答复前，应当暂停招标投标活动
            suspension_start(actor=actor, lot=locked, challenge=challenge,
                             reason=f"对评标结果的{cr.kind_label(locked)}#{challenge.pk}待答复")
    return challenge


def challenge_answer(*, actor, challenge: Challenge, answer: str) -> Challenge:
    """The tenderer, purchaser, agency or the center's staff answer; a suspension it caused is lifted."""
    lot = lot_fresh(challenge.lot)
    if not cr.can_answer(actor, lot):
        raise NotAllowed(f"只有招标人（采购人）、代理机构或本中心工作人员可以答复{cr.kind_label(lot)}")
    answer = cr.text(answer, field="answer", label="答复内容")
    with transaction.atomic():
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        now = clock.now()
        locked.answer, locked.answered_at, locked.answered_by = answer, now, actor
        cr.move(actor=actor, obj=locked, table=cr.CHALLENGE_TRANSITIONS, to=ChallengeState.ANSWERED,
                action="challenge.answer", center_id=lot.project.center_id,
                after={"answer": answer, "late": now > locked.answer_due})
        suspensions_lift(actor=actor, lot=lot, challenge=locked, reason=f"{cr.kind_label(lot)}已答复")
        if locked.complainant is not None:
            users = [a.user for a in MarketEntityAccount.objects.filter(entity=locked.complainant)
                     .select_related("user")]
            notify(users=users, title=f"{cr.kind_label(lot)}已答复：{lot.code}", body=answer)
    return locked


def challenge_withdraw(*, actor, challenge: Challenge) -> Challenge:
    """The complainant withdraws its own challenge before the answer; a suspension it caused is lifted."""
    lot = lot_fresh(challenge.lot)
    if cr.own_tag(actor, lot) != challenge.complainant_tag:
        raise NotAllowed(f"只有提出人可以撤回{cr.kind_label(lot)}")
    with transaction.atomic():
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        locked.withdrawn_at = clock.now()
        cr.move(actor=actor, obj=locked, table=cr.CHALLENGE_TRANSITIONS, to=ChallengeState.WITHDRAWN,
                action="challenge.withdraw", center_id=lot.project.center_id, seal=cr.audit_seal(lot))
        suspensions_lift(actor=actor, lot=lot, challenge=locked, reason=f"{cr.kind_label(lot)}已撤回")
    return locked
