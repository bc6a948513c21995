"""The write path of an append, and the read of a proof, in as few database round trips as the backend allows.

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

*Proofs* (``read_proof_nodes``): the head and the O(log n) stored hashes a proof needs come back in one
prepared statement (the keys travel as arrays, so every proof has the same statement shape).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

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


def _entry_row(entry: LogEntry, db: BaseDatabaseWrapper) -> tuple:
    row = [getattr(entry, c) for c in ENTRY_COLUMNS]
    row[1] = db.ops.adapt_datetimefield_value(entry.created_at)  # SQLite stores naive UTC text
    return tuple(row)


def write_append(entries: list[LogEntry], nodes: list[tuple[int, int, bytes]], head: LogHead) -> None:
    """Insert ``entries`` and the (level, position, hash) rows of ``nodes``, and save ``head``."""
    db = _db()
    entry_rows = [_entry_row(e, db) for e in entries]
    node_rows = list(nodes)
    head_params: list[Any] = [head.size, head.root_hash, head.frontier, head.hash_algorithm, head.pk]
    quote = db.ops.quote_name
    update_head = (f"UPDATE {quote(LogHead._meta.db_table)} SET {quote('size')} = %s, "  # noqa: S608
                   f"{quote('root_hash')} = %s, {quote('frontier')} = %s, {quote('hash_algorithm')} = %s "
                   f"WHERE {quote('id')} = %s")
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            _write_postgres(cursor, entry_rows, node_rows, update_head, head_params)
        else:
            cursor.executemany(_insert_sql(LogEntry._meta.db_table, ENTRY_COLUMNS)
                               + "(" + ",".join(["%s"] * len(ENTRY_COLUMNS)) + ")", entry_rows)
            if node_rows:
                cursor.executemany(_insert_sql(TreeNode._meta.db_table, NODE_COLUMNS) + "(%s,%s,%s)", node_rows)
            cursor.execute(update_head, head_params)
    for obj in entries:
        obj._state.adding = False
        obj._state.db = db.alias


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
#
# Every append of the platform takes this path, so it looks Django's connection up once per call (each
# attribute read through ``django.db.connection`` goes through a context-local lookup) and keeps one cursor
# open per database connection instead of creating and closing one per append.


def _db() -> BaseDatabaseWrapper:
    return connections[DEFAULT_DB_ALIAS]


@dataclass
class HeadState:
    """The head's fields as the append computation reads and moves them (a plain object: no model to build)."""

    size: int
    root_hash: bytes
    frontier: bytes
    hash_algorithm: str

    def copy(self) -> HeadState:
        return HeadState(self.size, self.root_hash, self.frontier, self.hash_algorithm)


_remembered: dict[tuple[str, str], HeadState] = {}
_remembered_lock = threading.Lock()


def _key(db: BaseDatabaseWrapper) -> tuple[str, str]:
    return db.alias, str(db.settings_dict.get("NAME"))


def remember_head(head: LogHead | HeadState) -> None:
    """Keep the head just written (size, root, right edge, algorithm) for the next conditional append."""
    _remember(_db(), head)


def _remember(db: BaseDatabaseWrapper, head: LogHead | HeadState | None) -> None:
    if db.vendor != "postgresql":
        return
    key = _key(db)
    if head is None:
        with _remembered_lock:
            _remembered.pop(key, None)
        return
    # a HeadState is the conditional append's own, no longer moved; a model's fields may be memoryviews
    state = head if isinstance(head, HeadState) else HeadState(head.size, bytes(head.root_hash), bytes(head.frontier),
                                                               head.hash_algorithm)
    with _remembered_lock:
        _remembered[key] = state


def remembered_head() -> HeadState | None:
    """A copy of the head this process last wrote, or None (first append, SQLite)."""
    db = _db()
    if db.vendor != "postgresql":
        return None
    state = _remembered.get(_key(db))
    return state.copy() if state is not None else None


def forget_head() -> None:
    _remember(_db(), None)


_casts: dict[tuple[str, tuple[str, ...]], str] = {}


