"""The bidder holds the key: client-sealed submission and the opening with the bidder's own key.

The bidding client (``ggzy-bid``) encrypts everything with a fresh content key and wraps that key to the bidder's
encryption certificate and to the lot's custodian key; the server validates the certificate, stores ciphertext
only and never sees plaintext before the opening. In the decryption window the bidder submits its unwrapped
content key; the server decrypts and re-hashes every file. Whose fault a failure is decides the status:
the bidder's (wrong key, undecryptable, hash mismatch, nothing submitted in the window) → 视为撤销;
the platform's (stored ciphertext missing or damaged, proven by its stored hash) → 视为撤回. A failure the center
records as not the bidder's is opened by k custodians instead (``opening_custodian_unlock``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator

from django.conf import settings
from django.db import transaction

from ggzy.core import clock
from ggzy.core import files as file_store
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.jsontext import strict_json_loads
from ggzy.pki import certificates as certs
from ggzy.pki import envelope, sm
from ggzy.pki.validation import validate_certificate

from .. import bidformat, doctext, policies, sealing
from ..choices import BidState, LotState
from ..models import Bid, Lot, LotOpeningKey
from ..price_sheet import fingerprint_clean, price_sheet_clean
from ..procedures import lot_fresh
from . import doc_profiles
from .bidding import (
    MAX_FILES,
    ArrivedLate,
    IncomingFile,
    _event,
    bid_of,
    bid_preconditions,
    bid_store,
    discard_unreferenced,
)
from .custody import opening_key_recover
from .signatures import bid_signature_settle

MAX_SEALED_SIGNATURE_BYTES = 64 * 1024 + 64


def _store_ciphertext(index: int, incoming: IncomingFile, algorithm: str) -> tuple[str, int]:
    """Store one already-sealed file as it is; returns (ciphertext sha256, plaintext size)."""
    limit = settings.GGZY_BID_FILE_MAX_BYTES + 64 * (1 + settings.GGZY_BID_FILE_MAX_BYTES // envelope.SEGMENT)
    header = envelope.ALGORITHMS[algorithm][0]
    received = 0
    head = b""

    def counted() -> Iterator[bytes]:
        nonlocal received, head
        for chunk in incoming.chunks:
            received += len(chunk)
            if received > limit:
                raise DomainError("单个文件超过大小限制", field=f"files.{index}")
            if len(head) < len(header):
                head += chunk[: len(header)]
            yield chunk

    digest, size = file_store.put_chunks(counted())
    try:
        if not head.startswith(header):
            raise DomainError("不是以所声明算法密封的投标文件", field=f"files.{index}")
        try:
            return digest, envelope.sealed_plaintext_size(size)
        except envelope.SealError:
            raise DomainError("密封文件不完整", field=f"files.{index}") from None
    except DomainError:
        discard_unreferenced([digest])
        raise


def _certificate_check(*, certificate_pem: str, bidder, algorithm: str):
    result = validate_certificate(certificate_pem or b"", at=clock.now(), usage="key_encipherment")
    if not result.ok:
        raise DomainError(f"投标人加密证书无效：{result.reason}", field="bidder_certificate_pem")
    if result.subject is None or result.subject.credit_code != bidder.credit_code:
        raise DomainError("加密证书的统一社会信用代码与投标人不一致", field="bidder_certificate_pem")
    certificate = certs.certificate_load(certificate_pem)
    try:
        expected = bidformat.content_algorithm_for(certificate)
    except ValueError as exc:
        raise DomainError(str(exc), field="bidder_certificate_pem") from None
    if algorithm != expected:
        raise DomainError(f"该证书应使用{expected}加密投标文件", field="algorithm")
    return certificate


def bid_submit_sealed(*, actor, lot: Lot, files: list[IncomingFile], price_sheet_sealed: bytes,
                      fingerprint_sealed: bytes, names_sealed: list[bytes], plaintext_hashes: list[str],
                      wrap_to_bidder: bytes, bidder_certificate_pem: str, wrap_to_custodians: bytes,
                      algorithm: str, custodian_key_id: str = "", signature_sealed: bytes = b"") -> Bid:
    """Accept a bid the bidding client has sealed itself; same deadline and sealed-identity rules as bid_submit.
    ``signature_sealed`` (optional): the bidder's detached CMS signature over the bid's manifest
    (``bidformat.bid_manifest_bytes``), sealed with the content key — opened and verified at the opening."""
    lot, bidder, tag = bid_preconditions(actor=actor, lot=lot)
    if algorithm not in envelope.ALGORITHMS:
        raise DomainError("不支持的内容加密算法", field="algorithm")
    _certificate_check(certificate_pem=bidder_certificate_pem, bidder=bidder, algorithm=algorithm)
    key = LotOpeningKey.objects.filter(lot=lot).first()
    if key is None:
        raise Conflict("标段开标密钥尚未生成，请先获取密封参数", field="wrap_to_custodians")
    if custodian_key_id and custodian_key_id != key.key_id:
        raise DomainError("内容密钥未封装到本标段的开标密钥", field="wrap_to_custodians")
    if not files:
        raise DomainError("请至少上传一个投标文件", field="files")
    if len(files) > MAX_FILES:
        raise DomainError(f"投标文件最多{MAX_FILES}个", field="files")
    if not (len(names_sealed) == len(plaintext_hashes) == len(files)):
        raise DomainError("文件、文件名与摘要的数量不一致", field="plaintext_hashes")
    for i, digest in enumerate(plaintext_hashes):
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise DomainError("文件摘要应为64位小写十六进制SHA-256", field=f"plaintext_hashes.{i}")
    for field, value in (("price_sheet_sealed", price_sheet_sealed), ("fingerprint_sealed", fingerprint_sealed),
                         ("wrap_to_bidder", wrap_to_bidder), ("wrap_to_custodians", wrap_to_custodians)):
        if not value:
            raise DomainError("缺少密封数据", field=field)
    signature_sealed = bytes(signature_sealed or b"")
    if len(signature_sealed) > MAX_SEALED_SIGNATURE_BYTES:
        raise DomainError("投标文件电子签名过大（不超过64KB）", field="signature_sealed")
    if signature_sealed and not signature_sealed.startswith(envelope.ALGORITHMS[algorithm][0]):
        raise DomainError("投标文件电子签名不是以所声明算法密封的", field="signature_sealed")
    stored: list[tuple[str, int]] = []
    try:
        for i, f in enumerate(files):
            stored.append(_store_ciphertext(i, f, algorithm))
    except BaseException:
        discard_unreferenced([d for d, _ in stored])
        raise
    sealed_files = [((plaintext_hashes[i], digest, size), "") for i, (digest, size) in enumerate(stored)]
    extra = {
        "sealed_by": "bidder", "content_algorithm": algorithm, "bidder_wrapped_key": bytes(wrap_to_bidder),
        "certificate_sealed": sealing.seal_large(lot, bidder_certificate_pem.encode()),
        "sealed_sha256": bidformat.sealed_digest(
            price_sheet_sealed=price_sheet_sealed, fingerprint_sealed=fingerprint_sealed, names_sealed=names_sealed,
            wrap_to_bidder=wrap_to_bidder, wrap_to_custodians=wrap_to_custodians,
            file_digests=[d for d, _ in stored], signature_sealed=signature_sealed),
        "signature_sealed": signature_sealed or None,
    }
    try:
        return bid_store(actor=actor, lot=lot, bidder=bidder, tag=tag, wrapped=bytes(wrap_to_custodians),
                         key_id=key.key_id, key=None, sealed_files=sealed_files, sealed_sheet=bytes(price_sheet_sealed),
                         sealed_print=bytes(fingerprint_sealed), names_sealed=[bytes(n) for n in names_sealed],
                         extra=extra)
    except ArrivedLate:
        discard_unreferenced([d for d, _ in stored])
        _event(lot, tag, "refused_late", "上传完成时已过投标截止时间")
        raise Conflict("已过投标截止时间，投标文件不予受理", field="bid_deadline") from None
    except BaseException:
        discard_unreferenced([d for d, _ in stored])
        raise


# --- the opening ----------------------------------------------------------------------------------------------


class _Failure(Exception):
    def __init__(self, cause: str, reason: str) -> None:
        super().__init__(reason)
        self.cause, self.reason = cause, reason


def window_end(lot: Lot) -> dt.datetime | None:
    return lot.opened_at + dt.timedelta(minutes=lot.decryption_window_minutes) if lot.opened_at else None


def _storage_check(bid: Bid) -> None:
    files = list(bid.files.order_by("id"))
    digest = bidformat.sealed_digest(
        price_sheet_sealed=bytes(bid.sealed_price_sheet), fingerprint_sealed=bytes(bid.fingerprint_sealed),
        names_sealed=[bytes(f.name_sealed) for f in files], wrap_to_bidder=bytes(bid.bidder_wrapped_key or b""),
        wrap_to_custodians=bytes(bid.wrapped_key), file_digests=[f.ciphertext_sha256 for f in files],
        signature_sealed=bytes(bid.signature_sealed or b""))
    if digest != bid.sealed_sha256:
        raise _Failure("platform", "平台存储的密封数据与递交时的摘要不一致（存储损坏）")
    for index, bid_file in enumerate(files):
        hasher = hashlib.sha256()
        try:
            for chunk in file_store.iter_chunks(bid_file.ciphertext_sha256):
                hasher.update(chunk)
        except FileNotFoundError:
            raise _Failure("platform", f"第{index + 1}个投标文件的密文在平台存储中缺失") from None
        if hasher.hexdigest() != bid_file.ciphertext_sha256:
            raise _Failure("platform", f"第{index + 1}个投标文件的密文与递交时的摘要不一致（存储损坏）")


def _decrypt(lot: Lot, bid: Bid, key: bytes) -> tuple[dict, dict, list[doctext.Extracted]]:
    """Decrypt everything with ``key`` and re-hash every file; storage was checked before, so a failure here
    comes from what the bidder sent."""
    algorithm = bid.content_algorithm

    def open_item(data: bytes, purpose: str) -> bytes:
        return envelope.open_bytes(key, data, context=bidformat.client_context(lot.pk, purpose), algorithm=algorithm)

    try:
        sheet = price_sheet_clean(strict_json_loads(open_item(bytes(bid.sealed_price_sheet), "price_sheet")))
        prints = fingerprint_clean(json.loads(open_item(bytes(bid.fingerprint_sealed), "fingerprint")))
        extracted = []
        for index, bid_file in enumerate(bid.files.order_by("id")):
            open_item(bytes(bid_file.name_sealed), f"name:{index}")
            hasher = hashlib.sha256()
            collector = doctext.Collector()  # text for the document screens, in memory only (bounded)
            for chunk in envelope.open_stream(key, file_store.iter_chunks(bid_file.ciphertext_sha256),
                                              context=bidformat.client_context(lot.pk, f"file:{index}"),
                                              algorithm=algorithm):
                hasher.update(chunk)
                collector.feed(chunk)
            if hasher.hexdigest() != bid_file.plaintext_sha256:
                raise _Failure("bidder", f"第{index + 1}个投标文件解密后的摘要与投标人声明的不一致")
            extracted.append(collector.result())
    except envelope.SealError as exc:
        raise _Failure("bidder", f"内容密钥错误或密文无法解密：{exc}") from None
    except (ValueError, DomainError) as exc:  # JSON, or a price sheet the client should not have produced
        raise _Failure("bidder", f"解密后的报价单或客户端指纹格式不正确：{exc}") from None
    return sheet, prints, extracted


def _settle(*, actor, lot: Lot, bid: Bid, path: str, key: bytes | None, failure: _Failure | None = None) -> Bid:
    """Check storage, decrypt, and record the outcome and the path that opened (or failed to open) the bid."""
    if failure is None:
        try:
            _storage_check(bid)
            if key is None:
                raise _Failure("bidder", "未提交内容密钥")
            sheet, prints, extracted = _decrypt(lot, bid, key)
        except _Failure as caught:
            failure = caught
    signature_der = b""
    if failure is None and key is not None and bid.signature_sealed:
        try:
            signature_der = envelope.open_bytes(key, bytes(bid.signature_sealed),
                                                context=bidformat.client_context(lot.pk, "signature"),
                                                algorithm=bid.content_algorithm)
        except envelope.SealError:
            signature_der = b""
    with transaction.atomic():
        if failure is not None:
            state = BidState.DEEMED_REVOKED if failure.cause == "bidder" else BidState.DEEMED_WITHDRAWN
            Bid.objects.filter(pk=bid.pk).update(state=state, opened_at=clock.now(), opened_by=path,
                                                 failure_cause=failure.cause, failure_reason=failure.reason[:255])
            audit_record(actor=actor, action="bid.decrypt_failed", obj=bid, center_id=lot.project.center_id,
                         after={"state": state, "path": path, "cause": failure.cause, "reason": failure.reason})
        else:
            Bid.objects.filter(pk=bid.pk).update(state=BidState.OPENED, opened_at=clock.now(), opened_by=path,
                                                 price_sheet=sheet, price=sheet["total_price"], fingerprint=prints)
            doc_profiles.bid_document_profile_save(bid=bid, extracted=extracted)
            audit_record(actor=actor, action="bid.decrypt", obj=bid, center_id=lot.project.center_id,
                         after={"price": sheet["total_price"], "path": path})
            if bid.signature_sealed:
                bid_signature_settle(lot=lot, bid=bid, signature_der=signature_der)
    bid.refresh_from_db()
    return bid


def _in_window(lot: Lot) -> bool:
    end = window_end(lot)
    return lot.state == LotState.OPENING and end is not None and clock.now() <= end


def bid_decrypt_by_bidder(*, actor, lot: Lot, content_key: bytes) -> Bid:
    """The bidder, in the decryption window, submits the content key it unwrapped with its own private key."""
    lot = lot_fresh(lot)
    bid = bid_of(actor=actor, lot=lot)
    if bid is None or bid.sealed_by != "bidder":
        raise NotAllowed("没有需要由本投标人解密的投标文件", field="bid")
    if bid.state != BidState.SUBMITTED:
        raise Conflict(f"该投标文件已处理（{bid.get_state_display()}）", field="bid")
    if not _in_window(lot):
        raise Conflict("不在解密时限内", field="decryption_window")
    if not content_key:
        raise DomainError("请提交内容密钥", field="content_key")
    return _settle(actor=actor, lot=lot, bid=bid, path="bidder", key=bytes(content_key))


def opening_window_close(*, actor, lot: Lot) -> list[Bid]:
    """After the window: every client-sealed bid its bidder did not decrypt is 视为撤销 — except those whose
    failure the center recorded as not the bidder's (they wait for the custodians)."""
    lot = lot_fresh(lot)
    if actor is not None and not policies.can_publish_lot(actor, lot):
        raise NotAllowed("只有本中心工作人员可以结束解密")
    end = window_end(lot)
    if lot.state != LotState.OPENING or end is None or clock.now() <= end:
        raise Conflict("解密时限尚未届满", field="decryption_window")
    pending = lot.bids.filter(state=BidState.SUBMITTED, sealed_by="bidder").exclude(failure_cause="platform")
    return [_settle(actor=actor, lot=lot, bid=bid, path="bidder", key=None,
                    failure=_Failure("bidder", "投标人未在解密时限内解密")) for bid in pending.order_by("id")]


