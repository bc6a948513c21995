"""Stage 5: the opening. At the deadline the lot opens (scheduler, or staff at request time); fewer bids than the
template's minimum fail the lot; otherwise identities are unsealed, each bid is decrypted and checked against its
hashes, the opening record is published, and objections raised during the opening are answered on the record.
"""

from __future__ import annotations

import hashlib
import json
import logging

from django.db import transaction
from django.utils import timezone

from ggzy.core import clock
from ggzy.core import files as file_store
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.jsontext import strict_json_loads
from ggzy.core.labels import record_label
from ggzy.disclosure.services import notice_publish
from ggzy.ledger.services import seal_lift
from ggzy.pki import envelope
from ggzy.registry.models import MarketEntity

from .. import doctext, policies, rules, sealing
from ..choices import BidState, LotState, ObjectionState
from ..models import (
    BankArrival,
    Bid,
    BidBond,
    DocumentDownload,
    Lot,
    OpeningObjection,
    OpeningRecord,
    Project,
    SignUp,
)
from ..price_sheet import price_sheet_clean
from ..procedures import lot_fresh, procedure_for
from . import bonds, doc_profiles, notices
from .bidding import _context

FAILED_STATES = (BidState.DEEMED_WITHDRAWN, BidState.DEEMED_REVOKED, BidState.REJECTED)


logger = logging.getLogger(__name__)

def lot_open(*, actor, lot: Lot) -> Lot:
    """Open a lot whose deadline has passed (idempotent: an opened or failed lot is returned unchanged)."""
    if actor is not None and not policies.can_publish_lot(actor, lot):
        raise NotAllowed("只有本中心工作人员可以主持开标")
    with transaction.atomic():
        lot = Lot.objects.select_for_update().select_related("project__center").get(pk=lot.pk)
        procedure = procedure_for(lot)
        if lot.state != LotState.PUBLISHED:
            return lot
        if procedure.effective_state() != LotState.OPENING:
            raise Conflict("尚未到投标截止时间，不能开标", field="bid_deadline")
        submitted = lot.bids.filter(state=BidState.SUBMITTED).count()
        minimum = rules.period_int(lot.project, "bids_to_open_min")
        lot.opened_at = clock.now()
        lot.save(update_fields=["opened_at"])
        # The lot's sign-ups, bonds and bids entered the log as commitments; the deadline has passed, so they are
        # published now, also when the lot fails (招标投标法 Art. 22 keeps them confidential only before the opening,
        # and a failed lot announces its count). They name no bidder: identities stay sealed on a failed lot.
        seal_lift(seal_key=sealing.seal_key(lot.pk))
        if submitted < minimum:
            # 招标投标法实施条例 Art. 44: fewer than 3 bidders — no opening; the tenderer re-tenders.
            _lot_fail(actor=actor, lot=lot, reason=procedure.failure_reason(minimum=minimum, count=submitted),
                      followup=procedure.failure_followup(minimum=minimum))
            return lot
        _unseal_identities(lot)
        procedure.transition(actor=actor, to=LotState.OPENING)
    return lot


def _lot_fail(*, actor, lot: Lot, reason: str, followup: str) -> None:
    """流标: the reason is kept on the lot, the lot stops, and a 流标公告 says why and what follows (the count of
    bids is public once the deadline has passed; no bidder is named)."""
    lot.failure_reason = reason[:255]
    lot.save(update_fields=["failure_reason"])
    procedure_for(lot).transition(actor=actor, to=LotState.FAILED, reason=f"{reason}；{followup}")
    _failed_lot_bonds_due(lot)
    project = Project.objects.select_related("center", "region", "tenderer").get(pk=lot.project_id)
    text = notices.failure_notice(lot, reason=reason, followup=followup)
    notice_publish(actor=actor, by_procedure=True, center=project.center, region=project.region,
                   notice_type=text.notice_type, category_code=project.category_code, title=text.title,
                   body=text.body, project_code=lot.code, links=text.links)


