"""Sealed means sealed: before the deadline nobody but the bidder learns who bid or what they offered."""

import logging

import pytest
from django.db import connection

from ggzy.core.models import AuditEntry
from ggzy.tendering import services
from ggzy.tendering.models import Bid, SignUp
from ggzy.tendering.services import bidding

from .conftest import bond_arrive, lot_ready

SECRET_PRICE = "7654321.98"


@pytest.fixture
def sealed_lot(world, caplog):
    caplog.set_level(logging.DEBUG)
    lot = lot_ready(world)
    user = world.bidders[0]
    services.signup_create(actor=user, lot=lot)
    bond_arrive(world, lot, 0)
    bidding.bid_submit(actor=user, lot=lot, price_sheet={"total_price": SECRET_PRICE, "quality": "优良"},
                       files=[bidding.IncomingFile("商务标-机密.pdf", [b"CONFIDENTIAL-TECHNICAL-PLAN"])],
                       fingerprint={"mac": "AA:BB:CC:DD:EE:FF"})
    return lot


def _secrets(world):
    entity = world.bidder_entities[0]
    return [entity.name, entity.credit_code, SECRET_PRICE, "7,654,321.98", "商务标-机密", "AA:BB:CC:DD:EE:FF",
            "3701000088889999", world.bidders[0].username]


@pytest.mark.parametrize("who", ["anonymous", "own_center_staff", "administrator", "other_bidder", "supervisor"])
def test_no_page_endpoint_or_admin_view_shows_the_bidder(client, world, sealed_lot, make_user, centers, who):
    # given someone who is not the bidder
    from ggzy.accounts.roles import Role

    viewer = {
        "anonymous": None, "own_center_staff": world.staff, "other_bidder": world.bidders[1],
        "administrator": make_user(Role.ADMIN, username="root_admin"),
        "supervisor": make_user(Role.SUPERVISOR, center=centers["jinan"]),
    }[who]
    if viewer is not None:
        client.force_login(viewer)
    # when they look everywhere a bid could show
    urls = [f"/tendering/lots/{sealed_lot.pk}/", f"/api/v1/tendering/lots/{sealed_lot.pk}", "/tendering/lots/",
            "/api/v1/tendering/lots", "/tendering/", f"/notices/{sealed_lot.notice_id}/", "/api/v1/disclosure/notices",
            "/admin/tendering/bid/", "/admin/tendering/signup/", "/admin/core/auditentry/", "/admin/tendering/bidevent/",
            f"/admin/tendering/bid/{Bid.objects.get().pk}/change/", "/ledger/", "/api/v1/ledger/checkpoints/latest"]
    for url in urls:
        body = client.get(url).content.decode("utf-8", "replace")
        # then no secret appears in any of them
        for secret in _secrets(world):
            assert secret not in body, f"{secret} leaked at {url} to {who}"


def test_the_bidder_sees_its_own_bid(client, world, sealed_lot):
    client.force_login(world.bidders[0])
    mine = client.get(f"/api/v1/tendering/lots/{sealed_lot.pk}/my-bid")
    assert mine.status_code == 200 and mine.json()["state"] == "submitted"
    client.force_login(world.bidders[1])
    assert client.get(f"/api/v1/tendering/lots/{sealed_lot.pk}/my-bid").status_code == 404


