"""Browser: SM2 encryption certificates in the sealed-bid page. The page's own SM4, SM4-GCM, sealed envelope and
SM2 decryption are checked against the standard's known answers and against the Python side (``ggzy.pki``), and a
bidder holding an SM2 certificate seals in the page (SM4-GCM, SM2 wrap) and decrypts at the opening with its SM2
key file — the same bytes ``ggzy-bid`` would have produced, accepted by the same server code."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ggzy.core import clock
from ggzy.core.testing import shared_data_path
from ggzy.pki import der, envelope, sm, sm2x509
from ggzy.tendering import bidformat
from ggzy.tendering.choices import BidState
from ggzy.tendering.models import CustodianShare, LotOpeningKey
from ggzy.tendering.services import custody
from ggzy.tendering.services.bidding import bid_of

from .conftest import lot_ready, sign_up
from .test_browser_sealed_bid import _pki, _submit_with_client
from .test_browser_tendering import Actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCRIPT = Path(__file__).resolve().parents[1] / "static" / "tendering" / "sealed_bid.js"
SM2_SCRIPT = Path(__file__).resolve().parents[2] / "pki" / "static" / "pki" / "sm2.js"  # loaded first, as the page does
MISMATCH = "私钥与递交投标时使用的加密证书不匹配"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _known_answers() -> dict:
    return json.loads(shared_data_path("sm", "gmt-known-answers.json").read_text())


@pytest.fixture
def crypto_page(page):
    """A blank page with only sm2.js and sealed_bid.js loaded (no server needed for the primitives)."""
    page.set_content("<!doctype html><html><head><meta charset='utf-8'></head><body></body></html>")
    page.add_script_tag(path=str(SM2_SCRIPT))
    page.add_script_tag(path=str(SCRIPT))
    assert page.evaluate("typeof window.ggzySealedBid.sm4GcmEncrypt") == "function"
    return page


def _js_error(page, script: str, arg) -> str:
    """Run ``script`` (an async function of one argument) and return the message it throws."""
    return page.evaluate(f"async (arg) => {{ try {{ await ({script})(arg); return 'NO ERROR'; }}"
                         " catch (e) { return e.message; } }", arg)


# --- SM4 and SM4-GCM --------------------------------------------------------------------------------------------


def test_sm4_block_matches_the_standards_example_in_the_browser(crypto_page):
    # given GB/T 32907 example 1 (key = plaintext = 0123…3210)
    case = _known_answers()["sm4_ecb"]
    # when the page encrypts one block, and the block a million times over (example 2)
    single = crypto_page.evaluate("([k, p]) => { const g = window.ggzySealedBid;"
                                  " return g.hex(g.sm4EncryptBlock(g.unhex(k), g.unhex(p))); }",
                                  [case["key"], case["plaintext"]])
    iterated = crypto_page.evaluate("(k) => { const g = window.ggzySealedBid; const key = g.unhex(k); let x = key;"
                                    " for (let i = 0; i < 1000000; i++) x = g.sm4EncryptBlock(key, x);"
                                    " return g.hex(x); }", case["key"])
    # then both are the standard's values
    assert single == case["ciphertext"].lower()
    assert iterated == "595298c7c6fd271f0402f804c33d3f66"


def test_sm4_block_matches_openssl_for_random_keys(crypto_page):
    # given random keys and blocks, encrypted by OpenSSL through ggzy.pki.sm
    cases = [(os.urandom(16), os.urandom(16)) for _ in range(64)]
    # when the page encrypts the same blocks
    got = crypto_page.evaluate("(cases) => { const g = window.ggzySealedBid;"
                               " return cases.map(([k, b]) => g.hex(g.sm4EncryptBlock(g.unhex(k), g.unhex(b)))); }",
                               [[k.hex(), b.hex()] for k, b in cases])
    # then every block agrees
    assert got == [sm.sm4_encrypt_block(k, b).hex() for k, b in cases]


@pytest.mark.parametrize(("size", "aad_size"), [(0, 0), (0, 20), (1, 0), (15, 3), (16, 16), (17, 17), (1000, 33),
                                                 (65537, 1)], ids=lambda v: str(v))
def test_sm4_gcm_matches_openssl_both_ways(crypto_page, size, aad_size):
    # given a key, a 96-bit nonce, data and associated data of awkward lengths
    key, nonce, data, aad = os.urandom(16), os.urandom(12), os.urandom(size), os.urandom(aad_size)
    expected = sm.sm4_gcm_encrypt(key, nonce, data, aad)
    # when the page encrypts the same input, and decrypts OpenSSL's output
    sealed, opened = crypto_page.evaluate(
        "([k, n, d, a, s]) => { const g = window.ggzySealedBid;"
        " return [g.hex(g.sm4GcmEncrypt(g.unhex(k), g.unhex(n), g.unhex(d), g.unhex(a))),"
        "         g.hex(g.sm4GcmDecrypt(g.unhex(k), g.unhex(n), g.unhex(s), g.unhex(a)))]; }",
        [key.hex(), nonce.hex(), data.hex(), aad.hex(), expected.hex()])
    # then ciphertext and tag are OpenSSL's, and OpenSSL's ciphertext opens
    assert sealed == expected.hex()
    assert opened == data.hex()


@pytest.mark.parametrize("flip", ["ciphertext", "tag", "aad"])
def test_sm4_gcm_rejects_tampering_in_the_browser(crypto_page, flip):
    # given an OpenSSL-sealed message with one bit changed in the ciphertext, the tag or the associated data
    key, nonce, aad = os.urandom(16), os.urandom(12), b"lot:7|price_sheet"
    sealed = bytearray(sm.sm4_gcm_encrypt(key, nonce, b"total_price=7650000.50", aad))
    if flip == "ciphertext":
        sealed[3] ^= 1
    elif flip == "tag":
        sealed[-1] ^= 0x80
    else:
        aad = b"lot:8|price_sheet"
    # when the page decrypts it
    message = _js_error(crypto_page, "([k, n, s, a]) => { const g = window.ggzySealedBid;"
                        " return g.sm4GcmDecrypt(g.unhex(k), g.unhex(n), g.unhex(s), g.unhex(a)); }",
                        [key.hex(), nonce.hex(), bytes(sealed).hex(), aad.hex()])
    # then it refuses
    assert "SM4-GCM认证失败" in message


# --- the segmented envelope ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 5, envelope.SEGMENT, 2 * envelope.SEGMENT + 7], ids=lambda v: f"{v}B")
def test_page_sealed_sm4_envelope_opens_in_python(crypto_page, size):
    # given a content key and data across segment boundaries
    key = envelope.content_key_new(envelope.SM4_GCM)
    context = bidformat.client_context(41, "file:0")
    data = os.urandom(size)
    # when the page seals it with the SM4-GCM content key
    sealed = crypto_page.evaluate(
        "async ([k, d]) => { const g = window.ggzySealedBid; const key = await g.contentKey('sm4-gcm', g.unb64(k));"
        " return g.b64(await g.sealBytes(key, g.unb64(d), g.context(41, 'file:0'))); }", [_b64(key), _b64(data)])
    sealed = base64.b64decode(sealed)
    # then Python's envelope (what the server runs at the opening) opens it, header and sizes as the client makes
    assert sealed.startswith(b"GGZY-SEAL-S")
    assert envelope.sealed_plaintext_size(len(sealed)) == size
    assert envelope.open_bytes(key, sealed, context=context, algorithm=envelope.SM4_GCM) == data
    with pytest.raises(envelope.SealError):
        envelope.open_bytes(key, sealed, context=bidformat.client_context(41, "file:1"), algorithm=envelope.SM4_GCM)


def test_python_sealed_sm4_envelope_opens_in_the_page_and_tampering_is_refused(crypto_page):
    # given ggzy-bid's sealing of 2 MiB + 7 bytes
    key = envelope.content_key_new(envelope.SM4_GCM)
    data = os.urandom(2 * envelope.SEGMENT + 7)
    sealed = envelope.seal_bytes(key, data, context=bidformat.client_context(41, "file:0"),
                                 algorithm=envelope.SM4_GCM)
    open_js = ("async ([k, s, purpose]) => { const g = window.ggzySealedBid;"
               " const key = await g.contentKey('sm4-gcm', g.unb64(k));"
               " return g.b64(await g.openBytes(key, g.unb64(s), g.context(41, purpose))); }")
    # when the page opens it
    opened = base64.b64decode(crypto_page.evaluate(open_js, [_b64(key), _b64(sealed), "file:0"]))
    # then it is the data; and a flipped bit, a dropped last segment or another purpose are all refused
    assert opened == data
    flipped = bytearray(sealed)
    flipped[envelope.SEGMENT + 100] ^= 1
    truncated = sealed[: len(b"GGZY-SEAL-S") + 8 + 2 * (envelope.SEGMENT + envelope.TAG)]
    for bad, purpose in [(bytes(flipped), "file:0"), (truncated, "file:0"), (sealed, "file:1")]:
        assert "密文校验失败" in _js_error(crypto_page, open_js, [_b64(key), _b64(bad), purpose])
    aes = envelope.seal_bytes(os.urandom(32), data[:10], context=b"x")
    assert _js_error(crypto_page, open_js, [_b64(key), _b64(aes), "file:0"]) == "不是有效的密封文件"


# --- SM2 decryption and key files --------------------------------------------------------------------------------


def test_sm2_decrypt_in_the_page_opens_python_ciphertext_and_refuses_tampering(crypto_page):
    # given an SM2 key pair and a content key wrapped by ggzy.pki.sm (what ggzy-bid and the page produce)
    private_key, public_key = sm.sm2_keypair_new()
    other_private, _ = sm.sm2_keypair_new()
    content_key = os.urandom(16)
    wrapped = sm.sm2_encrypt(public_key, content_key)
    decrypt_js = ("([d, c]) => { const g = window.ggzySealedBid;"
                  " return g.hex(g.sm2Decrypt(g.unhex(d), g.unhex(c))); }")
    # when the page decrypts it
    opened = crypto_page.evaluate(decrypt_js, [private_key.hex(), wrapped.hex()])
    # then it is the content key
    assert opened == content_key.hex()
    # and a changed C2 or C3, a C1 off the curve, a short ciphertext and another key are refused
    c2_flipped = wrapped[:-1] + bytes([wrapped[-1] ^ 1])
    c3_flipped = wrapped[:70] + bytes([wrapped[70] ^ 1]) + wrapped[71:]
    off_curve = wrapped[:40] + bytes([wrapped[40] ^ 1]) + wrapped[41:]
    for key, bad, expected in [(private_key, c2_flipped, "C3校验不符"), (private_key, c3_flipped, "C3校验不符"),
                               (private_key, off_curve, "不在曲线上"), (private_key, wrapped[:97], "密文格式错误"),
                               (other_private, wrapped, "C3校验不符")]:
        assert expected in _js_error(crypto_page, decrypt_js, [key.hex(), bad.hex()])
    # and the page's own SM2 encryption opens in Python
    page_wrapped = crypto_page.evaluate("([p, m]) => { const g = window.ggzySealedBid;"
                                        " return g.hex(g.sm2Encrypt(g.unhex(p), g.unhex(m))); }",
                                        [public_key.hex(), content_key.hex()])
    assert sm.sm2_decrypt(private_key, bytes.fromhex(page_wrapped)) == content_key


def test_sm2_decrypt_in_the_page_reproduces_the_standards_example(crypto_page):
    # given GM/T 0003.5 Annex C's ciphertext (the file's C1 is x ‖ y, as in ggzy/pki/tests/test_sm.py)
    case = _known_answers()["sm2_encryption"]
    c1 = case["c1_uncompressed_point"] if len(case["c1_uncompressed_point"]) == 130 else "04" + case["c1_uncompressed_point"]
    # when the page decrypts it with the example's private key
    plain = crypto_page.evaluate("([d, c]) => { const g = window.ggzySealedBid;"
                                 " return new TextDecoder().decode(g.sm2Decrypt(g.unhex(d), g.unhex(c))); }",
                                 [case["private_key_d"], c1 + case["c3"] + case["c2"]])
    # then it is the example's plaintext
    assert plain == case["plaintext_ascii"]


def _pkcs8_sm2(private_key: bytes) -> bytes:
    inner = der.sequence(der.integer(1), der.octet_string(private_key))
    body = der.sequence(der.integer(0), der.sequence(der.oid(sm.EC_PUBLIC_KEY_OID), der.oid(sm.SM2_CURVE_OID)),
                        der.octet_string(inner))
    return b"-----BEGIN PRIVATE KEY-----\n" + base64.encodebytes(body) + b"-----END PRIVATE KEY-----\n"


def test_private_key_files_the_page_reads_and_refuses(crypto_page):
    # given the SM2 key file `ggzy pki demo` writes (EC PRIVATE KEY), the same key as PKCS#8, and other files
    private_key, _ = sm.sm2_keypair_new()
    no_encryption = serialization.NoEncryption()
    rsa_pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, no_encryption)
    p256 = ec.generate_private_key(ec.SECP256R1())
    p256_sec1 = p256.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                   no_encryption)
    p256_pkcs8 = p256.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, no_encryption)
    encrypted = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"))
    read_js = ("(text) => { const k = window.ggzySealedBid.privateKeyRead(text);"
               " return [k.kind, k.scalar ? window.ggzySealedBid.hex(k.scalar) : null]; }")
    # when the page reads them
    # then the SM2 scalar comes out of both SM2 forms, RSA stays for WebCrypto, and the rest is named and refused
    assert crypto_page.evaluate(read_js, sm2x509.private_key_pem(private_key).decode()) == ["sm2", private_key.hex()]
    assert crypto_page.evaluate(read_js, _pkcs8_sm2(private_key).decode()) == ["sm2", private_key.hex()]
    assert crypto_page.evaluate(read_js, rsa_pem.decode()) == ["rsa", None]
    assert "不在SM2曲线上" in _js_error(crypto_page, read_js, p256_sec1.decode())
    assert "既不是SM2也不是RSA私钥" in _js_error(crypto_page, read_js, p256_pkcs8.decode())
    assert "私钥文件已加密" in _js_error(crypto_page, read_js, encrypted.decode())
    assert "应为PEM格式" in _js_error(crypto_page, read_js, "not a key")
    broken = sm2x509.private_key_pem(private_key).decode().replace("MHcCAQEE", "MHcCAQIE")
    assert "私钥文件已损坏" in _js_error(crypto_page, read_js, broken)


# --- end to end ------------------------------------------------------------------------------------------------


def _wait_for(page, text: str) -> str:
    page.wait_for_function("t => { const m = document.getElementById('sealed-message');"
                           " return m && !m.hidden && m.textContent.includes(t); }", arg=text)
    return page.inner_text("#sealed-message")


def _clear_message(page) -> None:
    page.evaluate("() => { const m = document.getElementById('sealed-message'); m.hidden = true; m.textContent = ''; }")


def test_sm2_certificate_bidder_seals_and_decrypts_in_the_browser(live_server, world, browser, tmp_path):
    # given bidder 1 with SM2 certificates (dual: signing + encryption) and key files on disk; bidders 0 (RSA) and
    # 2 (SM2) seal with ggzy-bid's code, so the lot has the three bids an opening needs
    pki = _pki(world, tmp_path)
    lot = lot_ready(world)
    sign_up(world, lot, (0, 1, 2))
    for i in (0, 2):
        _submit_with_client(world, pki, lot, i)
    name, other = world.bidder_entities[1].name, world.bidder_entities[2].name
    tender_file = os.urandom(envelope.SEGMENT + 4321)  # two segments
    files = {}
    for label, content in [("enc.pem", pki.users[f"{name}/encrypt"].pem),
                           ("enc.key", pki.users[f"{name}/encrypt"].private_key_pem()),
                           ("other-enc.key", pki.users[f"{other}/encrypt"].private_key_pem()),
                           ("rsa-enc.key", pki.users[f"{world.bidder_entities[0].name}/encrypt"].private_key_pem()),
                           ("技术标.pdf", tender_file)]:
        files[label] = tmp_path / label
        files[label].write_bytes(content)
    assert files["enc.key"].read_text().startswith("-----BEGIN EC PRIVATE KEY-----")
    bidder = Actor(browser, live_server, world.bidders[1])
    page = bidder.page
    page.set_default_timeout(30000)
    # when the bidder seals its bid in the page with its SM2 encryption certificate
    page.goto(f"{live_server.url}/tendering/lots/{lot.pk}/sealed-bid/")
    page.set_input_files("#sealed-files", str(files["技术标.pdf"]))
    page.fill("#sealed-total-price", "7712345.60")
    page.fill("#sealed-duration", "280")
    page.evaluate("document.querySelectorAll('details.keyfile-fallback').forEach(d => d.open = true)")  # the key-file path
    page.set_input_files("#sealed-cert-file", str(files["enc.pem"]))
    page.click("#sealed-submit")
    message = _wait_for(page, "已加密并递交")
    shots = Path("var") / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.locator("#sealed-bid-panel").screenshot(path=str(shots / "sealed-bid-sm2-sealed.png"))
    # then the server holds ciphertext only, SM4-GCM, wrapped with SM2 to the bidder's certificate
    assert "已递交" in message
    bid = bid_of(actor=world.bidders[1], lot=lot)
    assert (bid.sealed_by, bid.content_algorithm) == ("bidder", envelope.SM4_GCM)
    assert b"7712345.60" not in bytes(bid.sealed_price_sheet) and bid.state == BidState.SUBMITTED
    content_key = sm.sm2_decrypt(pki.users[f"{name}/encrypt"].private_key, bytes(bid.bidder_wrapped_key))
    assert len(content_key) == 16
    # when the center opens the lot
    clock.advance(dt.timedelta(days=21, minutes=1))
    staff = Actor(browser, live_server, world.staff)
    staff.lot(lot.pk)
    staff.click("#open-button")
    page.goto(f"{live_server.url}/tendering/lots/{lot.pk}/sealed-bid/")
    # and the bidder first picks another bidder's SM2 key, then an RSA key
    for wrong in ("other-enc.key", "rsa-enc.key"):
        _clear_message(page)
        page.evaluate("document.querySelectorAll('details.keyfile-fallback').forEach(d => d.open = true)")  # the key-file path
        page.set_input_files("#sealed-key-file", str(files[wrong]))
        page.click("#sealed-decrypt")
        refusal = _wait_for(page, MISMATCH)
        # then the page names the mismatch and nothing is sent: the bid still waits for its key
        assert page.locator("#sealed-message.msg-error").count() == 1, refusal
        page.locator("#sealed-bid-panel").screenshot(path=str(shots / f"sealed-bid-sm2-refused-{wrong}.png"))
        bid.refresh_from_db()
        assert bid.state == BidState.SUBMITTED and bid.price is None
    # when it picks its own SM2 key file
    _clear_message(page)
    page.evaluate("document.querySelectorAll('details.keyfile-fallback').forEach(d => d.open = true)")  # the key-file path
    page.set_input_files("#sealed-key-file", str(files["enc.key"]))
    page.click("#sealed-decrypt")
    _wait_for(page, "已解密")
    # then its bid is open by the bidder's own path, with the price it entered and the file it chose
    bid.refresh_from_db()
    assert (bid.state, bid.opened_by, str(bid.price)) == (BidState.OPENED, "bidder", "7712345.60")
    assert bid.price_sheet["duration_days"] == 280 and bid.fingerprint["file_creator_id"].startswith("ggzy-web-")
    assert bid.files.get().plaintext_sha256 == hashlib.sha256(tender_file).hexdigest()
    # and the custodian wrap made in the page opens with the custodians' key (k of n) to the same SM4 key
    rows = {s.index: s for s in CustodianShare.objects.filter(opening_key__lot=lot)}
    shares = [sm.sm2_decrypt(pki.custodians[i - 1].private_key, bytes(rows[i].share_sealed)).decode()
              for i in (1, 2, 3)]
    lot_key = custody.opening_key_recover(LotOpeningKey.objects.get(lot=lot), shares)
    assert sm.sm2_decrypt(lot_key, bytes(bid.wrapped_key)) == content_key
    sheet = envelope.open_bytes(content_key, bytes(bid.sealed_price_sheet), algorithm=envelope.SM4_GCM,
                                context=bidformat.client_context(lot.pk, "price_sheet"))
    assert json.loads(sheet)["total_price"] == "7712345.60"
    bidder.context.close()
    staff.context.close()
