"""The write path of an append, in as few database round trips as the backend allows.

Every state change of the platform goes through here, inside the service's transaction, so its cost is
paid on every write. On PostgreSQL the entry rows, the new subtree rows and the head update travel as one
statement (data-modifying CTEs); with the head's row lock and the commit that makes an append four round
trips where a plain insert needs three. On SQLite (in-process, no round trips) ``executemany`` is used.
The rows are exactly those the ORM would write (see ``models.log``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

from .models import LogEntry, LogHead, TreeNode

ENTRY_COLUMNS = ["index", "created_at", "body", "leaf_hash", "object_type", "object_id", "action", "actor_label",
                 "actor_role", "center_id", "previous_state_hash", "source_id"]
NODE_COLUMNS = ["level", "position", "hash"]
# PostgreSQL accepts 65535 parameters per statement; stay well below with entries and nodes together.
MAX_ENTRIES_PER_STATEMENT = 3000


def _values(rows: Sequence[Sequence], width: int) -> tuple[str, list[Any]]:
    placeholder = "(" + ",".join(["%s"] * width) + ")"
    return ",".join([placeholder] * len(rows)), [value for row in rows for value in row]


def _insert_sql(table: str, columns: list[str]) -> str:
    quote = connection.ops.quote_name
    # identifiers are this app's quoted table and column names; every value travels as a parameter
    return f"INSERT INTO {quote(table)} ({','.join(quote(c) for c in columns)}) VALUES "  # noqa: S608


def _entry_row(entry: LogEntry) -> tuple:
    row = [getattr(entry, c) for c in ENTRY_COLUMNS]
    row[1] = connection.ops.adapt_datetimefield_value(entry.created_at)  # SQLite stores naive UTC text
    return tuple(row)


def write_append(entries: list[LogEntry], nodes: list[tuple[int, int, bytes]], head: LogHead) -> None:
    """Insert ``entries`` and the (level, position, hash) rows of ``nodes``, and save ``head``."""
    entry_rows = [_entry_row(e) for e in entries]
    node_rows = list(nodes)
    head_params: list[Any] = [head.size, head.root_hash, head.frontier, head.hash_algorithm, head.pk]
    quote = connection.ops.quote_name
    update_head = (f"UPDATE {quote(LogHead._meta.db_table)} SET {quote('size')} = %s, "  # noqa: S608
                   f"{quote('root_hash')} = %s, {quote('frontier')} = %s, {quote('hash_algorithm')} = %s "
                   f"WHERE {quote('id')} = %s")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _write_postgres(cursor, entry_rows, node_rows, update_head, head_params)
        else:
            cursor.executemany(_insert_sql(LogEntry._meta.db_table, ENTRY_COLUMNS)
                               + "(" + ",".join(["%s"] * len(ENTRY_COLUMNS)) + ")", entry_rows)
            if node_rows:
                cursor.executemany(_insert_sql(TreeNode._meta.db_table, NODE_COLUMNS) + "(%s,%s,%s)", node_rows)
            cursor.execute(update_head, head_params)
    for obj in entries:
        obj._state.adding = False
        obj._state.db = connection.alias


def _write_postgres(cursor, entry_rows: list[tuple], node_rows: list[tuple], update_head: str,
                    head_params: list) -> None:
    # Nodes are completed by the entries of the same chunk, so chunks of entries carry their own nodes.
    step = MAX_ENTRIES_PER_STATEMENT
    for start in range(0, len(entry_rows), step):
        is_last = start + step >= len(entry_rows)
        chunk = entry_rows[start:start + step]
        first, last = chunk[0][0], chunk[-1][0]
        chunk_nodes = [n for n in node_rows if first <= ((n[1] + 1) << n[0]) - 1 <= last]
        values, params = _values(chunk, len(ENTRY_COLUMNS))
        parts = [f"e AS ({_insert_sql(LogEntry._meta.db_table, ENTRY_COLUMNS)}{values})"]
        if chunk_nodes:
            node_values, node_params = _values(chunk_nodes, len(NODE_COLUMNS))
            parts.append(f"n AS ({_insert_sql(TreeNode._meta.db_table, NODE_COLUMNS)}{node_values})")
            params += node_params
        if is_last:
            cursor.execute("WITH " + ", ".join(parts) + " " + update_head, params + head_params)
        else:
            cursor.execute("WITH " + ", ".join(parts) + " SELECT 1", params)
