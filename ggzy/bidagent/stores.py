"""Where keys live: the adapter interface every key store implements, and what a store lists.

A store is a PKCS#11 token (``pkcs11store``), the agent's encrypted software store (``softstore``), or — through the
same interface — a vendor's SKF (GM/T 0016) library (docs/agent.md says which functions such an adapter needs; none
ships). The server only talks to this interface: it never sees a private key, only signatures and content keys.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ggzy.pki import sm2x509

SM2 = "sm2"
ECDSA_P256 = "ecdsa-p256"
RSA = "rsa"

SIGNATURE_ALGORITHM = {SM2: "sm2-sm3", ECDSA_P256: "ecdsa-sha256", RSA: "rsa-pkcs1v15-sha256"}
UNWRAP_ALGORITHM = {SM2: "sm2", RSA: "rsa-oaep-sha256"}


@dataclass
class CertificateEntry:
    """One certificate with a private key in a store. ``id`` is stable across restarts."""

    id: str
    store: str
    label: str
    algorithm: str
    certificate: x509.Certificate
    present: bool = True
    usage: list[str] = field(default_factory=list)

    @property
    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    @property
    def expired(self) -> bool:
        return self.certificate.not_valid_after_utc < dt.datetime.now(dt.UTC)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "store": self.store,
            "label": self.label,
            "algorithm": self.algorithm,
            "usage": self.usage,
            "certificate_pem": self.certificate_pem,
            "subject": self.subject,
            "serial": format(self.certificate.serial_number, "x"),
            "not_after": self.certificate.not_valid_after_utc.isoformat(),
            "expired": self.expired,
            "present": self.present,
        }


class KeyStore(Protocol):
    """The adapter interface. Errors are ``errors.AgentError`` (wrong_pin with tries_left, pin_locked,
    token_absent, unsupported, key_mismatch); a PIN is passed per operation and never kept."""

    id: str
    kind: str  # "soft" | "pkcs11" | "skf"
    label: str

    def present(self) -> bool:
        """Whether the medium is there (a token inserted; the software store always is)."""
        ...

    def certificates(self) -> list[CertificateEntry]:
        """Certificates with a private key, including ones seen before whose medium is now absent
        (``present`` False)."""
        ...

    def sign(self, entry: CertificateEntry, data: bytes, pin: str) -> bytes:
        """The signature over ``data`` in the platform's format (``SIGNATURE_ALGORITHM[entry.algorithm]``):
        SM2 with SM3 and the default user ID (DER r,s), ECDSA-SHA256 DER, RSA PKCS#1 v1.5 SHA-256."""
        ...

    def unwrap(self, entry: CertificateEntry, wrapped: bytes, algorithm: str, pin: str) -> bytes:
        """The content key from ``wrapped`` (SM2 C1‖C3‖C2, or RSA-OAEP with SHA-256)."""
        ...

    def tries_left(self, entry: CertificateEntry) -> int | None:
        """PIN tries left when known (None: the medium decides and does not say)."""
        ...


def algorithm_of(certificate: x509.Certificate) -> str | None:
    if sm2x509.sm2_public_key_of(certificate) is not None:
        return SM2
    try:
        key = certificate.public_key()
    except Exception:  # noqa: BLE001 — an unknown key type is simply not supported
        return None
    if isinstance(key, rsa.RSAPublicKey):
        return RSA
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return ECDSA_P256
    return None


def usage_of(certificate: x509.Certificate, algorithm: str) -> list[str]:
    """What the key may do by the certificate's KeyUsage (no extension: whatever the algorithm can)."""
    possible = ["sign", "encrypt"] if algorithm in (SM2, RSA) else ["sign"]
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return possible
    found = []
    if usage.digital_signature or usage.content_commitment:
        found.append("sign")
    if usage.key_encipherment or usage.data_encipherment:
        found.append("encrypt")
    return [u for u in found if u in possible]
