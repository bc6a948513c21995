"""OCSP (RFC 6960): checking a response against the trust store, building requests, and SM2-signed responses.

pyca ``cryptography`` parses OCSP responses and builds requests, but cannot verify (or make) an SM2-with-SM3
signature and cannot hash an SM2 issuer key for a CertID. This module checks a response's signature itself —
by the CA, or by a responder certificate the CA issued for OCSP signing (id-kp-OCSPSigning) — and matches each
single response to its issuer by the CertID hashes (SHA-1, SHA-256 or SM3 over the issuer's name and key).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID

from . import certificates as certs
from . import der, sm, sm2x509

OID_OCSP_BASIC = "1.3.6.1.5.5.7.48.1.1"
OID_SHA1 = "1.3.14.3.2.26"

_STATUS = {ocsp.OCSPCertStatus.GOOD: "good", ocsp.OCSPCertStatus.REVOKED: "revoked",
           ocsp.OCSPCertStatus.UNKNOWN: "unknown"}
_RESPONSE_STATUS = {
    ocsp.OCSPResponseStatus.MALFORMED_REQUEST: "请求格式错误", ocsp.OCSPResponseStatus.INTERNAL_ERROR: "服务器内部错误",
    ocsp.OCSPResponseStatus.TRY_LATER: "请稍后再试", ocsp.OCSPResponseStatus.SIG_REQUIRED: "要求请求签名",
    ocsp.OCSPResponseStatus.UNAUTHORIZED: "未授权",
}


class OcspError(ValueError):
    """A response that cannot be used; the message says why, in Chinese."""


@dataclass(frozen=True)
class SingleStatus:
    serial_number: int
    status: str  # good / revoked / unknown
    this_update: dt.datetime
    next_update: dt.datetime
    revocation_time: dt.datetime | None


@dataclass(frozen=True)
class CheckedResponse:
    produced_at: dt.datetime
    responder: str
    statuses: list[SingleStatus]


def _tbs_fields(certificate: x509.Certificate) -> tuple[list[der.Node], int]:
    fields = der.read_one(certificate.tbs_certificate_bytes).children()
    return fields, (1 if fields[0].tag == 0xA0 else 0)


def subject_der(certificate: x509.Certificate) -> bytes:
    """The subject Name exactly as encoded in the certificate (what CertID's issuerNameHash covers)."""
    fields, offset = _tbs_fields(certificate)
    return fields[offset + 4].raw


def public_key_bits(certificate: x509.Certificate) -> bytes:
    """The subjectPublicKey BIT STRING's bytes (what issuerKeyHash and a responder's key hash cover)."""
    fields, offset = _tbs_fields(certificate)
    return fields[offset + 5].children()[1].as_bits()


def _digests(data: bytes) -> set[bytes]:
    return {hashlib.sha1(data).digest(), hashlib.sha256(data).digest(), sm.sm3(data)}  # noqa: S324 (CertID)


def cert_id_matches(single, issuer: x509.Certificate) -> bool:
    """Whether a single response's CertID names ``issuer`` (by its name and key hashes, any supported hash)."""
    return (single.issuer_name_hash in _digests(subject_der(issuer))
            and single.issuer_key_hash in _digests(public_key_bits(issuer)))


def response_load(data: bytes) -> ocsp.OCSPResponse:
    try:
        return ocsp.load_der_ocsp_response(bytes(data))
    except ValueError:
        raise OcspError("不是有效的OCSP响应（应为DER编码的OCSPResponse）") from None


def status_check(response: ocsp.OCSPResponse) -> None:
    """Refuse a response whose status is not "successful" (it carries no certificate status)."""
    if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        raise OcspError(f"OCSP响应未成功：{_RESPONSE_STATUS.get(response.response_status, '未知状态')}")


def signature_valid(response: ocsp.OCSPResponse, signer: x509.Certificate) -> bool:
    """Whether ``signer``'s key made the response's signature over tbsResponseData."""
    tbs, signature = response.tbs_response_bytes, response.signature
    if response.signature_algorithm_oid.dotted_string == sm.SM2_WITH_SM3_OID:
        key = sm2x509.sm2_public_key_of(signer)
        return key is not None and any(sm.sm2_verify(key, tbs, signature, user_id=uid)
                                       for uid in (sm.DEFAULT_USER_ID, b""))
    if sm2x509.sm2_public_key_of(signer) is not None:
        return False
    try:
        public_key = signer.public_key()
        algorithm = response.signature_hash_algorithm
        if algorithm is None:
            return False
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, tbs, padding.PKCS1v15(), algorithm)
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, tbs, ec.ECDSA(algorithm))
        else:
            return False
        return True
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
        return False


def _names_responder(response: ocsp.OCSPResponse, certificate: x509.Certificate) -> bool:
    if response.responder_name is not None:
        return response.responder_name == certificate.subject
    return response.responder_key_hash in _digests(public_key_bits(certificate))


