"""Content-addressed file store: bytes are kept under the SHA-256 of what is stored, on disk by default.

Sealed bids are stored only as ciphertext, so the key is the hash of the ciphertext. Writes go to a temporary file
in the same directory and are renamed into place, so a process that dies mid-write leaves no partial object, and
writing the same bytes twice is harmless (idempotent).
"""

from __future__ import annotations

import hashlib
import os
import queue
import tempfile
import threading
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


class BackgroundHasher:
    """SHA-256 computed on a worker thread while the caller produces the next chunk (hashlib releases the GIL),
    so hashing, encryption and writing overlap on a multi-core server. Chunks are hashed in order."""

    def __init__(self, sink=None, depth: int = 4) -> None:
        self._hash = hashlib.sha256()
        self._sink = sink
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self.size = 0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            if self._error is not None:
                continue
            try:
                self._hash.update(chunk)
                if self._sink is not None:
                    self._sink.write(chunk)
            except BaseException as exc:  # surfaced by hexdigest()
                self._error = exc

    def update(self, chunk: bytes) -> None:
        if self._error is not None:
            raise self._error
        self.size += len(chunk)
        self._queue.put(chunk)

    def hexdigest(self) -> str:
        self.close()
        if self._error is not None:
            raise self._error
        return self._hash.hexdigest()

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()


def put_chunks(chunks: Iterable[bytes]) -> tuple[str, int]:
    """Store the concatenation of ``chunks``; return (sha256 hex, size). Hashing and writing run on a worker
    thread while the caller's generator produces the next chunk."""
    root = _root()
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out:
            hasher = BackgroundHasher(sink=out)
            try:
                for chunk in chunks:
                    hasher.update(chunk)
            finally:
                hasher.close()
            digest = hasher.hexdigest()
            size = hasher.size
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
