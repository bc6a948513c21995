"""The platform-sealed ingest pipeline: envelopes that open to the upload, the same hashes as a plain seal, and a
failed file that leaves no stored object or bid row."""

from __future__ import annotations

import hashlib
import os

import pytest
from django.conf import settings

from ggzy.core import files as file_store
from ggzy.pki import envelope
from ggzy.tendering.models import Bid, BidFile
from ggzy.tendering.services import bidding

from .conftest import lot_ready, sign_up


def _stored():
    return sorted(p.name for p in settings.GGZY_FILE_ROOT.rglob("*") if p.is_file())


@pytest.mark.parametrize("piece", [envelope.SEGMENT, 64 * 1024, 333_333])
def test_pipeline_envelope_opens_to_the_upload_with_the_plain_hashes(world, piece, monkeypatch):
    lot = lot_ready(world)
    user = world.bidders[0]
    sign_up(world, lot, [0])
    known = os.urandom(32)
    monkeypatch.setattr(envelope, "content_key_new", lambda algorithm=envelope.AES_256_GCM: known)
    data = os.urandom(3 * envelope.SEGMENT + 4321)
    bid = bidding.bid_submit(actor=user, lot=lot, price_sheet={"total_price": "100.00"},
                             files=[bidding.IncomingFile("a.pdf", (data[i:i + piece]
                                                                   for i in range(0, len(data), piece)))])
    row = BidFile.objects.get(bid=bid)
    sealed = b"".join(file_store.iter_chunks(row.ciphertext_sha256))
    assert hashlib.sha256(sealed).hexdigest() == row.ciphertext_sha256
    assert row.plaintext_sha256 == hashlib.sha256(data).hexdigest()
    assert row.size == len(data)
    assert len(sealed) == len(envelope.HEADER) + 8 + len(data) + 4 * envelope.TAG  # 4 segments, format unchanged
    context = bidding._context(lot, bid.bidder_tag, "file:0")
    assert envelope.open_bytes(known, sealed, context=context) == data
    # byte for byte what the one-shot seal makes with the same key and nonce prefix
    prefix = sealed[len(envelope.HEADER):len(envelope.HEADER) + 8]
    monkeypatch.setattr(envelope.os, "urandom", lambda n: prefix)
    assert envelope.seal_bytes(known, data, context=context) == sealed


def test_segments_regroup_without_changing_bytes():
    data = os.urandom(2 * envelope.SEGMENT + 7)
    for piece in (1, 65_536, envelope.SEGMENT, envelope.SEGMENT + 1):
        if piece == 1:
            chunks = [data[:5], data[5:]]
        else:
            chunks = [data[i:i + piece] for i in range(0, len(data), piece)]
        blocks = list(bidding._segments(chunks))
        assert b"".join(blocks) == data
        assert [len(b) for b in blocks] == [envelope.SEGMENT, envelope.SEGMENT, 7]


def test_a_failing_second_file_leaves_no_stored_object_and_no_bid(world):
    lot = lot_ready(world)
    user = world.bidders[0]
    sign_up(world, lot, [0])
    before = _stored()

    def broken():
        yield os.urandom(envelope.SEGMENT)
        raise OSError("connection reset")

    with pytest.raises(OSError):
        bidding.bid_submit(actor=user, lot=lot, price_sheet={"total_price": "100.00"},
                           files=[bidding.IncomingFile("a.pdf", [os.urandom(2 * envelope.SEGMENT)]),
                                  bidding.IncomingFile("b.pdf", broken())])
    assert _stored() == before
    assert not Bid.objects.filter(lot=lot).exists()
    assert not any(p.name.startswith(".incoming-") for p in settings.GGZY_FILE_ROOT.iterdir())


def test_an_upload_finishing_after_the_deadline_leaves_no_stored_object(world):
    import datetime as dt

    from ggzy.core import clock
    from ggzy.core.errors import Conflict

    lot = lot_ready(world)
    user = world.bidders[0]
    sign_up(world, lot, [0])
    before = _stored()

    def slow():
        yield os.urandom(envelope.SEGMENT)
        clock.advance(dt.timedelta(days=21, minutes=1))  # the deadline passes while the upload is under way
        yield os.urandom(100)

    with pytest.raises(Conflict):
        bidding.bid_submit(actor=user, lot=lot, price_sheet={"total_price": "100.00"},
                           files=[bidding.IncomingFile("a.pdf", slow())])
    assert _stored() == before
    assert not Bid.objects.filter(lot=lot).exists()
    assert lot.bid_events.filter(kind="refused_late").exists()
