"""A bid signed before the deadline without revealing its signer: the client seals its CMS signature with the
bid's content key; the platform sees ciphertext until the opening, then verifies and records it."""

from __future__ import annotations

import base64

import pytest

from ggzy.core.models import AuditEntry
from ggzy.pki.models import Signature
from ggzy.tendering import bidclient, bidformat
from ggzy.tendering.choices import BidState
from ggzy.tendering.documents import bid_manifest
from ggzy.tendering.models import Bid
from ggzy.tendering.services import client_sealed, custody, opening
from ggzy.tendering.services.bidding import IncomingFile

from . import test_client_sealed as base
from .test_client_sealed import PRICES, _content_key, _enc, _open

pki = base.pki  # the same fixtures: a test PKI with custodians, and a lot with four signed-up bidders
lot = base.lot


def _signer(world, pki, i):
    issued = pki.users[f"{world.bidder_entities[i].name}/sign"]
    return issued.certificate, issued.private_key


def _submit_signed(world, pki, lot, i, *, signer, tamper_signature=False):
    key = custody.lot_opening_key_ensure(actor=world.bidders[i], lot=lot)
    manifest, sealed = bidclient.seal_bid(
        lot_id=lot.pk, certificate=_enc(world, pki, i).certificate, custodian_key=bytes(key.public_key),
        price_sheet={"total_price": PRICES[i]}, files=[("技术标.pdf", f"PLAN-{i}".encode())],
        fingerprint={"mac": f"00:11:22:33:44:{i:02d}"}, lot_code=lot.code, signer=signer)
    b = base64.b64decode
    signature_sealed = b(manifest["signature_sealed"])
    if tamper_signature:
        signature_sealed = signature_sealed[:-1] + bytes([signature_sealed[-1] ^ 1])
    return client_sealed.bid_submit_sealed(
        actor=world.bidders[i], lot=lot, files=[IncomingFile("sealed-0.bin", [s]) for s in sealed],
        price_sheet_sealed=b(manifest["price_sheet_sealed"]), fingerprint_sealed=b(manifest["fingerprint_sealed"]),
        names_sealed=[b(n) for n in manifest["names_sealed"]], plaintext_hashes=manifest["plaintext_hashes"],
        wrap_to_bidder=b(manifest["wrap_to_bidder"]), bidder_certificate_pem=manifest["bidder_certificate_pem"],
        wrap_to_custodians=b(manifest["wrap_to_custodians"]), algorithm=manifest["algorithm"],
        custodian_key_id=manifest["custodian_key_id"], signature_sealed=signature_sealed)


def _decrypt(world, pki, lot, i) -> Bid:
    return client_sealed.bid_decrypt_by_bidder(actor=world.bidders[i], lot=lot,
                                               content_key=_content_key(world, pki, lot, i))


def test_signed_before_the_deadline_sealed_until_the_opening_then_recorded(world, pki, lot):
    # given an SM2 bidder and an ECDSA bidder, each signing its bid with its own signing certificate
    for i in (0, 2):
        _submit_signed(world, pki, lot, i, signer=_signer(world, pki, i))
    _submit_signed(world, pki, lot, 1, signer=_signer(world, pki, 1))
    # then before the opening nothing names a signer: no signature record, and no certificate in clear
    assert not Signature.objects.exists()
    for bid in Bid.objects.filter(lot=lot):
        assert b"BEGIN CERTIFICATE" not in bytes(bid.signature_sealed)
        for entity in world.bidder_entities:
            assert entity.credit_code.encode() not in bytes(bid.signature_sealed)
    assert not AuditEntry.objects.filter(action__startswith="bid.signature").exists()
    # when the bidders decrypt at the opening
    lot = _open(world, lot)
    opened = [_decrypt(world, pki, lot, i) for i in (0, 1, 2)]
    # then each signature is verified over the bid's manifest and recorded with its signer
    assert [(b.state, b.signature_state) for b in opened] == [(BidState.OPENED, "valid")] * 3
    for i, bid in zip((0, 1, 2), opened, strict=True):
        record = Signature.objects.get(object_type="tendering.bid", object_id=str(bid.pk))
        assert record.signer_credit_code == world.bidder_entities[i].credit_code
        assert record.purpose == "bid" and record.recorded_by is None
    record = opening.opening_record_publish(actor=world.staff, lot=lot)
    assert {r["signature"] for r in record.rows} == {"签名核验通过"}
    # and the client's manifest bytes are exactly the platform's document
    assert bidformat.bid_manifest_bytes(
        lot_code=lot.code, plaintext_hashes=list(opened[0].files.values_list("plaintext_sha256", flat=True)),
        price_sheet_sealed=bytes(opened[0].sealed_price_sheet)) == bid_manifest(opened[0])


