"""Browser: a bidder signs in with its certificate, seals a bid in the page with its RSA encryption certificate
(AES-256-GCM, RSA-OAEP to itself, SM2 to the lot's custodians — all in the browser), and decrypts it at the
opening with its private key file. Time moves with the platform clock (shared with the live server)."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from ggzy.core import clock
from ggzy.pki import envelope, sm
from ggzy.pki.models import Algorithm
from ggzy.pki.testpki import build_test_pki, demo_pki_register
from ggzy.tendering import bidclient, bidformat
from ggzy.tendering.choices import BidState
from ggzy.tendering.models import Bid, CustodianShare, LotOpeningKey
from ggzy.tendering.services import custody
from ggzy.tendering.services.bidding import IncomingFile
from ggzy.tendering.services.client_sealed import bid_submit_sealed

from .conftest import lot_ready, sign_up
from .test_browser_tendering import Actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
ALGORITHMS = [Algorithm.ECDSA, Algorithm.SM2, Algorithm.SM2, Algorithm.SM2]  # ECDSA CA: RSA encryption certificate


def _pki(world, tmp_path):
    entities = [(e.name, e.credit_code, a) for e, a in zip(world.bidder_entities, ALGORITHMS, strict=True)]
    built = build_test_pki(tmp_path / "pki", now=clock.now(), entities=entities, persons=[])
    demo_pki_register(directory=built.directory)
    for issued in built.custodians:
        custody.custodian_register(actor=world.staff, center=world.center, name=issued.label.split("-", 1)[1],
                                   organisation="交易中心", public_key_pem=issued.pem.decode())
    return built


def _submit_with_client(world, pki, lot, i):
    """The other bidders use ggzy-bid's sealing (SM2 certificates)."""
    enc = pki.users[f"{world.bidder_entities[i].name}/encrypt"]
    key = custody.lot_opening_key_ensure(actor=world.bidders[i], lot=lot)
    manifest, sealed = bidclient.seal_bid(lot_id=lot.pk, certificate=enc.certificate,
                                          custodian_key=bytes(key.public_key),
                                          price_sheet={"total_price": f"780000{i}.00"}, files=[("技术标.pdf", b"P")],
                                          fingerprint={"mac": f"00:11:22:33:44:{i:02d}"})
    b = base64.b64decode
    bid_submit_sealed(actor=world.bidders[i], lot=lot, files=[IncomingFile("s.bin", [s]) for s in sealed],
                      price_sheet_sealed=b(manifest["price_sheet_sealed"]),
                      fingerprint_sealed=b(manifest["fingerprint_sealed"]),
                      names_sealed=[b(n) for n in manifest["names_sealed"]],
                      plaintext_hashes=manifest["plaintext_hashes"], wrap_to_bidder=b(manifest["wrap_to_bidder"]),
                      bidder_certificate_pem=manifest["bidder_certificate_pem"],
                      wrap_to_custodians=b(manifest["wrap_to_custodians"]), algorithm=manifest["algorithm"],
                      custodian_key_id=manifest["custodian_key_id"])
    return enc


def _wait_message(page, text):
    page.wait_for_function("t => { const m = document.getElementById('sealed-message');"
                           " return m && !m.hidden && m.textContent.length > 0; }", arg=text)
    message = page.inner_text("#sealed-message")
    assert text in message, message
    return message


