"""The bidder holds the key: client-sealed bids, opening with the bidder's key, custodians as the fallback."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from ggzy.core import clock
from ggzy.core import files as file_store
from ggzy.core.errors import Conflict, DomainError
from ggzy.core.models import AuditEntry
from ggzy.pki import sm
from ggzy.pki.models import Algorithm
from ggzy.pki.testpki import build_test_pki, demo_pki_register
from ggzy.tendering import bidclient
from ggzy.tendering.choices import BidState
from ggzy.tendering.models import Bid, CustodianShare, LotOpeningKey
from ggzy.tendering.services import client_sealed, custody, opening
from ggzy.tendering.services.bidding import IncomingFile

from .conftest import lot_ready, sign_up

ALGORITHMS = [Algorithm.SM2, Algorithm.SM2, Algorithm.ECDSA, Algorithm.ECDSA]  # ECDSA CA: RSA encryption certs
PRICES = ["7800000.00", "7650000.50", "7990000.00", "7700000.00"]


@pytest.fixture
def pki(world, tmp_path):
    entities = [(e.name, e.credit_code, a) for e, a in zip(world.bidder_entities, ALGORITHMS, strict=True)]
    built = build_test_pki(tmp_path / "pki", now=clock.now(), entities=entities, persons=[])
    demo_pki_register(directory=built.directory)
    for issued in built.custodians:
        custody.custodian_register(actor=world.staff, center=world.center, name=issued.label.split("-", 1)[1],
                                   organisation="监管部门" if "委" in issued.label else "交易中心",
                                   public_key_pem=issued.pem.decode())
    return built


@pytest.fixture
def lot(world, pki):
    lot = lot_ready(world)
    sign_up(world, lot, range(len(world.bidders)))
    return lot


def _enc(world, pki, i):
    return pki.users[f"{world.bidder_entities[i].name}/encrypt"]


def _submit(world, pki, lot, i, *, content=b"TECHNICAL-PLAN", tamper_hash=False, certificate=None):
    manifest, sealed = _seal(world, pki, lot, i, content=content, certificate=certificate)
    if tamper_hash:
        manifest["plaintext_hashes"][0] = "0" * 64
    return _send(world, lot, i, manifest, [IncomingFile("sealed-0.bin", [s]) for s in sealed])


def _seal(world, pki, lot, i, *, content=b"TECHNICAL-PLAN", certificate=None):
    """Bidder ``i`` seals one file with ggzy-bid's sealing: (manifest, sealed file contents)."""
    key = custody.lot_opening_key_ensure(actor=world.bidders[i], lot=lot)
    return bidclient.seal_bid(
        lot_id=lot.pk, certificate=certificate or _enc(world, pki, i).certificate, custodian_key=bytes(key.public_key),
        price_sheet={"total_price": PRICES[i], "duration_days": 300}, files=[("技术标.pdf", content)],
        fingerprint={"mac": f"00:11:22:33:44:{i:02d}"})


def _send(world, lot, i, manifest, files):
    """Submit a sealed manifest with ``files`` (IncomingFile) as bidder ``i``, as the sealed-bid API does."""
    b = base64.b64decode
    return client_sealed.bid_submit_sealed(
        actor=world.bidders[i], lot=lot, files=files,
        price_sheet_sealed=b(manifest["price_sheet_sealed"]), fingerprint_sealed=b(manifest["fingerprint_sealed"]),
        names_sealed=[b(n) for n in manifest["names_sealed"]], plaintext_hashes=manifest["plaintext_hashes"],
        wrap_to_bidder=b(manifest["wrap_to_bidder"]), bidder_certificate_pem=manifest["bidder_certificate_pem"],
        wrap_to_custodians=b(manifest["wrap_to_custodians"]), algorithm=manifest["algorithm"],
        custodian_key_id=manifest["custodian_key_id"])


