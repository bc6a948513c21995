"""Ledger test fixtures: keys in a temporary directory, a helper to tamper with rows past the guard."""

from __future__ import annotations

import pytest
from django.db import connection

from ggzy.ledger import keys


@pytest.fixture(autouse=True)
def _ledger_keys(settings, tmp_path):
    """Each test signs with its own platform key and local witnesses under tmp_path (never var/)."""
    settings.GGZY_LEDGER_KEY_FILE = str(tmp_path / "ledger-key")
    settings.GGZY_LEDGER_WITNESS_DIR = str(tmp_path / "witnesses")
    keys._cache.clear()
    yield
    keys._cache.clear()


GUARDED = ["ledger_logentry", "ledger_treenode", "ledger_checkpoint", "ledger_cosignature"]


def tamper(sql: str, params: list | tuple = ()) -> None:
    """Run raw SQL as an attacker with table-owner rights would: switch the append-only guard off first.

    Both PostgreSQL (ALTER TABLE … DISABLE TRIGGER) and SQLite (DROP TRIGGER) do this inside the test's
    transaction, so the guard is back after the test rolls back.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending deferred FK checks
        for table in GUARDED:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            for table in GUARDED:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
