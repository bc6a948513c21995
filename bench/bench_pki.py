"""PKI benchmark (issue 4): SM2 sign+verify through ggzy.pki.sm against raw gmalglib in the same run, and the
opening time of a lot with N client-sealed bids (SM2 bidders: SM4-GCM content, keys wrapped with SM2).

    python bench/bench_pki.py                  # 2000 sign+verify pairs, 200 sealed bids
    python bench/bench_pki.py --pairs 500 --bids 20
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import os
import shutil
import time

from _setup import django_setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--bids", type=int, default=200)
    args = parser.parse_args()
    scratch = django_setup()
    try:
        sign_verify(args.pairs)
        opening(args.bids, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def sign_verify(pairs: int) -> None:
    from gmalglib import sm2 as raw

    from ggzy.pki import sm

    private_key, public_key = sm.sm2_keypair_new()
    messages = [os.urandom(256) for _ in range(pairs)]

    def through_ggzy() -> None:
        for message in messages:
            assert sm.sm2_verify(public_key, message, sm.sm2_sign(private_key, message))

    def through_raw() -> None:
        signer = raw.SM2(sk=private_key, pk=public_key, pc_mode=raw.SM2_PCMODE_RAW, uid=sm.DEFAULT_USER_ID)
        for message in messages:
            assert signer.verify(message, signer.sign(message))

    results = {}
    for name, run in (("raw", through_raw), ("ggzy", through_ggzy), ("raw ", through_raw), ("ggzy ", through_ggzy)):
        started = time.perf_counter()
        run()
        results[name.strip()] = max(results.get(name.strip(), 0.0), pairs / (time.perf_counter() - started))
    print(f"SM2 sign+verify, {pairs} pairs of 256-byte messages, same key (best of 2 runs each):")
    print(f"  raw gmalglib (one SM2 object):  {results['raw']:8.0f} sign+verify/s")
    print(f"  ggzy.pki.sm (checks per call):  {results['ggzy']:8.0f} sign+verify/s")
    print(f"  ratio ggzy / raw: {results['ggzy'] / results['raw']:.2f}")


def opening(n_bids: int, scratch) -> None:
    from zoneinfo import ZoneInfo

    from ggzy.accounts.roles import Role
    from ggzy.accounts.services import user_create
    from ggzy.core import clock
    from ggzy.pki.models import Algorithm
    from ggzy.pki.testpki import build_test_pki, demo_pki_register
    from ggzy.registry.models import Center, MarketEntityAccount, Region
    from ggzy.registry.tests.factories import MarketEntityFactory
    from ggzy.tendering import bidclient, services
    from ggzy.tendering.choices import BidState
    from ggzy.tendering.services import client_sealed, custody
    from ggzy.tendering.services import opening as opening_service
    from ggzy.tendering.services.bidding import IncomingFile

    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    center = Center.objects.get(code="370100")
    staff = user_create(actor=None, username="bench_staff", password="pass-1234-ok", role=Role.CENTER_STAFF,
                        center=center)
    owner_entity = MarketEntityFactory(name="基准测试招标人")
    owner = user_create(actor=None, username="bench_owner", password="pass-1234-ok", role=Role.TENDERER)
    MarketEntityAccount.objects.create(user=owner, entity=owner_entity, linked_at=clock.now())
    entities = [MarketEntityFactory(name=f"基准投标人{i:03d}有限公司") for i in range(n_bids)]
    started = time.perf_counter()
    pki = build_test_pki(scratch / "pki", now=clock.now(), persons=[],
                         entities=[(e.name, e.credit_code, Algorithm.SM2) for e in entities])
    demo_pki_register(directory=pki.directory)
    print(f"test PKI for {n_bids} SM2 bidders built and registered in {time.perf_counter() - started:.1f} s")
    for issued in pki.custodians:
        custody.custodian_register(actor=staff, center=center, name=issued.label.split("-", 1)[1],
                                   organisation="交易中心", public_key_pem=issued.pem.decode())
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
    custodian_key = bytes(custody.lot_opening_key_ensure(actor=staff, lot=lot).public_key)
    bidders = []
    b = base64.b64decode
    started = time.perf_counter()
    for i, entity in enumerate(entities):
        user = user_create(actor=None, username=f"bench_bidder{i}", password="pass-1234-ok", role=Role.BIDDER)
        MarketEntityAccount.objects.create(user=user, entity=entity, linked_at=clock.now())
        services.signup_create(actor=user, lot=lot)
        enc = pki.users[f"{entity.name}/encrypt"]
        manifest, sealed = bidclient.seal_bid(
            lot_id=lot.pk, certificate=enc.certificate, custodian_key=custodian_key,
            price_sheet={"total_price": f"{90000000 + i}.00"}, fingerprint={"mac": f"m{i}"},
            files=[("技术标.pdf", os.urandom(64 * 1024)), ("商务标.pdf", os.urandom(16 * 1024))])
        client_sealed.bid_submit_sealed(
            actor=user, lot=lot, files=[IncomingFile(f"s{j}.bin", [s]) for j, s in enumerate(sealed)],
            price_sheet_sealed=b(manifest["price_sheet_sealed"]), fingerprint_sealed=b(manifest["fingerprint_sealed"]),
            names_sealed=[b(n) for n in manifest["names_sealed"]], plaintext_hashes=manifest["plaintext_hashes"],
            wrap_to_bidder=b(manifest["wrap_to_bidder"]), bidder_certificate_pem=manifest["bidder_certificate_pem"],
            wrap_to_custodians=b(manifest["wrap_to_custodians"]), algorithm=manifest["algorithm"],
            custodian_key_id=manifest["custodian_key_id"])
        bidders.append((user, enc.private_key))
    print(f"{n_bids} client-sealed bids (2 files, 80 KB each bid) sealed and submitted in "
          f"{time.perf_counter() - started:.1f} s")

    clock.advance(dt.timedelta(days=21, minutes=1))
    started = time.perf_counter()
    lot = opening_service.lot_open(actor=staff, lot=lot)
    opened_at = time.perf_counter()
    unwrap_seconds = 0.0
    for user, private_key in bidders:
        from ggzy.tendering.services.bidding import bid_of

        bid = bid_of(actor=user, lot=lot)
        t0 = time.perf_counter()
        content_key = bidclient.unwrap(private_key, bytes(bid.bidder_wrapped_key))
        unwrap_seconds += time.perf_counter() - t0
        client_sealed.bid_decrypt_by_bidder(actor=user, lot=lot, content_key=content_key)
    total = time.perf_counter() - started
    ok = lot.bids.filter(state=BidState.OPENED).count()
    print(f"opening of {n_bids} client-sealed bids: {total:.2f} s total "
          f"(lot_open {opened_at - started:.2f} s; {n_bids} bidder decryptions {total - (opened_at - started):.2f} s, "
          f"of which client-side SM2 unwrap {unwrap_seconds:.2f} s); opened {ok}/{n_bids}")


if __name__ == "__main__":
    main()
