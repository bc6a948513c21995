"""The signable documents of a lot (签署文件) and their canonical bytes — what a signer's tool signs.

Each document has exactly one byte form, rebuilt from the stored record whenever it is signed or checked, so a
changed record no longer matches the signatures made over it:

* opening record (开标记录): canonical JSON of the lot code and the record's rows;
* evaluation report (评标报告): canonical JSON of the lot code, the method and the ranking;
* award notice (中标通知书): the notice's text (UTF-8);
* contract (合同): the stored contract file, byte for byte;
* bid (投标文件): canonical JSON of the lot code, each file's plaintext SHA-256 and the sealed price sheet's
  SHA-256 (nothing that names the bidder: the bid is still sealed when it is signed).

Canonical JSON: UTF-8, keys sorted, no insignificant whitespace, decimals and dates as strings.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from ggzy.core import files as file_store
from ggzy.core.audit import jsonable
from ggzy.core.errors import Conflict, DomainError
from ggzy.core.labels import record_label
from ggzy.pki.models_signatures import SignaturePurpose

from .bidformat import bid_manifest_bytes
from .models import Award, Bid, Contract, EvaluationReport, Lot, OpeningRecord

PURPOSES = [SignaturePurpose.BID, SignaturePurpose.OPENING_RECORD, SignaturePurpose.EVALUATION_REPORT,
            SignaturePurpose.AWARD_NOTICE, SignaturePurpose.CONTRACT]
OBJECT_TYPES: dict[str, str] = {
    SignaturePurpose.BID: "tendering.bid", SignaturePurpose.OPENING_RECORD: "tendering.openingrecord",
    SignaturePurpose.EVALUATION_REPORT: "tendering.evaluationreport", SignaturePurpose.AWARD_NOTICE: "tendering.award",
    SignaturePurpose.CONTRACT: "tendering.contract",
}


@dataclass(frozen=True)
class Document:
    """One signable document of a lot: the record it belongs to and its canonical bytes."""

    purpose: str
    obj: Any
    content: bytes

    @property
    def object_type(self) -> str:
        return OBJECT_TYPES[self.purpose]

    @property
    def label(self) -> str:
        """The document's name in the page's language (records use ``record_label``)."""
        return str(SignaturePurpose(self.purpose).label)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def canonical_json(value: Any) -> bytes:
    return json.dumps(jsonable(value), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def purpose_check(purpose: str) -> str:
    if purpose not in SignaturePurpose.values:
        raise DomainError("签署文件类型无效（bid、opening_record、evaluation_report、award_notice、contract）",
                          field="purpose")
    return purpose


def award_notice_text(award: Award) -> str:
    lot = award.lot
    bidder = award.winner
    # The name as issued, so a later change of the winner's name neither rewrites nor unsigns the notice.
    name = award.bidder_name or (bidder.name if bidder else "")
    return (f"中标通知书\n标段编号：{lot.code}\n项目名称：{lot.project.title}（{lot.name}）\n"
            f"中标人：{name}（统一社会信用代码 {bidder.credit_code if bidder else ''}）\n"
            f"中标金额：{award.amount}元\n发出时间：{award.issued_at.isoformat()}\n"
            f"合同签订期限：{award.contract_due.isoformat()}\n")


def bid_manifest(bid: Bid) -> bytes:
    return bid_manifest_bytes(lot_code=bid.lot.code,
                              plaintext_hashes=list(bid.files.order_by("id").values_list("plaintext_sha256", flat=True)),
                              price_sheet_sealed=bytes(bid.sealed_price_sheet or b""))


def document_of(lot: Lot, purpose: str, *, bid: Bid | None = None) -> Document:
    """The document as stored now (re-read from the database); Conflict when it does not exist yet."""
    purpose_check(purpose)
    if purpose == SignaturePurpose.BID:
        if bid is None or bid.lot_id != lot.pk:
            raise Conflict("没有可签署的投标文件", field="bid")
        return Document(purpose, bid, bid_manifest(bid))
    if purpose == SignaturePurpose.OPENING_RECORD:
        record = OpeningRecord.objects.filter(lot=lot).first()
        if record is None:
            raise Conflict("开标记录尚未公布", field="purpose")
        return Document(purpose, record, canonical_json({"lot": lot.code, "rows": record.rows}))
    if purpose == SignaturePurpose.EVALUATION_REPORT:
        report = EvaluationReport.objects.filter(lot=lot).first()
        if report is None:
            raise Conflict("评标报告尚未生成", field="purpose")
        return Document(purpose, report,
                        canonical_json({"lot": lot.code, "method": report.method, "ranking": report.ranking}))
    if purpose == SignaturePurpose.AWARD_NOTICE:
        award = Award.objects.filter(lot=lot).select_related("lot__project", "bid__bidder").first()
        if award is None:
            raise Conflict("中标通知书尚未发出", field="purpose")
        return Document(purpose, award, award_notice_text(award).encode("utf-8"))
    contract = Contract.objects.filter(lot=lot).first()
    if contract is None:
        raise Conflict("合同尚未备案", field="purpose")
    try:  # the bytes as stored, unverified: a file changed on disk must show as "no longer verifies"
        content = b"".join(file_store.iter_chunks(contract.sha256))
    except FileNotFoundError:
        raise Conflict("合同文件不在存储中", field="purpose") from None
    return Document(purpose, contract, content)


def documents_present(lot: Lot) -> list[Document]:
    """The lot's documents (bids excluded) that exist now, in the order of the procedure."""
    found = []
    for purpose in PURPOSES[1:]:
        try:
            found.append(document_of(lot, purpose))
        except Conflict:
            continue
    return found


def signatures_manifest(lot: Lot) -> list[dict]:
    """Every signature on the lot's documents for the archive: signer, certificate fingerprint, the signature's
    SHA-256, and whether it verified against the document as stored when the archive was made."""
    from ggzy.pki.signing_selectors import signatures_for

    documents = documents_present(lot)
    documents += [Document(SignaturePurpose.BID, bid, bid_manifest(bid)) for bid in lot.bids.order_by("id")]
    rows = []
    for document in documents:
        for view in signatures_for(document.object_type, document.obj.pk, purpose=document.purpose,
                                   content=document.content):
            record = view.record
            rows.append({
                "document": record_label(SignaturePurpose(document.purpose).label), "purpose": document.purpose, "object_id": str(document.obj.pk),
                "signer": record.signer_label, "credit_code": record.signer_credit_code,
                "certificate_subject": record.certificate_subject,
                "certificate_fingerprint": record.certificate_fingerprint, "algorithm": record.algorithm,
                "signed_at": record.signed_at, "content_sha256": record.content_sha256,
                "signature_sha256": hashlib.sha256(bytes(record.signature_der)).hexdigest(),
                "verified_at_archive": view.verifies_now,
            })
    return rows
