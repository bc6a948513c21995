"""Content-addressed file store: bytes are kept under the SHA-256 of what is stored, on disk by default.

Sealed bids are stored only as ciphertext, so the key is the hash of the ciphertext. Writes go to a temporary file
in the same directory and are renamed into place, so a process that dies mid-write leaves no partial object, and
writing the same bytes twice is harmless (idempotent).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings

CHUNK = 1 << 20


def _root() -> Path:
    root = Path(getattr(settings, "GGZY_FILE_ROOT", settings.VAR_DIR / "files"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def _path(digest: str) -> Path:
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError("invalid content hash")
    return _root() / digest[:2] / digest[2:4] / digest


def put_chunks(chunks: Iterable[bytes]) -> tuple[str, int]:
    """Store the concatenation of ``chunks``; return (sha256 hex, size)."""
    root = _root()
    hasher = hashlib.sha256()
    size = 0
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                hasher.update(chunk)
                out.write(chunk)
                size += len(chunk)
        digest = hasher.hexdigest()
        target = _path(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return digest, size


def put(data: bytes) -> str:
    """Store ``data``; return its SHA-256 hex."""
    return put_chunks([data])[0]


def read(digest: str) -> bytes:
    """The stored bytes, verified against their hash (a tampered object raises ``ValueError``)."""
    data = _path(digest).read_bytes()
    if hashlib.sha256(data).hexdigest() != digest:
        raise ValueError(f"stored object {digest[:12]} does not match its hash")
    return data


def iter_chunks(digest: str, size: int = CHUNK) -> Iterator[bytes]:
    with _path(digest).open("rb") as handle:
        while chunk := handle.read(size):
            yield chunk


def exists(digest: str) -> bool:
    return _path(digest).exists()