def test_a_signature_by_another_bidders_certificate_opens_the_bid_but_is_not_recorded(world, pki, lot):
    # given bidder 2 signing with bidder 3's certificate
    _submit_signed(world, pki, lot, 2, signer=_signer(world, pki, 3))
    for i in (0, 1):
        _submit_signed(world, pki, lot, i, signer=_signer(world, pki, i))
    lot = _open(world, lot)
    bid = _decrypt(world, pki, lot, 2)
    # then the bid opens (the committee judges an unsigned bid), with the reason kept
    assert (bid.state, bid.signature_state) == (BidState.OPENED, "invalid")
    assert "不属于该投标人" in bid.signature_reason
    assert not Signature.objects.filter(object_id=str(bid.pk)).exists()
    assert AuditEntry.objects.filter(action="bid.signature_invalid", object_id=str(bid.pk)).exists()


def test_a_sealed_signature_changed_in_storage_is_the_platforms_fault(world, pki, lot):
    # given three signed bids, and one bid's sealed signature changed after it was stored
    for i in range(3):
        _submit_signed(world, pki, lot, i, signer=_signer(world, pki, i))
    bid = Bid.objects.filter(lot=lot).order_by("id").first()  # bidder 0 submitted first
    damaged = bytes(bid.signature_sealed)
    Bid.objects.filter(pk=bid.pk).update(signature_sealed=damaged[:-1] + bytes([damaged[-1] ^ 1]))
    lot = _open(world, lot)
    # when its bidder decrypts: the stored digest no longer matches → not the bidder's fault
    bid = _decrypt(world, pki, lot, 0)
    assert (bid.state, bid.failure_cause) == (BidState.DEEMED_WITHDRAWN, "platform")


def test_a_signature_the_bidder_sealed_badly_is_noted(world, pki, lot):
    # given a bidder whose client damaged the sealed signature before upload (it is stored as sent)
    _submit_signed(world, pki, lot, 0, signer=_signer(world, pki, 0), tamper_signature=True)
    for i in (1, 2):
        _submit_signed(world, pki, lot, i, signer=_signer(world, pki, i))
    lot = _open(world, lot)
    bid = _decrypt(world, pki, lot, 0)
    assert (bid.state, bid.signature_state) == (BidState.OPENED, "invalid")
    assert "无法用内容密钥解开" in bid.signature_reason


def test_the_sealed_signature_must_be_sealed_with_the_declared_algorithm(world, pki, lot):
    from ggzy.core.errors import DomainError

    with pytest.raises(DomainError) as caught:
        key = custody.lot_opening_key_ensure(actor=world.bidders[0], lot=lot)
        manifest, sealed = bidclient.seal_bid(
            lot_id=lot.pk, certificate=_enc(world, pki, 0).certificate, custodian_key=bytes(key.public_key),
            price_sheet={"total_price": PRICES[0]}, files=[("a.pdf", b"A")], fingerprint={"mac": "x"})
        b = base64.b64decode
        client_sealed.bid_submit_sealed(
            actor=world.bidders[0], lot=lot, files=[IncomingFile("s.bin", [s]) for s in sealed],
            price_sheet_sealed=b(manifest["price_sheet_sealed"]), fingerprint_sealed=b(manifest["fingerprint_sealed"]),
            names_sealed=[b(n) for n in manifest["names_sealed"]], plaintext_hashes=manifest["plaintext_hashes"],
            wrap_to_bidder=b(manifest["wrap_to_bidder"]), bidder_certificate_pem=manifest["bidder_certificate_pem"],
            wrap_to_custodians=b(manifest["wrap_to_custodians"]), algorithm=manifest["algorithm"],
            custodian_key_id=manifest["custodian_key_id"], signature_sealed=b"plain CMS bytes")
    assert "signature_sealed" in caught.value.errors
    assert not Bid.objects.filter(lot=lot).exists()
