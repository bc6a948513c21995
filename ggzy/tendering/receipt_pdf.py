"""The bid receipt (投标回执) as a PDF signed by the platform, and its offline check — no Django, no network.

The PDF shows the receipt to a reader and carries it for a machine: the receipt JSON (``RECEIPT_FORMAT``) is
embedded as the attachment ``ATTACHMENT_NAME`` before the platform signs the whole file (PAdES, pyHanko), so the
signature covers the attachment. ``receipt_pdf_verify`` checks, offline:

1. the PDF signature — intact, covering the entire file (nothing added after signing) and, with trust anchors
   given, made by a certificate that chains to one of them;
2. the embedded receipt — read from the signed bytes, it must be the platform's receipt format;
3. the ledger part — the inclusion proof of the submission's sealed entry against a checkpoint signed by the
   ledger key (the key the caller pins, else the one the signed receipt names), the opened entry against its
   commitment, and the receipt's arrival time and file count against the state hash the entry holds.

Text is set in reportlab's built-in CID font STSong-Light (Adobe-GB1), so no font file is needed to write it;
readers supply the glyphs (Adobe-GB1 is a standard CJK collection every PDF reader maps).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from ggzy.ledger import receipts as ledger_receipts
from ggzy.pki import signed_pdf

RECEIPT_FORMAT = "ggzy-bid-receipt/v1"
ATTACHMENT_NAME = "bid-receipt.json"
FONT = "STSong-Light"


class ReceiptPdfInvalid(ValueError):
    """The PDF is not a valid platform bid receipt; the message says why (in Chinese)."""


@dataclass
class ReceiptPdfCheck:
    """What ``receipt_pdf_verify`` proved."""

    receipt: dict[str, Any]
    signer: str
    signer_fingerprint: str
    trusted: bool  # the signer chains to a trust anchor the caller gave
    ledger_index: int
    tree_size: int
    checkpoint_key: str  # "pinned" (given by the caller) or "embedded" (named by the signed receipt)
    notes: list[str] = field(default_factory=list)


def version_text(modified_count: int) -> str:
    """How the receipt names its version: the first submission, or the n-th modification that now counts."""
    if modified_count <= 0:
        return "首次递交（以本次为准）"
    return f"第{modified_count}次修改，以本次为准（此前各次递交的投标文件均已被替换）"


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size:,} 字节（{size / 1024 / 1024:.1f} MB）"
    return f"{size:,} 字节"


def receipt_pdf_render(receipt: dict[str, Any]) -> bytes:
    """The unsigned PDF: an A4 page with the receipt's fields, its ledger entry and how to verify it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    out = BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=True)
    pdf.setTitle(f"投标回执 {receipt['receipt_number']}")
    pdf.setAuthor(receipt.get("platform", ""))
    pdf.setSubject("投标回执（电子签章，可离线验证）")
    width, height = A4
    left, y = 20 * mm, height - 25 * mm

    def line(text: str, size: float = 10.5, gap: float = 6.5, indent: float = 0) -> None:
        nonlocal y
        if y < 25 * mm:
            pdf.showPage()
            y = height - 25 * mm
        pdf.setFont(FONT, size)
        pdf.drawString(left + indent, y, text)
        y -= gap * mm

    def wrapped(label: str, value: str, chunk: int = 64) -> None:
        line(f"{label}{value[:chunk]}")
        for start in range(chunk, len(value), chunk + 8):
            line(value[start:start + chunk + 8], indent=8 * mm)

    pdf.setFont(FONT, 18)
    pdf.drawCentredString(width / 2, y, "投 标 回 执")
    y -= 12 * mm
    lot = receipt["lot"]
    line(f"回执编号：{receipt['receipt_number']}")
    line(f"标段编号：{lot['code']}")
    wrapped("标段名称：", lot["name"], 40)
    line(f"投标人：{receipt['bidder']['name']}")
    line(f"到达时间（平台服务器时钟）：{receipt['arrived_at_display']}")
    line(f"投标截止时间：{receipt['bid_deadline_display']}")
    line(f"版本：{receipt['version_text']}")
    line(f"密封方式：{receipt['sealed_by_text']}")
    y -= 2 * mm
    line("投标文件", size=12, gap=7)
    for i, item in enumerate(receipt["files"], start=1):
        wrapped(f"{i}. ", item["name"] or "（文件名由投标客户端加密，开标前平台不可见）", 48)
        line(f"SHA-256：{item['sha256']}", size=9, indent=6 * mm)
        line(f"大小：{_size_text(item['size'])}" if item.get("size") is not None else "大小：—",
             size=9, indent=6 * mm)
    y -= 2 * mm
    line(f"报价单摘要（{receipt['price_sheet']['what']}，SHA-256）：", size=10.5)
    line(receipt["price_sheet"]["sha256"], size=9, indent=6 * mm)
    y -= 2 * mm
    ledger = receipt["ledger"]
    line("存证记录（交易存证日志）", size=12, gap=7)
    line(f"日志条目序号：{ledger['entry']['index']}；包含证明对应的树大小：{ledger['inclusion']['tree_size']}")
    line(f"叶子哈希：{ledger['leaf_hash']}", size=9)
    checkpoint_lines = str(ledger["checkpoint"]).splitlines()
    line("已签名检查点：", size=10.5)
    for text in checkpoint_lines[:3]:
        line(text[:90], size=8.5, gap=5, indent=6 * mm)
    y -= 3 * mm
    line("验证方法", size=12, gap=7)
    for text in ("本回执由平台以电子签章签署，机器可读的回执与包含证明作为附件 bid-receipt.json 随文件签署。",
                 "离线验证：ggzy-bid receipt verify 本文件.pdf --trust 平台根证书.pem [--checkpoint-key 日志公钥]",
                 "验证内容：签章完整且覆盖全文、签章证书链、附件回执、存证条目包含证明与检查点签名。",
                 "开标前本回执仅向本投标人提供；平台公开的存证日志只含该条目的承诺值，不显示投标人与文件。"):
        line(text, size=9, gap=5.5)
    line(f"出具时间：{receipt['issued_at_display']}　出具方：{receipt.get('platform', '')}", size=9, gap=5.5)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def receipt_pdf_sign(pdf_bytes: bytes, receipt: dict[str, Any], *, cert_pem: bytes, key_pem: bytes,
                     chain_pems: list[bytes] | None = None, signed_at: dt.datetime | None = None) -> bytes:
    """Embed the receipt JSON and sign the PDF with the platform certificate (PAdES B-B; no network)."""
    data = json.dumps(receipt, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    return signed_pdf.signed_pdf_sign(pdf_bytes, attachment=data, attachment_name=ATTACHMENT_NAME,
                                      description="投标回执（机器可读）与存证包含证明", reason="投标回执",
                                      field_name="GGZYReceiptSignature", cert_pem=cert_pem, key_pem=key_pem,
                                      chain_pems=chain_pems, signed_at=signed_at)


def receipt_pdf_verify(pdf_bytes: bytes, *, trust_pems: list[bytes] | None = None,
                       checkpoint_keys: list[str] | None = None) -> ReceiptPdfCheck:
    """Check a receipt PDF offline (see the module's docstring). Raises ``ReceiptPdfInvalid`` with the reason."""
    try:
        checked = signed_pdf.signed_pdf_check(pdf_bytes, attachment_name=ATTACHMENT_NAME, trust_pems=trust_pems,
                                              what="平台出具的投标回执")
    except signed_pdf.SignedPdfInvalid as exc:
        raise ReceiptPdfInvalid(str(exc)) from None
    notes = list(checked.notes)
    if not trust_pems and not checkpoint_keys:
        notes.append("未提供 --trust 与 --checkpoint-key：只核验了文件自身的一致性，不能证明出自本平台")
    try:
        receipt = json.loads(checked.attachment.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ReceiptPdfInvalid(f"回执附件不是JSON：{exc}") from None
    if not isinstance(receipt, dict) or receipt.get("format") != RECEIPT_FORMAT:
        raise ReceiptPdfInvalid("附件不是平台的投标回执格式")
    pinned = [k for k in checkpoint_keys or [] if k]
    keys = pinned or [str(receipt.get("ledger_key", ""))]
    try:
        proven = ledger_receipts.receipt_verify(receipt["ledger"], keys)
    except (ledger_receipts.ReceiptInvalid, ValueError, KeyError) as exc:
        raise ReceiptPdfInvalid(f"存证包含证明验证失败：{exc}") from None
    _check_states(receipt, proven)
    return ReceiptPdfCheck(receipt=receipt, signer=checked.signer, signer_fingerprint=checked.signer_fingerprint,
                           trusted=checked.trusted, ledger_index=proven.index, tree_size=proven.tree_size,
                           checkpoint_key="pinned" if pinned else "embedded", notes=notes)


def _check_states(receipt: dict[str, Any], proven: ledger_receipts.ReceiptCheck) -> None:
    """The receipt's arrival time and file count must be the ones the ledger entry committed to."""
    if proven.sealed_entry is None:
        raise ReceiptPdfInvalid("存证条目未随回执打开，无法核对到达时间")
    after = (receipt["ledger"].get("states") or {}).get("after")
    if not isinstance(after, dict):
        raise ReceiptPdfInvalid("回执缺少存证状态（到达时间）")
    try:
        logged = dt.datetime.fromisoformat(str(after["arrived_at"]).replace("Z", "+00:00"))
        stated = dt.datetime.fromisoformat(str(receipt["arrived_at"]))
    except (KeyError, ValueError) as exc:
        raise ReceiptPdfInvalid(f"到达时间格式不正确：{exc}") from None
    if logged != stated:
        raise ReceiptPdfInvalid("回执的到达时间与存证记录不一致")
    if len(after.get("files", [])) != len(receipt.get("files", [])):
        raise ReceiptPdfInvalid("回执的文件数与存证记录不一致")
