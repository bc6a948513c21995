"""What the bidding client and the server agree on for a client-sealed bid (no Django here: ``ggzy-bid`` uses it).

The client encrypts every file, every file name, the price sheet and its fingerprint with one fresh content key
(SM4-GCM for an SM2 encryption certificate, AES-256-GCM for RSA), in the segmented format of
``ggzy.pki.envelope``, each bound to the lot and its purpose; then wraps the content key twice: to its own
encryption certificate (SM2 encryption, or RSA-OAEP/SHA-256) and to the lot's custodian key (SM2).
"""

from __future__ import annotations

import hashlib
import json

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ggzy.pki import envelope, sm, sm2x509

OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def client_context(lot_id: int, purpose: str) -> bytes:
    """Associated data of one sealed item: "price_sheet", "fingerprint", "file:<i>" or "name:<i>"."""
    return f"ggzy-bid-client|lot:{lot_id}|{purpose}".encode()


def content_algorithm_for(certificate: x509.Certificate) -> str:
    """SM4-GCM for an SM2 key, AES-256-GCM for RSA; any other key cannot receive a wrapped key."""
    if sm2x509.sm2_public_key_of(certificate) is not None:
        return envelope.SM4_GCM
    try:
        key = certificate.public_key()
    except ValueError:
        key = None
    if isinstance(key, rsa.RSAPublicKey):
        return envelope.AES_256_GCM
    raise ValueError("该证书的公钥不能用于数字信封（应为SM2或RSA加密证书）")


def wrap_to_certificate(certificate: x509.Certificate, content_key: bytes) -> bytes:
    point = sm2x509.sm2_public_key_of(certificate)
    if point is not None:
        return sm.sm2_encrypt(point, content_key)
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise ValueError("encryption certificates must carry an RSA or SM2 key")
    return public_key.encrypt(content_key, OAEP)


def wrap_to_custodians(public_key: bytes, content_key: bytes) -> bytes:
    return sm.sm2_encrypt(public_key, content_key)


def custodian_key_id(public_key: bytes) -> str:
    return hashlib.sha256(b"ggzy-lot-opening-key|" + public_key).hexdigest()[:32]


def sealed_digest(*, price_sheet_sealed: bytes, fingerprint_sealed: bytes, names_sealed: list[bytes],
                  wrap_to_bidder: bytes, wrap_to_custodians: bytes, file_digests: list[str],
                  signature_sealed: bytes = b"") -> str:
    """SHA-256 over everything stored for a client-sealed bid, to tell later storage damage from the bidder's."""
    digest = hashlib.sha256(b"ggzy-client-sealed-1")
    parts = [price_sheet_sealed, fingerprint_sealed, wrap_to_bidder, wrap_to_custodians, *names_sealed,
             *(d.encode() for d in file_digests)]
    if signature_sealed:
        parts += [b"signature", signature_sealed]
    for part in parts:
        digest.update(len(part).to_bytes(8, "big") + bytes(part))
    return digest.hexdigest()


def bid_manifest_bytes(*, lot_code: str, plaintext_hashes: list[str], price_sheet_sealed: bytes) -> bytes:
    """The bid's signable bytes (documents.bid_manifest): canonical JSON of the lot code, each file's plaintext
    SHA-256 in upload order and the sealed price sheet's SHA-256 — computable by the client before it uploads,
    and naming no bidder."""
    value = {"lot": lot_code, "files": list(plaintext_hashes),
             "price_sheet_sha256": hashlib.sha256(bytes(price_sheet_sealed)).hexdigest()}
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
