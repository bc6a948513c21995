"""The bid receipt as a platform-signed PDF (issue 11, item 3): produced for the bidder alone, verifiable offline
(signature, embedded receipt, inclusion proof), refusing a tampered file, naming the version that counts."""

import datetime as dt
import json
import socket
from pathlib import Path

import pytest

from ggzy.core import clock
from ggzy.ledger import keys
from ggzy.pki.platform_signing import platform_signer
from ggzy.tendering import bidclient, services
from ggzy.tendering.receipt_pdf import ReceiptPdfInvalid, receipt_pdf_verify
from ggzy.tendering.services import bidding

from .conftest import lot_ready


def _bid(world, lot, i, *, price="7650000.00", content=b"proposal", token=""):
    return bidding.bid_submit(actor=world.bidders[i], lot=lot, price_sheet={"total_price": price},
                              files=[bidding.IncomingFile("技术标.pdf", [content]),
                                     bidding.IncomingFile("商务标.pdf", [b"commercial " * 100])],
                              fingerprint={"mac": f"00:11:22:33:44:{i:02d}"}, submission_token=token)


@pytest.fixture
def lot(world):
    lot = lot_ready(world)
    for i in (0, 1):
        services.signup_create(actor=world.bidders[i], lot=lot)
        services.bond_record(actor=world.bidders[i], lot=lot, amount="10000", account_number=f"3701000{i}88889999")
    _bid(world, lot, 0)
    _bid(world, lot, 1, content=b"other proposal")
    return lot


def _pdf(client, user, lot, *, api=True):
    client.force_login(user)
    url = (f"/api/v1/tendering/lots/{lot.pk}/my-bid/receipt.pdf" if api
           else f"/tendering/lots/{lot.pk}/my-bid/receipt.pdf")
    return client.get(url)


def _ca() -> bytes:
    return platform_signer().chain_pems[-1]


def test_the_bidder_gets_a_signed_pdf_receipt_that_verifies_offline(client, world, lot):
    # when the bidder downloads its receipt
    response = _pdf(client, world.bidders[0], lot)
    # then it is a PDF
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    Path("/tmp/rcpt/receipt.pdf").write_bytes(pdf)
    # and its signature chains to the platform's root, its attachment and ledger proof verify
    check = receipt_pdf_verify(pdf, trust_pems=[_ca()], checkpoint_keys=[keys.platform_verifier().vkey])
    assert check.trusted and check.checkpoint_key == "pinned"
    receipt = check.receipt
    assert receipt["lot"]["code"] == lot.code and receipt["bidder"]["name"] == world.bidder_entities[0].name
    import hashlib
    assert [f["name"] for f in receipt["files"]] == ["技术标.pdf", "商务标.pdf"]
    assert receipt["files"][0]["sha256"] == hashlib.sha256(b"proposal").hexdigest()
    assert receipt["files"][1]["size"] == len(b"commercial " * 100)
    assert receipt["version_text"].startswith("首次递交")
    assert len(receipt["price_sheet"]["sha256"]) == 64
    assert dt.datetime.fromisoformat(receipt["arrived_at"]) < lot.bid_deadline