def _content_key(world, pki, lot, i):
    bid = Bid.objects.get(lot=lot, bidder=world.bidder_entities[i])
    return bidclient.unwrap(_enc(world, pki, i).private_key, bytes(bid.bidder_wrapped_key))


def _open(world, lot):
    clock.advance(dt.timedelta(days=21, minutes=1))
    return opening.lot_open(actor=world.staff, lot=lot)


def _shares(pki, lot, indices):
    rows = {s.index: s for s in CustodianShare.objects.filter(opening_key__lot=lot)}
    return [sm.sm2_decrypt(pki.custodians[i - 1].private_key, bytes(rows[i].share_sealed)).decode() for i in indices]


def test_sm2_and_rsa_bidders_seal_and_decrypt_their_own_bids(world, pki, lot):
    # given two SM2 bidders and one RSA bidder who sealed on their side
    bids = [_submit(world, pki, lot, i, content=f"PLAN-{i}".encode()) for i in range(3)]
    # then the server stored ciphertext only, with the algorithm each certificate calls for
    assert [b.content_algorithm for b in bids] == ["sm4-gcm", "sm4-gcm", "aes-256-gcm"]
    for b in bids:
        stored = file_store.read(b.files.get().ciphertext_sha256)
        assert b"PLAN-" not in stored and PRICES[0].encode() not in bytes(b.sealed_price_sheet)
        assert b.bidder_id is None and b"BEGIN CERTIFICATE" not in bytes(b.certificate_sealed)
    # when the lot opens (the platform key cannot open these) and each bidder submits its key in the window
    lot = _open(world, lot)
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    assert set(lot.bids.values_list("state", flat=True)) == {BidState.SUBMITTED}
    for i in range(3):
        client_sealed.bid_decrypt_by_bidder(actor=world.bidders[i], lot=lot, content_key=_content_key(world, pki, lot, i))
    # then every bid is open, by the bidder's path, with its price
    for i in range(3):
        bid = Bid.objects.get(lot=lot, bidder=world.bidder_entities[i])
        assert (bid.state, bid.opened_by, str(bid.price)) == (BidState.OPENED, "bidder", PRICES[i])
        assert bid.fingerprint == {"mac": f"00:11:22:33:44:{i:02d}"}
    record = opening.opening_record_publish(actor=world.staff, lot=lot)
    assert sorted(r["price"] for r in record.rows) == sorted(PRICES[:3])
    assert {r["opened_by"] for r in record.rows} == {"bidder"}


def test_tampered_bid_is_detected_at_the_opening_and_deemed_revoked(world, pki, lot):
    # given a bidder whose declared file hash does not match what it encrypted, and two honest bidders
    _submit(world, pki, lot, 0, tamper_hash=True)
    _submit(world, pki, lot, 1)
    _submit(world, pki, lot, 2)
    lot = _open(world, lot)
    # when it decrypts
    bid = client_sealed.bid_decrypt_by_bidder(actor=world.bidders[0], lot=lot,
                                              content_key=_content_key(world, pki, lot, 0))
    # then it is the bidder's fault (视为撤销), and the others' opening continues
    assert (bid.state, bid.failure_cause) == (BidState.DEEMED_REVOKED, "bidder")
    assert "摘要" in bid.failure_reason
    other = client_sealed.bid_decrypt_by_bidder(actor=world.bidders[1], lot=lot,
                                                content_key=_content_key(world, pki, lot, 1))
    assert other.state == BidState.OPENED


def test_wrong_key_from_the_bidder_is_deemed_revoked(world, pki, lot):
    # given three bids and an open lot
    for i in range(3):
        _submit(world, pki, lot, i)
    lot = _open(world, lot)
    # when a bidder submits a key that is not its content key
    bid = client_sealed.bid_decrypt_by_bidder(actor=world.bidders[0], lot=lot, content_key=b"\x01" * 16)
    # then 视为撤销, recorded as the bidder's fault
    assert (bid.state, bid.failure_cause, bid.opened_by) == (BidState.DEEMED_REVOKED, "bidder", "bidder")
    assert AuditEntry.objects.filter(action="bid.decrypt_failed", object_id=str(bid.pk)).exists()