def bid_decryption_failure_record(*, actor, bid: Bid, reason: str) -> Bid:
    """Staff record that the bidder's decryption failed for a cause not the bidder's (e.g. a platform outage in
    the window): the bid then waits for the custodians instead of being treated as revoked."""
    lot = lot_fresh(bid.lot)
    if not policies.can_publish_lot(actor, lot):
        raise NotAllowed("只有本中心工作人员可以认定解密失败原因")
    if lot.state != LotState.OPENING or bid.state != BidState.SUBMITTED or bid.sealed_by != "bidder":
        raise Conflict("只有开标中尚未解密的投标人自持密钥投标文件可以认定", field="bid")
    if not (reason or "").strip():
        raise DomainError("请说明非投标人原因", field="reason")
    with transaction.atomic():
        Bid.objects.filter(pk=bid.pk).update(failure_cause="platform", failure_reason=reason.strip()[:255])
        audit_record(actor=actor, action="bid.decrypt_failure_not_bidder", obj=bid, center_id=lot.project.center_id,
                     after={"cause": "platform", "reason": reason.strip()})
    bid.refresh_from_db()
    return bid


def opening_custodian_unlock(*, actor, lot: Lot, shares: list[str]) -> list[Bid]:
    """k custodians' decrypted shares rebuild the lot key, which opens only the bids recorded as failed for a
    cause not the bidder's. k−1 shares cannot; a wrong or tampered share is named."""
    lot = lot_fresh(lot)
    if not policies.can_publish_lot(actor, lot):
        raise NotAllowed("只有本中心工作人员可以组织保管人解密")
    if lot.state != LotState.OPENING:
        raise Conflict("标段不在开标阶段", field="state")
    bids = list(lot.bids.filter(state=BidState.SUBMITTED, sealed_by="bidder", failure_cause="platform").order_by("id"))
    if not bids:
        raise Conflict("没有因非投标人原因解密失败的投标文件，不得使用保管人密钥", field="bids")
    key = LotOpeningKey.objects.get(lot=lot)
    private_key = opening_key_recover(key, shares)
    with transaction.atomic():
        audit_record(actor=actor, action="opening.custodian_unlock", obj=lot, center_id=lot.project.center_id,
                     after={"bids": [b.pk for b in bids], "shares_presented": len(shares)})
    results = []
    for bid in bids:
        try:
            _storage_check(bid)
            content_key = sm.sm2_decrypt(private_key, bytes(bid.wrapped_key))
        except _Failure as failure:
            results.append(_settle(actor=actor, lot=lot, bid=bid, path="custodians", key=None, failure=failure))
            continue
        except sm.SMError:
            unwrap_failure = _Failure("bidder", "投标人封装给保管人的内容密钥无法解开")
            results.append(_settle(actor=actor, lot=lot, bid=bid, path="custodians", key=None,
                                   failure=unwrap_failure))
            continue
        results.append(_settle(actor=actor, lot=lot, bid=bid, path="custodians", key=content_key))
    return results
