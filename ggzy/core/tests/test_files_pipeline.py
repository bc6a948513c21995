"""The content-addressed store's threaded write path: same bytes and hash as a plain write, no leftovers on error."""

from __future__ import annotations

import hashlib
import os

import pytest
from django.test import override_settings

from ggzy.core import files


@pytest.fixture
def root(tmp_path):
    with override_settings(GGZY_FILE_ROOT=tmp_path):
        yield tmp_path


def _objects(root):
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def test_put_chunks_stores_the_concatenation_under_its_hash(root):
    data = os.urandom(3 * files.CHUNK + 12345)
    pieces = [data[i:i + 70_000] for i in range(0, len(data), 70_000)]
    digest, size = files.put_chunks(iter(pieces))
    assert digest == hashlib.sha256(data).hexdigest()
    assert size == len(data)
    assert files.read(digest) == data
    assert files.put(data) == digest
    assert _objects(root) == [digest]


def test_failing_producer_leaves_no_object_and_no_temporary_file(root):
    def chunks():
        yield os.urandom(files.CHUNK)
        yield os.urandom(files.CHUNK)
        raise RuntimeError("upload broke")

    with pytest.raises(RuntimeError):
        files.put_chunks(chunks())
    assert _objects(root) == []


def test_failing_write_stage_stops_the_producer(root, monkeypatch):
    produced = []

    def boom(self, chunk):
        raise OSError("disk full")

    monkeypatch.setattr(files._Writer, "__call__", boom)

    def chunks():
        for i in range(64):
            produced.append(i)
            yield os.urandom(1024)

    with pytest.raises(OSError, match="disk full"):
        files.put_chunks(chunks())
    assert len(produced) < 64  # the failure surfaced before the whole stream was consumed
    assert _objects(root) == []