def test_damaged_storage_is_deemed_withdrawn_not_the_bidders_fault(world, pki, lot, settings):
    # given three bids, one of whose stored ciphertext is later damaged on the platform
    bids = [_submit(world, pki, lot, i) for i in range(3)]
    path = file_store._path(bids[0].files.get().ciphertext_sha256)
    path.write_bytes(path.read_bytes()[:-5] + b"XXXXX")
    lot = _open(world, lot)
    # when its bidder decrypts with the right key
    bid = client_sealed.bid_decrypt_by_bidder(actor=world.bidders[0], lot=lot,
                                              content_key=_content_key(world, pki, lot, 0))
    # then 视为撤回, the platform's cause
    assert (bid.state, bid.failure_cause) == (BidState.DEEMED_WITHDRAWN, "platform")
    assert "存储" in bid.failure_reason


def test_window_passing_without_decryption_is_deemed_revoked(world, pki, lot):
    # given three bids of which only one is decrypted in the window
    for i in range(3):
        _submit(world, pki, lot, i)
    lot = _open(world, lot)
    client_sealed.bid_decrypt_by_bidder(actor=world.bidders[0], lot=lot, content_key=_content_key(world, pki, lot, 0))
    with pytest.raises(Conflict):
        client_sealed.opening_window_close(actor=world.staff, lot=lot)
    # when the window passes
    clock.advance(dt.timedelta(minutes=lot.decryption_window_minutes + 1))
    with pytest.raises(Conflict):
        client_sealed.bid_decrypt_by_bidder(actor=world.bidders[1], lot=lot,
                                            content_key=_content_key(world, pki, lot, 1))
    closed = client_sealed.opening_window_close(actor=world.staff, lot=lot)
    # then the other two are 视为撤销
    assert [(b.state, b.failure_cause) for b in closed] == [(BidState.DEEMED_REVOKED, "bidder")] * 2


def test_custodians_open_only_a_bid_that_failed_for_a_cause_not_the_bidders(world, pki, lot):
    # given three bids; the bidder 0 could not decrypt because the platform was down
    for i in range(3):
        _submit(world, pki, lot, i)
    lot = _open(world, lot)
    key = LotOpeningKey.objects.get(lot=lot)
    assert (key.threshold, key.shares.count()) == (3, 5)
    with pytest.raises(Conflict):  # no recorded platform failure: custodians may not be used
        client_sealed.opening_custodian_unlock(actor=world.staff, lot=lot, shares=_shares(pki, lot, [1, 2, 3]))
    bid = Bid.objects.get(lot=lot, bidder=world.bidder_entities[0])
    client_sealed.bid_decryption_failure_record(actor=world.staff, bid=bid, reason="解密时段平台服务中断")
    clock.advance(dt.timedelta(minutes=lot.decryption_window_minutes + 1))
    client_sealed.opening_window_close(actor=world.staff, lot=lot)
    # when only k-1 custodians come
    with pytest.raises(DomainError, match="不足"):
        client_sealed.opening_custodian_unlock(actor=world.staff, lot=lot, shares=_shares(pki, lot, [1, 2]))
    bid.refresh_from_db()
    assert bid.state == BidState.SUBMITTED
    # when one share is tampered
    bad = _shares(pki, lot, [1, 2, 4])
    bad[2] = bad[2][:-2] + ("00" if not bad[2].endswith("00") else "11")
    with pytest.raises(DomainError, match="第4号") as caught:
        client_sealed.opening_custodian_unlock(actor=world.staff, lot=lot, shares=bad)
    assert pki.custodians[3].label.split("-", 1)[1] in str(caught.value)
    bid.refresh_from_db()
    assert bid.state == BidState.SUBMITTED
    # when k good shares are presented
    opened = client_sealed.opening_custodian_unlock(actor=world.staff, lot=lot, shares=_shares(pki, lot, [2, 3, 5]))
    # then exactly that bid opens, by the custodians' path, recorded as such
    assert [(b.pk, b.state, b.opened_by, str(b.price)) for b in opened] == [
        (bid.pk, BidState.OPENED, "custodians", PRICES[0])]
    assert AuditEntry.objects.filter(action="bid.decrypt_failure_not_bidder", object_id=str(bid.pk)).exists()


