"""Content-addressed file store: bytes are kept under the SHA-256 of what is stored, on disk by default.

Sealed bids are stored only as ciphertext, so the key is the hash of the ciphertext. Writes go to a temporary file
in the same directory and are renamed into place, so a process that dies mid-write leaves no partial object, and
writing the same bytes twice is harmless (idempotent). A write returns only once the object and its directory entry
are on disk; when the system cannot promise that (an fsync fails), the write fails with ``DurabilityError``.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import queue
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings

CHUNK = 1 << 20

logger = logging.getLogger(__name__)


class DurabilityError(OSError):
    """The object could not be made durable (the disk refused an fsync); the write did not succeed."""


def _root() -> Path:
    root = Path(getattr(settings, "GGZY_FILE_ROOT", settings.VAR_DIR / "files"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def _path(digest: str) -> Path:
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError("invalid content hash")
    return _root() / digest[:2] / digest[2:4] / digest


class _Stage:
    """A worker thread applying ``work`` to each chunk in order (hashlib, pyca and os.write release the GIL, so
    stages overlap on a multi-core server). A failure stops the work; the feeder sees it on its next ``put``."""

    def __init__(self, work, depth: int = 4) -> None:
        self._work = work
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._cancelled = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            if self._error is not None or self._cancelled:
                continue  # keep draining so a blocked feeder is released
            try:
                self._work(chunk)
            except BaseException as exc:  # surfaced by put() / finish()
                self._error = exc

    def put(self, chunk) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(chunk)

    def finish(self) -> None:
        """Wait for every chunk to be processed; raises the stage's error."""
        self.stop()
        if self._error is not None:
            raise self._error

    def cancel(self) -> None:
        self._cancelled = True
        self.stop()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()


class BackgroundHasher:
    """SHA-256 computed on a worker thread while the caller produces the next chunk. Chunks are hashed in order."""

    def __init__(self, sink=None, depth: int = 4) -> None:
        self._hash = hashlib.sha256()
        self._sink = sink
        self._stage = _Stage(self._work, depth)
        self.size = 0

    def _work(self, chunk) -> None:
        self._hash.update(chunk)
        if self._sink is not None:
            self._sink.write(chunk)

    def update(self, chunk) -> None:
        self._stage.put(chunk)
        self.size += len(chunk)

    def hexdigest(self) -> str:
        self._stage.finish()
        return self._hash.hexdigest()

    def close(self) -> None:
        self._stage.stop()

    def cancel(self) -> None:
        """Stop without hashing what is still queued (the caller is abandoning the stream)."""
        self._stage.cancel()


def _sync_file_range():
    """Linux ``sync_file_range`` (starts writeback of a range without waiting), or None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        func = libc.sync_file_range
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


_START_WRITEBACK = _sync_file_range()
_SYNC_FILE_RANGE_WRITE = 2
_WRITEBACK_EVERY = 8 * CHUNK


class _Writer:
    """Writes chunks to ``fd`` without copying them; starts the disk writing every few MB so the one fsync at the
    end waits only for the tail (the fsync is the durability point, not these hints)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.size = 0
        self._kicked = 0

    def __call__(self, chunk) -> None:
        view = memoryview(chunk)
        while view:
            view = view[os.write(self.fd, view):]
        self.size += len(chunk)
        if _START_WRITEBACK is not None and self.size - self._kicked >= _WRITEBACK_EVERY:
            _START_WRITEBACK(self.fd, self._kicked, self.size - self._kicked, _SYNC_FILE_RANGE_WRITE)
            self._kicked = self.size


def _fsync_dir(path: Path) -> None:
    """Flush a directory entry (a rename or a new subdirectory) to disk, or raise ``DurabilityError``."""
    if os.name == "nt":  # Windows cannot open a directory to fsync it; NTFS journals the rename itself
        return
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        logger.error("文件存储目录 %s 无法同步到磁盘：%s", path, exc)
        raise DurabilityError(exc.errno, f"文件存储目录无法同步到磁盘，写入未完成：{path}") from exc


def _commit(fd: int, tmp: str, digest: str) -> None:
    """Make the object durable under its name: fsync the data once, rename into place, fsync the directory.

    If the directory cannot be fsynced the object may stay on disk, unreferenced (the caller never learns its
    hash); storing the same bytes again later rewrites and flushes it.
    """
    try:
        os.fsync(fd)
    except OSError as exc:
        logger.error("文件存储对象无法同步到磁盘：%s", exc)
        raise DurabilityError(exc.errno, "文件无法同步到磁盘，写入未完成") from exc
    finally:
        os.close(fd)
    target = _path(digest)
    created = not target.parent.exists()
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, target)
    _fsync_dir(target.parent)
    if created:
        _fsync_dir(target.parent.parent)
        _fsync_dir(target.parent.parent.parent)


def put_chunks(chunks: Iterable[bytes]) -> tuple[str, int]:
    """Store the concatenation of ``chunks``; return (sha256 hex, size). Hashing and writing each run on a worker
    thread while the caller's generator produces the next chunk; the file is fsynced once before it is named, so
    an object whose hash was returned survives a crash."""
    root = _root()
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".incoming-")
    digest = hashlib.sha256()
    writer = _Writer(fd)
    stages = [_Stage(digest.update), _Stage(writer)]
    open_fd = True
    try:
        for chunk in chunks:
            for stage in stages:
                stage.put(chunk)
        for stage in stages:
            stage.finish()
        hexdigest = digest.hexdigest()
        open_fd = False
        _commit(fd, tmp, hexdigest)
    except BaseException:
        for stage in stages:
            stage.cancel()
        if open_fd:
            os.close(fd)
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return hexdigest, writer.size


def put(data: bytes) -> str:
    """Store ``data``; return its SHA-256 hex (small objects: no worker threads)."""
    digest = hashlib.sha256(data).hexdigest()
    root = _root()
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".incoming-")
    open_fd = True
    try:
        _Writer(fd)(data)
        open_fd = False
        _commit(fd, tmp, digest)
    except BaseException:
        if open_fd:
            os.close(fd)
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return digest


def discard(digest: str) -> None:
    """Remove an object this process has just stored and nothing references (a submission that failed later)."""
    _path(digest).unlink(missing_ok=True)


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
