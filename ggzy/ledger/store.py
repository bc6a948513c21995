"""The write path of an append, in as few database round trips as the backend allows.

Every state change of the platform goes through here, inside the service's transaction, so its cost is
paid on every write. On PostgreSQL the entry rows, the new subtree rows and the head update travel as one
statement (data-modifying CTEs). With the head's row lock (``SELECT … FOR UPDATE``) and the commit that is
four round trips where a plain insert needs three, so the usual path saves the lock's round trip too:

*Conditional append* (``write_append_if_head``): each process remembers the head it last wrote. The next
append computes its rows from that head and sends one statement whose first part is
``UPDATE head … WHERE size = <remembered> AND root_hash = <remembered>``; the entry and node inserts run
only if that UPDATE matched (``WHERE EXISTS (SELECT 1 FROM h)``). The UPDATE takes the same row lock the
SELECT … FOR UPDATE would, so appenders still serialise; a concurrent appender that committed first
changes size and root, the UPDATE (re-checked on the new row version under READ COMMITTED) matches
nothing, nothing is inserted, and the service falls back to lock-read-write. The root hash identifies the
whole tree at that size, so a matching head also has the remembered right edge (a remembered head from a
rolled-back transaction simply fails to match).

On SQLite (in-process, no round trips) ``executemany`` is used. The rows are exactly those the ORM would
write (see ``models.log``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

from django.conf import settings
from django.db import connection
from django.db.backends.utils import CursorWrapper

from .models import LogEntry, LogHead, TreeNode

ENTRY_COLUMNS = ["index", "created_at", "body", "leaf_hash", "object_type", "object_id", "action", "actor_label",
                 "actor_role", "actor_salt", "center_id", "previous_state_hash", "source_id"]
NODE_COLUMNS = ["level", "position", "hash"]
# PostgreSQL accepts 65535 parameters per statement; stay well below with entries and nodes together.
MAX_ENTRIES_PER_STATEMENT = 3000
# The conditional append saves one round trip, which matters for single entries; large batches take the
# lock first (their typed VALUES cost more to parse than the round trip they would save).
MAX_CONDITIONAL_ENTRIES = 64


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


# --- conditional append (PostgreSQL) -----------------------------------------------------------------------

_remembered: dict[tuple[str, str], tuple[int, bytes, bytes, str]] = {}
_remembered_lock = threading.Lock()


def _key() -> tuple[str, str]:
    return connection.alias, str(connection.settings_dict.get("NAME"))


def remember_head(head: LogHead | HeadState) -> None:
    """Keep the head just written (size, root, right edge, algorithm) for the next conditional append."""
    if connection.vendor != "postgresql":
        return
    with _remembered_lock:
        _remembered[_key()] = (head.size, bytes(head.root_hash), bytes(head.frontier), head.hash_algorithm)


@dataclass
class HeadState:
    """The head's fields as the append computation reads and moves them (a plain object: no model to build)."""

    size: int
    root_hash: bytes
    frontier: bytes
    hash_algorithm: str


def remembered_head() -> HeadState | None:
    """A copy of the head this process last wrote, or None (first append, SQLite)."""
    if connection.vendor != "postgresql":
        return None
    state = _remembered.get(_key())
    return HeadState(*state) if state is not None else None


def forget_head() -> None:
    with _remembered_lock:
        _remembered.pop(_key(), None)


_casts: dict[tuple[str, tuple[str, ...]], str] = {}


def _typed_values(model, columns: list[str], count: int) -> str:
    """``(CAST(%s AS type), …), …``: VALUES in a sub-SELECT need typed parameters (NULL, text → bytea…)."""
    key = (model._meta.db_table, tuple(columns))
    row = _casts.get(key)
    if row is None:
        types = [model._meta.get_field(c).db_type(connection) for c in columns]
        row = _casts[key] = "(" + ",".join(f"CAST(%s AS {t})" for t in types) + ")"
    return ",".join([row] * count)


_conditional_sql: dict[tuple[str, int, int], str] = {}


