"""A bidder gets its own receipt (issue 10, item 3): the sealed entry of its bid, opened for it alone, verifiable
offline, showing arrival before the deadline; nobody else learns anything from it."""

import datetime as dt
import json

import pytest

from ggzy.core import clock
from ggzy.ledger import keys
from ggzy.ledger.receipts import ReceiptInvalid, receipt_verify
from ggzy.tendering import services
from ggzy.tendering.services import bidding

from .conftest import bond_arrive, lot_ready


def _bid(world, lot, i):
    user = world.bidders[i]
    services.signup_create(actor=user, lot=lot)
    bond_arrive(world, lot, i)
    return bidding.bid_submit(actor=user, lot=lot, price_sheet={"total_price": "7650000.00"},
                              files=[bidding.IncomingFile("技术标.pdf", [b"proposal %d" % i])],
                              fingerprint={"mac": f"00:11:22:33:44:{i:02d}"})


@pytest.fixture
def lot(world):
    lot = lot_ready(world)
    _bid(world, lot, 0)
    _bid(world, lot, 1)
    return lot


def _receipt(client, user, lot):
    client.force_login(user)
    return client.get(f"/api/v1/tendering/lots/{lot.pk}/my-bid/receipt")


def test_the_bidder_gets_a_receipt_that_verifies_offline_and_shows_arrival_before_the_deadline(client, world, lot):
    # when the bidder asks for its receipt
    response = _receipt(client, world.bidders[0], lot)
    # then it gets one, which verifies with nothing but the platform's public key
    assert response.status_code == 200
    data = response.json()
    check = receipt_verify(json.dumps(data["receipt"]), [keys.platform_verifier().vkey])
    # and the sealed entry it proves is its bid on this lot, whose arrival (in the after-state the entry hashes)
    # precedes the deadline
    assert check.entry["kind"] == "sealed" and check.sealed_entry is not None
    assert check.sealed_entry["action"] == "bid.submit"
    assert check.sealed_entry["object"] == {"type": "tendering.lot", "id": str(lot.pk)}
    arrived = dt.datetime.fromisoformat(data["receipt"]["states"]["after"]["arrived_at"])
    assert arrived < lot.bid_deadline and data["arrived_before_deadline"] is True
    assert dt.datetime.fromisoformat(data["arrived_at"]) == arrived
    # and the public still sees only the commitment of that entry
    client.logout()
    public = client.get(f"/api/v1/ledger/entries/{check.index}").json()
    assert public["sealed"] == {"commitment": check.entry["commitment"], "is_revealed": False, "body": None,
                                "salt": None, "body_masked": False}


def test_each_bidder_gets_its_own_entry_and_a_modification_moves_the_receipt(client, world, lot):
    first = receipt_verify(_receipt(client, world.bidders[0], lot).json()["receipt"], [keys.platform_verifier().vkey])
    other = receipt_verify(_receipt(client, world.bidders[1], lot).json()["receipt"], [keys.platform_verifier().vkey])
    assert first.index != other.index
    # when the bidder modifies its bid
    clock.advance(dt.timedelta(days=1))
    bidding.bid_submit(actor=world.bidders[0], lot=lot, price_sheet={"total_price": "7600000.00"},
                       files=[bidding.IncomingFile("技术标.pdf", [b"proposal v2"])], fingerprint={"mac": "00:11"})
    # then its receipt proves the modification
    again = receipt_verify(_receipt(client, world.bidders[0], lot).json()["receipt"], [keys.platform_verifier().vkey])
    assert again.index > first.index and again.sealed_entry["action"] == "bid.modify"


@pytest.mark.parametrize("who", ["anonymous", "bidder_without_bid", "own_center_staff"])
def test_nobody_else_gets_the_bidders_receipt(client, world, lot, who):
    viewer = {"anonymous": None, "bidder_without_bid": world.bidders[2], "own_center_staff": world.staff}[who]
    if viewer is not None:
        client.force_login(viewer)
    response = client.get(f"/api/v1/tendering/lots/{lot.pk}/my-bid/receipt")
    assert response.status_code == {"anonymous": 401, "bidder_without_bid": 404, "own_center_staff": 403}[who]


@pytest.mark.parametrize("part", ["salt", "body", "arrival"])
def test_a_receipt_whose_opening_was_altered_does_not_verify(client, world, lot, part):
    receipt = _receipt(client, world.bidders[0], lot).json()["receipt"]
    if part == "salt":
        receipt["sealed"]["salt"] = "AAAA" + receipt["sealed"]["salt"][4:]
    elif part == "body":
        receipt["sealed"]["body"] = receipt["sealed"]["body"].replace("bid.submit", "bid.modify")
    else:
        receipt["states"]["after"]["arrived_at"] = "2026-03-01T09:00:00+08:00"
    with pytest.raises(ReceiptInvalid):
        receipt_verify(receipt, [keys.platform_verifier().vkey])


def test_the_lot_page_offers_the_bidder_its_receipt_and_nobody_else(client, world, lot):
    # given the bidder's lot page
    client.force_login(world.bidders[0])
    html = client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    # then it links the receipt, which downloads
    assert 'id="bid-receipt"' in html
    href = html.split('id="bid-receipt" href="')[1].split('"')[0]
    assert client.get(href).status_code == 200
    # and a bidder without a bid, or anyone else, sees no receipt link
    for user in (world.bidders[2], world.tenderer, world.staff):
        client.force_login(user)
        assert 'id="bid-receipt"' not in client.get(f"/tendering/lots/{lot.pk}/").content.decode()
