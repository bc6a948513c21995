"""Digital envelopes for sealed bids: each bid has its own content key; the key is wrapped to an opening key.

- Content: AES-256-GCM (or SM4-GCM, RFC 8998, for SM2 certificate holders: ``algorithm=SM4_GCM``) in 1 MiB segments (a STREAM construction: nonce = 8 random bytes || 4-byte segment
  counter; the associated data carries the caller's context, the segment index and a final-segment flag), so a
  20 MB file never sits in memory twice and segments cannot be reordered, dropped or truncated unnoticed.
- Key wrapping: RSA-3072 OAEP(SHA-256) to an opening key pair whose private half lives in a file outside the
  database (``GGZY_OPENING_KEY_DIR``), read only at the opening. The PKI issue adds the bidder's own certificate
  and k-of-n custodians.
Nothing here logs or returns plaintext except ``open_*`` at the opening.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterable, Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SEGMENT = 1 << 20
TAG = 16
HEADER = b"GGZY-SEAL-1"
AES_256_GCM = "aes-256-gcm"
SM4_GCM = "sm4-gcm"
ALGORITHMS = {AES_256_GCM: (HEADER, 32), SM4_GCM: (b"GGZY-SEAL-S", 16)}  # header (same length), key size
_OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


class SealError(Exception):
    """A sealed object failed to open: wrong key, tampered or truncated ciphertext."""


def content_key_new(algorithm: str = AES_256_GCM) -> bytes:
    return os.urandom(_spec(algorithm)[1])


def _spec(algorithm: str) -> tuple[bytes, int]:
    try:
        return ALGORITHMS[algorithm]
    except KeyError:
        raise SealError(f"不支持的内容加密算法：{algorithm}") from None


class _SM4GCM:
    """The AESGCM interface over SM4 (pyca/OpenSSL), so both algorithms share one STREAM construction."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 16:
            raise ValueError("SM4 key must be 16 bytes")
        self._key = key

    def encrypt(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        encryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        return encryptor.update(data) + encryptor.finalize() + encryptor.tag

    def decrypt(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        if len(data) < TAG:
            raise InvalidTag
        decryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce, data[-TAG:])).decryptor()
        decryptor.authenticate_additional_data(aad)
        return decryptor.update(data[:-TAG]) + decryptor.finalize()


def _aead(key: bytes, algorithm: str):
    _header, size = _spec(algorithm)
    if len(key) != size:
        raise SealError("内容密钥长度错误")
    return _SM4GCM(key) if algorithm == SM4_GCM else AESGCM(key)