def _conditional_statement(entry_count: int, node_count: int) -> str:
    """The statement text for ``entry_count`` entries and ``node_count`` nodes (a handful of shapes, cached,
    so that PostgreSQL prepares each once per connection)."""
    key = (connection.alias, entry_count, node_count)
    sql = _conditional_sql.get(key)
    if sql is not None:
        return sql
    quote = connection.ops.quote_name
    # identifiers are this app's quoted table and column names; every value travels as a parameter
    parts = [f"WITH h AS (UPDATE {quote(LogHead._meta.db_table)} SET {quote('size')} = CAST(%s AS bigint), "  # noqa: S608
             f"{quote('root_hash')} = CAST(%s AS bytea), {quote('frontier')} = CAST(%s AS bytea) "
             f"WHERE {quote('id')} = 1 AND {quote('size')} = CAST(%s AS bigint) "
             f"AND {quote('root_hash')} = CAST(%s AS bytea) AND {quote('hash_algorithm')} = CAST(%s AS text) "
             f"RETURNING 1), ",
             f"e AS ({_insert_sql(LogEntry._meta.db_table, ENTRY_COLUMNS).replace(' VALUES ', ' ')}"  # noqa: S608
             f"SELECT * FROM (VALUES {_typed_values(LogEntry, ENTRY_COLUMNS, entry_count)}) AS v "
             f"WHERE EXISTS (SELECT 1 FROM h))"]
    if node_count:
        parts.append(f", n AS ({_insert_sql(TreeNode._meta.db_table, NODE_COLUMNS).replace(' VALUES ', ' ')}"  # noqa: S608
                     f"SELECT * FROM (VALUES {_typed_values(TreeNode, NODE_COLUMNS, node_count)}) AS v "
                     f"WHERE EXISTS (SELECT 1 FROM h))")
    parts.append(" SELECT count(*) FROM h")
    sql = _conditional_sql[key] = "".join(parts)
    return sql


_cursor_class = None


def _preparing_cursor_class():
    """psycopg's server-binding cursor that prepares the statements it runs, even on a connection Django
    opened with ``prepare_threshold=None`` (its default): the conditional append has a handful of shapes, each
    prepared once per connection, after which PostgreSQL skips parsing and planning it."""
    global _cursor_class
    if _cursor_class is None:
        import psycopg

        class PreparingCursor(psycopg.Cursor):
            def execute(self, query, params=None, *, prepare=None, binary=None):
                manager = self._conn._prepared
                threshold = manager.prepare_threshold
                manager.prepare_threshold = 0 if threshold is None else threshold
                try:
                    return super().execute(query, params, prepare=True, binary=binary)
                finally:
                    manager.prepare_threshold = threshold

        _cursor_class = PreparingCursor
    return _cursor_class


class _CursorWrapping(Protocol):
    """``BaseDatabaseWrapper._prepare_cursor``: Django's own wrapping (error translation, query logging) of a
    DB-API cursor, the step ``connection.cursor()`` takes after creating one."""

    def _prepare_cursor(self, cursor: Any) -> CursorWrapper: ...


def _binding_cursor() -> CursorWrapper:
    """A prepared, server-side-binding cursor for the conditional append (Django's default cursor binds
    client-side and never prepares), still inside Django's cursor wrapper: errors are translated and the
    statement is counted and logged like any other. ``GGZY_LEDGER_PREPARED_STATEMENTS = False`` turns this
    off, e.g. behind a transaction-pooling PgBouncer older than 1.21."""
    connection.ensure_connection()
    if not getattr(settings, "GGZY_LEDGER_PREPARED_STATEMENTS", True):
        return connection.cursor()
    try:
        import psycopg
    except ImportError:  # psycopg2: client-side binding only
        return connection.cursor()
    if not isinstance(connection.connection, psycopg.Connection):
        return connection.cursor()
    with connection.wrap_database_errors:
        # private in Django, so its stubs omit it; the Protocol states the signature this module relies on
        wrapping = cast(_CursorWrapping, connection)
        return wrapping._prepare_cursor(_preparing_cursor_class()(connection.connection))


def write_append_if_head(entries: list[LogEntry], nodes: list[tuple[int, int, bytes]], head: HeadState,
                         expected: HeadState) -> bool:
    """One statement: move the head from ``expected`` to ``head`` and insert the rows, or do nothing at all
    when the head is no longer ``expected``. Returns whether it was written. PostgreSQL only."""
    if not entries or len(entries) > MAX_CONDITIONAL_ENTRIES:
        return False
    params: list[Any] = [head.size, bytes(head.root_hash), bytes(head.frontier), expected.size,
                         bytes(expected.root_hash), expected.hash_algorithm]
    for entry in entries:
        params.extend(_entry_row(entry))
    for node in nodes:
        params.extend(node)
    with _binding_cursor() as cursor:
        cursor.execute(_conditional_statement(len(entries), len(nodes)), params)
        written = cursor.fetchone()[0] == 1
    if written:
        for obj in entries:
            obj._state.adding = False
            obj._state.db = connection.alias
    return written
