"""The credit report (信用报告) a firm downloads about itself, as a PDF signed by the platform.

Content: the firm (name, unified social credit code), its records in force (all of them — it is the firm's own
report — with their restrictions), its score, grade and breakdown under the model in force, and the time of issue.
The report JSON (``REPORT_FORMAT``) is embedded as ``ATTACHMENT_NAME`` and the whole file signed with the platform
certificate through ``pki.services.platform_pdf_sign`` — the same signing and offline check as the bid receipt
(ADR 0011, ``pki.signed_pdf``). ``credit_report_verify`` checks a report offline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.conf import settings
from django.utils import timezone

from ggzy.core import clock
from ggzy.core.errors import NotFound
from ggzy.pki import services as pki_services

from . import evaluation, selectors
from .publication import publication_end

REPORT_FORMAT = "ggzy-credit-report/v1"
ATTACHMENT_NAME = "credit-report.json"
FONT = "STSong-Light"


class CreditReportInvalid(ValueError):
    """The PDF is not a valid platform credit report; the message says why (in Chinese)."""


@dataclass
class CreditReportCheck:
    report: dict[str, Any]
    signer: str
    trusted: bool


def credit_report_document(*, credit_code: str, name: str) -> dict[str, Any]:
    """The report's machine-readable content for the firm with ``credit_code`` (the caller checked who asks)."""
    kind = evaluation.subject_kind_of(credit_code)
    try:
        score = evaluation.score_compute(kind, credit_code)
    except NotFound:
        raise NotFound("没有生效的信用评价模型，暂不能出具信用报告", field="model") from None
    records = []
    for r in selectors.records_in_force(kind, credit_code):
        records.append({
            "record_no": r.record_no, "version": r.version, "kind": r.kind, "kind_label": str(r.get_kind_display()),
            "source_label": str(r.get_source_display()), "title": r.title, "authority": r.authority,
            "decision_no": r.decision_no, "decided_on": r.decided_on.isoformat(),
            "valid_from": r.valid_from.isoformat(),
            "valid_until": r.valid_until.isoformat() if r.valid_until else None,
            "published_until": publication_end(r).isoformat(), "publication": r.publication,
            "restrictions": [{"behaviour": x.behaviour, "label": str(x.get_behaviour_display()),
                              "starts_on": x.starts_on.isoformat(),
                              "ends_on": x.ends_on.isoformat() if x.ends_on else None}
                             for x in r.restrictions.all()]})
    issued = clock.now()
    return {
        "format": REPORT_FORMAT,
        "report_number": f"XYBG-{credit_code}-{timezone.localtime(issued):%Y%m%d%H%M%S}",
        "platform": str(settings.GGZY_PLATFORM_NAME),
        "subject": {"kind": kind, "name": name, "credit_code": credit_code},
        "score": score,
        "records": records,
        "issued_at": issued.isoformat(),
        "issued_at_display": timezone.localtime(issued).strftime("%Y-%m-%d %H:%M:%S (UTC%z)"),
    }


def credit_report_render(report: dict[str, Any]) -> bytes:
    """The unsigned PDF (A4): the firm, the score and its breakdown, each record in force, how to verify."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    out = BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=True)
    pdf.setTitle(f"信用报告 {report['report_number']}")
    pdf.setAuthor(report["platform"])
    pdf.setSubject("信用报告（电子签章，可离线验证）")
    width, height = A4
    left, y = 20 * mm, height - 25 * mm

    def line(text: str, size: float = 10.5, gap: float = 6.5, indent: float = 0) -> None:
        nonlocal y
        if y < 25 * mm:
            pdf.showPage()
            y = height - 25 * mm
        pdf.setFont(FONT, size)
        pdf.drawString(left + indent, y, text[:70])
        y -= gap * mm

    pdf.setFont(FONT, 18)
    pdf.drawCentredString(width / 2, y, "信 用 报 告")
    y -= 12 * mm
    subject, score = report["subject"], report["score"]
    line(f"报告编号：{report['report_number']}")
    line(f"主体名称：{subject['name']}")
    line(f"统一社会信用代码：{subject['credit_code']}")
    line(f"评价日期：{score['on']}　评价模型：{score['model']['name']}（{score['model']['effective_from']}起）")
    line(f"信用得分：{score['score']}　信用等级：{score['grade']}　基础分：{score['base']}", size=12, gap=8)
    line("得分明细", size=12, gap=7)
    if not score["lines"]:
        line("无计分记录（得分为基础分）", indent=6 * mm)
    for item in score["lines"]:
        line(f"{item['record_no']} {item['kind_label']} {item['title']}", indent=6 * mm)
        line(f"分值 {item['points']} × 权重 {item['weight']} = {item['value']}", size=9, indent=12 * mm)
    y -= 2 * mm
    line(f"有效信用记录（{len(report['records'])}条）", size=12, gap=7)
    for r in report["records"]:
        line(f"{r['record_no']} 第{r['version']}版 {r['kind_label']}：{r['title']}", indent=6 * mm)
        line(f"{r['authority']} {r['decision_no']} 决定日期 {r['decided_on']}，有效期 {r['valid_from']} 至 "
             f"{r['valid_until'] or '长期'}", size=9, indent=12 * mm)
        for x in r["restrictions"]:
            line(f"限制：{x['label']} {x['starts_on']} 至 {x['ends_on'] or '记录有效期届满'}", size=9,
                 indent=12 * mm)
    y -= 3 * mm
    line("验证方法", size=12, gap=7)
    for text in ("本报告由平台以电子签章签署，机器可读的报告作为附件 credit-report.json 随文件签署。",
                 "离线验证：核验签章完整且覆盖全文、签章证书链至平台根证书，并读取附件。"):
        line(text, size=9, gap=5.5)
    line(f"出具时间：{report['issued_at_display']}　出具方：{report['platform']}", size=9, gap=5.5)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def credit_report_pdf(*, credit_code: str, name: str) -> tuple[str, bytes]:
    """(file name, platform-signed PDF) of the firm's own credit report."""
    report = credit_report_document(credit_code=credit_code, name=name)
    data = json.dumps(report, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    pdf = pki_services.platform_pdf_sign(credit_report_render(report), attachment=data,
                                         attachment_name=ATTACHMENT_NAME, description="信用报告（机器可读）",
                                         reason="信用报告", field_name="GGZYCreditReportSignature")
    return f"{report['report_number']}.pdf", pdf


def credit_report_verify(pdf_bytes: bytes, *, trust_pems: list[bytes] | None = None) -> CreditReportCheck:
    """Check a credit report offline: one intact platform signature over the whole file (chaining to
    ``trust_pems`` when given) and the embedded report in the platform's format."""
    try:
        checked = pki_services.signed_pdf_verify(pdf_bytes, attachment_name=ATTACHMENT_NAME, trust_pems=trust_pems,
                                                 what="平台出具的信用报告")
        report = json.loads(checked.attachment.decode("utf-8"))
    except pki_services.SignedPdfError as exc:
        raise CreditReportInvalid(str(exc)) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise CreditReportInvalid(f"报告附件不是JSON：{exc}") from None
    if not isinstance(report, dict) or report.get("format") != REPORT_FORMAT:
        raise CreditReportInvalid("附件不是平台的信用报告格式")
    return CreditReportCheck(report=report, signer=checked.signer, trusted=checked.trusted)
