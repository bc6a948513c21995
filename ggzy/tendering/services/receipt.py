"""The bid receipt (投标回执) as a PDF signed by the platform: built on request for the bidder that made the bid.

Its content: a receipt number, the lot, the bidder's own name, each file's name, SHA-256 of the plaintext and size
(kept encrypted for this purpose at submission, ``Bid.receipt_detail_sealed``), the price sheet's hash, the arrival
time by the server clock, which version counts after modifications, and the sealed ledger entry of the submission
with its inclusion proof to a signed checkpoint (``bidding.bid_receipt``). Only the bidder that made the bid gets it
(found by its keyed tag, exactly as ``bid_receipt``): anyone else gets the same "not found" as a lot without a bid,
so the answer tells nobody whether, or how many, others bid. See ``tendering.receipt_pdf`` for the PDF and its
offline check (``ggzy-bid receipt verify``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.utils import timezone

from ggzy.core import clock, secrets
from ggzy.core.errors import Conflict, NotFound
from ggzy.ledger import keys as ledger_keys
from ggzy.pki.platform_signing import platform_signer

from .. import policies, receipt_pdf
from ..choices import BidState
from ..models import Bid, Lot
from .bidding import bid_of, bid_receipt, receipt_detail_context


def _local(value: dt.datetime | None) -> str:
    if value is None:
        return "—"
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S (UTC%z)")


def _files(bid: Bid) -> tuple[list[dict], dict]:
    """The receipt's file rows and price-sheet hash: from the encrypted detail (platform-sealed bids), else the
    client's declared plaintext hashes and sizes without names (client-sealed: names are sealed by the client)."""
    if bid.receipt_detail_sealed:
        detail = json.loads(secrets.decrypt(bid.receipt_detail_sealed,
                                            context=receipt_detail_context(bid.lot_id, bid.bidder_tag)))
        return detail["files"], {"sha256": detail["price_sheet_sha256"], "what": "报价单明文"}
    rows = [{"name": "", "sha256": f.plaintext_sha256, "size": f.size} for f in bid.files.order_by("pk")]
    return rows, {"sha256": hashlib.sha256(bytes(bid.sealed_price_sheet)).hexdigest(), "what": "报价单密文"}


def bid_receipt_document(*, actor, lot: Lot) -> dict:
    """The receipt's machine-readable content (what the PDF shows and embeds) for the acting bidder's bid."""
    bid = bid_of(actor=actor, lot=lot)
    if bid is None:
        raise NotFound("没有本单位的投标文件", field="lot")
    if bid.state == BidState.WITHDRAWN:
        raise Conflict("投标文件已撤回，没有有效的投标回执", field="lot")
    ledger = bid_receipt(actor=actor, lot=lot)["receipt"]
    bidder = policies.acting_entity(actor)
    files, sheet = _files(bid)
    index = ledger["entry"]["index"]
    issued = clock.now()
    return {
        "format": receipt_pdf.RECEIPT_FORMAT,
        "receipt_number": f"TBHZ-{lot.code}-{index:08d}",
        "platform": str(settings.GGZY_PLATFORM_NAME),
        "lot": {"id": lot.pk, "code": lot.code, "name": lot.name},
        "bidder": {"name": bidder.name if bidder is not None else ""},
        "files": files,
        "price_sheet": sheet,
        "arrived_at": bid.arrived_at.astimezone(dt.UTC).isoformat(),
        "arrived_at_display": _local(bid.arrived_at),
        "bid_deadline": lot.bid_deadline.isoformat() if lot.bid_deadline else None,
        "bid_deadline_display": _local(lot.bid_deadline),
        "modification": {"count": bid.modified_count, "counts": True},
        "version_text": receipt_pdf.version_text(bid.modified_count),
        "sealed_by": bid.sealed_by,
        "sealed_by_text": "平台加密（开标密钥）" if bid.sealed_by == "platform" else "投标人自持密钥加密",
        "ledger": ledger,
        "ledger_key": ledger_keys.platform_verifier().vkey,
        "issued_at": issued.isoformat(),
        "issued_at_display": _local(issued),
    }


def bid_receipt_pdf(*, actor, lot: Lot) -> tuple[str, bytes]:
    """(file name, signed PDF) of the acting bidder's receipt."""
    document = bid_receipt_document(actor=actor, lot=lot)
    signer = platform_signer()
    pdf = receipt_pdf.receipt_pdf_sign(receipt_pdf.receipt_pdf_render(document), document,
                                       cert_pem=signer.cert_pem, key_pem=signer.key_pem,
                                       chain_pems=list(signer.chain_pems))
    return f"{document['receipt_number']}.pdf", pdf


def receipt_trust_root() -> bytes:
    """The certificate (PEM) at the top of the chain that signs receipts: what ``ggzy-bid receipt verify --trust``
    checks a receipt against. Public; a platform configured without a chain file has none to offer."""
    chain = platform_signer().chain_pems
    if not chain:
        raise NotFound("平台未配置签章证书链，无法提供回执验证用的根证书", field="trust")
    return chain[-1]
