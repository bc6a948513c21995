"""PDFs the platform signs, carrying a machine-readable attachment — no Django, no network.

Used by every document the platform issues as a signed PDF (the bid receipt, ADR 0011; the credit report): the
attachment (JSON) is embedded before the platform signs the whole file (PAdES B-B, pyHanko), so the signature
covers it. ``signed_pdf_check`` proves, offline, that the file carries exactly one signature, intact, covering the
entire file, chaining to a given trust anchor if any, and returns the attachment read from the signed bytes; what
the attachment must say is the caller's check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from io import BytesIO


class SignedPdfInvalid(ValueError):
    """The PDF is not a valid platform-signed document; the message says why (in Chinese)."""


@dataclass
class SignedPdf:
    """What ``signed_pdf_check`` proved."""

    attachment: bytes
    signer: str
    signer_fingerprint: str
    trusted: bool  # the signer chains to a trust anchor the caller gave
    notes: list[str] = field(default_factory=list)


def signed_pdf_sign(pdf_bytes: bytes, *, attachment: bytes, attachment_name: str, description: str, reason: str,
                    field_name: str, cert_pem: bytes, key_pem: bytes, chain_pems: list[bytes] | None = None,
                    signed_at: dt.datetime | None = None, mime_type: str = "application/json") -> bytes:
    """Embed ``attachment`` as ``attachment_name`` and sign the PDF with the given certificate (PAdES B-B)."""
    from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
    from pyhanko.pdf_utils import embed
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes))
    stream = embed.EmbeddedFileObject.from_file_data(
        writer, data=attachment, mime_type=mime_type,
        params=embed.EmbeddedFileParams(creation_date=signed_at, modification_date=signed_at))
    embed.embed_file(writer, embed.FileSpec(file_spec_string=attachment_name, file_name=attachment_name,
                                            embedded_data=stream, description=description))
    certificate = next(iter(load_certs_from_pemder_data(cert_pem)))
    others = [c for pem in chain_pems or [] for c in load_certs_from_pemder_data(pem)]
    signer = signers.SimpleSigner(signing_cert=certificate, signing_key=load_private_key_from_pemder_data(key_pem, None),
                                  cert_registry=SimpleCertificateStore.from_certs([certificate, *others]))
    meta = signers.PdfSignatureMetadata(field_name=field_name, md_algorithm="sha256", reason=reason,
                                        subfilter=fields.SigSeedSubFilter.PADES)
    return signers.PdfSigner(meta, signer=signer).sign_pdf(writer, in_place=False).getvalue()


def _attachment(reader, name: str) -> bytes:
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    except KeyError:
        raise SignedPdfInvalid(f"PDF中没有附件（{name}）") from None
    for i in range(0, len(names) - 1, 2):
        if str(names[i]) == name:
            spec = names[i + 1].get_object()
            return bytes(spec["/EF"]["/F"].get_object().data)
    raise SignedPdfInvalid(f"PDF中没有附件（{name}）")


def signed_pdf_check(pdf_bytes: bytes, *, attachment_name: str, trust_pems: list[bytes] | None = None,
                     what: str = "平台出具的文件") -> SignedPdf:
    """Check the signature offline and read the attachment. Raises ``SignedPdfInvalid`` with the reason."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(BytesIO(pdf_bytes))
        signatures = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError) as exc:
        raise SignedPdfInvalid(f"无法读取PDF文件：{exc}") from None
    if len(signatures) != 1:
        raise SignedPdfInvalid("PDF中没有平台电子签章" if not signatures else f"PDF中有多个签章，不是{what}")
    signature = signatures[0]
    anchors: list[asn1_x509.Certificate] = [c for pem in trust_pems or [] for c in load_certs_from_pemder_data(pem)]
    context = ValidationContext(trust_roots=anchors, allow_fetching=False, revocation_mode="soft-fail")  # never the OS list
    try:
        status = validate_pdf_signature(signature, context)
    except (SignatureValidationError, PdfError, ValueError) as exc:
        raise SignedPdfInvalid(f"签章无法验证：{exc}") from None
    if not status.intact or not status.valid:
        raise SignedPdfInvalid("签章验证失败：签署后的内容已被改动，或签名值无效")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        raise SignedPdfInvalid("签章未覆盖整个文件：签署后PDF被追加了内容")
    if anchors and not status.trusted:
        raise SignedPdfInvalid("签章证书不是由所给的平台根证书签发（证书链不可信）")
    notes: list[str] = []
    if not anchors:
        notes.append("未提供 --trust：签章完整有效，但签章证书未对照平台根证书核验")
    cert = status.signing_cert
    return SignedPdf(attachment=_attachment(reader, attachment_name), signer=cert.subject.human_friendly,
                     signer_fingerprint=cert.sha256.hex(), trusted=bool(anchors), notes=notes)
