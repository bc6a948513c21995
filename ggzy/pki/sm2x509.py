"""SM2 certificates and CRLs (GM/T 0015 profile): encoding them, and reading an SM2 key out of one.

pyca ``cryptography`` parses these documents (names, validity, extensions, the TBS bytes and the signature)
but can neither sign nor verify SM2-with-SM3, and cannot load an SM2 public key. This module fills exactly
those gaps: it DER-encodes TBSCertificate / TBSCertList and signs them with ``sm.sm2_sign`` (e = SM3(Z ‖ TBS),
Z over the issuer's key and the default user ID), and it pulls the 65-byte SM2 point out of a certificate's
SubjectPublicKeyInfo so the validator can verify signatures with ``sm.sm2_verify``.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from cryptography import x509

from . import der, sm

OID_BASIC_CONSTRAINTS = "2.5.29.19"
OID_KEY_USAGE = "2.5.29.15"
OID_SUBJECT_KEY_ID = "2.5.29.14"
OID_AUTHORITY_KEY_ID = "2.5.29.35"
OID_CRL_NUMBER = "2.5.29.20"

# KeyUsage bit numbers (RFC 5280 §4.2.1.3)
KEY_USAGE_BITS = {
    "digital_signature": 0, "content_commitment": 1, "key_encipherment": 2, "data_encipherment": 3,
    "key_agreement": 4, "key_cert_sign": 5, "crl_sign": 6,
}

# Attribute types whose values are PrintableString by convention; the rest are UTF8String.
_PRINTABLE = {"2.5.4.6", "2.5.4.5"}


@dataclass(frozen=True)
class Extension:
    oid: str
    value: bytes  # the DER of extnValue's content
    critical: bool = False

    def encode(self) -> bytes:
        parts = [der.oid(self.oid)]
        if self.critical:
            parts.append(der.boolean(True))
        parts.append(der.octet_string(self.value))
        return der.sequence(*parts)


def name_encode(attributes: list[tuple[str, str]]) -> bytes:
    """RDNSequence with one attribute per RDN, in the order given (country first, common name last)."""
    rdns = []
    for oid, value in attributes:
        encoded = der.printable_string(value) if oid in _PRINTABLE else der.utf8_string(value)
        rdns.append(der.set_of(der.sequence(der.oid(oid), encoded)))
    return der.sequence(*rdns)


def _algorithm() -> bytes:
    return der.sequence(der.oid(sm.SM2_WITH_SM3_OID))


def public_key_info_encode(public_key: bytes) -> bytes:
    return der.sequence(der.sequence(der.oid(sm.EC_PUBLIC_KEY_OID), der.oid(sm.SM2_CURVE_OID)),
                        der.bit_string(public_key))


def key_identifier(public_key: bytes) -> bytes:
    return sm.sm3(public_key)[:20]


def basic_constraints(*, ca: bool, path_length: int | None = None) -> Extension:
    body = []
    if ca:
        body.append(der.boolean(True))
        if path_length is not None:
            body.append(der.integer(path_length))
    return Extension(OID_BASIC_CONSTRAINTS, der.sequence(*body), critical=True)


def key_usage(usages: list[str]) -> Extension:
    return Extension(OID_KEY_USAGE, der.key_usage_bits([KEY_USAGE_BITS[u] for u in usages]), critical=True)


def subject_key_id(public_key: bytes) -> Extension:
    return Extension(OID_SUBJECT_KEY_ID, der.octet_string(key_identifier(public_key)))


def authority_key_id(issuer_public_key: bytes) -> Extension:
    return Extension(OID_AUTHORITY_KEY_ID, der.sequence(der.tlv(0x80, key_identifier(issuer_public_key))))


def _signed(tbs: bytes, issuer_private_key: bytes) -> bytes:
    signature = sm.sm2_signature_to_der(sm.sm2_sign(issuer_private_key, tbs))
    return der.sequence(tbs, _algorithm(), der.bit_string(signature))


def certificate_build(*, serial: int, issuer: list[tuple[str, str]], subject: list[tuple[str, str]],
                      not_before: dt.datetime, not_after: dt.datetime, public_key: bytes,
                      issuer_private_key: bytes, extensions: list[Extension]) -> bytes:
    """A DER X.509 v3 certificate signed with SM2-with-SM3 by ``issuer_private_key``."""
    tbs = der.sequence(
        der.explicit(0, der.integer(2)),
        der.integer(serial),
        _algorithm(),
        name_encode(issuer),
        der.sequence(der.time(not_before), der.time(not_after)),
        name_encode(subject),
        public_key_info_encode(public_key),
        der.explicit(3, der.sequence(*(ext.encode() for ext in extensions))),
    )
    return _signed(tbs, issuer_private_key)


def crl_build(*, issuer: list[tuple[str, str]], issuer_private_key: bytes, this_update: dt.datetime,
              next_update: dt.datetime, revoked: list[tuple[int, dt.datetime]], number: int) -> bytes:
    """A DER X.509 v2 CRL signed with SM2-with-SM3."""
    parts = [der.integer(1), _algorithm(), name_encode(issuer), der.time(this_update), der.time(next_update)]
    if revoked:
        parts.append(der.sequence(*(der.sequence(der.integer(serial), der.time(when)) for serial, when in revoked)))
    issuer_public = sm.sm2_public_key(issuer_private_key)
    extensions = [Extension(OID_CRL_NUMBER, der.integer(number)), authority_key_id(issuer_public)]
    parts.append(der.explicit(0, der.sequence(*(ext.encode() for ext in extensions))))
    return _signed(der.sequence(*parts), issuer_private_key)


def is_sm2_signed(document: x509.Certificate | x509.CertificateRevocationList) -> bool:
    return document.signature_algorithm_oid.dotted_string == sm.SM2_WITH_SM3_OID


def sm2_public_key_of(certificate: x509.Certificate) -> bytes | None:
    """The SM2 point of the certificate's subject key, or None when the key is not SM2."""
    try:
        fields = der.read_one(certificate.tbs_certificate_bytes).children()
        index = 6 if fields[0].tag == 0xA0 else 5
        algorithm, key = fields[index].children()
        identifiers = [node.as_oid() for node in algorithm.children() if node.tag == der.OID]
    except (der.DerError, ValueError, IndexError):
        return None
    is_sm2 = sm.SM2_CURVE_OID in identifiers
    if not is_sm2:
        return None
    point = key.as_bits()
    return point if sm.sm2_public_key_valid(point) else None


