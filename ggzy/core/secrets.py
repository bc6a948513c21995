"""Secrets kept in the database encrypted with a key that is not (TOTP seeds today).

A database dump or backup alone must not let anyone generate a staff member's one-time codes. Values are sealed
with AES-256-GCM under a key read from ``settings.GGZY_SECRETS_KEY_FILE`` (environment variable of the same name);
the embedded profile generates it on first use (mode 0600), production refuses to start without it
(``GGZY_SECRETS_KEY_CREATE = False``). Stored form: ``enc1:`` + base64(nonce ‖ ciphertext ‖ tag), with the
table and column as associated data so a value copied into another column does not decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc1:"
_KEY_BYTES = 32
_lock = threading.Lock()
_cache: dict[str, bytes] = {}


class SecretError(ValueError):
    """A stored secret does not decrypt with this platform's key (wrong key file, or the value was altered)."""


def key_file() -> Path:
    configured = getattr(settings, "GGZY_SECRETS_KEY_FILE", None) or os.environ.get("GGZY_SECRETS_KEY_FILE")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "secrets-key"


def _read_key(path: Path) -> bytes:
    key = base64.b64decode(path.read_text(encoding="ascii").strip())
    if len(key) != _KEY_BYTES:
        raise ImproperlyConfigured(f"密钥文件 {path} 内容无效（应为 32 字节密钥的 Base64 编码）")
    return key


def key_create(path: Path) -> bool:
    """Write a new random key to ``path`` (mode 0600) unless one is there; True when it was created."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(base64.b64encode(AESGCM.generate_key(bit_length=256)).decode() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return True


def _key() -> bytes:
    path = key_file()
    with _lock:
        cached = _cache.get(str(path))
        if cached is not None:
            return cached
        if not path.exists():
            if not getattr(settings, "GGZY_SECRETS_KEY_CREATE", True):
                raise ImproperlyConfigured(
                    f"缺少数据库机密加密密钥文件 {path}：请用 `manage.py secrets_key_create` 生成，"
                    "并通过 GGZY_SECRETS_KEY_FILE 指定（该文件须在数据库之外备份）")
            key_create(path)
        key = _read_key(path)
        _cache[str(path)] = key
        return key


def encrypt(value: str, *, context: str) -> str:
    """The stored form of ``value``; ``context`` (e.g. ``accounts_user.totp_secret``) is bound to it."""
    nonce = os.urandom(12)
    sealed = AESGCM(_key()).encrypt(nonce, value.encode(), context.encode())
    return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def decrypt(stored: str, *, context: str) -> str:
    """The plain value of a stored secret. A value without the prefix is a plaintext left from before encryption
    (the data migration encrypts them) and is returned unchanged."""
    if not stored.startswith(PREFIX):
        return stored
    raw = base64.b64decode(stored[len(PREFIX):])
    try:
        return AESGCM(_key()).decrypt(raw[:12], raw[12:], context.encode()).decode()
    except Exception as exc:  # InvalidTag, truncated value
        raise SecretError(f"无法解密 {context}：密钥文件不匹配或数据被改动") from exc


def keyed_digest(value: str, *, context: str) -> str:
    """A keyed hash (HMAC-SHA256, hex) of ``value`` for matching without keeping it in clear: the same value gives
    the same digest under this platform's key; without the key file the digest cannot be tried against guesses."""
    derived = hmac.new(_key(), b"digest:" + context.encode(), hashlib.sha256).digest()
    return hmac.new(derived, value.encode(), hashlib.sha256).hexdigest()


def stored_length(plain_length: int) -> int:
    """Column length needed for a secret of ``plain_length`` characters (ASCII)."""
    return len(PREFIX) + 4 * -(-(12 + plain_length + 16) // 3)


class EncryptedCharField(models.CharField):
    """A CharField stored encrypted (see module docstring); reads and writes plain strings. ``max_length`` is the
    column's (use ``stored_length``). The empty string stays empty, so "no secret" is still falsy and filterable."""

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        self._context = f"{cls._meta.db_table}.{self.column}"

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt(value, context=self._context)

    def value_to_string(self, obj):
        # dumpdata and test snapshots carry the encrypted form: a fixture or backup leaks no seed
        value = self.value_from_object(obj)
        return self.get_prep_value(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value or str(value).startswith(PREFIX):
            return value
        return encrypt(str(value), context=self._context)
