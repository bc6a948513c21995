"""Publication push throughput: messages per second delivered to a local sink, beside the database's own insert
rate measured in the same run.

Publishes ``--notices`` notices through ``disclosure.services.notice_publish`` (each one takes the feed lock and
writes one message per subscriber), signs them with the platform key (timed apart: it happens once per notice,
on first use), then runs delivery rounds (``publication.services.publication_push``, batches of ``--batch``) to a
real local HTTP server in a thread that checks each body's HMAC and deduplicates by idempotency key, until every
message is delivered. Baseline: INSERTs of rows of the same size (the signed content) into a scratch table, one
per transaction, and in transactions of ``--batch`` rows (as the push commits one batch per POST) — what the
database does per row without the platform around it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_publication_push.py
    .venv/bin/python bench/bench_publication_push.py            # SQLite
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from zoneinfo import ZoneInfo

from _setup import django_setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notices", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()
    django_setup()
    run(args.notices, args.batch)


def run(count: int, batch: int) -> None:
    from django.db import connection, transaction

    from ggzy.accounts.roles import Role
    from ggzy.accounts.services import user_create
    from ggzy.core import clock
    from ggzy.disclosure.tests.factories import notice_make
    from ggzy.publication import services
    from ggzy.publication.models import MessageState, Publication, PushMessage
    from ggzy.publication.tests.sink import Sink
    from ggzy.registry.models import Center

    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    center = Center.objects.get(code="370100")
    staff = user_create(actor=None, username="bench-staff", password="pass-1234-ok", role=Role.CENTER_STAFF,
                        center=center)
    sink = Sink("b" * 32)
    services.subscriber_register(actor=None, name="bench sink", url=sink.url, kinds=["notice", "change", "result"],
                                 secret="b" * 32, batch_size=batch)
    body = "项目概况：" + "教学楼建设工程施工，" * 60
    started = time.perf_counter()
    for n in range(count):
        notice_make(actor=staff, center=center, title=f"基准公告{n}", body=body)
    publish_s = time.perf_counter() - started
    started = time.perf_counter()
    for publication in Publication.objects.filter(signature=""):
        services.publication_signature(publication)
    sign_s = time.perf_counter() - started
    started = time.perf_counter()
    while PushMessage.objects.filter(state=MessageState.PENDING).exists():
        services.publication_push()
    push_s = time.perf_counter() - started
    applied, received = len(sink.applied), len(sink.received)
    sink.close()
    assert applied == count and [m["seq"] for m in sink.applied] == list(range(1, count + 1)), "lost or misordered"

    size = len(Publication.objects.first().content.encode()) + 200  # + the signature, roughly
    payload = "x" * size
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_insert_baseline (id integer PRIMARY KEY, body text NOT NULL)")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for n in range(count):
            with transaction.atomic():
                cursor.execute("INSERT INTO bench_insert_baseline (id, body) VALUES (%s, %s)", [n, payload])
    insert_s = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for first in range(0, count, batch):
            with transaction.atomic():
                for n in range(first, min(first + batch, count)):
                    cursor.execute("INSERT INTO bench_insert_baseline (id, body) VALUES (%s, %s)",
                                   [count + n, payload])
    batched_s = time.perf_counter() - started

    push_rate, insert_rate, batched_rate = count / push_s, count / insert_s, count / batched_s
    print(f"database: {connection.vendor}; {count} notices, batch {batch}, content ≈ {size} bytes; "
          f"{received - applied} duplicate deliveries")
    print(f"publish (notice_publish + feed offset + message): {count / publish_s:8.1f} notices/s")
    print(f"platform signing (CMS, once per notice):          {count / sign_s:8.1f} signatures/s")
    print(f"push delivery to local sink:                      {push_rate:8.1f} messages/s")
    print(f"baseline: single-row INSERT + COMMIT, same size:  {insert_rate:8.1f} rows/s")
    print(f"baseline: INSERTs, one COMMIT per {batch} (as push):   {batched_rate:8.1f} rows/s")
    print(f"ratio push / single-row insert:                   {push_rate / insert_rate:8.2f}")
    print(f"ratio push / batched insert:                      {push_rate / batched_rate:8.2f}")


if __name__ == "__main__":
    main()