def sm2_signature_valid(document: x509.Certificate | x509.CertificateRevocationList,
                        issuer_public_key: bytes) -> bool:
    """Verify an SM2-with-SM3 signature over the document's TBS bytes, Z over the issuer's key.

    GM/T 0015 certificates are signed with the default ID "1234567812345678"; OpenSSL 3.0 signs and verifies
    with an empty ID unless told otherwise (``-sigopt distid:…``), so an empty ID is accepted as a fallback.
    Either way the signature must come from the issuer's private key."""
    if isinstance(document, x509.Certificate):
        tbs = document.tbs_certificate_bytes
    else:
        tbs = document.tbs_certlist_bytes
    return any(sm.sm2_verify(issuer_public_key, tbs, document.signature, user_id=user_id)
               for user_id in (sm.DEFAULT_USER_ID, b""))


def private_key_pem(private_key: bytes) -> bytes:
    """SEC 1 ECPrivateKey on the SM2 curve, as "EC PRIVATE KEY" PEM (the form OpenSSL and GmSSL read)."""
    body = der.sequence(der.integer(1), der.octet_string(private_key), der.explicit(0, der.oid(sm.SM2_CURVE_OID)),
                        der.explicit(1, der.bit_string(sm.sm2_public_key(private_key))))
    lines = base64.encodebytes(body).decode().replace("\n", "")
    wrapped = "\n".join(lines[i : i + 64] for i in range(0, len(lines), 64))
    return f"-----BEGIN EC PRIVATE KEY-----\n{wrapped}\n-----END EC PRIVATE KEY-----\n".encode()


def private_key_from_pem(pem: bytes) -> bytes:
    text = pem.decode().strip().splitlines()
    if not text or text[0] != "-----BEGIN EC PRIVATE KEY-----":
        raise der.DerError("not an EC PRIVATE KEY PEM")
    fields = der.read_one(base64.b64decode("".join(text[1:-1]))).children()
    curve = der.read_one(fields[2].content).as_oid() if len(fields) > 2 else ""
    if fields[0].as_int() != 1 or curve != sm.SM2_CURVE_OID:
        raise der.DerError("not an SM2 private key")
    return fields[1].content.rjust(32, b"\x00")
