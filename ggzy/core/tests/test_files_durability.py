"""The file store promises durability: when the disk refuses an fsync the write fails, loudly, instead of pretending."""

from __future__ import annotations

import hashlib
import logging
import os
import stat

import pytest
from django.test import override_settings

from ggzy.core import files


@pytest.fixture
def root(tmp_path):
    with override_settings(GGZY_FILE_ROOT=tmp_path):
        yield tmp_path


def _refuse_fsync(monkeypatch, *, directories: bool):
    real_fsync = os.fsync

    def fsync(fd):
        if stat.S_ISDIR(os.fstat(fd).st_mode) == directories:
            raise OSError(5, "Input/output error")
        return real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", fsync)


@pytest.mark.parametrize("write", [
    pytest.param(lambda data: files.put(data), id="put"),
    pytest.param(lambda data: files.put_chunks(iter([data[:10], data[10:]])), id="put_chunks"),
])
def test_a_directory_fsync_failure_fails_the_write_and_is_logged(root, monkeypatch, caplog, write):
    # given a disk that refuses to flush directories
    _refuse_fsync(monkeypatch, directories=True)
    # when an object is stored
    with caplog.at_level(logging.ERROR, logger="ggzy.core.files"), pytest.raises(files.DurabilityError):
        write(b"sealed bid ciphertext " * 10)
    # then the failure is logged
    assert any("无法同步到磁盘" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("write", [
    pytest.param(lambda data: files.put(data), id="put"),
    pytest.param(lambda data: files.put_chunks(iter([data[:10], data[10:]])), id="put_chunks"),
])
def test_a_file_fsync_failure_fails_the_write_and_leaves_nothing(root, monkeypatch, write):
    # given a disk that refuses to flush file data
    _refuse_fsync(monkeypatch, directories=False)
    data = b"document bytes " * 10
    # when an object is stored
    with pytest.raises(files.DurabilityError):
        write(data)
    # then neither the object nor a temporary file is left behind
    assert not files.exists(hashlib.sha256(data).hexdigest())
    assert not [p for p in root.rglob("*") if p.is_file()]


def test_storing_again_after_a_refused_directory_fsync_succeeds(root, monkeypatch):
    # given a write that failed because the directory could not be flushed
    data = b"retry me"
    _refuse_fsync(monkeypatch, directories=True)
    with pytest.raises(files.DurabilityError):
        files.put(data)
    monkeypatch.undo()
    # when the same bytes are stored again on a healthy disk
    digest = files.put(data)
    # then the object is stored and readable
    assert files.read(digest) == data
