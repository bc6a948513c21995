"""Digital signatures (电子签名) on documents: detached CMS/PKCS#7, one interface for RSA, ECDSA and SM2.

``sign_detached`` makes the signature a party's client (or the demo) produces; ``verify_detached`` is what the
platform checks before it keeps a signature and again whenever it shows one: the signature over the content,
and the signer's certificate against the trust store *at the given time* (path, validity, key usage,
revocation), so a certificate revoked after signing shows as such. RSA/ECDSA use pyca's PKCS#7 builder (its
signingTime attribute is the host's time); SM2 uses the GM/T 0010 profile built in ``signing_cms``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7

from ggzy.core import clock
from ggzy.core.errors import DomainError

from . import certificates as certs
from . import der, sm, sm2x509
from .models import Algorithm
from .signing_cms import CmsError, SignedDataInfo, signed_data_verify, sm2_signed_data
from .validation import validate_certificate

# A document signature needs a key allowed to sign: digitalSignature, or nonRepudiation (RFC 5280 §4.2.1.3).
SIGNING_USAGES = ("digital_signature", "content_commitment")


@dataclass(frozen=True)
class SignatureCheck:
    """The verdict on one signature: ``ok`` and, either way, a reason a person understands (Chinese)."""

    ok: bool
    reason: str
    code: str = "ok"
    signer_subject: str = ""
    signer: certs.SubjectInfo | None = None
    certificate_fingerprint: str = ""
    certificate_pem: str = ""
    algorithm: str = ""
    signing_time: dt.datetime | None = None

    @property
    def signer_name(self) -> str:
        if self.signer is None:
            return ""
        if self.signer.organization and self.signer.organization != self.signer.common_name:
            return f"{self.signer.organization}（{self.signer.common_name}）"
        return self.signer.common_name


def _load_key(certificate: x509.Certificate, key_pem: bytes | str):
    raw = key_pem.encode() if isinstance(key_pem, str) else key_pem
    sm2_public = sm2x509.sm2_public_key_of(certificate)
    try:
        if sm2_public is not None:
            private_key = sm2x509.private_key_from_pem(raw)
            matches = sm.sm2_public_key(private_key) == sm2_public
        else:
            loaded = serialization.load_pem_private_key(raw, password=None)
            private_key = loaded  # type: ignore[assignment]  # SM2 keys are raw bytes, pyca keys objects
            public = loaded.public_key()
            matches = public.public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo) == \
                certificate.public_key().public_bytes(serialization.Encoding.DER,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo)
    except (ValueError, TypeError, der.DerError, sm.SMError):
        raise DomainError("私钥格式无法识别（应为PEM编码的私钥，且不带口令）", field="key") from None
    if not matches:
        raise DomainError("私钥与签名证书不匹配", field="key")
    return private_key


def sign_detached(content: bytes, *, cert_pem: bytes | str, key_pem: bytes | str) -> bytes:
    """A detached CMS SignedData (DER) over ``content`` by the certificate's holder."""
    try:
        certificate = certs.certificate_load(cert_pem)
    except certs.CertificateFormatError as exc:
        raise DomainError(str(exc), field="certificate") from None
    algorithm = certs.algorithm_of(certificate)
    if algorithm is None:
        raise DomainError("证书的公钥算法不是平台支持的算法（RSA、ECDSA、SM2）", field="certificate")
    private_key = _load_key(certificate, key_pem)
    if algorithm == Algorithm.SM2:
        return sm2_signed_data(content, certificate=certificate, private_key=private_key,
                               signing_time=clock.now())
    assert isinstance(private_key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
    return (pkcs7.PKCS7SignatureBuilder().set_data(content)
            .add_signer(certificate, private_key, hashes.SHA256())
            .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature,
                                               pkcs7.PKCS7Options.NoCapabilities,
                                               # sign the bytes as they are (no MIME canonical \r\n line endings)
                                               pkcs7.PKCS7Options.Binary]))


def check_signer(info: SignedDataInfo, *, at: dt.datetime) -> SignatureCheck:
    """Validate the signer's certificate of a cryptographically sound signature at ``at``."""
    certificate_pem = info.certificate.public_bytes(serialization.Encoding.PEM).decode()
    result = None
    for usage in SIGNING_USAGES:
        result = validate_certificate(certificate_pem, at=at, usage=usage)
        if result.code != "wrong_usage":
            break
    assert result is not None
    subject = result.subject or certs.subject_info(info.certificate)
    reason = "签名有效：" + result.reason if result.ok else "签名者证书未通过验证：" + result.reason
    return SignatureCheck(
        ok=result.ok, reason=reason, code=result.code, signer_subject=info.certificate.subject.rfc4514_string(),
        signer=subject, certificate_fingerprint=subject.fingerprint, certificate_pem=certificate_pem,
        algorithm=subject.algorithm, signing_time=info.signing_time,
    )


def signature_check(signature_der: bytes, *, at: dt.datetime, content: bytes | None = None) -> SignatureCheck:
    """``verify_detached`` without the content binding when ``content`` is None (the content's hash is then
    compared by the caller)."""
    try:
        info = signed_data_verify(bytes(signature_der), content)
    except CmsError as exc:
        return SignatureCheck(ok=False, reason=str(exc), code="bad_signature")
    return check_signer(info, at=at)


def verify_detached(content: bytes, signature_der: bytes, *, at: dt.datetime) -> SignatureCheck:
    """Whether ``signature_der`` is a valid signature over ``content`` by a certificate valid at ``at``."""
    return signature_check(signature_der, at=at, content=content)
