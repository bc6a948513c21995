"""Ledger append throughput against a plain table, and proof latency, in a scratch database.

    python bench/bench_ledger_append.py                 # PostgreSQL when DATABASE_URL is set: 1,000,000 entries
    python bench/bench_ledger_append.py --n 20000       # any size; SQLite (a temporary file) without DATABASE_URL

Prints sustained appends per second for the ledger (``ledger_append_many`` / ``ledger_append``: head row
lock, canonical JSON, state/leaf/node hashes, entry + subtree rows + head update) as a ratio to inserting
the same rows with the same batching into a plain table with the same columns and indexes, written the
same way (one multi-row INSERT per batch on PostgreSQL, ``executemany`` on SQLite; the plain rows are built
before the clock starts), once in batches of 1000 and once one entry per transaction (smaller N). The two
are interleaved chunk by chunk (10,000 entries for batches, 100 for single entries) so that noise from other
processes hits both alike. Then the median and p99 latency of inclusion and consistency proofs read from the
database at the final size.

Aims (issue 10): batches ≥ 0.5 of the plain table, one entry per transaction ≥ 0.8, proof p99 < 5 ms at a
million entries. On PostgreSQL a warm single append is one statement (see ``ledger.store``) and a proof one
prepared query.

On PostgreSQL the scratch database ``ggzy_bench`` is created on the DATABASE_URL server and dropped after.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH_DB = os.environ.get("GGZY_BENCH_DB", "ggzy_bench")  # a different name per concurrent run
BATCH = 1000


def _scratch_postgres(url: str) -> tuple[str, callable]:
    """Create the scratch database; returns its URL and a function dropping it."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    admin = {"host": cfg["HOST"] or None, "port": cfg["PORT"] or None, "user": cfg["USER"] or None,
                 "password": cfg["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}

    def run(sql: str) -> None:
        with psycopg.connect(**{k: v for k, v in admin.items() if v is not None}) as conn:
            conn.execute(sql)

    run(f"DROP DATABASE IF EXISTS {SCRATCH_DB}")
    run(f"CREATE DATABASE {SCRATCH_DB}")
    base = url.rsplit("/", 1)[0]
    return f"{base}/{SCRATCH_DB}", lambda: run(f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")


def _setup_django(var_dir: str) -> None:
    os.environ["GGZY_VAR_DIR"] = var_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "ggzy.settings.base"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _plain_table() -> None:
    """A table with LogEntry's columns and indexes, and nothing else."""
    from django.db import connection, models

    from ggzy.ledger.models import LogEntry

    attrs = {"__module__": __name__,
             "Meta": type("Meta", (), {"app_label": "ledger", "db_table": "bench_plain_entry", "managed": False,
                                       "indexes": [models.Index(fields=["object_type", "object_id", "index"],
                                                                name="bench_plain_object")]})}
    for field in LogEntry._meta.local_fields:
        attrs[field.name] = field.clone()
    model = type("BenchPlainEntry", (models.Model,), attrs)
    with connection.schema_editor() as editor:
        editor.create_model(model)



def _inputs(count: int, start: int):
    import datetime as dt

    from ggzy.ledger.services import EntryInput

    at = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    return [EntryInput(action="bid.submit", object_type="tendering.bid", object_id=str((start + i) % 5000),
                       actor_label="投标人（密封）", center_id=(start + i) % 17 + 1, at=at, source_id=start + i,
                       before={"status": "draft", "n": start + i},
                       after={"status": "submitted", "n": start + i, "file_sha256": f"{start + i:064x}"})
            for i in range(count)]


def _plain_rows(inputs, start: int) -> list[tuple]:
    """Rows like the ledger's (a body of similar size, a hash), in ``store.ENTRY_COLUMNS`` order, built
    before the timing starts."""
    import hashlib
    import json

    from django.db import connection

    from ggzy.ledger import store

    rows = []
    for offset, item in enumerate(inputs):
        body = json.dumps({"index": start + offset, "action": item.action, "object": item.object_id,
                           "actor": item.actor_label, "center": item.center_id, "after": item.after,
                           "before_hash": "0" * 64, "after_hash": "1" * 64}, ensure_ascii=False)
        values = {"index": start + offset, "created_at": connection.ops.adapt_datetimefield_value(item.at),
                  "body": body, "leaf_hash": hashlib.sha256(body.encode()).digest(), "object_type": item.object_type,
                  "object_id": item.object_id, "action": item.action, "actor_label": item.actor_label,
                  "actor_role": item.actor_role, "actor_salt": None, "center_id": item.center_id,
                  "previous_state_hash": "0" * 64, "source_id": item.source_id}
        rows.append(tuple(values[column] for column in store.ENTRY_COLUMNS))
    return rows


def _plain_insert(rows: list[tuple]) -> None:
    """Insert rows into the plain table the way ``ledger.store`` writes entries."""
    from django.db import connection

    from ggzy.ledger import store

    sql = store._insert_sql("bench_plain_entry", store.ENTRY_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            values, params = store._values(rows, len(store.ENTRY_COLUMNS))
            cursor.execute(sql + values, params)
        else:
            cursor.executemany(sql + "(" + ",".join(["%s"] * len(store.ENTRY_COLUMNS)) + ")", rows)


def _bench_batches(n: int) -> tuple[float, float]:
    from django.db import transaction

    from ggzy.ledger.services import ledger_append_many

    plain_time = ledger_time = 0.0
    done = 0
    chunk = 10 * BATCH
    while done < n:
        size = min(chunk, n - done)
        inputs = _inputs(size, done)
        rows = _plain_rows(inputs, done)
        t0 = time.perf_counter()
        for i in range(0, size, BATCH):
            with transaction.atomic():
                _plain_insert(rows[i:i + BATCH])
        t1 = time.perf_counter()
        for i in range(0, size, BATCH):
            ledger_append_many(entries=inputs[i:i + BATCH])
        t2 = time.perf_counter()
        plain_time += t1 - t0
        ledger_time += t2 - t1
        done += size
        if done % 100_000 == 0:
            print(f"  … {done:,} entries", flush=True)
    return n / plain_time, n / ledger_time


def _bench_single(n: int, start: int) -> tuple[float, float]:
    from django.db import transaction

    from ggzy.ledger.services import ledger_append

    plain_time = ledger_time = 0.0
    chunk = 100  # short turns: a burst of load from another process falls on both sides alike
    for chunk_start in range(0, n, chunk):
        size = min(chunk, n - chunk_start)
        inputs = _inputs(size, start + chunk_start)
        rows = _plain_rows(inputs, start + chunk_start)
        t0 = time.perf_counter()
        for row in rows:
            with transaction.atomic():
                _plain_insert([row])
        t1 = time.perf_counter()
        for item in inputs:
            with transaction.atomic():
                ledger_append(entry=item)
        t2 = time.perf_counter()
        plain_time += t1 - t0
        ledger_time += t2 - t1
    return n / plain_time, n / ledger_time


def _latency(samples: int, size: int) -> dict[str, tuple[float, float]]:
    from ggzy.ledger import selectors

    rng = random.Random(9162)
    out = {}
    for name, call in (
        ("inclusion", lambda: selectors.inclusion_proof_hashes(index=rng.randrange(size), size=size)),
        ("consistency", lambda: selectors.consistency_proof_hashes(first=rng.randrange(1, size + 1), second=size)),
    ):
        times = []
        for _ in range(samples):
            t0 = time.perf_counter()
            call()
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        out[name] = (statistics.median(times), times[int(0.99 * (len(times) - 1))])
    return out


def main() -> None:
    url = os.environ.get("DATABASE_URL")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000 if url else 50_000, help="entries appended in batches")
    parser.add_argument("--single-n", type=int, default=None, help="entries appended one per transaction")
    parser.add_argument("--samples", type=int, default=1000, help="proofs timed of each kind")
    args = parser.parse_args()
    single_n = args.single_n if args.single_n is not None else max(1000, min(args.n // 10, 10_000))

    drop = None
    var_dir = tempfile.mkdtemp(prefix="ggzy-bench-")
    if url:
        scratch_url, drop = _scratch_postgres(url)
        os.environ["DATABASE_URL"] = scratch_url
    try:
        _setup_django(var_dir)
        from django.db import connection

        _plain_table()
        vendor = connection.vendor
        print(f"ledger append benchmark on {vendor} ({connection.settings_dict['NAME']}), "
              f"{args.n:,} entries in batches of {BATCH}, {single_n:,} one per transaction")
        plain_b, ledger_b = _bench_batches(args.n)
        plain_s, ledger_s = _bench_single(single_n, args.n)
        size = args.n + single_n
        latency = _latency(args.samples, size)
        print(f"batches of {BATCH}:        ledger {ledger_b:,.0f}/s  plain table {plain_b:,.0f}/s  "
              f"ratio {ledger_b / plain_b:.2f}  (aim ≥ 0.5)")
        print(f"one per transaction:   ledger {ledger_s:,.0f}/s  plain table {plain_s:,.0f}/s  "
              f"ratio {ledger_s / plain_s:.2f}  (aim ≥ 0.8)")
        for name, (median, p99) in latency.items():
            print(f"{name} proof at size {size:,}: median {median:.2f} ms, p99 {p99:.2f} ms "
                  f"({args.samples} samples, read from the database; aim p99 < 5 ms)")
        connection.close()
    finally:
        if drop is not None:
            drop()


if __name__ == "__main__":
    main()
