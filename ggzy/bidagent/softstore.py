"""The agent's software key store, for keys that come as files (PKCS#12, encrypted PKCS#8; SM2 included).

A key is imported once (``ggzy-bid agent import``) and kept in ``<home>/keys/<id>.json``, encrypted under the
certificate password the user typed at import: key = scrypt(password, salt 16 bytes, n=2^15, r=8, p=1) → 32
bytes; the private key (SM2: the 32-byte scalar; others: unencrypted PKCS#8 DER) sealed with AES-256-GCM, 12-byte
random nonce, associated data = store format ‖ entry id ‖ SHA-256 of the certificate (so a sealed key cannot be
moved under another certificate). The password is never stored; each operation asks for it again.

Wrong passwords are counted persistently in ``<home>/keys/<id>.tries`` — the counter is raised BEFORE the
decryption is attempted and cleared after a success, so killing the agent mid-attempt does not give a free try.
After ``MAX_TRIES`` wrong passwords in a row the key is locked (``pin_locked``); ``ggzy-bid agent import`` of the
same file again (knowing the file's password) replaces the entry and clears the lock.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ggzy.pki import sm

from . import errors, files, stores
from .errors import AgentError

FORMAT = "ggzy-agent-soft-1"
MAX_TRIES = 5
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def _kek(password: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(password.encode())


def _aad(entry_id: str, certificate: x509.Certificate) -> bytes:
    return f"{FORMAT}|{entry_id}|".encode() + certificate.fingerprint(hashes.SHA256())


class SoftStore:
    kind = "soft"

    def __init__(self, home: Path) -> None:
        self.id = "soft"
        self.label = "本机软件证书库"
        self.directory = home / "keys"
        self._lock = threading.Lock()

    def present(self) -> bool:
        return True

    # --- import ----------------------------------------------------------------------------------------------

    def import_key(
        self,
        *,
        algorithm: str,
        private_key: object,
        certificate: x509.Certificate,
        password: str,
        label: str = "",
    ) -> stores.CertificateEntry:
        if not password:
            raise AgentError("bad_request", "证书口令不能为空", field="password")
        if isinstance(private_key, bytes):
            material = private_key
        else:
            assert isinstance(private_key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
            material = private_key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        # the same certificate imported again replaces its entry (and clears a lock)
        entry_id = "soft-" + certificate.fingerprint(hashes.SHA256()).hex()[:24]
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        sealed = AESGCM(_kek(password, salt)).encrypt(nonce, material, _aad(entry_id, certificate))
        record = {
            "format": FORMAT,
            "id": entry_id,
            "label": label or _default_label(certificate),
            "algorithm": algorithm,
            "certificate_pem": certificate.public_bytes(serialization.Encoding.PEM).decode(),
            "kdf": {
                "name": "scrypt",
                "n": SCRYPT_N,
                "r": SCRYPT_R,
                "p": SCRYPT_P,
                "salt": base64.b64encode(salt).decode(),
            },
            "cipher": "aes-256-gcm",
            "nonce": base64.b64encode(nonce).decode(),
            "sealed": base64.b64encode(sealed).decode(),
        }
        with self._lock:
            files.write_json(self.directory / f"{entry_id}.json", record)
            self._tries_path(entry_id).unlink(missing_ok=True)
        return self._entry(record)

    # --- listing -----------------------------------------------------------------------------------------------

    def _records(self) -> list[dict]:
        if not self.directory.is_dir():
            return []
        records = []
        for path in sorted(self.directory.glob("*.json")):
            record = files.read_json(path, {})
            if record.get("format") == FORMAT:
                records.append(record)
        return records

    def _entry(self, record: dict) -> stores.CertificateEntry:
        certificate = x509.load_pem_x509_certificate(record["certificate_pem"].encode())
        return stores.CertificateEntry(
            id=record["id"],
            store=self.id,
            label=record["label"],
            algorithm=record["algorithm"],
            certificate=certificate,
            usage=stores.usage_of(certificate, record["algorithm"]),
        )

    def certificates(self) -> list[stores.CertificateEntry]:
        return [self._entry(r) for r in self._records()]

    def remove(self, entry_id: str) -> bool:
        path = self.directory / f"{entry_id}.json"
        if not path.is_file():
            return False
        path.unlink()
        self._tries_path(entry_id).unlink(missing_ok=True)
        return True

    # --- the wrong-password counter --------------------------------------------------------------------------

    def _tries_path(self, entry_id: str) -> Path:
        return self.directory / f"{entry_id}.tries"

    def _failures(self, entry_id: str) -> int:
        try:
            return int(self._tries_path(entry_id).read_text().strip() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def tries_left(self, entry: stores.CertificateEntry) -> int | None:
        return max(0, MAX_TRIES - self._failures(entry.id))

    # --- operations --------------------------------------------------------------------------------------------

    def _open(self, entry: stores.CertificateEntry, pin: str) -> object:
        with self._lock:
            path = self.directory / f"{entry.id}.json"
            record = files.read_json(path, {})
            if record.get("format") != FORMAT:
                raise AgentError("no_such_certificate", "证书不存在（可能已被删除）")
            failures = self._failures(entry.id)
            if failures >= MAX_TRIES:
                raise errors.pin_locked()
            files.write_private(self._tries_path(entry.id), str(failures + 1).encode())
            kdf = record["kdf"]
            key = Scrypt(
                salt=base64.b64decode(kdf["salt"]), length=32, n=kdf["n"], r=kdf["r"], p=kdf["p"]
            ).derive(pin.encode())
            try:
                material = AESGCM(key).decrypt(
                    base64.b64decode(record["nonce"]),
                    base64.b64decode(record["sealed"]),
                    _aad(entry.id, entry.certificate),
                )
            except InvalidTag:
                raise errors.wrong_pin(MAX_TRIES - failures - 1) from None
            self._tries_path(entry.id).unlink(missing_ok=True)
        if entry.algorithm == stores.SM2:
            return material
        return serialization.load_der_private_key(material, password=None)

    def sign(self, entry: stores.CertificateEntry, data: bytes, pin: str) -> bytes:
        key = self._open(entry, pin)
        if isinstance(key, bytes):
            return sm.sm2_signature_to_der(sm.sm2_sign(key, data))
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hashes.SHA256()))
        if isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        raise AgentError("unsupported", "该证书的密钥不支持签名")

    def unwrap(self, entry: stores.CertificateEntry, wrapped: bytes, algorithm: str, pin: str) -> bytes:
        key = self._open(entry, pin)
        try:
            if isinstance(key, bytes) and algorithm == "sm2":
                return sm.sm2_decrypt(key, wrapped)
            if isinstance(key, rsa.RSAPrivateKey) and algorithm == "rsa-oaep-sha256":
                return key.decrypt(wrapped, OAEP)
        except ValueError:
            raise AgentError(
                "bad_request", "密钥信封无法解开：不是用本证书加密的，或已损坏", field="wrapped"
            ) from None
        raise AgentError("unsupported", f"该证书的密钥不能解开 {algorithm} 密钥信封")


def _default_label(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else certificate.subject.rfc4514_string()


def digest_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