def test_certificate_must_be_the_bidders_and_for_encryption(world, pki, lot):
    # given bidder 0 presenting bidder 1's encryption certificate, then its own signing certificate
    with pytest.raises(DomainError, match="统一社会信用代码"):
        _submit(world, pki, lot, 0, certificate=_enc(world, pki, 1).certificate)
    signing = pki.users[f"{world.bidder_entities[0].name}/sign"].certificate
    with pytest.raises(DomainError, match="密钥用途"):
        _submit(world, pki, lot, 0, certificate=signing)
    # then nothing was stored
    assert not Bid.objects.filter(lot=lot).exists()


def test_late_client_sealed_bid_is_refused(world, pki, lot):
    # given the deadline has passed
    clock.advance(dt.timedelta(days=21, minutes=1))
    # when a bidder submits
    with pytest.raises(Conflict):
        _submit(world, pki, lot, 0)
    # then it is refused and recorded
    assert not Bid.objects.filter(lot=lot).exists()
    assert lot.bid_events.filter(kind="refused_late").exists()


class _DjangoTransport:
    """ggzy-bid's transport over the Django test client, with CSRF enforced."""

    def __init__(self):
        self.client = Client(enforce_csrf_checks=True)

    def send(self, method, path, data, headers):
        extra = {k: v for k, v in headers.items() if k != "Content-Type"}
        if method == "GET":
            response = self.client.get(path, headers=extra)
        else:
            response = self.client.generic(method, path, data or b"",
                                           content_type=headers.get("Content-Type", "application/octet-stream"),
                                           headers=extra)
        return response.status_code, response.content

    def cookie(self, name):
        morsel = self.client.cookies.get(name)
        return morsel.value if morsel else None


@pytest.mark.parametrize("index", [0, 2], ids=["sm2", "rsa"])
def test_ggzy_bid_cli_submits_and_decrypts(world, pki, lot, tmp_path, index, capsys):
    # given the bidder's certificate and key files, a price sheet and a file
    enc = _enc(world, pki, index)
    (tmp_path / "enc.pem").write_bytes(enc.pem)
    (tmp_path / "enc.key").write_bytes(enc.private_key_pem())
    (tmp_path / "sheet.json").write_text('{"total_price": "7777777.77", "duration_days": 200}', encoding="utf-8")
    (tmp_path / "商务标.pdf").write_bytes(b"%PDF business part")
    user = world.bidders[index]
    common = ["--server", "http://testserver", "--username", user.username, "--password", "pass-1234-ok",
              "--lot", str(lot.pk), "--cert", str(tmp_path / "enc.pem"), "--key", str(tmp_path / "enc.key")]
    # when it submits with ggzy-bid
    assert bidclient.main(["submit", *common, "--price-sheet", str(tmp_path / "sheet.json"),
                           str(tmp_path / "商务标.pdf")], transport=_DjangoTransport()) == 0, capsys.readouterr().err
    for i in (1, 3) if index == 0 else (0, 1):
        _submit(world, pki, lot, i)
    _open(world, lot)
    # and decrypts with ggzy-bid in the window
    assert bidclient.main(["decrypt", *common], transport=_DjangoTransport()) == 0, capsys.readouterr().err
    # then its bid is open by its own key
    bid = Bid.objects.get(lot=lot, bidder=world.bidder_entities[index])
    assert (bid.state, bid.opened_by, str(bid.price)) == (BidState.OPENED, "bidder", "7777777.77")
    assert bid.fingerprint.get("mac") and bid.fingerprint.get("file_creator_id")