def _responder(response: ocsp.OCSPResponse, ca: x509.Certificate) -> tuple[x509.Certificate, str]:
    """The certificate that signed the response: the CA itself, or a delegated responder it issued."""
    if _names_responder(response, ca):
        if not signature_valid(response, ca):
            raise OcspError("OCSP响应签名验证失败：内容已被改动，或并非由该CA签发")
        return ca, certs.common_name(ca.subject)
    for candidate in response.certificates:
        if not _names_responder(response, candidate):
            continue
        if candidate.issuer != ca.subject or not certs.signature_valid(candidate, ca):
            raise OcspError("OCSP响应者证书不是由该CA签发的")
        usage = certs.extension(candidate, x509.ExtendedKeyUsage)
        if usage is None or ExtendedKeyUsageOID.OCSP_SIGNING not in usage:
            raise OcspError("OCSP响应者证书未授权签发OCSP响应（缺少OCSP签名扩展用途）")
        produced = response.produced_at_utc
        if not candidate.not_valid_before_utc <= produced <= candidate.not_valid_after_utc:
            raise OcspError("OCSP响应签发时，响应者证书不在有效期内")
        if not signature_valid(response, candidate):
            raise OcspError("OCSP响应签名验证失败：内容已被改动，或并非由响应者证书签发")
        return candidate, certs.common_name(candidate.subject)
    raise OcspError("OCSP响应既不是由该CA签发，也未附带该CA授权的响应者证书")


def response_check(data: bytes, *, issuer: x509.Certificate) -> CheckedResponse:
    """Check a DER OCSPResponse for certificates ``issuer`` issued: successful, signed by the CA or its
    delegated responder, every single response naming this CA and carrying nextUpdate."""
    response = response_load(data)
    status_check(response)
    _, responder = _responder(response, issuer)
    statuses = []
    for single in response.responses:
        if not cert_id_matches(single, issuer):
            continue
        if single.next_update_utc is None:
            raise OcspError("OCSP响应缺少下次更新时间（nextUpdate），无法判断其是否过期")
        if single.next_update_utc <= single.this_update_utc:
            raise OcspError("OCSP响应的下次更新时间早于本次更新时间")
        statuses.append(SingleStatus(
            serial_number=single.serial_number, status=_STATUS[single.certificate_status],
            this_update=single.this_update_utc, next_update=single.next_update_utc,
            revocation_time=single.revocation_time_utc))
    if not statuses:
        raise OcspError("OCSP响应中没有该CA签发的证书的状态")
    return CheckedResponse(produced_at=response.produced_at_utc, responder=responder, statuses=statuses)


def request_build(certificate: x509.Certificate, issuer: x509.Certificate) -> bytes:
    """A DER OCSPRequest for ``certificate`` (CertID with SHA-1, the hash every responder accepts; the issuer's
    key is hashed here so SM2 issuers work too)."""
    builder = ocsp.OCSPRequestBuilder().add_certificate_by_hash(
        hashlib.sha1(subject_der(issuer)).digest(), hashlib.sha1(public_key_bits(issuer)).digest(),  # noqa: S324
        certificate.serial_number, hashes.SHA1())  # noqa: S303
    return builder.build().public_bytes(serialization.Encoding.DER)


# --- SM2-signed responses (the test PKI's SM2 CA; pyca cannot sign SM2) ----------------------------------------


def _generalized(value: dt.datetime) -> bytes:
    return der.tlv(0x18, value.astimezone(dt.UTC).strftime("%Y%m%d%H%M%SZ").encode())


def sm2_response_build(*, issuer: x509.Certificate, issuer_private_key: bytes, produced_at: dt.datetime,
                       statuses: list[SingleStatus]) -> bytes:
    """A DER OCSPResponse signed by an SM2 CA itself (responder by key hash, CertIDs with SHA-1)."""
    name_hash = hashlib.sha1(subject_der(issuer)).digest()  # noqa: S324
    key_hash = hashlib.sha1(public_key_bits(issuer)).digest()  # noqa: S324
    singles = []
    for status in statuses:
        cert_id = der.sequence(der.sequence(der.oid(OID_SHA1), der.null()), der.octet_string(name_hash),
                               der.octet_string(key_hash), der.integer(status.serial_number))
        if status.status == "good":
            cert_status = der.tlv(0x80, b"")
        elif status.status == "revoked":
            cert_status = der.tlv(0xA1, _generalized(status.revocation_time or status.this_update))
        else:
            cert_status = der.tlv(0x82, b"")
        singles.append(der.sequence(cert_id, cert_status, _generalized(status.this_update),
                                    der.explicit(0, _generalized(status.next_update))))
    tbs = der.sequence(der.explicit(2, der.octet_string(key_hash)), _generalized(produced_at),
                       der.sequence(*singles))
    signature = sm.sm2_signature_to_der(sm.sm2_sign(issuer_private_key, tbs))
    basic = der.sequence(tbs, der.sequence(der.oid(sm.SM2_WITH_SM3_OID)), der.bit_string(signature))
    return der.sequence(der.tlv(0x0A, b"\x00"),
                        der.explicit(0, der.sequence(der.oid(OID_OCSP_BASIC), der.octet_string(basic))))
