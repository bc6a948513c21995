"""Stage 6: scoring on the web and the report every member signs (the committee is formed in ``committee``)."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from django.db import IntegrityError, transaction

from ggzy.centers import services as centers
from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.money import number_text, plain_decimal

from .. import policies, rules, scoring
from ..choices import BidState, EvaluationMethod, LotState
from ..models import Bid, CommitteeMember, EvaluationReport, Lot, ReportSignature, Score
from ..procedures import lot_fresh
from .committee import scoring_blocker


def remote_subject(lot: Lot) -> str:
    """The key under which a lot's remote off-site evaluation session (ggzy.centers) is kept."""
    return f"tendering.lot:{lot.pk}"


def remote_session_open(*, actor, lot: Lot, host_venue, seats=1, guest_venue=None, guest_seats=1):
    """The center holds the lot's evaluation remotely (远程异地评标): a host venue of its own and, optionally, a
    request for seats in another center's venue (a guest venue once that center accepts)."""
    lot = lot_fresh(lot)
    if not policies.can_publish_lot(actor, lot):
        raise NotAllowed("只有本中心工作人员可以创建远程异地评标")
    if lot.state not in (LotState.OPENING, LotState.EVALUATING) or hasattr(lot, "evaluation_report"):
        raise Conflict("只能在开标后、评标报告生成前创建远程异地评标", field="state")
    with transaction.atomic():
        session = centers.session_create(actor=actor, subject_key=remote_subject(lot), subject_code=lot.code,
                                         subject_title=f"{lot.project.title} {lot.name}",
                                         center_id=lot.project.center_id, host_venue=host_venue, seats=seats)
        if guest_venue is not None:
            centers.session_request(actor=actor, session=session, kind="seats", venue=guest_venue,
                                    count=guest_seats)
    return session


def _member(actor, lot: Lot) -> CommitteeMember:
    member = CommitteeMember.objects.filter(lot=lot, user=actor).first() if actor and actor.is_authenticated else None
    if member is None:
        raise NotAllowed("您不是本标段评标委员会成员")
    return member


def _decimal(value, field: str, label: str, maximum: Decimal) -> Decimal:
    number = plain_decimal(value, field=field, label=label)
    if number > maximum:
        raise DomainError(f"{label}须在0到{number_text(maximum)}之间", field=field)
    return number


def score_submit(*, actor, bid: Bid, technical=0, commercial=0, is_qualified: bool = True,
                 comment: str = "", device: str = "") -> Score:
    """A member scores one opened bid; scores can be changed until the report exists. In a remote evaluation the
    member must be at an activated workstation of the session (``device``: the browser's fingerprint)."""
    lot = lot_fresh(bid.lot)
    member = _member(actor, lot)
    if lot.state != LotState.EVALUATING or hasattr(lot, "evaluation_report"):
        raise Conflict("当前不在评分阶段", field="state")
    workstation = centers.session_gate(subject_key=remote_subject(lot), user=actor, fingerprint=device)
    if bid.state != BidState.OPENED:
        raise Conflict("该投标文件未通过解密，不参与评审", field="bid")
    if (blocker := scoring_blocker(lot)) is not None:
        raise Conflict(blocker, field="recusal")
    room = Decimal(100) - (lot.price_weight if lot.evaluation_method == EvaluationMethod.COMPREHENSIVE else 0)
    tech = _decimal(technical, "technical", "技术分", room)
    comm = _decimal(commercial, "commercial", "商务分", room)
    if tech + comm > room:
        raise DomainError(f"技术分与商务分之和不得超过{number_text(room)}分", field="technical")
    with transaction.atomic():
        score, _ = Score.objects.update_or_create(member=member, bid=bid, defaults={
            "technical": tech, "commercial": comm, "is_qualified": bool(is_qualified),
            "comment": (comment or "")[:255], "scored_at": clock.now()})
        audit_record(actor=actor, action="evaluation.score", obj=score, center_id=lot.project.center_id,
                     after={"bid": bid.pk, "technical": tech, "commercial": comm, "is_qualified": bool(is_qualified)})
        vote = "合格" if is_qualified else "不合格"
        centers.session_log(subject_key=remote_subject(lot), user=actor, kind="score", workstation=workstation,
                            text=f"提交评分：投标文件{bid.pk}，资格表决：{vote}")
    return score


def gp_rules(lot: Lot) -> tuple[bool, Decimal]:
    """The template's same-brand rule and SME price deduction (both absent outside government procurement)."""
    same_brand = rules.period_optional(lot.project, "same_brand_as_one_supplier")
    sme = rules.period_optional(lot.project, "sme_price_deduction_percent")
    percent = sme if sme is not None and 0 < sme < 100 else Decimal(0)
    return bool(same_brand), percent


