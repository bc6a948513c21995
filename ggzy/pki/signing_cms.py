"""Detached CMS/PKCS#7 SignedData (RFC 5652) — the SM2 profile (GM/T 0010) built here, and a reader for any.

RSA and ECDSA SignedData come from pyca ``cryptography``'s PKCS#7 builder; pyca cannot verify PKCS#7 in
general, and knows nothing of SM2, so this module reads every SignedData with ``der`` and checks it itself:
the signer's certificate from the certificate bag (by issuer + serial or subject key identifier), the
messageDigest attribute against the content, and the signature over the DER SET of the signed attributes.
SM2 signatures sign SM3(Z ‖ signedAttrs) with the default user ID (GM/T 0009 §10), Z over the signer's key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from . import der, sm, sm2x509

# RFC 5652 / PKCS#9
OID_DATA = "1.2.840.113549.1.7.1"
OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_CONTENT_TYPE = "1.2.840.113549.1.9.3"
OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
OID_SIGNING_TIME = "1.2.840.113549.1.9.5"
# GM/T 0010 (SM2 密码算法加密签名消息语法规范)
OID_SM2_DATA = "1.2.156.10197.6.1.4.2.1"
OID_SM2_SIGNED_DATA = "1.2.156.10197.6.1.4.2.2"
OID_SM3 = "1.2.156.10197.1.401"
OID_SM2_SIGN = "1.2.156.10197.1.301.1"  # "sm2-1", which some GM/T 0010 producers put in signatureAlgorithm

_DIGESTS: dict[str, type[hashes.HashAlgorithm]] = {
    "2.16.840.1.101.3.4.2.1": hashes.SHA256,
    "2.16.840.1.101.3.4.2.2": hashes.SHA384,
    "2.16.840.1.101.3.4.2.3": hashes.SHA512,
    OID_SM3: hashes.SM3,
}
_SIGNED_DATA_TYPES = {OID_SIGNED_DATA, OID_SM2_SIGNED_DATA}


class CmsError(ValueError):
    """The signature is malformed or does not verify; the message is for a person (Chinese)."""


@dataclass(frozen=True)
class SignedDataInfo:
    """What a verified SignedData says: who signed (certificate), with which algorithms, when (claimed)."""

    certificate: x509.Certificate
    digest_oid: str
    signature_oid: str
    signing_time: dt.datetime | None
    message_digest: bytes


def digest(oid: str, content: bytes) -> bytes:
    algorithm = _DIGESTS.get(oid)
    if algorithm is None:
        raise CmsError(f"不支持的摘要算法（{oid}）")
    context = hashes.Hash(algorithm())
    context.update(content)
    return context.finalize()


# --- the SM2 profile ----------------------------------------------------------------------------------------


def _attribute(oid: str, value: bytes) -> bytes:
    return der.sequence(der.oid(oid), der.set_of(value))


def sm2_signed_data(content: bytes, *, certificate: x509.Certificate, private_key: bytes,
                    signing_time: dt.datetime) -> bytes:
    """A detached GM/T 0010 SignedData (ContentInfo DER) signed with SM2-with-SM3 by ``private_key``."""
    attributes = [
        _attribute(OID_CONTENT_TYPE, der.oid(OID_SM2_DATA)),
        _attribute(OID_SIGNING_TIME, der.time(signing_time)),
        _attribute(OID_MESSAGE_DIGEST, der.octet_string(sm.sm3(content))),
    ]
    signed_attributes = der.set_of(*attributes)  # what is signed: the DER SET OF (RFC 5652 §5.4)
    signature = sm.sm2_signature_to_der(sm.sm2_sign(private_key, signed_attributes))
    certificate_der = certificate.public_bytes(Encoding.DER)
    issuer_and_serial = der.sequence(der.read_one(certificate.tbs_certificate_bytes).children()[3].raw,
                                     der.integer(certificate.serial_number))
    signer_info = der.sequence(
        der.integer(1), issuer_and_serial, der.sequence(der.oid(OID_SM3)),
        der.tlv(0xA0, der.read_one(signed_attributes).content),  # [0] IMPLICIT in the SignerInfo
        der.sequence(der.oid(sm.SM2_WITH_SM3_OID)), der.octet_string(signature),
    )
    signed_data = der.sequence(
        der.integer(1), der.set_of(der.sequence(der.oid(OID_SM3))), der.sequence(der.oid(OID_SM2_DATA)),
        der.tlv(0xA0, certificate_der), der.set_of(signer_info),
    )
    return der.sequence(der.oid(OID_SM2_SIGNED_DATA), der.explicit(0, signed_data))


# --- reading and checking any SignedData --------------------------------------------------------------------


def _read_time(node: der.Node) -> dt.datetime:
    text = node.content.decode("ascii")
    if node.tag == der.UTC_TIME:
        value = dt.datetime.strptime(text, "%y%m%d%H%M%SZ")
        if value.year >= 2050:
            value = value.replace(year=value.year - 100)
    elif node.tag == der.GENERALIZED_TIME:
        value = dt.datetime.strptime(text, "%Y%m%d%H%M%SZ")
    else:
        raise CmsError("签名时间格式错误")
    return value.replace(tzinfo=dt.UTC)


def _matches(sid: der.Node, certificate: x509.Certificate) -> bool:
    if sid.tag == der.SEQUENCE:  # IssuerAndSerialNumber
        issuer, serial = sid.children()
        tbs = der.read_one(certificate.tbs_certificate_bytes).children()
        index = 1 if tbs[0].tag == 0xA0 else 0
        return issuer.raw == tbs[index + 2].raw and serial.as_int() == certificate.serial_number
    if sid.tag == 0x80:  # [0] SubjectKeyIdentifier
        try:
            ski = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        except x509.ExtensionNotFound:
            return False
        return ski.digest == sid.content
    return False


def _certificates(node: der.Node) -> list[x509.Certificate]:
    found = []
    for item in der.read_all(node.content):
        if item.tag == der.SEQUENCE:  # skip attribute/other certificate choices
            try:
                found.append(x509.load_der_x509_certificate(item.raw))
            except ValueError:
                continue
    return found


def signature_valid(certificate: x509.Certificate, digest_oid: str, signed: bytes, signature: bytes) -> bool:
    """Whether ``signature`` over ``signed`` was made by the key in ``certificate``."""
    sm2_key = sm2x509.sm2_public_key_of(certificate)
    if sm2_key is not None:
        return sm.sm2_verify(sm2_key, signed, signature)
    algorithm = _DIGESTS.get(digest_oid)
    if algorithm is None or algorithm is hashes.SM3:
        return False
    try:
        key = certificate.public_key()
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, signed, padding.PKCS1v15(), algorithm())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, signed, ec.ECDSA(algorithm()))
        else:
            return False
    except (InvalidSignature, UnsupportedAlgorithm, ValueError):
        return False
    return True


def signed_data_verify(signature_der: bytes, content: bytes | None) -> SignedDataInfo:
    """Check a detached SignedData; ``content=None`` checks everything but the content binding (used when only
    the content's recorded hash is at hand). Raises ``CmsError`` with a reason a person understands."""
    try:
        return _verify(signature_der, content)
    except (der.DerError, ValueError, IndexError, UnicodeDecodeError) as exc:
        if isinstance(exc, CmsError):
            raise
        raise CmsError("签名数据格式错误（不是有效的CMS/PKCS#7 SignedData）") from exc


def _verify(signature_der: bytes, content: bytes | None) -> SignedDataInfo:
    content_type, wrapped = der.read_one(signature_der).children()
    if content_type.as_oid() not in _SIGNED_DATA_TYPES or wrapped.tag != 0xA0:
        raise CmsError("签名数据不是CMS/PKCS#7 SignedData")
    fields = der.read_one(wrapped.content).children()
    encapsulated = fields[2].children()
    if len(encapsulated) > 1:
        raise CmsError("签名数据内含原文，应为分离式签名（detached）")
    econtent_type = encapsulated[0].as_oid()
    bag = next((f for f in fields[3:] if f.tag == 0xA0), None)
    signer_infos = fields[-1].children()
    if len(signer_infos) != 1:
        raise CmsError("签名数据应只含一个签名者")
    parts = signer_infos[0].children()
    sid, digest_algorithm = parts[1], parts[2].children()[0].as_oid()
    certificate = next((c for c in (_certificates(bag) if bag else []) if _matches(sid, c)), None)
    if certificate is None:
        raise CmsError("签名数据中找不到签名者证书")
    if parts[3].tag != 0xA0:
        raise CmsError("签名数据缺少签名属性（内容类型、消息摘要）")
    attributes = {}
    for attribute in parts[3].children():
        oid_node, values = attribute.children()
        attributes[oid_node.as_oid()] = values.children()
    signature_oid = parts[4].children()[0].as_oid()
    signature = parts[5].content
    if OID_MESSAGE_DIGEST not in attributes or OID_CONTENT_TYPE not in attributes:
        raise CmsError("签名属性缺少消息摘要或内容类型")
    if attributes[OID_CONTENT_TYPE][0].as_oid() != econtent_type:
        raise CmsError("签名属性中的内容类型与签名数据不一致")
    message_digest = attributes[OID_MESSAGE_DIGEST][0].content
    if content is not None and digest(digest_algorithm, content) != message_digest:
        raise CmsError("原文与签名不符：文件内容在签名后被改动")
    signed = der.tlv(der.SET, parts[3].content)
    if not signature_valid(certificate, digest_algorithm, signed, signature):
        raise CmsError("签名值验证失败：签名不是由证书对应的私钥做出，或签名已被改动")
    signing_time = None
    if OID_SIGNING_TIME in attributes:
        signing_time = _read_time(attributes[OID_SIGNING_TIME][0])
    return SignedDataInfo(certificate, digest_algorithm, signature_oid, signing_time, message_digest)
