"""Shared set-up for benchmarks: Django on a scratch database (SQLite file, or PostgreSQL via DATABASE_URL)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_setup(scratch: Path | None = None, *, keep_db: str = "") -> Path:
    """Configure Django for a benchmark run with throw-away files, keys and database; returns the scratch dir.

    ``keep_db`` (PostgreSQL): use that database, create it when missing and leave it on the server at exit, so a
    bench with a long load (``bench_search --keep-db``) can be run again on the same data."""
    sys.path.insert(0, str(ROOT))
    scratch = scratch or Path(tempfile.mkdtemp(prefix="ggzy-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ggzy.settings.test")
    os.environ["GGZY_FILE_ROOT"] = str(scratch / "files")
    os.environ["GGZY_OPENING_KEY_DIR"] = str(scratch / "keys")
    import django
    from django.conf import settings

    django.setup()
    settings.GGZY_FILE_ROOT = scratch / "files"
    settings.GGZY_OPENING_KEY_DIR = scratch / "keys"
    settings.GGZY_BID_FILE_MAX_BYTES = 1 << 40
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from django.db import connection

    if connection.vendor == "postgresql":  # its own database: never another run's (or a test session's) test_test
        connection.settings_dict.setdefault("TEST", {})["NAME"] = keep_db or f"ggzy_bench_{os.getpid()}"
    keep = bool(keep_db) and connection.vendor == "postgresql"
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep)
    if connection.vendor == "postgresql" and not keep:  # drop the bench's own database at exit (not left behind on the server)
        import atexit

        atexit.register(lambda: connection.creation.destroy_test_db(old_name, verbosity=0))
    return scratch