def _failed_lot_bonds_due(lot: Lot) -> None:
    """A failed lot owes every bidder its bond back (招标投标法实施条例 Art. 31: 及时退还). No dedicated term in the
    template: the refund falls due within the template's withdrawal term (a failed lot returns every bid as a withdrawal
    does). Guarantees are released. Idempotent: a bond already due (e.g. a withdrawn bid's) keeps its refund."""
    due_on = timezone.localdate(rules.after(lot.project, "bid_bond_refund_after_withdrawal_max", clock.now()))
    for bond in BidBond.objects.filter(signup__lot=lot, refund__isnull=True):
        bonds.bond_refund_due(bond=bond, due_on=due_on, reason="流标")


def _signature_label(bid: Bid) -> str:
    """The bid's sealed signature as the opening record states it (empty when none was sealed with the bid)."""
    if bid.signature_state == "valid":
        return "签名核验通过"
    if bid.signature_state == "invalid":
        return f"签名核验未通过：{bid.signature_reason}"
    return ""


def _unseal_identities(lot: Lot) -> None:
    entity_ids: set[int] = set()
    for model in (SignUp, Bid, DocumentDownload):
        for row in model.objects.filter(lot=lot):
            row.bidder_id = sealing.unseal_small(lot, bytes(row.bidder_sealed))["entity_id"]
            row.save(update_fields=["bidder"])
            entity_ids.add(row.bidder_id)
    # the payers of the lot's bond arrivals (bonds paid from one account hint at collusion: 实施条例 第四十条)
    for arrival in BankArrival.objects.filter(bond__signup__lot=lot, payer_sealed__isnull=False).order_by("pk"):
        payer = sealing.unseal_small(lot, bytes(arrival.payer_sealed or b""))
        arrival.payer_name, arrival.payer_account, arrival.payer_bank = payer["name"], payer["account"], payer["bank"]
        arrival.save(update_fields=["payer_name", "payer_account", "payer_bank"])
        BidBond.objects.filter(pk=arrival.bond_id or 0, account_number="").update(
            account_bank=payer["bank"][:100], account_number=payer["account"])


def bid_decrypt(*, actor, bid: Bid) -> Bid:
    """Decrypt one bid at the opening: price sheet, fingerprint, and every file re-hashed (never written out).

    A bid that fails to decrypt or whose file hash does not match is treated as withdrawn (视为撤回, not the
    bidder's fault with a platform-held key); the other bids' opening continues.
    """
    lot = lot_fresh(bid.lot)
    if actor is not None and not policies.can_publish_lot(actor, lot):
        raise NotAllowed("只有本中心工作人员可以解密")
    if lot.state != LotState.OPENING:
        raise Conflict("标段不在开标阶段", field="state")
    if bid.state != BidState.SUBMITTED or bid.sealed_by == "bidder":  # the bidder opens its own (client_sealed)
        return bid
    try:
        key = envelope.unwrap_key(sealing.opening_key_name(lot), bytes(bid.wrapped_key), bid.key_wrap_id)
        sheet_text = envelope.open_bytes(key, bytes(bid.sealed_price_sheet),
                                         context=_context(lot, bid.bidder_tag, "price_sheet"))
        prints = json.loads(envelope.open_bytes(key, bytes(bid.fingerprint_sealed),
                                               context=_context(lot, bid.bidder_tag, "fingerprint")))
        extracted = []
        for index, bid_file in enumerate(bid.files.order_by("id")):
            hasher = hashlib.sha256()
            collector = doctext.Collector()  # text for the document screens, in memory only (bounded)
            for chunk in envelope.open_stream(key, file_store.iter_chunks(bid_file.ciphertext_sha256),
                                              context=_context(lot, bid.bidder_tag, f"file:{index}")):
                hasher.update(chunk)
                collector.feed(chunk)
            if hasher.hexdigest() != bid_file.plaintext_sha256:
                raise envelope.SealError("文件摘要与递交时不一致")
            extracted.append(collector.result())
    except (envelope.SealError, FileNotFoundError, ValueError) as exc:
        return _decrypt_failed(actor=actor, lot=lot, bid=bid, state=BidState.DEEMED_WITHDRAWN, cause="platform",
                               reason=str(exc))
    try:
        # The sheet was checked when it was submitted; one that cannot be read now (written under older rules, or
        # damaged) makes this bid alone invalid, with its reason on the opening record — the opening goes on.
        sheet = price_sheet_clean(strict_json_loads(sheet_text))
    except (ValueError, DomainError) as exc:
        return _decrypt_failed(actor=actor, lot=lot, bid=bid, state=BidState.DEEMED_REVOKED, cause="bidder",
                               reason=f"报价单无法读取：{exc}")
    with transaction.atomic():
        bid.price_sheet = sheet
        bid.price = sheet["total_price"]
        bid.fingerprint = prints
        bid.opened_at = clock.now()
        bid.state = BidState.OPENED
        bid.opened_by = "platform"
        bid.save(update_fields=["price_sheet", "price", "fingerprint", "opened_at", "state", "opened_by"])
        doc_profiles.bid_document_profile_save(bid=bid, extracted=extracted)
        audit_record(actor=actor, action="bid.decrypt", obj=bid, center_id=lot.project.center_id,
                     after={"price": sheet["total_price"]})
    return bid


