"""Chinese commercial cryptography (商用密码): SM2 signatures and encryption, SM3 hashing, SM4 ciphers.

SM2 runs on gmalglib (a C implementation); SM3 and SM4 on pyca ``cryptography`` (OpenSSL). Keys are bytes:
a private key is the 32-byte scalar d, a public key the 65-byte uncompressed point 04‖x‖y.

Signatures follow GM/T 0003.2 / GB/T 32918.2: the signed digest is e = SM3(Z ‖ M) with
Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA), ID defaulting to "1234567812345678" (GM/T 0009 §10).
``sm2_z`` computes Z here in Python so it can be checked against the library and the standard's example.
Ciphertexts are C1 ‖ C3 ‖ C2 (GM/T 0003.4-2012 order) and can be converted to the DER form of GM/T 0009.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from gmalglib import sm2 as _gm_sm2

from . import der

DEFAULT_USER_ID = b"1234567812345678"
SM2_WITH_SM3_OID = "1.2.156.10197.1.501"
SM2_CURVE_OID = "1.2.156.10197.1.301"
EC_PUBLIC_KEY_OID = "1.2.840.10045.2.1"

_P = _gm_sm2.SM2_PARAMS_P
_A = _gm_sm2.SM2_PARAMS_A
_B = _gm_sm2.SM2_PARAMS_B
_GX, _GY = _gm_sm2.SM2_PARAMS_G
N = int.from_bytes(_gm_sm2.SM2_PARAMS_N, "big")


class SMError(ValueError):
    """Bad key, bad ciphertext or a failed decryption."""


# --- SM3 -------------------------------------------------------------------------------------------------------


def sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def sm3_hmac(key: bytes, data: bytes) -> bytes:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


# --- SM2 -------------------------------------------------------------------------------------------------------


def sm2_keypair_new() -> tuple[bytes, bytes]:
    """A fresh (private key d, public key 04‖x‖y)."""
    private_key, public_key = _gm_sm2.SM2().generate_keypair()
    return private_key, public_key


def sm2_public_key(private_key: bytes) -> bytes:
    _check_private(private_key)
    return _gm_sm2.SM2.get_pk(private_key, _gm_sm2.SM2_PCMODE_RAW)


def sm2_public_key_valid(public_key: bytes) -> bool:
    try:
        return len(public_key) == 65 and _gm_sm2.SM2.is_pk_valid(public_key)
    except ValueError:
        return False


def _check_private(private_key: bytes) -> None:
    if len(private_key) != 32 or not _gm_sm2.SM2.is_sk_valid(private_key):
        raise SMError("SM2私钥无效")


def _check_public(public_key: bytes) -> None:
    if not sm2_public_key_valid(public_key):
        raise SMError("SM2公钥无效")


def sm2_z(public_key: bytes, user_id: bytes = DEFAULT_USER_ID) -> bytes:
    """Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A) — GM/T 0003.2 §5.5."""
    _check_public(public_key)
    if len(user_id) * 8 > 0xFFFF:
        raise SMError("SM2用户标识过长")
    entl = (len(user_id) * 8).to_bytes(2, "big")
    return sm3(entl + user_id + _A + _B + _GX + _GY + public_key[1:33] + public_key[33:65])


def sm2_digest(public_key: bytes, message: bytes, user_id: bytes = DEFAULT_USER_ID) -> bytes:
    """e = SM3(Z ‖ M), the value an SM2 signature signs."""
    return sm3(sm2_z(public_key, user_id) + message)


def _signer(private_key: bytes | None, public_key: bytes | None, user_id: bytes,
            nonce: Callable[[int], bytes] | None = None) -> _gm_sm2.SM2:
    kwargs: dict = {"pc_mode": _gm_sm2.SM2_PCMODE_RAW, "uid": user_id}
    if nonce is not None:
        kwargs["rnd_fn"] = nonce
    if private_key is not None:
        kwargs["sk"] = private_key
    if public_key is not None:
        kwargs["pk"] = public_key
    return _gm_sm2.SM2(**kwargs)


def sm2_sign(private_key: bytes, message: bytes, *, user_id: bytes = DEFAULT_USER_ID) -> bytes:
    """The 64-byte signature r ‖ s over SM3(Z ‖ message), with a fresh random k."""
    _check_private(private_key)
    return _signer(private_key, None, user_id).sign(message)


def sm2_verify(public_key: bytes, message: bytes, signature: bytes, *, user_id: bytes = DEFAULT_USER_ID) -> bool:
    """True when ``signature`` (r ‖ s, or DER SEQUENCE{r, s}) verifies; never raises on bad input."""
    try:
        _check_public(public_key)
        raw = signature if len(signature) == 64 else sm2_signature_from_der(signature)
        return bool(_signer(None, public_key, user_id).verify(message, raw))
    except (ValueError, der.DerError):
        return False


def sm2_signature_to_der(signature: bytes) -> bytes:
    """r ‖ s → SEQUENCE { r INTEGER, s INTEGER } (the form inside X.509 and CMS)."""
    if len(signature) != 64:
        raise SMError("SM2签名值长度错误")
    return der.sequence(der.integer(int.from_bytes(signature[:32], "big")),
                        der.integer(int.from_bytes(signature[32:], "big")))


def sm2_signature_from_der(encoded: bytes) -> bytes:
    items = der.read_one(encoded).children()
    if len(items) != 2:
        raise SMError("SM2签名值格式错误")
    r, s = items[0].as_int(), items[1].as_int()
    if not (0 < r < N and 0 < s < N):
        raise SMError("SM2签名值超出范围")
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def sm2_encrypt(public_key: bytes, plaintext: bytes) -> bytes:
    """C1 ‖ C3 ‖ C2 with an uncompressed C1 (65 + 32 + len(plaintext) bytes)."""
    _check_public(public_key)
    if not plaintext:
        raise SMError("SM2加密的明文不能为空")
    return _signer(None, public_key, DEFAULT_USER_ID).encrypt(plaintext)


def sm2_decrypt(private_key: bytes, ciphertext: bytes) -> bytes:
    """Inverse of ``sm2_encrypt``; accepts C1‖C3‖C2 or its DER form. A wrong key or tampering → SMError."""
    _check_private(private_key)
    if ciphertext[:1] == b"\x30":
        ciphertext = sm2_ciphertext_from_der(ciphertext)
    try:
        return _signer(private_key, None, DEFAULT_USER_ID).decrypt(ciphertext)
    except ValueError as exc:
        raise SMError("SM2解密失败：密文被篡改或私钥不匹配") from exc


def sm2_ciphertext_to_der(ciphertext: bytes) -> bytes:
    """C1‖C3‖C2 → SEQUENCE { x INTEGER, y INTEGER, C3 OCTET STRING, C2 OCTET STRING } (GM/T 0009)."""
    if len(ciphertext) < 98 or ciphertext[0] != 4:
        raise SMError("SM2密文格式错误")
    x, y = int.from_bytes(ciphertext[1:33], "big"), int.from_bytes(ciphertext[33:65], "big")
    return der.sequence(der.integer(x), der.integer(y), der.octet_string(ciphertext[65:97]),
                        der.octet_string(ciphertext[97:]))


def sm2_ciphertext_from_der(encoded: bytes) -> bytes:
    try:
        x, y, c3, c2 = der.read_one(encoded).children()
        return (b"\x04" + x.as_int().to_bytes(32, "big") + y.as_int().to_bytes(32, "big") + c3.content
                + c2.content)
    except (ValueError, OverflowError) as exc:
        raise SMError("SM2密文格式错误") from exc


# --- SM4 -------------------------------------------------------------------------------------------------------


def sm4_encrypt_block(key: bytes, block: bytes) -> bytes:
    """One 16-byte block in ECB (for known-answer tests and key wrapping only; never for data)."""
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305 — single-block KAT
    return encryptor.update(block) + encryptor.finalize()


def sm4_decrypt_block(key: bytes, block: bytes) -> bytes:
    decryptor = Cipher(algorithms.SM4(key), modes.ECB()).decryptor()  # noqa: S305
    return decryptor.update(block) + decryptor.finalize()


def sm4_key_new() -> bytes:
    return os.urandom(16)


def sm4_gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, associated_data: bytes = b"") -> bytes:
    """SM4-GCM (RFC 8998): ciphertext ‖ 16-byte tag."""
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(associated_data)
    return encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag


def sm4_gcm_decrypt(key: bytes, nonce: bytes, sealed: bytes, associated_data: bytes = b"") -> bytes:
    if len(sealed) < 16:
        raise SMError("SM4-GCM密文过短")
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, sealed[-16:])).decryptor()
    decryptor.authenticate_additional_data(associated_data)
    try:
        return decryptor.update(sealed[:-16]) + decryptor.finalize()
    except InvalidTag as exc:
        raise SMError("SM4-GCM认证失败：密文被篡改或密钥错误") from exc
