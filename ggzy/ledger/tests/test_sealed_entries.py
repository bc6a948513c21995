"""Sealed entries: the leaf commits to H(salt || body); the body shows in public only after ``seal_lift``."""

import json

import pytest

from ggzy.ledger import keys, merkle, selectors, services
from ggzy.ledger.canonical import commitment, reveal_problem
from ggzy.ledger.export import verify_database
from ggzy.ledger.receipts import receipt_for, receipt_verify
from ggzy.ledger.services import EntryInput

pytestmark = pytest.mark.django_db


def _append(seal_key="", object_id="7"):
    return services.ledger_append(entry=EntryInput(action="lot.signup", object_type="tendering.lot",
                                                   object_id=object_id, center_id=3, seal_key=seal_key))


def test_a_sealed_entry_shows_only_its_commitment_until_its_key_is_lifted(client):
    # given a plain entry and two entries sealed under one key and one under another
    _append()
    sealed = [_append("k1"), _append("k1"), _append("k2", object_id="8")]
    # then their leaves are commitments and the public sees nothing else
    for entry in sealed:
        body = json.loads(entry.body)
        assert set(body) == {"v", "index", "kind", "commitment"} and entry.object_id == "" and entry.center_id is None
        data = client.get(f"/api/v1/ledger/entries/{entry.index}").json()
        assert data["sealed"]["body"] is None and data["object_id"] == "" and data["created_at"] is None
    assert client.get("/api/v1/ledger/head").json() == {"tree_size": 4, "sealed_pending": 3, "sealed_revealed": 0}
    # when key k1 is lifted (twice: idempotent)
    assert services.seal_lift(seal_key="k1") == 2
    assert services.seal_lift(seal_key="k1") == 0
    # then those two bodies open their commitments, and k2's stays sealed
    hash_fn = merkle.hash_function("sha256")
    for entry in sealed[:2]:
        data = client.get(f"/api/v1/ledger/entries/{entry.index}").json()
        kept = selectors.sealed_get(index=entry.index)
        assert data["sealed"]["body"] == kept.body and data["object_id"] == "7" and data["action"] == "lot.signup"
        assert reveal_problem(hash_fn, json.loads(entry.body), kept.body, bytes(kept.salt)) is None
        assert commitment(hash_fn, bytes(kept.salt), kept.body.encode()).hex() == data["sealed"]["commitment"]
    assert client.get(f"/api/v1/ledger/entries/{sealed[2].index}").json()["sealed"]["body"] is None
    assert client.get("/api/v1/ledger/head").json()["sealed_pending"] == 1
    assert verify_database().ok


def test_a_receipt_opens_a_sealed_entry_only_when_asked_or_revealed():
    entry = _append("k1")
    vkey = keys.platform_verifier().vkey
    assert "sealed" not in receipt_for(entry.index)
    assert receipt_verify(receipt_for(entry.index), [vkey]).sealed_entry is None
    opened = receipt_verify(receipt_for(entry.index, open_sealed=True), [vkey]).sealed_entry
    assert opened is not None and opened["index"] == entry.index and opened["object"]["id"] == "7"
    services.seal_lift(seal_key="k1")
    assert receipt_verify(receipt_for(entry.index), [vkey]).sealed_entry == opened


def test_verify_database_names_a_sealed_entry_whose_body_is_missing():
    entry = _append("k1")
    from ggzy.ledger.models import SealedEntry

    SealedEntry.objects.filter(index=entry.index).delete()
    report = verify_database()
    assert report.first_bad_index == entry.index