def sealed_plaintext_size(sealed_size: int) -> int:
    """The plaintext size of a sealed stream of ``sealed_size`` bytes (header, then segments of SEGMENT + TAG)."""
    body = sealed_size - len(HEADER) - 8
    if body < TAG:
        raise SealError("密封文件不完整")
    segments = -(-body // (SEGMENT + TAG))
    return body - TAG * segments


def _aad(context: bytes, index: int, final: bool) -> bytes:
    return context + struct.pack(">IB", index, 1 if final else 0)


def seal_stream(key: bytes, chunks: Iterable[bytes], *, context: bytes,
                algorithm: str = AES_256_GCM) -> Iterator[bytes]:
    """Encrypt a byte stream; yields the header then one ciphertext segment per SEGMENT bytes of input."""
    aead = _aead(key, algorithm)
    prefix = os.urandom(8)
    yield _spec(algorithm)[0] + prefix
    buffer = bytearray()
    index = 0
    pending: bytes | None = None
    for chunk in chunks:
        if not buffer and len(chunk) == SEGMENT:
            # Fast path: uploads arrive in segment-sized chunks; encrypt them without copying.
            if pending is not None:
                yield aead.encrypt(prefix + struct.pack(">I", index), pending, _aad(context, index, False))
                index += 1
            pending = bytes(chunk)
            continue
        buffer.extend(chunk)
        while len(buffer) >= SEGMENT:
            if pending is not None:
                yield aead.encrypt(prefix + struct.pack(">I", index), pending, _aad(context, index, False))
                index += 1
            pending = bytes(buffer[:SEGMENT])
            del buffer[:SEGMENT]
    if pending is not None and buffer:
        yield aead.encrypt(prefix + struct.pack(">I", index), pending, _aad(context, index, False))
        index += 1
        pending = None
    last = bytes(buffer) if pending is None else pending
    yield aead.encrypt(prefix + struct.pack(">I", index), last, _aad(context, index, True))


def seal_bytes(key: bytes, data: bytes, *, context: bytes, algorithm: str = AES_256_GCM) -> bytes:
    return b"".join(seal_stream(key, [data], context=context, algorithm=algorithm))


def open_stream(key: bytes, sealed: Iterable[bytes], *, context: bytes,
                algorithm: str = AES_256_GCM) -> Iterator[bytes]:
    """Decrypt what ``seal_stream`` produced; raises ``SealError`` on any tampering or truncation."""
    header = _spec(algorithm)[0]
    aead = _aead(key, algorithm)
    data = bytearray()
    header_len = len(HEADER) + 8
    prefix = None
    index = 0
    size = SEGMENT + TAG
    for chunk in sealed:
        data.extend(chunk)
        if prefix is None and len(data) >= header_len:
            if bytes(data[: len(HEADER)]) != header:
                raise SealError("不是有效的密封文件")
            prefix = bytes(data[len(HEADER):header_len])
            del data[:header_len]
        while prefix is not None and len(data) > size:
            segment = bytes(data[:size])
            del data[:size]
            yield _open_segment(aead, prefix, index, segment, context, final=False)
            index += 1
    if prefix is None:
        raise SealError("密封文件不完整")
    yield _open_segment(aead, prefix, index, bytes(data), context, final=True)


def _open_segment(aead, prefix: bytes, index: int, segment: bytes, context: bytes, *, final: bool) -> bytes:
    try:
        return aead.decrypt(prefix + struct.pack(">I", index), segment, _aad(context, index, final))
    except InvalidTag:
        raise SealError("密文校验失败（文件被篡改、截断或密钥错误）") from None


def open_bytes(key: bytes, sealed: bytes, *, context: bytes, algorithm: str = AES_256_GCM) -> bytes:
    return b"".join(open_stream(key, [sealed], context=context, algorithm=algorithm))


# --- opening keys (private half outside the database) -------------------------------------------------------


def _key_dir() -> Path:
    from django.conf import settings  # here, so the bidding client can seal without Django settings

    path = Path(getattr(settings, "GGZY_OPENING_KEY_DIR", settings.VAR_DIR / "keys"))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def opening_key_id(public_key: rsa.RSAPublicKey) -> str:
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()[:32]


def opening_key_ensure(name: str) -> str:
    """The id of the opening key ``name`` (e.g. a center's code), creating its key pair files on first use."""
    path = _key_dir() / f"opening-{name}.pem"
    if not path.exists():
        private = rsa.generate_private_key(public_exponent=65537, key_size=3072)
        _write_private(path, private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()))
        public = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
        _public_path(name).write_bytes(public)
    return opening_key_id(opening_public_key(name))


def _public_path(name: str) -> Path:
    return _key_dir() / f"opening-{name}.pub.pem"


def _write_private(path: Path, pem: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    os.replace(tmp, path)


_loaded: dict[tuple[str, int], object] = {}


def _load_cached(path: Path, loader):
    """Parsing an RSA key validates it (slow); parse each file version once per process."""
    stamp = (str(path), path.stat().st_mtime_ns)
    key = _loaded.get(stamp)
    if key is None:
        key = loader(path.read_bytes())
        _loaded[stamp] = key
    return key


def opening_public_key(name: str) -> rsa.RSAPublicKey:
    """What sealing needs: the public half only."""
    path = _public_path(name)
    if not path.exists():  # a key pair made before public halves were written separately
        return opening_private_key(name).public_key()
    key = _load_cached(path, serialization.load_pem_public_key)
    if not isinstance(key, rsa.RSAPublicKey):
        raise SealError("开标密钥类型错误")
    return key


def opening_private_key(name: str) -> rsa.RSAPrivateKey:
    """Read only at the opening."""
    key = _load_cached(_key_dir() / f"opening-{name}.pem", lambda data: serialization.load_pem_private_key(
        data, password=None))
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SealError("开标密钥类型错误")
    return key


def wrap_key(name: str, content_key: bytes) -> tuple[bytes, str]:
    """Wrap ``content_key`` to the opening key ``name``; returns (wrapped, key id)."""
    key_id = opening_key_ensure(name)
    return opening_public_key(name).encrypt(content_key, _OAEP), key_id


def unwrap_key(name: str, wrapped: bytes, key_id: str) -> bytes:
    """Unwrap at the opening. Refuses when the key file is not the one the bid was sealed to."""
    private = opening_private_key(name)
    if opening_key_id(private.public_key()) != key_id:
        raise SealError("开标密钥与投标时使用的密钥不一致")
    try:
        return private.decrypt(wrapped, _OAEP)
    except ValueError:
        raise SealError("内容密钥解封失败") from None