def test_the_database_holds_no_identity_or_plaintext_before_the_opening(world, sealed_lot):
    # Rows carry tags and ciphertext only; a database administrator learns nothing.
    assert Bid.objects.filter(bidder__isnull=False).count() == 0
    assert SignUp.objects.filter(bidder__isnull=False).count() == 0
    bid = Bid.objects.get()
    assert bid.price is None and bid.price_sheet is None and bid.fingerprint is None
    dump = []
    with connection.cursor() as cursor:
        for table in ("tendering_bid", "tendering_signup", "tendering_bidbond", "tendering_bidfile", "tendering_bankarrival",
                      "tendering_bidevent", "core_auditentry"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            dump.extend(repr(row) for row in cursor.fetchall())
    text = "\n".join(dump)
    for secret in _secrets(world)[:-1]:  # the user name is in the accounts audit, unrelated to any bid
        assert secret not in text
    # and no audit entry names the bidder's account as the actor of its sealed acts
    assert not AuditEntry.objects.filter(actor=world.bidders[0]).exists()


def test_no_log_line_carries_the_bid(world, sealed_lot, caplog):
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in _secrets(world):
        assert secret not in logged


def test_files_on_disk_are_ciphertext(world, sealed_lot, settings):
    from pathlib import Path

    for path in Path(settings.GGZY_FILE_ROOT).rglob("*"):
        if path.is_file():
            assert b"CONFIDENTIAL-TECHNICAL-PLAN" not in path.read_bytes()


def test_sealed_acts_are_logged_against_the_lot_with_hashes_on_both_sides(world):
    # given a bidder who signs up, pays the bond, bids, modifies the bid and withdraws it
    import json

    from ggzy.ledger.models import LogEntry, SealedEntry

    lot = lot_ready(world)
    user = world.bidders[0]
    start = LogEntry.objects.count()
    services.signup_create(actor=user, lot=lot)
    bond_arrive(world, lot, 0)
    for content in (b"first", b"second"):
        bidding.bid_submit(actor=user, lot=lot, price_sheet={"total_price": "100.00"},
                           files=[bidding.IncomingFile("a.pdf", [content])])
    bidding.bid_withdraw(actor=user, lot=lot)
    bidding.bid_submit(actor=user, lot=lot, price_sheet={"total_price": "90.00"},
                       files=[bidding.IncomingFile("a.pdf", [b"third"])])
    # then the ledger holds one entry per act, each against the lot and naming neither bidder nor role
    entries = list(LogEntry.objects.filter(index__gte=start).order_by("index"))
    # (in public each shows only its commitment until the opening; the bodies are kept beside it: ADR 0008)
    assert all(json.loads(e.body)["kind"] == "sealed" for e in entries)
    sealed = {row.index: row.body for row in SealedEntry.objects.filter(index__gte=start)}
    bodies = [json.loads(sealed[e.index]) for e in entries]
    # (each sign-up and submission is preceded by its credit check, sealed like the act: issue 18)
    assert [b["action"] for b in bodies] == ["credit.check", "lot.signup", "lot.bond_arrival", "credit.check",
                                             "bid.submit", "credit.check", "bid.modify", "bid.withdraw",
                                             "credit.check", "bid.submit"]
    assert all(b["actor"] == {"label": "投标人（密封）"} for b in bodies if b["action"] == "credit.check")
    bodies = [b for b in bodies if b["action"] != "credit.check"]
    for body in bodies:
        assert body["object"] == {"type": "tendering.lot", "id": str(lot.pk)}
        assert body["after_hash"] is not None  # none of these deletes anything
    # the bidder's own acts name no actor; the bond's arrival is the act of the staff member who imported it
    assert all(b["actor"] == {"label": "投标人（密封）"} for i, b in enumerate(bodies) if i != 1)
    assert bodies[1]["actor"] != {"label": "投标人（密封）"}
    # and before_hash is null only where something is created: the sign-up, the bond and the first submission
    assert [b["before_hash"] is None for b in bodies] == [True, True, True, False, False, False]
    # and a modification's before state is the state the submission recorded (the trail and the log agree)
    assert bodies[3]["before_hash"] == bodies[2]["after_hash"]
    assert bodies[4]["before_hash"] == bodies[3]["after_hash"] and bodies[4]["changed"] == ["state"]
    assert bodies[5]["before_hash"] == bodies[4]["after_hash"]
    for row in SealedEntry.objects.filter(index__gte=start):
        audit = AuditEntry.objects.get(pk=row.source_id)
        assert world.bidder_entities[0].name not in json.dumps([audit.before, audit.after], ensure_ascii=False)
        assert user.username not in json.dumps([audit.actor_label, audit.before, audit.after], ensure_ascii=False)
