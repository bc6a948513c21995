"""Sealed-bid ingest and opening benchmark (issue 3).

Submits N bids of S MB each through the bid service (the server's ingest path: plaintext hashing, AES-256-GCM
encryption, ciphertext hashing, content-addressed write, key wrapping, database rows) as fast as it takes them, and
prints the throughput as a ratio to `openssl dgst -sha256` reading the same bytes in the same run. Every stored
file is fsynced once before its bid is committed (an acknowledged bid survives a crash), so the run also writes the
same number of bytes with one fsync per file and prints that disk ceiling: at full size on a slow disk the ingest is
bounded by it, not by hashing or encryption. Then opens the lot and decrypts every bid (each file re-hashed) and
prints the opening time. Bids are submitted one after another (one upload at a time).

    python bench/bench_bid_ingest.py                # 200 bids x 20 MB (4 GB through the pipeline)
    python bench/bench_bid_ingest.py --bids 20 --mb 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import time

from _setup import django_setup

CHUNK = 1 << 20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bids", type=int, default=200)
    parser.add_argument("--mb", type=int, default=20)
    args = parser.parse_args()
    scratch = django_setup()
    try:
        run(args.bids, args.mb, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run(n_bids: int, mb: int, scratch) -> None:
    from zoneinfo import ZoneInfo

    from ggzy.accounts.roles import Role
    from ggzy.accounts.services import user_create
    from ggzy.core import clock
    from ggzy.registry.models import Center, MarketEntityAccount, Region
    from ggzy.registry.tests.factories import BankAccountFactory, MarketEntityFactory
    from ggzy.tendering import services
    from ggzy.tendering.services import bidding, opening

    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    payload = os.urandom(mb * CHUNK)  # one file's bytes; every bid sends these bytes (different keys → different ciphertext)
    sample = scratch / "sample.bin"
    sample.write_bytes(payload)

    center = Center.objects.get(code="370100")
    staff = user_create(actor=None, username="bench_staff", password="pass-1234-ok", role=Role.CENTER_STAFF,
                        center=center)
    owner_entity = MarketEntityFactory(name="基准测试招标人")
    owner = user_create(actor=None, username="bench_owner", password="pass-1234-ok", role=Role.TENDERER)
    MarketEntityAccount.objects.create(user=owner, entity=owner_entity, linked_at=clock.now())
    project = services.project_register(actor=owner, center=center, region=Region.objects.get(code="370102"),
                                        title="基准测试项目", method="works_open_tender", estimated_price="100000000",
                                        lots=[{"name": "一标段", "estimated_price": "100000000"}])
    services.project_accept(actor=staff, project=project)
    lot = project.lots.get()
    services.lot_document_add(actor=owner, lot=lot, name="doc.pdf", content=b"doc")
    services.lot_schedule(actor=owner, lot=lot, notice_text="基准测试", bond_amount=0,
                          documents_sale_end=clock.now() + dt.timedelta(days=6),
                          bid_deadline=clock.now() + dt.timedelta(days=21))
    lot.refresh_from_db()
    services.lot_publish(actor=staff, lot=lot)
    bidders = []
    for i in range(n_bids):
        entity = MarketEntityFactory(name=f"基准投标人{i:03d}")
        BankAccountFactory(entity=entity)
        user = user_create(actor=None, username=f"bench_bidder{i}", password="pass-1234-ok", role=Role.BIDDER)
        MarketEntityAccount.objects.create(user=user, entity=entity, linked_at=clock.now())
        services.signup_create(actor=user, lot=lot)
        bidders.append(user)

    def chunks():
        view = memoryview(payload)
        for offset in range(0, len(payload), CHUNK):
            yield bytes(view[offset:offset + CHUNK])

    started = time.perf_counter()
    for i, user in enumerate(bidders):
        bidding.bid_submit(actor=user, lot=lot, price_sheet={"total_price": f"{90000000 + i}.00"},
                           files=[bidding.IncomingFile("投标文件.pdf", chunks())], fingerprint={"mac": f"m{i}"})
    ingest_seconds = time.perf_counter() - started
    total_bytes = n_bids * len(payload)

    # Baseline: openssl reading the same bytes (the sample file n_bids times through one process).
    started = time.perf_counter()
    with subprocess.Popen(["openssl", "dgst", "-sha256"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL) as proc:
        for _ in range(n_bids):
            proc.stdin.write(payload)
        proc.stdin.close()
        proc.wait()
    openssl_seconds = time.perf_counter() - started

    # Disk ceiling: the same bytes written file by file, one fsync each (what durable storage costs by itself).
    disk = scratch / "disk"
    disk.mkdir()
    started = time.perf_counter()
    for i in range(n_bids):
        fd = os.open(disk / f"{i}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
    disk_seconds = time.perf_counter() - started
    shutil.rmtree(disk)

    clock.advance(dt.timedelta(days=22))
    started = time.perf_counter()
    opening.lot_open(actor=staff, lot=lot)
    lot.refresh_from_db()
    decrypted = opening.opening_decrypt_all(actor=staff, lot=lot)
    opening_seconds = time.perf_counter() - started
    ok = sum(1 for b in decrypted if b.state == "opened")

    ingest_rate = total_bytes / ingest_seconds / 1e6
    openssl_rate = total_bytes / openssl_seconds / 1e6
    print(f"bids: {n_bids} x {mb} MB = {total_bytes / 1e9:.2f} GB")
    print(f"ingest: {ingest_seconds:.2f} s, {ingest_rate:.0f} MB/s, {n_bids / ingest_seconds:.1f} bids/s")
    print(f"baseline openssl dgst -sha256 on the same bytes: {openssl_seconds:.2f} s, {openssl_rate:.0f} MB/s")
    disk_rate = total_bytes / disk_seconds / 1e6
    print(f"ratio ingest / openssl: {ingest_rate / openssl_rate:.2f} (aim >= 0.5)")
    print(f"disk ceiling (same bytes, write + one fsync per file): {disk_seconds:.2f} s, {disk_rate:.0f} MB/s; "
          f"ratio ingest / disk: {ingest_rate / disk_rate:.2f}")
    print(f"opening (unseal identities + decrypt and re-hash {ok}/{n_bids} bids): {opening_seconds:.2f} s")


if __name__ == "__main__":
    main()
