"""PAdES signatures on PDFs (RSA/ECDSA certificates) with pyHanko, checked with the platform's own rules.

pyHanko writes the signature (PAdES baseline B, no timestamp and no network: nothing is fetched) and, on
verification, reports whether the signed byte ranges cover the document and whether anything added after
signing goes beyond what the signature allows. The CMS inside each signature and the signer's certificate
are then checked by ``signing_cms`` and the trust store, exactly as a detached signature is, so a PDF and a
detached signature from the same certificate get the same verdict. SM2 PDFs are not signed here: SM2
signatures are detached CMS (GM/T 0010) kept beside the document.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from ggzy.core import clock
from ggzy.core.errors import DomainError

from . import certificates as certs
from . import der
from .models import Algorithm
from .signing import SignatureCheck, _load_key, check_signer
from .signing_cms import CmsError, signed_data_verify

FIELD_PREFIX = "GGZYSignature"


def pdf_sign(pdf_bytes: bytes, cert_pem: bytes | str, key_pem: bytes | str, *, reason: str = "") -> bytes:
    """The PDF with one more PAdES signature (an incremental update, so earlier signatures stay valid)."""
    cert_raw = cert_pem.encode() if isinstance(cert_pem, str) else cert_pem
    key_raw = key_pem.encode() if isinstance(key_pem, str) else key_pem
    try:
        certificate = certs.certificate_load(cert_raw)
    except certs.CertificateFormatError as exc:
        raise DomainError(str(exc), field="certificate") from None
    if certs.algorithm_of(certificate) not in (Algorithm.RSA, Algorithm.ECDSA):
        raise DomainError("PDF签章只支持RSA或ECDSA证书；SM2证书请使用分离式签名", field="certificate")
    _load_key(certificate, key_raw)  # refuses a key that does not belong to the certificate
    asn1_cert = next(iter(load_certs_from_pemder_data(cert_raw)))
    signer = signers.SimpleSigner(signing_cert=asn1_cert, signing_key=load_private_key_from_pemder_data(key_raw, None),
                                  cert_registry=SimpleCertificateStore.from_certs([asn1_cert]))
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
        existing = len(list(fields.enumerate_sig_fields(writer.prev, filled_status=None)))
        meta = signers.PdfSignatureMetadata(
            field_name=f"{FIELD_PREFIX}{existing + 1}", md_algorithm="sha256", reason=reason or None,
            subfilter=fields.SigSeedSubFilter.PADES,
        )
        output = signers.sign_pdf(writer, meta, signer=signer)
    except (PdfError, ValueError) as exc:
        raise DomainError(f"PDF文件无法读取或签署：{exc}", field="pdf") from None
    return output.getvalue()


def _signed_bytes(pdf_bytes: bytes, byte_range) -> bytes:
    values = [int(v) for v in byte_range]
    return b"".join(pdf_bytes[start : start + length] for start, length in zip(values[::2], values[1::2], strict=True))


def pdf_verify(pdf_bytes: bytes, *, at: dt.datetime | None = None) -> SignatureCheck:
    """Every signature in the PDF must verify and every later change be one a signature allows; the verdict is the
    first failure, else the last (most recent) signature's check."""
    at = at or clock.now()
    try:
        reader = PdfFileReader(BytesIO(pdf_bytes), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError) as exc:
        return SignatureCheck(ok=False, reason=f"PDF文件无法读取：{exc}", code="format")
    if not embedded:
        return SignatureCheck(ok=False, reason="PDF文件中没有电子签章", code="no_signature")
    verdict: SignatureCheck | None = None
    for signature in embedded:
        try:
            signature.compute_integrity_info()
            summary = signature.summarise_integrity_info()
            content = _signed_bytes(pdf_bytes, signature.sig_object["/ByteRange"])
            info = signed_data_verify(_cms_der(signature), content)
        except CmsError as exc:
            return SignatureCheck(ok=False, reason=f"签章“{signature.field_name}”：{exc}", code="bad_signature")
        except (PdfError, ValueError, KeyError, der.DerError) as exc:
            return SignatureCheck(ok=False, reason=f"签章“{signature.field_name}”无法验证：{exc}", code="format")
        if summary.get("docmdp_ok") is not True:
            return SignatureCheck(ok=False, code="modified",
                                  reason=f"签章“{signature.field_name}”之后PDF被改动，改动超出签章允许的范围")
        verdict = check_signer(info, at=at)
        if not verdict.ok:
            return verdict
    assert verdict is not None
    return verdict


def _cms_der(signature) -> bytes:
    """The ContentInfo DER from /Contents (the hex string is zero-padded; only the first TLV counts)."""
    contents = bytes(signature.sig_object["/Contents"])
    node, _rest = der.read(contents)
    return node.raw