def test_ggzy_bid_reports_a_refusal(world, pki, lot, tmp_path, capsys):
    # given a wrong password
    enc = _enc(world, pki, 0)
    (tmp_path / "enc.pem").write_bytes(enc.pem)
    (tmp_path / "enc.key").write_bytes(enc.private_key_pem())
    # when the client runs, then it fails with a message and nothing is stored
    code = bidclient.main(["decrypt", "--server", "http://testserver", "--username", world.bidders[0].username,
                           "--password", "wrong", "--lot", str(lot.pk), "--cert", str(tmp_path / "enc.pem"),
                           "--key", str(tmp_path / "enc.key")], transport=_DjangoTransport())
    assert code == 1 and "ggzy-bid" in capsys.readouterr().err


@pytest.mark.parametrize("sheet", ['{"total_price": 1e20}', '{"total_price": "NaN"}', '{"total_price": NaN}',
                                   '{"total_price": "100", "items": [{"name": "土方", "amount": "1.234"}]}'])
def test_ggzy_bid_checks_the_price_sheet_before_sealing(world, pki, lot, tmp_path, capsys, sheet):
    # given a price sheet the opening could not read
    enc = _enc(world, pki, 0)
    (tmp_path / "enc.pem").write_bytes(enc.pem)
    (tmp_path / "enc.key").write_bytes(enc.private_key_pem())
    (tmp_path / "sheet.json").write_text(sheet, encoding="utf-8")
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    # when ggzy-bid is asked to submit it
    code = bidclient.main(["submit", "--server", "http://testserver", "--username", world.bidders[0].username,
                           "--password", "pass-1234-ok", "--lot", str(lot.pk), "--cert", str(tmp_path / "enc.pem"),
                           "--key", str(tmp_path / "enc.key"), "--price-sheet", str(tmp_path / "sheet.json"),
                           str(tmp_path / "a.pdf")], transport=_DjangoTransport())
    # then it refuses in Chinese before sealing anything, and nothing reaches the platform
    assert code in (1, 2) and "ggzy-bid" in capsys.readouterr().err
    assert not Bid.objects.filter(lot=lot).exists()


@pytest.mark.parametrize("who", ["anonymous", "bidder", "other_center_staff"])
def test_custodian_unlock_endpoint_is_refused_to_others(world, pki, lot, who):
    # given someone who is not this center's staff
    client = Client()
    viewer = {"anonymous": None, "bidder": world.bidders[0], "other_center_staff": world.other_staff}[who]
    if viewer is not None:
        client.force_login(viewer)
    before = AuditEntry.objects.count()
    # when they try the custodian unlock
    response = client.post(f"/api/v1/tendering/lots/{lot.pk}/custodian-unlock", {"shares": []},
                           content_type="application/json")
    # then refused, nothing written
    assert response.status_code in (401, 403)
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ggzy_bid_over_http_against_a_live_server(live_server, world, pki, lot, tmp_path, capsys):
    # given a running server, the bidder's key files and a file (urllib, real cookies and CSRF)
    enc = _enc(world, pki, 1)
    (tmp_path / "enc.pem").write_bytes(enc.pem)
    (tmp_path / "enc.key").write_bytes(enc.private_key_pem())
    (tmp_path / "sheet.json").write_text('{"total_price": "6666666.66"}', encoding="utf-8")
    (tmp_path / "a.pdf").write_bytes(b"%PDF over http")
    # when ggzy-bid submits over HTTP
    code = bidclient.main(["submit", "--server", live_server.url, "--username", world.bidders[1].username,
                           "--password", "pass-1234-ok", "--lot", str(lot.pk), "--cert", str(tmp_path / "enc.pem"),
                           "--key", str(tmp_path / "enc.key"), "--price-sheet", str(tmp_path / "sheet.json"),
                           str(tmp_path / "a.pdf")])
    # then the sealed bid is stored
    assert code == 0, capsys.readouterr().err
    bid = Bid.objects.get(lot=lot)
    assert (bid.sealed_by, bid.content_algorithm, bid.state) == ("bidder", "sm4-gcm", BidState.SUBMITTED)