def report_generate(*, actor, lot: Lot, device: str = "") -> EvaluationReport:
    """Compute the ranking once every member has scored every opened bid (the chair or the center asks)."""
    lot = lot_fresh(lot)
    member = CommitteeMember.objects.filter(lot=lot, user=actor).first()
    if not ((member and member.is_chair) or policies.can_publish_lot(actor, lot)):
        raise NotAllowed("只有评标委员会主任或本中心工作人员可以生成评标报告")
    workstation = (centers.session_gate(subject_key=remote_subject(lot), user=actor, fingerprint=device)
                   if member and member.is_chair and not policies.can_publish_lot(actor, lot) else None)
    if lot.state != LotState.EVALUATING:
        raise Conflict("当前不在评标阶段", field="state")
    bids = list(lot.bids.filter(state=BidState.OPENED).select_related("bidder").order_by("arrived_at"))
    members = list(lot.committee.all())
    if not members:
        raise Conflict("评标委员会尚未组建", field="committee")
    scores = list(Score.objects.filter(bid__in=bids, member__in=members))
    if len(scores) < len(bids) * len(members):
        raise Conflict(f"尚有评分未完成（{len(scores)}/{len(bids) * len(members)}）", field="scores")
    table = {b.pk: scoring.BidScores(bid_id=b.pk, bidder=b.bidder.name if b.bidder else "", price=b.price or Decimal(0),
                                     arrived_order=i, brand=str((b.price_sheet or {}).get("brand") or ""),
                                     sme=(b.price_sheet or {}).get("sme") is True)
             for i, b in enumerate(bids)}
    for s in scores:
        row = table[s.bid_id]
        row.technical.append(s.technical)
        row.commercial.append(s.commercial)
        row.qualified_votes.append(s.is_qualified)
    same_brand, sme_percent = gp_rules(lot)
    ranking = scoring.rank(list(table.values()), method=lot.evaluation_method, price_weight=lot.price_weight,
                           tie_break=lot.tie_break, same_brand_as_one=same_brand, sme_deduction_percent=sme_percent)
    counted = scoring.suppliers_counted(list(table.values()), same_brand_as_one=same_brand)
    qualified = sum(1 for row in table.values() if row.is_qualified)
    minimum = rules.period_optional(lot.project, "bids_to_open_min")
    if same_brand and counted < qualified and minimum is not None and counted < minimum:
        # 87号令 Art. 31: bids of one brand count as one supplier; too few suppliers leaves nothing to recommend
        ranking = []
    digest = hashlib.sha256(json.dumps(ranking, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    try:
        with transaction.atomic():
            report = EvaluationReport.objects.create(lot=lot, ranking=ranking, method=lot.evaluation_method,
                                                     content_sha256=digest, created_at=clock.now())
            audit_record(actor=actor, action="evaluation.report", obj=report, center_id=lot.project.center_id,
                         after={"sha256": digest, "qualified": len(ranking), "suppliers_counted": counted})
            centers.session_log(subject_key=remote_subject(lot), user=actor, kind="report", workstation=workstation,
                                text=f"评标报告已生成（摘要 {digest[:16]}…）")
    except IntegrityError:
        raise Conflict("评标报告已生成", field="report") from None
    return report


def report_sign(*, actor, lot: Lot, dissent: str = "", device: str = "") -> ReportSignature:
    """Every member signs the report (a member who disagrees signs with the reasons, 评标委员会… Art. 43)."""
    lot = lot_fresh(lot)
    member = _member(actor, lot)
    report = getattr(lot, "evaluation_report", None)
    if report is None:
        raise Conflict("评标报告尚未生成", field="report")
    workstation = centers.session_gate(subject_key=remote_subject(lot), user=actor, fingerprint=device)
    try:
        with transaction.atomic():
            signature = ReportSignature.objects.create(report=report, member=member, signed_at=clock.now(),
                                                       signed_sha256=report.content_sha256, dissent=dissent or "")
            if report.signatures.count() == lot.committee.count():
                report.completed_at = clock.now()
                report.save(update_fields=["completed_at"])
            audit_record(actor=actor, action="evaluation.sign", obj=report, center_id=lot.project.center_id,
                         after={"member": member.pk, "sha256": report.content_sha256, "dissent": bool(dissent)})
            centers.session_log(subject_key=remote_subject(lot), user=actor, kind="sign", workstation=workstation,
                                text="签署评标报告" + ("（附不同意见）" if dissent else ""))
            if report.completed_at is not None:
                centers.session_log(subject_key=remote_subject(lot), user=None, kind="signed",
                                    text="评标报告已由全体成员签署")
    except IntegrityError:
        raise Conflict("您已签署评标报告", field="report") from None
    return signature
