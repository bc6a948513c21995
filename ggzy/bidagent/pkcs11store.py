"""Keys on a PKCS#11 token (a USB key's vendor module, or SoftHSM2), through python-pkcs11.

- Certificates are the token's CKO_CERTIFICATE objects (read without the PIN); each is matched to its private key
  by CKA_ID. Certificates seen once are remembered (public data, ``<home>/pkcs11-seen.json``) so that with the
  token unplugged they are listed with ``present: false`` and operations answer ``token_absent``.
- Signing: RSA with CKM_SHA256_RSA_PKCS; ECDSA P-256 by hashing with SHA-256 here and CKM_ECDSA on the token, the
  raw r‖s turned into DER. SM2 keys on PKCS#11 need vendor mechanisms and are not supported (``unsupported``);
  an SKF adapter (docs/agent.md) is the way for SM2 USB keys.
- RSA unwrap: CKM_RSA_PKCS_OAEP with SHA-256/MGF1-SHA-256 first. SoftHSM2 2.6 (Debian bookworm) refuses OAEP
  with any hash but SHA-1 (CKR_ARGUMENTS_BAD), as do some tokens; then the token does raw RSA (CKM_RSA_X_509)
  and the OAEP decoding (RFC 8017 §7.1.2) is done here: every check is computed without an early exit and any
  failure is one and the same error, so the agent does not become a padding oracle (Manger's attack needs
  thousands of decryptions — and here each one also needs the user's confirmation and PIN).
- PIN errors: CKR_PIN_INCORRECT → ``wrong_pin`` with tries_left from the token flags (final try → 1, locked → 0,
  else null: the token decides and does not say); CKR_PIN_LOCKED → ``pin_locked``. The PIN is used for one
  session and not kept.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from . import errors, files, stores
from .errors import AgentError

_MISMATCH_ERRORS = ("ArgumentsBad", "MechanismInvalid", "MechanismParamInvalid", "FunctionNotSupported")


def _pkcs11() -> Any:
    import pkcs11

    return pkcs11


def _mgf1_sha256(seed: bytes, length: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < length:
        out += hashlib.sha256(seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:length]


def oaep_sha256_decode(encoded: bytes, modulus_bytes: int) -> bytes:
    """EME-OAEP decoding (RFC 8017 §7.1.2, SHA-256, MGF1-SHA-256, empty label) of the raw RSA output.

    No early exit on secret-dependent data: the checks are accumulated and one error is raised at the end."""
    h = 32
    k = modulus_bytes
    if k < 2 * h + 2 or len(encoded) > k:
        raise ValueError("decryption error")
    em = encoded.rjust(k, b"\x00")
    y, masked_seed, masked_db = em[0], em[1 : 1 + h], em[1 + h :]
    seed = bytes(a ^ b for a, b in zip(masked_seed, _mgf1_sha256(masked_db, h), strict=True))
    db = bytes(a ^ b for a, b in zip(masked_db, _mgf1_sha256(seed, k - h - 1), strict=True))
    good = int(hmac.compare_digest(db[:h], hashlib.sha256(b"").digest())) & int(y == 0)
    found = 0  # 1 once the 0x01 separator was seen
    index = 0
    invalid = 0
    for i in range(h, len(db)):
        byte = db[i]
        is_one = int(byte == 1)
        is_zero = int(byte == 0)
        take = is_one & (1 - found)
        index = index * (1 - take) + i * take
        invalid |= (1 - found) & (1 - is_one) & (1 - is_zero)
        found |= is_one
    if not (good & found & (1 - invalid)):
        raise ValueError("decryption error")
    return db[index + 1 :]


def _is_ca(certificate_der: bytes) -> bool:
    try:
        certificate = x509.load_der_x509_certificate(certificate_der)
        return bool(certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except (ValueError, x509.ExtensionNotFound):
        return False


def _clean(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", text)[:32] or "x"


class Pkcs11Store:
    kind = "pkcs11"

    def __init__(self, module: str, *, home: Path, token_label: str | None = None) -> None:
        self.module = module
        self.token_label = token_label
        self.id = "pkcs11"
        self.label = f"PKCS#11 令牌（{token_label or Path(module).name}）"
        self.seen_path = home / "pkcs11-seen.json"
        self._lock = threading.RLock()
        self._lib: Any = None
        self._load_error = ""

    # --- the module and its tokens ------------------------------------------------------------------------------

    def _library(self) -> Any:
        if self._lib is None and not self._load_error:
            try:
                self._lib = _pkcs11().lib(self.module)
            except Exception as exc:  # noqa: BLE001 — a missing/broken vendor module is "no token" to the user
                self._load_error = type(exc).__name__
        return self._lib

    def _tokens(self) -> list[Any]:
        lib = self._library()
        if lib is None:
            return []
        found = []
        try:
            slots = lib.get_slots(token_present=True)
        except Exception:  # noqa: BLE001
            return []
        for slot in slots:
            try:
                token = slot.get_token()
            except Exception:  # noqa: BLE001, S112 — removed between the two calls
                continue
            if not token.flags & _pkcs11().TokenFlag.TOKEN_INITIALIZED:
                continue  # an empty slot's blank token (SoftHSM2 always offers one) holds no certificate
            if self.token_label is None or token.label == self.token_label:
                found.append(token)
        return found

    def present(self) -> bool:
        with self._lock:
            return bool(self._tokens())

    @staticmethod
    def _serial(token: Any) -> str:
        serial = token.serial
        return _clean(serial.decode("ascii", "replace") if isinstance(serial, bytes) else str(serial))

    # --- certificates ---------------------------------------------------------------------------------------------

    def certificates(self) -> list[stores.CertificateEntry]:
        pkcs11 = _pkcs11()
        with self._lock:
            seen = files.read_json(self.seen_path, {})
            current: dict[str, dict] = {}
            for token in self._tokens():
                serial = self._serial(token)
                try:
                    with token.open() as session:
                        key_ids = {
                            bytes(k[pkcs11.Attribute.ID])
                            for kind in (pkcs11.ObjectClass.PRIVATE_KEY, pkcs11.ObjectClass.PUBLIC_KEY)
                            for k in session.get_objects({pkcs11.Attribute.CLASS: kind})
                        }  # private keys are usually hidden before login; their public halves are not
                        for obj in session.get_objects(
                            {pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE}
                        ):
                            cka_id = bytes(obj[pkcs11.Attribute.ID])
                            value = bytes(obj[pkcs11.Attribute.VALUE])
                            label = str(obj[pkcs11.Attribute.LABEL] or "")
                            if (key_ids and cka_id not in key_ids) or _is_ca(value):
                                continue  # a CA certificate on the token, no key of ours
                            current[f"p11-{serial}-{cka_id.hex()}"] = {
                                "token_label": token.label,
                                "token_serial": serial,
                                "cka_id": cka_id.hex(),
                                "label": label or token.label,
                                "certificate_der": value.hex(),
                            }
                except Exception:  # noqa: BLE001, S112 — a token that fails to list is treated as absent
                    continue
            if current and any(seen.get(k) != v for k, v in current.items()):
                files.write_json(self.seen_path, {**seen, **current})
            entries = []
            for entry_id, record in {**seen, **current}.items():
                if self.token_label is not None and record.get("token_label") != self.token_label:
                    continue
                try:
                    certificate = x509.load_der_x509_certificate(bytes.fromhex(record["certificate_der"]))
                except (ValueError, KeyError):
                    continue
                algorithm = stores.algorithm_of(certificate)
                if algorithm is None:
                    continue
                entries.append(
                    stores.CertificateEntry(
                        id=entry_id,
                        store=self.id,
                        label=record["label"],
                        algorithm=algorithm,
                        certificate=certificate,
                        present=entry_id in current,
                        usage=stores.usage_of(certificate, algorithm),
                    )
                )
            return entries

    # --- operations ------------------------------------------------------------------------------------------------

    def _token_for(self, entry: stores.CertificateEntry) -> Any:
        serial = entry.id.split("-")[1]
        for token in self._tokens():
            if self._serial(token) == serial:
                return token
        raise errors.token_absent(self.label)

    def tries_left(self, entry: stores.CertificateEntry) -> int | None:
        with self._lock:
            return self._tries_from_flags(self._token_for(entry))

    def _tries_from_flags(self, token: Any) -> int | None:
        flags = _pkcs11().TokenFlag
        try:
            fresh = next((t for t in self._tokens() if self._serial(t) == self._serial(token)), token)
            value = fresh.flags
        except Exception:  # noqa: BLE001
            return None
        if value & flags.USER_PIN_LOCKED:
            return 0
        if value & flags.USER_PIN_FINAL_TRY:
            return 1
        return None

    def _session(self, entry: stores.CertificateEntry, pin: str) -> tuple[Any, Any]:
        pkcs11 = _pkcs11()
        if entry.algorithm == stores.SM2:
            raise AgentError("unsupported", "PKCS#11 令牌上的 SM2 密钥需要厂商的 SKF 适配器，本助手暂不支持")
        token = self._token_for(entry)
        try:
            session = token.open(user_pin=pin)
        except pkcs11.exceptions.PinIncorrect:
            raise errors.wrong_pin(self._tries_from_flags(token)) from None
        except pkcs11.exceptions.PinLocked:
            raise errors.pin_locked() from None
        except (pkcs11.exceptions.PinLenRange, pkcs11.exceptions.PinInvalid):
            raise errors.wrong_pin(self._tries_from_flags(token)) from None
        except (
            pkcs11.exceptions.TokenNotPresent,
            pkcs11.exceptions.DeviceRemoved,
            pkcs11.exceptions.TokenNotRecognised,
        ):
            raise errors.token_absent(self.label) from None
        try:
            key = session.get_key(
                object_class=pkcs11.ObjectClass.PRIVATE_KEY, id=bytes.fromhex(entry.id.rsplit("-", 1)[1])
            )
        except (pkcs11.exceptions.NoSuchKey, pkcs11.exceptions.MultipleObjectsReturned):
            session.close()
            raise AgentError("key_mismatch", "令牌上找不到与该证书对应的私钥") from None
        return session, key

    def sign(self, entry: stores.CertificateEntry, data: bytes, pin: str) -> bytes:
        pkcs11 = _pkcs11()
        with self._lock:
            session, key = self._session(entry, pin)
            try:
                if entry.algorithm == stores.RSA:
                    return bytes(key.sign(data, mechanism=pkcs11.Mechanism.SHA256_RSA_PKCS))
                raw = bytes(key.sign(hashlib.sha256(data).digest(), mechanism=pkcs11.Mechanism.ECDSA))
                half = len(raw) // 2
                return encode_dss_signature(
                    int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")
                )
            except (pkcs11.exceptions.TokenNotPresent, pkcs11.exceptions.DeviceRemoved):
                raise errors.token_absent(self.label) from None
            finally:
                session.close()

    def unwrap(self, entry: stores.CertificateEntry, wrapped: bytes, algorithm: str, pin: str) -> bytes:
        pkcs11 = _pkcs11()
        if entry.algorithm != stores.RSA or algorithm != "rsa-oaep-sha256":
            raise AgentError("unsupported", f"该令牌上的密钥不能解开 {algorithm} 密钥信封")
        modulus_bytes = (entry.certificate.public_key().key_size + 7) // 8  # type: ignore[union-attr]
        bad = AgentError("bad_request", "密钥信封无法解开：不是用本证书加密的，或已损坏", field="wrapped")
        with self._lock:
            session, key = self._session(entry, pin)
            try:
                try:
                    return bytes(
                        key.decrypt(
                            wrapped,
                            mechanism=pkcs11.Mechanism.RSA_PKCS_OAEP,
                            mechanism_param=(pkcs11.Mechanism.SHA256, pkcs11.MGF.SHA256, None),
                        )
                    )
                except pkcs11.exceptions.PKCS11Error as exc:
                    if type(exc).__name__ not in _MISMATCH_ERRORS:
                        if isinstance(
                            exc, pkcs11.exceptions.TokenNotPresent | pkcs11.exceptions.DeviceRemoved
                        ):
                            raise errors.token_absent(self.label) from None
                        raise bad from None
                if len(wrapped) != modulus_bytes:
                    raise bad
                try:
                    raw = bytes(key.decrypt(wrapped, mechanism=pkcs11.Mechanism.RSA_X_509))
                    return oaep_sha256_decode(raw, modulus_bytes)
                except (ValueError, pkcs11.exceptions.PKCS11Error):
                    raise bad from None
            finally:
                session.close()