def test_demo_custodians_are_registered_once(world, pki, centers):
    # given the test PKI written to disk
    # when the demo registers its custodians for Qingdao twice
    first = custody.custodians_demo_register(actor=world.other_staff, center=centers["qingdao"],
                                             directory=pki.directory)
    second = custody.custodians_demo_register(actor=world.other_staff, center=centers["qingdao"],
                                              directory=pki.directory)
    # then five are added once
    assert (first, second) == (5, 0)


def _stored_objects():
    return sorted(p.name for p in settings.GGZY_FILE_ROOT.rglob("*") if p.is_file())


def test_a_bid_arriving_late_leaves_no_file_and_keeps_the_earlier_bids_file(world, pki, lot):
    # given a bidder's sealed bid on file
    manifest, sealed = _seal(world, pki, lot, 0, content=b"PLAN" * 1000)
    bid = _send(world, lot, 0, manifest, [IncomingFile("sealed-0.bin", [sealed[0]])])
    kept = bid.files.get().ciphertext_sha256
    before = _stored_objects()

    def arriving_late(data):
        yield data[:100]
        clock.advance(dt.timedelta(days=21, minutes=1))  # the deadline passes while the upload is under way
        yield data[100:]

    # when the same bytes are uploaded again and finish after the deadline
    with pytest.raises(Conflict):
        _send(world, lot, 0, manifest, [IncomingFile("sealed-0.bin", arriving_late(sealed[0]))])
    # then the earlier bid's file (same hash) is still there
    assert kept in _stored_objects() and _stored_objects() == before
    # and a different upload that finishes late leaves nothing behind
    clock.advance(dt.timedelta(days=-21, minutes=-1))
    other, other_sealed = _seal(world, pki, lot, 0, content=b"OTHER" * 1000)
    with pytest.raises(Conflict):
        _send(world, lot, 0, other, [IncomingFile("sealed-0.bin", arriving_late(other_sealed[0]))])
    assert _stored_objects() == before
    assert Bid.objects.get(lot=lot).files.get().ciphertext_sha256 == kept


def test_a_file_not_sealed_with_the_declared_algorithm_is_not_kept(world, pki, lot):
    manifest, _sealed = _seal(world, pki, lot, 0)
    before = _stored_objects()
    with pytest.raises(DomainError) as refused:
        _send(world, lot, 0, manifest, [IncomingFile("sealed-0.bin", [b"NOT-A-SEALED-FILE" * 10])])
    assert "files.0" in refused.value.errors
    assert _stored_objects() == before


def test_a_client_sealed_bid_gets_its_document_profile_only_when_its_bidder_decrypts(world, pki, lot):
    # given three client-sealed bids with text plans
    from ggzy.tendering import selectors_bid_texts
    plan = "本公司拟投入项目经理一名、技术负责人一名，现场设安全员两名，基础施工采用旋挖钻孔灌注桩。" * 3
    for i in range(3):
        _submit(world, pki, lot, i, content=plan.encode())
    lot = _open(world, lot)
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    # then before the bidders decrypt there is no profile
    assert selectors_bid_texts.lot_document_profiles(lot_id=lot.pk) == []
    # when the first bidder decrypts
    client_sealed.bid_decrypt_by_bidder(actor=world.bidders[0], lot=lot, content_key=_content_key(world, pki, lot, 0))
    # then its bid alone has a profile, read as text
    profiles = selectors_bid_texts.lot_document_profiles(lot_id=lot.pk)
    assert len(profiles) == 1 and profiles[0]["files"] == [{"index": 0, "kind": "text", "status": "ok"}]
    assert profiles[0]["own_shingles"] > 0
