"""Test helpers shared by every app: where the shared test data (../shared/testdata) is, and what to do without it.

The shared data (GM/T known answers, RFC 6962 Merkle vectors, …) lives beside the repository, not in it, so a plain
clone has none: tests that need it skip with a message. CI always has it and sets ``GGZY_REQUIRE_TESTDATA=1``;
then a missing file fails the test instead, so CI cannot pass without running them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


def shared_data_dir() -> Path:
    """``$GGZY_TESTDATA_DIR``, or ``shared/testdata`` beside the repository."""
    configured = os.environ.get("GGZY_TESTDATA_DIR")
    return Path(configured) if configured else REPOSITORY.parent / "shared" / "testdata"


def shared_data_find(*parts: str) -> Path | None:
    """The shared test data file or directory ``parts``, or None when it is absent (for collection time)."""
    path = shared_data_dir().joinpath(*parts)
    return path if path.exists() else None


def shared_data_path(*parts: str) -> Path:
    """The shared test data file or directory ``parts``; skips the test when absent (fails it under
    ``GGZY_REQUIRE_TESTDATA=1``)."""
    path = shared_data_find(*parts)
    if path is None:
        missing = shared_data_dir().joinpath(*parts)
        message = f"缺少共享测试数据 {missing}（位于仓库旁的 shared/testdata，或由 GGZY_TESTDATA_DIR 指定）"
        if os.environ.get("GGZY_REQUIRE_TESTDATA") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


REDIS_TEST_URL = "redis://127.0.0.1:6379/0"


def redis_url_or_skip() -> str:
    """The Redis server for the fan-out tests (127.0.0.1:6379). Without one the test skips — or fails when
    ``GGZY_REQUIRE_REDIS=1`` (CI starts one and sets it, so the Redis tests never skip there)."""
    try:
        import redis

        client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
        client.ping()
        client.close()
    except Exception as exc:  # noqa: BLE001 — not installed, refused, timed out: all mean "no Redis here"
        message = f"no Redis server at 127.0.0.1:6379 ({exc.__class__.__name__})"
        if os.environ.get("GGZY_REQUIRE_REDIS") == "1":
            pytest.fail(message + "; GGZY_REQUIRE_REDIS=1")
        pytest.skip(message)
    return REDIS_TEST_URL
