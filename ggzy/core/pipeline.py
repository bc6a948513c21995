"""Several queries in one round trip to the database (PostgreSQL's pipeline mode), in order.

Inside a row lock every round trip counts twice: the statement's own time and the wake-up of the thread that sent
it (on a busy machine a thread waits for the GIL and for a CPU), and every other request for the same row waits for
both. ``fetch_in_order(a, b)`` sends ``a`` and ``b`` together: the server runs ``b`` only once ``a`` has finished
— so after a row lock that ``a`` takes (``select_for_update``) — and in READ COMMITTED each statement takes its own
snapshot when it starts, so ``b`` sees everything committed before ``a`` got its lock. The answer comes back in one
round trip instead of two. Elsewhere (SQLite) the querysets run one after the other, the same semantics.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet


def fetch_in_order(*querysets: QuerySet) -> list[list[Model]]:
    """The model instances of each queryset (plain querysets of one model: filters, annotations, select_for_update;
    no select_related, only() or values()), the statements run in the order given, in one round trip on
    PostgreSQL."""
    for qs in querysets:  # refused everywhere, so that SQLite's tests catch what PostgreSQL could not build
        if (qs.query.select_related or qs.query.deferred_loading != (frozenset(), True)
                or getattr(qs, "_fields", None) is not None):
            raise ValueError("fetch_in_order: plain querysets only (no select_related, only(), values())")
    using = querysets[0].db
    connection = connections[using]
    if connection.vendor != "postgresql" or any(qs.db != using for qs in querysets):
        return [list(qs) for qs in querysets]
    compilers = [qs.query.get_compiler(using=using) for qs in querysets]
    statements: list[tuple[str, tuple] | None] = []
    for compiler in compilers:
        try:
            statements.append(compiler.as_sql())
        except EmptyResultSet:  # e.g. pk__in=[]: nothing to ask the server
            statements.append(None)
    sent = [statement for statement in statements if statement is not None]
    connection.ensure_connection()
    cursors = [connection.cursor() for _ in sent]
    try:
        with connection.wrap_database_errors, connection.connection.pipeline():
            for cursor, (sql, params) in zip(cursors, sent, strict=True):
                cursor.execute(sql, params)
            answers = iter([cursor.fetchall() for cursor in cursors])
    finally:
        for cursor in cursors:
            cursor.close()
    rows = [[] if statement is None else next(answers) for statement in statements]
    return [_instances(qs, compiler, found) for qs, compiler, found in zip(querysets, compilers, rows, strict=True)]


def _instances(qs: QuerySet, compiler, rows: list[tuple]) -> list[Model]:
    """Model instances from raw rows, as ``ModelIterable`` builds them (converters, field order, annotations)."""
    select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    names = [column[0].target.attname for column in select[start:end]]
    converted = compiler.results_iter(results=[rows]) if rows else []
    found = []
    for row in converted:
        instance = qs.model.from_db(qs.db, names, row[start:end])
        for name, position in annotation_col_map.items():
            setattr(instance, name, row[position])
        found.append(instance)
    return found