def _decrypt_failed(*, actor, lot: Lot, bid: Bid, state: str, cause: str, reason: str) -> Bid:
    with transaction.atomic():
        Bid.objects.filter(pk=bid.pk).update(state=state, opened_at=clock.now(), opened_by="platform",
                                             failure_cause=cause, failure_reason=reason[:255])
        audit_record(actor=actor, action="bid.decrypt_failed", obj=bid, center_id=lot.project.center_id,
                     after={"state": state, "cause": cause, "reason": reason[:200]})
    bid.refresh_from_db()
    return bid


def opening_decrypt_all(*, actor, lot: Lot) -> list[Bid]:
    lot = lot_fresh(lot)
    pending = lot.bids.filter(state=BidState.SUBMITTED, sealed_by="platform").order_by("id")
    return [bid_decrypt(actor=actor, bid=bid) for bid in pending]


def opening_record_publish(*, actor, lot: Lot) -> OpeningRecord:
    """Publish the opening record once every bid is decrypted (or failed)."""
    lot = lot_fresh(lot)
    if actor is not None and not policies.can_publish_lot(actor, lot):
        raise NotAllowed("只有本中心工作人员可以公布开标记录")
    if lot.state != LotState.OPENING:
        raise Conflict("标段不在开标阶段", field="state")
    if lot.bids.filter(state=BidState.SUBMITTED).exists():
        raise Conflict("尚有投标文件未解密", field="bids")
    entities = MarketEntity.objects.filter(pk__in=lot.bids.values("bidder_id"))
    names = dict(entities.values_list("pk", "name"))
    codes = dict(entities.values_list("pk", "credit_code"))
    rows = []
    for bid in lot.bids.exclude(state=BidState.WITHDRAWN).order_by("arrived_at"):
        sheet = bid.price_sheet or {}
        who = bid.bidder_id or 0
        rows.append({"bid_id": bid.pk, "bidder": names.get(who, ""), "credit_code": codes.get(who, ""),
                     "price": sheet.get("total_price"), "duration_days": sheet.get("duration_days"),
                     "quality": sheet.get("quality", ""), "state": record_label(BidState(bid.state).label),
                     "opened_by": bid.opened_by, "signature": _signature_label(bid),
                     "reason": bid.failure_reason if bid.state in FAILED_STATES else ""})
    digest = hashlib.sha256(json.dumps(rows, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    now = clock.now()
    with transaction.atomic():
        record, _ = OpeningRecord.objects.update_or_create(
            lot=lot, defaults={"opened_at": lot.opened_at or now, "rows": rows, "sha256": digest, "published_at": now})
        audit_record(actor=actor, action="opening.record_publish", obj=lot, center_id=lot.project.center_id,
                     after={"sha256": digest, "bids": len(rows)})
        # the alerts (supervision) run only once the record is public, outside this transaction
        transaction.on_commit(lambda: _alerts_queue(lot.pk))
    return record


def _alerts_queue(lot_id: int) -> None:
    from ..tasks import alerts_after_opening  # noqa: PLC0415 — tasks import the services

    try:
        alerts_after_opening(lot_id)
    except Exception:  # noqa: BLE001 — the opening record stands; the nightly run retries the alerts
        logger.exception("开标后预警运行失败：标段 id=%s，夜间复核时重试", lot_id)


def opening_objection_raise(*, actor, lot: Lot, text: str) -> OpeningObjection:
    """A bidder raises an objection during the opening (招标投标法实施条例 Art. 44)."""
    lot = lot_fresh(lot)
    bidder = policies.acting_entity(actor)
    if bidder is None or not lot.bids.filter(bidder=bidder).exists():
        raise NotAllowed("只有本标段的投标人可以提出开标异议")
    if lot.state != LotState.OPENING:
        raise Conflict("开标异议应当在开标现场提出", field="state")
    if not (text or "").strip():
        raise DomainError("异议内容不能为空", field="text")
    with transaction.atomic():
        objection = OpeningObjection.objects.create(lot=lot, bidder=bidder, text=text.strip(), raised_at=clock.now())
        audit_record(actor=actor, action="opening.objection_raise", obj=objection, center_id=lot.project.center_id,
                     after={"text": objection.text})
    return objection


def opening_objection_answer(*, actor, objection: OpeningObjection, answer: str) -> OpeningObjection:
    if not policies.can_publish_lot(actor, objection.lot) and not policies.is_project_owner(actor, objection.lot.project):
        raise NotAllowed("只有招标人、代理机构或本中心工作人员可以答复开标异议")
    if not (answer or "").strip():
        raise DomainError("答复内容不能为空", field="answer")
    with transaction.atomic():
        locked = OpeningObjection.objects.select_for_update().get(pk=objection.pk)
        if locked.state == ObjectionState.ANSWERED:
            raise Conflict("该异议已答复", field="answer")
        locked.answer, locked.answered_at, locked.answered_by = answer.strip(), clock.now(), actor
        locked.state = ObjectionState.ANSWERED
        locked.save(update_fields=["answer", "answered_at", "answered_by", "state"])
        audit_record(actor=actor, action="opening.objection_answer", obj=locked,
                     center_id=locked.lot.project.center_id, after={"answer": locked.answer})
    return locked


def opening_close(*, actor, lot: Lot) -> Lot:
    """End the opening and start the evaluation: the record is published and every objection answered."""
    lot = lot_fresh(lot)
    if not policies.can_publish_lot(actor, lot):
        raise NotAllowed("只有本中心工作人员可以结束开标")
    if not hasattr(lot, "opening_record"):
        raise Conflict("开标记录尚未公布", field="opening_record")
    if lot.opening_objections.filter(state=ObjectionState.OPEN).exists():
        raise Conflict("尚有开标异议未答复", field="objections")
    with transaction.atomic():
        locked = Lot.objects.select_for_update().select_related("project").get(pk=lot.pk)
        procedure = procedure_for(locked)
        procedure.transition(actor=actor, to=procedure.next_after_opening())
    return locked


def lot_retender(*, actor, lot: Lot) -> Lot:
    """After a failed lot the owner starts again: a new lot (new code) copying the old one, in draft."""
    lot = lot_fresh(lot)
    from ggzy.core.identifiers import child_code_issue

    if not (policies.can_prepare_lot(actor, lot) or policies.can_publish_lot(actor, lot)):
        raise NotAllowed("只有招标人、代理机构或本中心工作人员可以重新招标")
    if lot.state != LotState.FAILED:
        raise Conflict("只有流标的标段可以重新招标", field="state")
    with transaction.atomic():
        new = Lot.objects.create(
            project=lot.project, code=child_code_issue(parent_code=lot.tender_code, level="lot"),
            tender_code=lot.tender_code, name=lot.name, estimated_price=lot.estimated_price,
            evaluation_method=lot.evaluation_method, price_weight=lot.price_weight, tie_break=lot.tie_break,
            qualification_required=lot.qualification_required, notice_text=lot.notice_text, retender_of=lot)
        for document in lot.documents.all():
            document.pk = None
            document.lot = new
            document.save()
        audit_record(actor=actor, action="lot.retender", obj=new, center_id=lot.project.center_id,
                     after={"retender_of": lot.code, "code": new.code})
    return new