def _typed_values(db: BaseDatabaseWrapper, model, columns: list[str], count: int) -> str:
    """``(CAST(%s AS type), …), …``: VALUES in a sub-SELECT need typed parameters (NULL, text → bytea…)."""
    key = (model._meta.db_table, tuple(columns))
    row = _casts.get(key)
    if row is None:
        types = [model._meta.get_field(c).db_type(db) for c in columns]
        row = _casts[key] = "(" + ",".join(f"CAST(%s AS {t})" for t in types) + ")"
    return ",".join([row] * count)


_conditional_sql: dict[tuple[str, int, int], str] = {}


def _conditional_statement(db: BaseDatabaseWrapper, entry_count: int, node_count: int) -> str:
    """The statement text for ``entry_count`` entries and ``node_count`` nodes (a handful of shapes, cached,
    so that PostgreSQL prepares each once per connection)."""
    key = (db.alias, entry_count, node_count)
    sql = _conditional_sql.get(key)
    if sql is not None:
        return sql
    quote = db.ops.quote_name
    # identifiers are this app's quoted table and column names; every value travels as a parameter
    parts = [f"WITH h AS (UPDATE {quote(LogHead._meta.db_table)} SET {quote('size')} = CAST(%s AS bigint), "  # noqa: S608
             f"{quote('root_hash')} = CAST(%s AS bytea), {quote('frontier')} = CAST(%s AS bytea) "
             f"WHERE {quote('id')} = 1 AND {quote('size')} = CAST(%s AS bigint) "
             f"AND {quote('root_hash')} = CAST(%s AS bytea) AND {quote('hash_algorithm')} = CAST(%s AS text) "
             f"RETURNING 1), ",
             f"e AS ({_insert_sql(LogEntry._meta.db_table, ENTRY_COLUMNS).replace(' VALUES ', ' ')}"  # noqa: S608
             f"SELECT * FROM (VALUES {_typed_values(db, LogEntry, ENTRY_COLUMNS, entry_count)}) AS v "
             f"WHERE EXISTS (SELECT 1 FROM h))"]
    if node_count:
        parts.append(f", n AS ({_insert_sql(TreeNode._meta.db_table, NODE_COLUMNS).replace(' VALUES ', ' ')}"  # noqa: S608
                     f"SELECT * FROM (VALUES {_typed_values(db, TreeNode, NODE_COLUMNS, node_count)}) AS v "
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


# The preparing cursor kept open for each psycopg connection, in Django's wrapper (gone with the connection).
_binding_cursors: weakref.WeakKeyDictionary[Any, CursorWrapper] = weakref.WeakKeyDictionary()


def _binding_cursor(db: BaseDatabaseWrapper) -> CursorWrapper | None:
    """A prepared, server-side-binding cursor for the conditional append and proofs (Django's default cursor
    binds client-side and never prepares), still inside Django's cursor wrapper: errors are translated and the
    statement is counted and logged like any other. It stays open for the connection's life (never close it).
    None when it cannot be had: ``GGZY_LEDGER_PREPARED_STATEMENTS = False`` (e.g. behind a transaction-pooling
    PgBouncer older than 1.21), or psycopg2."""
    if not getattr(settings, "GGZY_LEDGER_PREPARED_STATEMENTS", True):
        return None
    db.ensure_connection()
    raw = db.connection
    wrapper = _binding_cursors.get(raw)
    # a new wrapper when query logging is switched on or off (tests counting queries, DEBUG)
    if wrapper is None or wrapper.cursor.closed or isinstance(wrapper, CursorDebugWrapper) != db.queries_logged:
        cursor = wrapper.cursor if wrapper is not None and not wrapper.cursor.closed else None
        if cursor is None:
            try:
                import psycopg
            except ImportError:  # psycopg2: client-side binding only
                return None
            if not isinstance(raw, psycopg.Connection):
                return None
            cursor = _preparing_cursor_class()(raw)
        with db.wrap_database_errors:
            # private in Django, so its stubs omit it; the Protocol states the signature this module relies on
            wrapper = _binding_cursors[raw] = cast(_CursorWrapping, db)._prepare_cursor(cursor)
    db.validate_thread_sharing()
    return wrapper


def write_append_if_head(entries: list[LogEntry], nodes: list[tuple[int, int, bytes]], head: HeadState,
                         expected: HeadState) -> bool:
    """One statement: move the head from ``expected`` to ``head`` and insert the rows, or do nothing at all
    when the head is no longer ``expected``. Returns whether it was written, and remembers ``head`` (written) or
    forgets the remembered head (not written). PostgreSQL only."""
    if not entries or len(entries) > MAX_CONDITIONAL_ENTRIES:
        return False
    db = _db()
    params: list[Any] = [head.size, bytes(head.root_hash), bytes(head.frontier), expected.size,
                         bytes(expected.root_hash), expected.hash_algorithm]
    for entry in entries:
        params.extend(_entry_row(entry, db))
    for node in nodes:
        params.extend(node)
    sql = _conditional_statement(db, len(entries), len(nodes))
    cursor = _binding_cursor(db)
    if cursor is None:
        with db.cursor() as plain_cursor:
            plain_cursor.execute(sql, params)
            written = plain_cursor.fetchone()[0] == 1
    else:
        cursor.execute(sql, params)
        written = cursor.fetchone()[0] == 1
    if written:
        for obj in entries:
            obj._state.adding = False
            obj._state.db = db.alias
    _remember(db, head if written else None)
    return written


# --- proofs: the head and the stored hashes a proof reads, in one query (PostgreSQL) -------------------------

_proof_sql: dict[str, str] = {}


def _proof_statement(db: BaseDatabaseWrapper) -> str:
    """One statement shape whatever the proof (the keys travel as arrays), so PostgreSQL prepares it once per
    connection; each branch is a primary-key lookup."""
    sql = _proof_sql.get(db.alias)
    if sql is None:
        quote = db.ops.quote_name
        head, entry, node = (quote(m._meta.db_table) for m in (LogHead, LogEntry, TreeNode))
        # identifiers are this app's quoted table and column names; every value travels as a parameter
        sql = _proof_sql[db.alias] = (
            f"SELECT -1, {quote('size')}, {quote('root_hash')}, {quote('hash_algorithm')} FROM {head} "  # noqa: S608
            f"WHERE {quote('id')} = 1 "
            f"UNION ALL SELECT 0, e.{quote('index')}, e.{quote('leaf_hash')}, NULL FROM {entry} e "
            f"WHERE e.{quote('index')} = ANY(CAST(%s AS bigint[])) "
            f"UNION ALL SELECT t.{quote('level')}, t.{quote('position')}, t.{quote('hash')}, NULL FROM {node} t "
            f"JOIN unnest(CAST(%s AS smallint[]), CAST(%s AS bigint[])) AS k(l, p) "
            f"ON t.{quote('level')} = k.l AND t.{quote('position')} = k.p")
    return sql


def read_proof_nodes(keys: Sequence[tuple[int, int]]) -> tuple[HeadState | None, dict[tuple[int, int], bytes]]:
    """The head (None before the first entry; its frontier left empty) and the stored hashes of ``keys``
    (``(level, position)``; level 0 is a leaf) that exist: one query on PostgreSQL, read from one snapshot."""
    db = _db()
    leaves = [position for level, position in keys if level == 0]
    inner = [(level, position) for level, position in keys if level > 0]
    found: dict[tuple[int, int], bytes] = {}
    head: HeadState | None = None
    cursor = _binding_cursor(db) if db.vendor == "postgresql" else None
    if cursor is None:  # SQLite (in-process: three queries cost no round trips), or no prepared statements
        row = LogHead.objects.filter(pk=1).values_list("size", "root_hash", "hash_algorithm").first()
        if row is not None:
            head = HeadState(row[0], bytes(row[1]), b"", row[2])
        if leaves:
            for index, leaf in LogEntry.objects.filter(index__in=leaves).values_list("index", "leaf_hash"):
                found[(0, index)] = bytes(leaf)
        if inner:
            for level, position, h in TreeNode.objects.filter(pk__in=inner).values_list("level", "position", "hash"):
                found[(level, position)] = bytes(h)
        return head, found
    cursor.execute(_proof_statement(db), [leaves, [k[0] for k in inner], [k[1] for k in inner]])
    for level, position, h, algorithm in cursor.fetchall():
        if level < 0:
            head = HeadState(position, bytes(h), b"", algorithm)
        else:
            found[(level, position)] = bytes(h)
    return head, found
