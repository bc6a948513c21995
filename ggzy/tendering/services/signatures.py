"""Signing the lot's documents (电子签章): the responsible party uploads a detached CMS signature over the
document's canonical bytes (``documents.document_of``); it is kept only when it verifies and when its certificate
is the actor's own — an entity certificate whose credit code is the acting entity's, or a person certificate that
maps to the actor's account by the certificate-login rule."""

from __future__ import annotations

from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.pki.login import account_for_certificate
from ggzy.pki.models_signatures import Signature, SignaturePurpose
from ggzy.pki.signing import signature_check
from ggzy.pki.signing_services import signature_attach

from .. import policies
from ..choices import BidState, LotState
from ..documents import Document, document_of, purpose_check
from ..models import Lot
from ..procedures import lot_fresh
from .bidding import bid_of

MAX_SIGNATURE_BYTES = 64 * 1024

_REFUSED: dict[str, str] = {
    SignaturePurpose.OPENING_RECORD: "开标记录应由本标段交易中心的工作人员签署",
    SignaturePurpose.EVALUATION_REPORT: "评标报告应由评标委员会成员签署",
    SignaturePurpose.AWARD_NOTICE: "中标通知书应由招标人或招标代理机构签署",
    SignaturePurpose.CONTRACT: "合同应由招标人、招标代理机构或中标人签署",
    SignaturePurpose.BID: "投标文件应由投标人本人签署",
}


def document_for_signer(*, actor, lot: Lot, purpose: str) -> Document:
    """The document ``actor`` would sign (a bidder's own bid for ``bid``); NotAllowed for anyone else."""
    purpose_check(purpose)
    if not policies.can_sign_document(actor, lot, purpose):
        raise NotAllowed(_REFUSED[purpose])
    bid = None
    if purpose == SignaturePurpose.BID:
        # Recorded from the opening on: a signature record names its certificate's holder, so before the opening
        # it would reveal who bid (the bid's own rows keep the identity sealed until then).
        if lot.state != LotState.OPENING:
            raise Conflict("投标文件的电子签名在开标时（解密阶段）提交；开标前登记会暴露投标人身份", field="bid")
        bid = bid_of(actor=actor, lot=lot)
        if bid is None or bid.state == BidState.WITHDRAWN:
            raise Conflict("您在本标段没有投标文件", field="bid")
    return document_of(lot, purpose, bid=bid)


def _certificate_is_actors(actor, purpose: str, subject) -> bool:
    if purpose in (SignaturePurpose.OPENING_RECORD, SignaturePurpose.EVALUATION_REPORT) or not subject.is_entity:
        if subject.is_entity:
            return False
        try:
            return account_for_certificate(subject, username=actor.username).pk == actor.pk
        except DomainError:
            return False
    entity = policies.acting_entity(actor)
    return entity is not None and entity.credit_code == subject.credit_code


def document_sign(*, actor, lot: Lot, purpose: str, signature_der: bytes) -> Signature:
    """Record the actor's signature over one of the lot's documents, after checking who may sign it."""
    lot = lot_fresh(lot)
    document = document_for_signer(actor=actor, lot=lot, purpose=purpose)
    signature_der = bytes(signature_der or b"")
    if not signature_der:
        raise DomainError("请上传签名文件（.p7s）", field="signature")
    if len(signature_der) > MAX_SIGNATURE_BYTES:
        raise DomainError("签名文件过大（不超过64KB）", field="signature")
    check = signature_check(signature_der, at=clock.now(), content=document.content)
    if not check.ok:
        raise DomainError(check.reason, field="signature")
    if check.signer is None or not _certificate_is_actors(actor, purpose, check.signer):
        raise NotAllowed("签名证书不属于当前用户或其所属市场主体", field="signature")
    with transaction.atomic():
        signature = signature_attach(actor=actor, object_type=document.object_type, object_id=document.obj.pk,
                                     purpose=purpose, content=document.content, signature_der=signature_der,
                                     center_id=lot.project.center_id)
        audit_record(actor=actor, action="document.sign", obj=lot, center_id=lot.project.center_id,
                         after={"purpose": purpose, "signature": signature.pk, "document_sha256": document.sha256,
                                "certificate": signature.certificate_fingerprint})
    return signature


def bid_signature_settle(*, lot: Lot, bid, signature_der: bytes) -> str:
    """At the opening, the bidder's signature that was sealed with its bid (opened with the content key): recorded
    when it verifies over the bid's manifest and its certificate is the bidder's own (an entity certificate with
    the bidder's credit code, or a person certificate bound to one of the bidder's accounts); otherwise the bid
    keeps a note of why (the evaluation committee decides what an unsigned bid means). Inside the caller's
    transaction. Returns the resulting state (valid / invalid)."""
    reason = ""
    signature = None
    if not signature_der:
        reason = "签名密文无法用内容密钥解开（已损坏或并非随本投标文件密封）"
    else:
        document = document_of(lot, SignaturePurpose.BID, bid=bid)
        check = signature_check(signature_der, at=clock.now(), content=document.content)
        if not check.ok:
            reason = check.reason
        elif check.signer is None or not _signer_is_bidder(bid, check.signer):
            reason = "签名证书不属于该投标人"
        else:
            try:
                signature = signature_attach(actor=None, object_type=document.object_type, object_id=bid.pk,
                                             purpose=SignaturePurpose.BID, content=document.content,
                                             signature_der=signature_der, center_id=lot.project.center_id)
            except DomainError as exc:
                reason = exc.message
    state = "valid" if signature is not None else "invalid"
    type(bid).objects.filter(pk=bid.pk).update(signature_state=state, signature_reason=reason[:255])
    audit_record(actor=None, action="bid.signature_" + state, obj=bid, center_id=lot.project.center_id,
                 after={"signature": signature.pk if signature else None, "reason": reason})
    return state


def _signer_is_bidder(bid, subject) -> bool:
    bidder = type(bid).objects.select_related("bidder").get(pk=bid.pk).bidder  # unsealed at the opening
    if bidder is None:
        return False
    if subject.is_entity:
        return subject.credit_code == bidder.credit_code
    try:
        account = account_for_certificate(subject)
    except DomainError:
        return False
    entity = policies.acting_entity(account)
    return entity is not None and entity.pk == bidder.pk
