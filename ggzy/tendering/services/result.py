"""Stage 7–8: candidates, objections, award, contract, bond refunds, archive."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ggzy.accounts.models import User
from ggzy.accounts.roles import Role
from ggzy.accounts.services import notify
from ggzy.core import clock
from ggzy.core import files as file_store
from ggzy.core.audit import audit_record, jsonable
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.models import AuditEntry
from ggzy.core.money import yuan
from ggzy.disclosure.services import notice_publish

from .. import documents, policies, rules
from ..choices import LotState, ObjectionState
from ..models import (
    ArchiveAccess,
    ArchivePackage,
    Award,
    BidBond,
    BondRefund,
    Candidate,
    Contract,
    Lot,
    ResultObjection,
)
from ..procedures import lot_fresh, procedure_for
from ..procedures.base import AwardBasis
from . import bonds, notices
from .committee import committee_publish_draw
from .credit_checks import award_restriction, credit_passed_award, credit_refused_award_log
from .suspensions import require_not_suspended

CANDIDATES_SHOWN = 3


def _owner_or_staff(actor, lot: Lot) -> bool:
    return policies.is_project_owner(actor, lot.project) or policies.can_publish_lot(actor, lot)


def candidates_publish(*, actor, lot: Lot) -> list[Candidate]:
    """Publish the top candidates once every member has signed (within the template's days of the report)."""
    lot = lot_fresh(lot)
    if not _owner_or_staff(actor, lot):
        raise NotAllowed("只有招标人、代理机构或本中心工作人员可以公示中标候选人")
    report = getattr(lot, "evaluation_report", None)
    if report is None or report.completed_at is None:
        raise Conflict("评标报告尚未由全体成员签署", field="report")
    if not report.ranking:
        raise Conflict("没有合格的投标，应当重新招标", field="report")
    require_not_suspended(lot, "公示中标候选人（公告结果）")
    now = clock.now()
    with transaction.atomic():
        locked = Lot.objects.select_for_update().select_related("project__center", "project__region").get(pk=lot.pk)
        if locked.candidates_published_at is not None:
            raise Conflict("中标候选人已公示", field="lot")
        # Each candidate keeps the name it is published under (the report's, as the notice below says it).
        rows = [Candidate.objects.create(lot=locked, bid_id=r["bid_id"], rank=r["rank"],
                                         bidder_name=r.get("bidder") or "")
                for r in report.ranking[:CANDIDATES_SHOWN]]
        locked.candidates_published_at = now
        locked.save(update_fields=["candidates_published_at"])
        # The statutory form of the category: works publish candidates (实施条例 Art. 54), government procurement
        # publishes its result with the challenge period (政府采购法 Art. 52).
        text = notices.candidates_notice(locked, ranking=report.ranking[:CANDIDATES_SHOWN], published_at=now)
        notice_publish(actor=actor, by_procedure=True, center=locked.project.center, region=locked.project.region,
                       notice_type=text.notice_type, category_code=locked.project.category_code, title=text.title,
                       body=text.body, project_code=locked.code, links=text.links,
                       budget=Decimal(str(report.ranking[0]["price"])) if text.notice_type == "result" else None)
        procedure = procedure_for(locked)
        procedure.transition(actor=actor, to=procedure.next_after_evaluation())
    return rows


def result_objection_raise(*, actor, lot: Lot, text: str) -> ResultObjection:
    """A bidder objects during the publicity period; the procedure is suspended until it is answered."""
    lot = lot_fresh(lot)
    if getattr(actor, "role", None) != Role.BIDDER:
        raise NotAllowed("只有投标人或其他利害关系人可以提出异议")
    if lot.state not in (LotState.CANDIDATES, LotState.SUSPENDED):
        raise Conflict("只能在中标候选人公示期间提出异议", field="state")
    now = clock.now()
    published = lot.candidates_published_at or now
    # Works: during the candidates' publicity (实施条例 Art. 54); government procurement: the challenge period
    # its result notice states (政府采购法 Art. 52), while the lot has not been awarded.
    window = "challenge_within" if procedure_for(lot).result_notice_form == "government" else \
        "candidates_publicity_min"
    if now > rules.after(lot.project, window, published):
        raise Conflict("异议（质疑）期已结束" if window == "challenge_within" else "公示期已结束", field="state")
    if not (text or "").strip():
        raise DomainError("异议内容不能为空", field="text")
    with transaction.atomic():
        locked = Lot.objects.select_for_update().select_related("project").get(pk=lot.pk)
        objection = ResultObjection.objects.create(lot=locked, raised_by=actor, text=text.strip(), raised_at=now,
                                                   answer_due=rules.after(locked.project, "objection_answer_within", now))
        if locked.state == LotState.CANDIDATES:
            procedure_for(locked).transition(actor=actor, to=LotState.SUSPENDED, reason="异议处理期间暂停")
        audit_record(actor=actor, action="result.objection_raise", obj=objection, center_id=locked.project.center_id,
                     after={"text": objection.text})
    return objection


def result_objection_answer(*, actor, objection: ResultObjection, answer: str) -> ResultObjection:
    """The tenderer answers within the template's days; with no objection left open the procedure resumes."""
    lot = lot_fresh(objection.lot)
    if not _owner_or_staff(actor, lot):
        raise NotAllowed("只有招标人、代理机构或本中心工作人员可以答复异议")
    if not (answer or "").strip():
        raise DomainError("答复内容不能为空", field="answer")
    with transaction.atomic():
        locked = ResultObjection.objects.select_for_update().get(pk=objection.pk)
        if locked.state == ObjectionState.ANSWERED:
            raise Conflict("该异议已答复", field="answer")
        locked.answer, locked.answered_at, locked.state = answer.strip(), clock.now(), ObjectionState.ANSWERED
        locked.save(update_fields=["answer", "answered_at", "state"])
        notify(users=[locked.raised_by], title="异议已答复", body=locked.answer)
        lot = Lot.objects.select_for_update().select_related("project").get(pk=lot.pk)
        if lot.state == LotState.SUSPENDED and not lot.result_objections.filter(state=ObjectionState.OPEN).exists():
            procedure_for(lot).transition(actor=actor, to=LotState.CANDIDATES, reason="异议已答复，恢复")
        audit_record(actor=actor, action="result.objection_answer", obj=locked, center_id=lot.project.center_id,
                     after={"answer": locked.answer, "late": locked.answered_at > locked.answer_due})
    return locked


def _basis_to_award(*, actor, lot: Lot) -> AwardBasis:
    """What the award rests on (the procedure's ``award_basis``: the first candidate not refused, or the
    single-source deal). A winner banned from awards now (credit) is refused — the refusal and its reason kept on the
    candidate and logged — and the next candidate offered where the template allows it
    (``award_next_candidate_on_refusal``, default 1; 实施条例 Art. 55). With none left, where the template says 0, or
    for a single-source deal (no other supplier), the lot fails (流标) and the refusal is raised. Each refusal is
    committed in its own transaction."""
    while True:
        basis = procedure_for(lot).award_basis()
        if basis is None:
            raise Conflict("没有中标候选人", field="candidates")
        restriction = award_restriction(basis.entity)
        if restriction is None:
            return basis
        first = basis.candidate
        setting = rules.period_optional(lot.project, "award_next_candidate_on_refusal")
        next_allowed = first is not None and (setting is None or not setting.is_finite() or setting >= 1)
        with transaction.atomic():
            locked = Lot.objects.select_for_update().get(pk=lot.pk)
            procedure_for(locked).require(LotState.CANDIDATES)
            reason = credit_refused_award_log(actor=actor, lot=locked, entity=basis.entity, restriction=restriction)
            remaining = False
            if first is not None:
                first.refused_at, first.refused_reason = clock.now(), reason[:500]
                first.save(update_fields=["refused_at", "refused_reason"])
                audit_record(actor=actor, action="result.candidate_refuse", obj=first,
                             center_id=lot.project.center_id,
                             after={"rank": first.rank, "bidder": first.bidder_name, "reason": reason,
                                    "next_offered": next_allowed})
                remaining = locked.candidates.filter(refused_at__isnull=True).exists()
            if not (next_allowed and remaining):
                from .opening import _lot_fail

                who = f"第{first.rank}名中标候选人{first.bidder_name}" if first is not None else f"成交供应商{basis.name}"
                tail = ("，且无其他中标候选人" if next_allowed or first is None
                        else "，招标文件（模板）规定不依次确定其他中标候选人")
                _lot_fail(actor=actor, lot=locked, reason=f"{who}不符合中标条件（{reason}）{tail}",
                          followup="招标人应当依法重新招标（采购）")
        if not (next_allowed and remaining):
            raise Conflict(f"{reason}；本标段流标", field="credit")


def award_issue(*, actor, lot: Lot) -> Award:
    """After the publicity period with no open objection, the first candidate is awarded (中标通知书); a candidate
    banned from awards is refused and the next offered (``_basis_to_award``)."""
    lot = lot_fresh(lot)
    if not _owner_or_staff(actor, lot):
        raise NotAllowed("只有招标人、代理机构或本中心工作人员可以发出中标通知书")
    procedure_for(lot).require(LotState.CANDIDATES)
    require_not_suspended(lot, "发出中标通知书")
    now = clock.now()
    published = lot.candidates_published_at or now
    if now < rules.after(lot.project, "candidates_publicity_min", published):
        # 招标投标法实施条例 Art. 54: candidates are published for at least 3 days.
        raise Conflict(f"中标候选人公示期（不少于{rules.describe(lot.project, 'candidates_publicity_min')}）尚未结束",
                       field="state")
    basis = _basis_to_award(actor=actor, lot=lot)  # the first candidate not refused, or the single-source deal
    winner_name, amount = basis.name, basis.amount
    with transaction.atomic():
        locked = Lot.objects.select_for_update().select_related("project__center", "project__region").get(pk=lot.pk)
        credit_passed_award(actor=actor, lot=locked, entity=basis.entity)
        award = Award.objects.create(lot=locked, bid=basis.bid, supplier=basis.entity, bidder_name=winner_name,
                                     amount=amount,
                                     issued_at=now, contract_due=timezone.localdate(
                                         rules.after(locked.project, "contract_after_award_within", now)))
        locked.result_final_at = now
        locked.save(update_fields=["result_final_at"])
        committee_publish_draw(locked)  # the experts app may now publish the draw (names, seed, eligible list)
        if procedure_for(locked).result_notice_form == "works":
            # Government procurement published its result notice with the candidates' step; works publish now.
            committee = [m.user.display_name or m.user.username for m in locked.committee.select_related("user")]
            text = notices.award_notice(locked, winner=winner_name, amount=amount, committee=committee, issued_at=now)
            notice_publish(actor=actor, by_procedure=True, center=locked.project.center,
                           region=locked.project.region, notice_type=text.notice_type,
                           category_code=locked.project.category_code, title=text.title, body=text.body,
                           project_code=locked.code, budget=amount, links=text.links)
        procedure_for(locked).transition(actor=actor, to=LotState.AWARDED)
        audit_record(actor=actor, action="result.award", obj=award, center_id=locked.project.center_id,
                     after={"bid": basis.bid.pk if basis.bid is not None else None,
                            "supplier": basis.entity.credit_code, "amount": amount})
    return award


def contract_record(*, actor, lot: Lot, amount, signed_on: dt.date, content: bytes) -> Contract:
    """Record the signed contract; every bond then falls due for refund within the template's days."""
    lot = lot_fresh(lot)
    if not _owner_or_staff(actor, lot):
        raise NotAllowed("只有招标人、代理机构或本中心工作人员可以备案合同")
    procedure_for(lot).require(LotState.AWARDED)
    require_not_suspended(lot, "备案合同")
    value = yuan(amount, field="amount", label="合同金额")
    if not content:
        raise DomainError("请上传合同文件", field="file")
    if signed_on > clock.today():
        raise DomainError("签订日期不能晚于今天", field="signed_on")
    if signed_on < lot.award.issued_at.date():
        raise DomainError("签订日期不能早于中标通知书发出日期", field="signed_on")
    digest = file_store.put(content)
    signed_at = timezone.make_aware(dt.datetime.combine(signed_on, dt.time(9)))
    refund_due = timezone.localdate(rules.after(lot.project, "bid_bond_refund_after_contract_max", signed_at))
    with transaction.atomic():
        locked = Lot.objects.select_for_update().select_related("project").get(pk=lot.pk)
        notice_due = (rules.after(locked.project, "contract_notice_within", signed_at)
                      if rules.period_optional(locked.project, "contract_notice_within") is not None else None)
        contract = Contract.objects.create(lot=locked, amount=value, signed_on=signed_on, sha256=digest,
                                           recorded_at=clock.now(), is_late=signed_on > locked.award.contract_due,
                                           notice_due=notice_due)
        for bond in BidBond.objects.filter(signup__lot=locked, refund__isnull=True):
            bonds.bond_refund_due(bond=bond, due_on=refund_due, reason="合同签订")
        procedure_for(locked).transition(actor=actor, to=LotState.CONTRACTED)
        audit_record(actor=actor, action="result.contract", obj=contract, center_id=locked.project.center_id,
                     after={"amount": value, "signed_on": signed_on, "sha256": digest, "late": contract.is_late})
    return contract


def contract_notice_publish(*, actor, lot: Lot) -> Contract:
    """政府采购合同公告: the purchaser (or its agency) publishes the signed contract within the template's working days
    of signing (政府采购法实施条例 Art. 50, 待核实); publishing late is allowed and recorded as late."""
    lot = lot_fresh(lot)
    if not _owner_or_staff(actor, lot):
        raise NotAllowed("只有采购人、代理机构或本中心工作人员可以发布合同公告")
    contract = Contract.objects.filter(lot=lot).first()
    if contract is None:
        raise Conflict("合同尚未备案，不能发布合同公告", field="contract")
    if contract.notice_due is None:
        raise Conflict("本项目的交易规则没有政府采购合同公告", field="contract")
    now, notice_due = clock.now(), contract.notice_due
    with transaction.atomic():
        locked = Contract.objects.select_for_update().select_related("lot__project__center",
                                                                     "lot__project__region").get(pk=contract.pk)
        if locked.notice_published_at is not None:
            raise Conflict("合同公告已发布", field="contract")
        project, award = locked.lot.project, locked.lot.award
        body = "\n".join([
            f"项目名称：{project.title}　采购包：{locked.lot.name}　项目编号：{locked.lot.code}",
            f"采购人：{project.tenderer.name if project.tenderer else ''}",
            f"供应商：{award.bidder_name}",
            f"合同金额：{notices.money(locked.amount)}",
            f"合同签订日期：{locked.signed_on:%Y-%m-%d}",
            f"合同文件 SHA-256：{locked.sha256}",
        ])
        notice_publish(actor=actor, by_procedure=True, center=project.center, region=project.region,
                       notice_type="contract", category_code=project.category_code,
                       title=f"{project.title}（{locked.lot.name}）政府采购合同公告", body=body,
                       project_code=locked.lot.code, budget=locked.amount, links=notices.lot_links(locked.lot))
        locked.notice_published_at = now
        locked.save(update_fields=["notice_published_at"])
        audit_record(actor=actor, action="result.contract_notice", obj=locked, center_id=project.center_id,
                     after={"late": now > notice_due})
    return locked


def bond_refunds_remind() -> int:
    """Scheduled: remind each center's staff of bond refunds due within a day or overdue (idempotent per day)."""
    today = clock.today()
    due = BondRefund.objects.filter(bond__refunded_at__isnull=True, due_on__lte=today + dt.timedelta(days=1)) \
        .select_related("bond__signup__lot__project")
    sent = 0
    for refund in due:
        if refund.reminded_at is not None and refund.reminded_at.date() == today:
            continue
        lot = refund.bond.signup.lot
        staff = User.objects.filter(role=Role.CENTER_STAFF, center_id=lot.project.center_id, is_active=True)
        with transaction.atomic():
            # before the opening the lot is not named: a refund due there would tell that it has a bidder
            where = f"子账号 {refund.bond.subaccount}" if lot.state == LotState.PUBLISHED else lot.code
            notify(users=list(staff), title=f"保证金退还提醒：{where}",
                   body=f"应于{refund.due_on:%Y-%m-%d}前退还投标保证金 {refund.bond.amount} 元（{refund.reason}）。")
            BondRefund.objects.filter(pk=refund.pk).update(reminded_at=clock.now())
        sent += 1
    return sent


def archive_build(*, actor, lot: Lot) -> ArchivePackage:
    """Make the archive package of a finished lot (contracted or failed): every item with its hash."""
    lot = lot_fresh(lot)
    if actor is not None and not policies.can_publish_lot(actor, lot):
        raise NotAllowed("只有本中心工作人员可以归档")
    procedure_for(lot).require(LotState.CONTRACTED, LotState.FAILED)
    items = [{"kind": "招标文件", "name": d.name, "sha256": d.sha256} for d in lot.documents.all()]
    for bid in lot.bids.prefetch_related("files"):
        items += [{"kind": "投标文件（密文）", "name": f"bid-{bid.pk}", "sha256": f.ciphertext_sha256,
                   "plaintext_sha256": f.plaintext_sha256} for f in bid.files.all()]
    for attr, kind in (("opening_record", "开标记录"), ("evaluation_report", "评标报告"), ("contract", "合同")):
        obj = getattr(lot, attr, None)
        if obj is not None:
            items.append({"kind": kind, "name": kind, "sha256": getattr(obj, "sha256", None) or obj.content_sha256})
    timeline = [{"at": e.at.isoformat(), "action": e.action, "actor": e.actor_label}
                for e in AuditEntry.objects.filter(object_type="tendering.lot", object_id=str(lot.pk)).order_by("at", "id")]
    manifest = jsonable({"lot": lot.code, "project": lot.project.code, "items": items, "timeline": timeline,
                         "signatures": documents.signatures_manifest(lot)})
    digest = hashlib.sha256(json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    years = rules.period_optional(lot.project, "records_retention_min")
    today = clock.today()
    with transaction.atomic():
        locked = Lot.objects.select_for_update().select_related("project").get(pk=lot.pk)
        package = ArchivePackage.objects.create(lot=locked, manifest=manifest, manifest_sha256=digest,
                                                archived_at=clock.now(),
                                                retain_until=_years_later(today, int(years)) if years else None)
        procedure_for(locked).transition(actor=actor, to=LotState.ARCHIVED)
        audit_record(actor=actor, action="archive.build", obj=package, center_id=locked.project.center_id,
                     after={"sha256": digest, "items": len(items), "retain_until": package.retain_until})
    return package


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def archive_open(*, actor, package: ArchivePackage, purpose: str = "") -> ArchivePackage:
    """Every look at an archive after it was made is logged (who, when, why)."""
    lot = package.lot
    if not (policies.can_publish_lot(actor, lot) or getattr(actor, "role", None) == Role.SUPERVISOR):
        raise NotAllowed("无权查阅档案")
    with transaction.atomic():
        ArchiveAccess.objects.create(package=package, user=actor, at=clock.now(), purpose=(purpose or "")[:255])
    return package