def test_bidder_logs_in_with_certificate_seals_and_decrypts_in_the_browser(live_server, world, browser, tmp_path):
    # given an RSA-certificate bidder (ECDSA signing + RSA encryption, key files on disk), two SM2 client bidders
    pki = _pki(world, tmp_path)
    lot = lot_ready(world)
    sign_up(world, lot, range(3))
    for i in (1, 2):
        _submit_with_client(world, pki, lot, i)
    name = world.bidder_entities[0].name
    files = {}
    for label, content in [("sign.pem", pki.users[f"{name}/sign"].pem),
                           ("sign.key", pki.users[f"{name}/sign"].private_key_pem()),
                           ("enc.pem", pki.users[f"{name}/encrypt"].pem),
                           ("enc.key", pki.users[f"{name}/encrypt"].private_key_pem()),
                           ("技术标.pdf", b"%PDF-1.7 technical plan " * 1000)]:
        files[label] = tmp_path / label
        files[label].write_bytes(content)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20000)
    # when the bidder signs in with its certificate and key files
    page.goto(f"{live_server.url}/accounts/login/certificate/")
    page.evaluate("document.querySelectorAll('details.keyfile-fallback').forEach(d => d.open = true)")  # the key-file path
    page.set_input_files("#cert-file", str(files["sign.pem"]))
    page.set_input_files("#key-file", str(files["sign.key"]))
    page.click("#cert-login-submit")
    page.wait_for_url(f"{live_server.url}/")
    # and seals its bid in the page: files, price sheet and its RSA encryption certificate
    page.goto(f"{live_server.url}/tendering/lots/{lot.pk}/sealed-bid/")
    page.set_input_files("#sealed-files", str(files["技术标.pdf"]))
    page.fill("#sealed-total-price", "7650000.50")
    page.fill("#sealed-duration", "300")
    page.evaluate("document.querySelectorAll('details.keyfile-fallback').forEach(d => d.open = true)")  # the key-file path
    page.set_input_files("#sealed-cert-file", str(files["enc.pem"]))
    page.click("#sealed-submit")
    _wait_message(page, "已递交")
    # then the server holds ciphertext only, sealed by the bidder with AES-256-GCM
    bid = Bid.objects.get(lot=lot, sealed_by="bidder", content_algorithm=envelope.AES_256_GCM)
    assert b"7650000.50" not in bytes(bid.sealed_price_sheet) and bid.bidder_id is None
    # when the deadline passes and the center opens (staff in the browser)
    clock.advance(dt.timedelta(days=21, minutes=1))
    staff = Actor(browser, live_server, world.staff)
    staff.lot(lot.pk)
    staff.click("#open-button")
    # and the bidder decrypts in the page with its private key file
    page.goto(f"{live_server.url}/tendering/lots/{lot.pk}/sealed-bid/")
    page.evaluate("document.querySelectorAll('details.keyfile-fallback').forEach(d => d.open = true)")  # the key-file path
    page.set_input_files("#sealed-key-file", str(files["enc.key"]))
    page.click("#sealed-decrypt")
    _wait_message(page, "已解密")
    # then its bid is open by the bidder's own path, with the price it entered
    bid.refresh_from_db()
    assert (bid.state, bid.opened_by, str(bid.price)) == (BidState.OPENED, "bidder", "7650000.50")
    assert bid.price_sheet["duration_days"] == 300 and bid.fingerprint["file_creator_id"].startswith("ggzy-web-")
    # and the custodian wrap made by the page's SM2 code opens with the custodians' key (k of n)
    rows = {s.index: s for s in CustodianShare.objects.filter(opening_key__lot=lot)}
    shares = [sm.sm2_decrypt(pki.custodians[i - 1].private_key, bytes(rows[i].share_sealed)).decode()
              for i in (1, 2, 3)]
    lot_key = custody.opening_key_recover(LotOpeningKey.objects.get(lot=lot), shares)
    content_key = sm.sm2_decrypt(lot_key, bytes(bid.wrapped_key))
    sheet = envelope.open_bytes(content_key, bytes(bid.sealed_price_sheet), algorithm=envelope.AES_256_GCM,
                                context=bidformat.client_context(lot.pk, "price_sheet"))
    assert json.loads(sheet)["total_price"] == "7650000.50"
    context.close()
    staff.context.close()


@pytest.mark.parametrize("price", ["1e20", "NaN", "1234.567"])
def test_the_page_refuses_an_unreadable_price_before_sealing(live_server, world, browser, tmp_path, price):
    # given a bidder with an RSA encryption certificate on a lot open for bids
    pki = _pki(world, tmp_path)
    lot = lot_ready(world)
    sign_up(world, lot, [0])
    enc = tmp_path / "enc.pem"
    enc.write_bytes(pki.users[f"{world.bidder_entities[0].name}/encrypt"].pem)
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.7")
    bidder = Actor(browser, live_server, world.bidders[0])
    page = bidder.page
    # when it types a price the opening could not read
    page.goto(f"{live_server.url}/tendering/lots/{lot.pk}/sealed-bid/")
    page.set_input_files("#sealed-files", str(tmp_path / "a.pdf"))
    page.fill("#sealed-total-price", price)
    page.evaluate("document.querySelectorAll('details.keyfile-fallback').forEach(d => d.open = true)")  # the key-file path
    page.set_input_files("#sealed-cert-file", str(enc))
    page.click("#sealed-submit")
    # then the page says so in Chinese and nothing is sealed or sent
    _wait_message(page, "投标总价须填写普通数字")
    assert not Bid.objects.filter(lot=lot).exists()
    bidder.context.close()
