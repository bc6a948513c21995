"""Reading certificates and CRLs of any recognised algorithm (RSA, ECDSA, SM2) through one set of functions.

pyca ``cryptography`` parses all three; signatures are checked with pyca for RSA/ECDSA and with
``sm2x509`` (gmalglib, Z-value per GM/T 0003.2) for SM2-with-SM3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ggzy.core.credit_code import credit_code_check_character

from . import sm2x509
from .models import Algorithm

OID_ORGANIZATION_IDENTIFIER = x509.ObjectIdentifier("2.5.4.97")
_CODE_RE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")


class CertificateFormatError(ValueError):
    """The bytes are neither a PEM nor a DER certificate / CRL."""


def certificate_load(data: bytes | str) -> x509.Certificate:
    raw = data.encode() if isinstance(data, str) else data
    try:
        if raw.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(raw)
        return x509.load_der_x509_certificate(raw)
    except ValueError as exc:
        raise CertificateFormatError("证书格式无法识别（应为PEM或DER编码的X.509证书）") from exc


def crl_load(data: bytes | str) -> x509.CertificateRevocationList:
    raw = data.encode() if isinstance(data, str) else data
    try:
        if raw.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_crl(raw)
        return x509.load_der_x509_crl(raw)
    except ValueError as exc:
        raise CertificateFormatError("证书吊销列表格式无法识别（应为PEM或DER编码的CRL）") from exc


def fingerprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex()


def algorithm_of(certificate: x509.Certificate) -> str | None:
    """The subject key's algorithm, or None when it is none the platform recognises."""
    if sm2x509.sm2_public_key_of(certificate) is not None:
        return Algorithm.SM2
    try:
        key = certificate.public_key()
    except (UnsupportedAlgorithm, ValueError):
        return None
    if isinstance(key, rsa.RSAPublicKey):
        return Algorithm.RSA
    if isinstance(key, ec.EllipticCurvePublicKey):
        return Algorithm.ECDSA
    return None


def signature_valid(document: x509.Certificate | x509.CertificateRevocationList,
                    issuer: x509.Certificate) -> bool:
    """Whether ``issuer``'s key signed ``document`` (the names are compared by the caller)."""
    if sm2x509.is_sm2_signed(document):
        issuer_key = sm2x509.sm2_public_key_of(issuer)
        return issuer_key is not None and sm2x509.sm2_signature_valid(document, issuer_key)
    if sm2x509.sm2_public_key_of(issuer) is not None:
        return False  # an SM2 key can only make SM2-with-SM3 signatures
    try:
        public_key = issuer.public_key()
        if isinstance(document, x509.CertificateRevocationList):
            return document.is_signature_valid(public_key)  # type: ignore[arg-type]
        document.verify_directly_issued_by(issuer)
        return True
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False


def is_self_signed(certificate: x509.Certificate) -> bool:
    return certificate.subject == certificate.issuer and signature_valid(certificate, certificate)


_Ext = TypeVar("_Ext", bound=x509.ExtensionType)


def extension(certificate: x509.Certificate, kind: type[_Ext]) -> _Ext | None:
    try:
        return certificate.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def common_name(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(values[0].value) if values else name.rfc4514_string()


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def credit_code_find(text: str) -> str:
    """The first valid 18-character unified social credit code inside ``text`` (e.g. "NTRCN-9137…"), or ""."""
    for match in _CODE_RE.finditer(text.upper()):
        code = match.group(0)
        if credit_code_check_character(code[:17]) == code[17]:
            return code
    return ""


@dataclass(frozen=True)
class SubjectInfo:
    """Who a certificate names: a market entity (with its credit code) or a person."""

    common_name: str
    organization: str
    credit_code: str
    serial_number: str
    certificate_serial: str
    fingerprint: str
    algorithm: str
    issuer: str

    @property
    def is_entity(self) -> bool:
        return bool(self.credit_code)


def subject_info(certificate: x509.Certificate) -> SubjectInfo:
    """Chinese CAs put the credit code in organizationIdentifier (2.5.4.97), serialNumber, OU or CN: try each."""
    subject = certificate.subject
    candidates = [
        _attribute(subject, OID_ORGANIZATION_IDENTIFIER),
        _attribute(subject, x509.NameOID.SERIAL_NUMBER),
        _attribute(subject, x509.NameOID.ORGANIZATIONAL_UNIT_NAME),
        _attribute(subject, x509.NameOID.COMMON_NAME),
    ]
    code = next((found for found in map(credit_code_find, candidates) if found), "")
    return SubjectInfo(
        common_name=common_name(subject),
        organization=_attribute(subject, x509.NameOID.ORGANIZATION_NAME),
        credit_code=code,
        serial_number=_attribute(subject, x509.NameOID.SERIAL_NUMBER),
        certificate_serial=format(certificate.serial_number, "X"),
        fingerprint=fingerprint(certificate),
        algorithm=algorithm_of(certificate) or "",
        issuer=common_name(certificate.issuer),
    )
