"""Browser: a bidder signs its bid in the sealed-bid page, as ``ggzy-bid submit --sign-cert`` does. The page's
manifest bytes, SM2 signatures and CMS SignedData are checked against the Python side (``bidformat``,
``ggzy.pki.sm``, ``ggzy.pki.signing_cms``); then bidders sign in the page, the signature is sealed with the bid
and verified at the opening by the same server code that checks the client's."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ggzy.core import clock
from ggzy.pki import der, sm
from ggzy.pki.models import Algorithm, Signature
from ggzy.pki.signing_cms import OID_SM2_SIGNED_DATA, CmsError, signed_data_verify
from ggzy.pki.testpki import SIGN_USAGES, ca_new, entity_subject
from ggzy.tendering import bidclient, bidformat
from ggzy.tendering.choices import BidState
from ggzy.tendering.models import Bid
from ggzy.tendering.services import client_sealed, opening

from .conftest import lot_ready, sign_up
from .test_browser_sealed_bid import _pki
from .test_browser_sealed_sm2 import SCRIPT, SM2_SCRIPT, _js_error, _known_answers
from .test_browser_tendering import Actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NOW = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
MISMATCH = "签名证书私钥与签名证书不匹配"


def _issue(algorithm: str, key_algorithm: str | None = None):
    """A signing certificate and its key file (PEM text) under a fresh test CA."""
    ca = ca_new(name=f"测试{algorithm}根CA", algorithm=algorithm, not_before=NOW)
    issued = ca.issue(label="sign", subject=entity_subject("济南城建工程有限公司", "91370100MA3C4W5X0K",
                                                           algorithm=algorithm),
                      usages=SIGN_USAGES, not_before=NOW, not_after=NOW + dt.timedelta(days=365),
                      key_algorithm=key_algorithm)
    return issued


def _sec1(issued) -> str:
    return issued.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                            serialization.NoEncryption()).decode()


@pytest.fixture
def crypto_page(page):
    """A page with only sm2.js and sealed_bid.js, at http://localhost (a secure context: WebCrypto's subtle is there, unlike
    about:blank), served by Playwright itself — no server needed."""
    page.route("http://localhost/signing-test", lambda route: route.fulfill(
        content_type="text/html", body="<!doctype html><html><head><meta charset='utf-8'></head><body></body></html>"))
    page.goto("http://localhost/signing-test")
    page.add_script_tag(path=str(SM2_SCRIPT))
    page.add_script_tag(path=str(SCRIPT))
    assert page.evaluate("typeof window.crypto.subtle.importKey") == "function"
    return page


SIGN_JS = ("async ([cert, key, content]) => { const g = window.ggzySealedBid;"
           " const signer = await g.signerPrepare(cert, key);"
           " return g.b64(await signer.sign(g.unb64(content))); }")


# --- the manifest -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lot_code", ["JNGC-2026-0001-01", "济南市历城区第二实验小学施工一标段", "a\"b\\c\u2028\x01"],
                         ids=["ascii", "chinese", "escapes"])
def test_page_manifest_bytes_are_bidformats(crypto_page, lot_code):
    # given the plaintext hashes of three files and a sealed price sheet
    hashes = [hashlib.sha256(os.urandom(20)).hexdigest() for _ in range(3)]
    sealed = os.urandom(77)
    # when the page computes the bytes it signs
    got = crypto_page.evaluate("([code, hashes, sealed]) => { const g = window.ggzySealedBid;"
                               " return g.b64(g.manifestBytes(code, hashes, g.unb64(sealed))); }",
                               [lot_code, hashes, base64.b64encode(sealed).decode()])
    # then they are byte for byte what the server signs and verifies
    assert base64.b64decode(got) == bidformat.bid_manifest_bytes(lot_code=lot_code, plaintext_hashes=hashes,
                                                                  price_sheet_sealed=sealed)


# --- SM2 signatures -----------------------------------------------------------------------------------------------


def test_page_sm2_signature_reproduces_the_standards_example(crypto_page):
    # given GM/T 0003.5 Annex A (default user ID, the example's k)
    case = _known_answers()["sm2_signature"]
    public_key = "04" + case["public_key_x"] + case["public_key_y"]
    # when the page derives the public key and signs with the example's k
    derived, signature = crypto_page.evaluate(
        "([d, p, m, k]) => { const g = window.ggzySealedBid; const e = new TextEncoder().encode(m);"
        " return [g.hex(g.sm2PublicKey(g.unhex(d))), g.hex(g.sm2Sign(g.unhex(d), e, g.unhex(p), g.unhex(k)))]; }",
        [case["private_key_d"], public_key, case["message_ascii"], case["nonce_k"]])
    # then both are the standard's values
    assert derived == public_key.lower()
    assert signature == (case["r"] + case["s"]).lower()


def test_page_sm2_signatures_verify_in_python_and_python_signatures_in_the_page(crypto_page):
    # given a key pair and messages of several lengths
    private_key, public_key = sm.sm2_keypair_new()
    messages = [b"", b"abc", os.urandom(200)]
    # when the page signs each (random k), and verifies Python's signatures and altered ones
    signatures = crypto_page.evaluate(
        "([d, p, ms]) => { const g = window.ggzySealedBid;"
        " return ms.map((m) => g.hex(g.sm2Sign(g.unhex(d), g.unhex(m), g.unhex(p)))); }",
        [private_key.hex(), public_key.hex(), [m.hex() for m in messages]])
    python_signature = sm.sm2_sign(private_key, b"abc")
    verified = crypto_page.evaluate(
        "([p, cases]) => { const g = window.ggzySealedBid;"
        " return cases.map(([m, s]) => g.sm2Verify(g.unhex(p), g.unhex(m), g.unhex(s))); }",
        [public_key.hex(), [[b"abc".hex(), python_signature.hex()], [b"abd".hex(), python_signature.hex()],
                            [b"abc".hex(), python_signature[:-1].hex() + "00"]]])
    # then Python verifies every page signature (distinct k each time), and the page agrees with Python
    for message, signature in zip(messages, signatures, strict=True):
        assert sm.sm2_verify(public_key, message, bytes.fromhex(signature))
    assert len(set(signatures)) == len(signatures)
    assert verified == [True, False, sm.sm2_verify(public_key, b"abc", python_signature[:-1] + b"\x00")]


# --- the SignedData -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("algorithm", "key_algorithm", "key_form", "signed_data_oid", "signature_oid"), [
    (Algorithm.SM2, None, "pem", OID_SM2_SIGNED_DATA, sm.SM2_WITH_SM3_OID),
    (Algorithm.ECDSA, None, "pem", "1.2.840.113549.1.7.2", "1.2.840.10045.4.3.2"),
    (Algorithm.ECDSA, None, "sec1", "1.2.840.113549.1.7.2", "1.2.840.10045.4.3.2"),
    (Algorithm.ECDSA, Algorithm.RSA, "pem", "1.2.840.113549.1.7.2", "1.2.840.113549.1.1.11"),
], ids=["sm2", "ecdsa-pkcs8", "ecdsa-sec1", "rsa"])
def test_page_signed_data_verifies_with_the_platforms_reader(crypto_page, algorithm, key_algorithm, key_form,
                                                           signed_data_oid, signature_oid):
    # given a signing certificate and its key file as the bidder has them
    issued = _issue(algorithm, key_algorithm)
    key_pem = _sec1(issued) if key_form == "sec1" else issued.private_key_pem().decode()
    content = bidformat.bid_manifest_bytes(lot_code="JNGC-2026-0001-01", plaintext_hashes=["ab" * 32],
                                           price_sheet_sealed=b"sealed")
    # when the page signs the content
    signature = base64.b64decode(crypto_page.evaluate(
        SIGN_JS, [issued.pem.decode(), key_pem, base64.b64encode(content).decode()]))
    # then the platform's CMS reader verifies it: signer from the bag, attributes, signature, time
    info = signed_data_verify(signature, content)
    assert info.certificate == issued.certificate
    assert info.signature_oid == signature_oid
    assert der.read_one(signature).children()[0].as_oid() == signed_data_oid
    assert info.signing_time is not None and abs(info.signing_time - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    # and other content does not verify
    with pytest.raises(CmsError, match="原文与签名不符"):
        signed_data_verify(signature, content + b" ")


@pytest.mark.parametrize(("certificate", "key", "expected"), [
    ("sm2", "sm2-other", MISMATCH + "（私钥对应的公钥不是证书中的公钥）"),
    ("ecdsa", "ecdsa-other", MISMATCH + "（用该私钥做出的签名无法用证书中的公钥验证）"),
    ("rsa", "rsa-other", MISMATCH + "（用该私钥做出的签名无法用证书中的公钥验证）"),
    ("ecdsa", "sm2", MISMATCH + "：证书是ECDSA（P-256）证书，所选的是国密SM2私钥"),
    ("sm2", "rsa", MISMATCH + "：证书是国密SM2证书，所选的是RSA私钥"),
    ("sm2", "not a key", "签名证书私钥应为PEM格式"),
    ("not a certificate", "sm2", "签名证书应为PEM格式"),
], ids=lambda v: v if len(v) < 20 else "")
def test_page_refuses_a_key_that_is_not_the_signing_certificates(crypto_page, certificate, key, expected):
    # given signing certificates and keys of each algorithm, and a second key of the same algorithm
    issued = {"sm2": _issue(Algorithm.SM2), "ecdsa": _issue(Algorithm.ECDSA),
              "rsa": _issue(Algorithm.ECDSA, Algorithm.RSA)}
    others = {f"{name}-other": _issue(algorithm, key_algorithm) for name, algorithm, key_algorithm in
              [("sm2", Algorithm.SM2, None), ("ecdsa", Algorithm.ECDSA, None), ("rsa", Algorithm.ECDSA, Algorithm.RSA)]}
    cert_pem = issued[certificate].pem.decode() if certificate in issued else certificate
    keys = {**issued, **others}
    key_pem = keys[key].private_key_pem().decode() if key in keys else key
    # when the page prepares the signer
    message = _js_error(crypto_page, "([c, k]) => window.ggzySealedBid.signerPrepare(c, k)", [cert_pem, key_pem])
    # then it refuses, naming the field
    assert expected in message


# --- end to end ---------------------------------------------------------------------------------------------------


def _fill_and_submit(page, live_server, lot, files, *, price, encrypt, sign_cert=None, sign_key=None):
    page.goto(f"{live_server.url}/tendering/lots/{lot.pk}/sealed-bid/")
    page.set_input_files("#sealed-files", str(files["技术标.pdf"]))
    page.fill("#sealed-total-price", price)
    page.evaluate("document.querySelectorAll('details.keyfile-fallback').forEach(d => d.open = true)")  # the key-file path
    page.set_input_files("#sealed-cert-file", str(encrypt))
    if sign_cert:
        page.evaluate("document.querySelectorAll('details.keyfile-fallback').forEach(d => d.open = true)")  # the key-file path
        page.set_input_files("#sealed-sign-cert-file", str(sign_cert))
    if sign_key:
        page.evaluate("document.querySelectorAll('details.keyfile-fallback').forEach(d => d.open = true)")  # the key-file path
        page.set_input_files("#sealed-sign-key-file", str(sign_key))
    page.click("#sealed-submit")
    page.wait_for_function("() => { const m = document.getElementById('sealed-message');"
                           " return m && !m.hidden && m.textContent.length > 0; }")
    return page.inner_text("#sealed-message"), page.locator("#sealed-message.msg-error").count() == 1


def test_bidders_sign_in_the_page_and_the_opening_verifies_the_signatures(live_server, world, browser, tmp_path):
    # given bidder 0 with ECDSA signing + RSA encryption certificates, bidders 1–3 with SM2 ones, key files on disk
    pki = _pki(world, tmp_path)
    lot = lot_ready(world)
    sign_up(world, lot, range(4))
    names = [e.name for e in world.bidder_entities]
    files = {"技术标.pdf": tmp_path / "技术标.pdf"}
    files["技术标.pdf"].write_bytes(b"%PDF-1.7 technical plan " * 500)
    for i, name in enumerate(names):
        for role in ("sign", "encrypt"):
            issued = pki.users[f"{name}/{role}"]
            (tmp_path / f"{i}-{role}.pem").write_bytes(issued.pem)
            (tmp_path / f"{i}-{role}.key").write_bytes(issued.private_key_pem())
    path = lambda i, role, kind: tmp_path / f"{i}-{role}.{kind}"  # noqa: E731
    shots = Path("var") / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    bidders = [Actor(browser, live_server, world.bidders[i]) for i in range(4)]
    for actor in bidders:
        actor.page.set_default_timeout(30000)

    # when bidder 0 picks its RSA encryption key as the ECDSA signing certificate's key
    message, is_error = _fill_and_submit(bidders[0].page, live_server, lot, files, price="7650000.50",
                                         encrypt=path(0, "encrypt", "pem"), sign_cert=path(0, "sign", "pem"),
                                         sign_key=path(0, "encrypt", "key"))
    # then the page names the field and nothing is uploaded
    assert is_error and "签名证书私钥与签名证书不匹配：证书是ECDSA（P-256）证书，所选的是RSA私钥" in message
    assert not Bid.objects.filter(lot=lot).exists()
    # when bidder 3 picks bidder 2's SM2 signing key for its own SM2 signing certificate
    message, is_error = _fill_and_submit(bidders[3].page, live_server, lot, files, price="7900000.00",
                                         encrypt=path(3, "encrypt", "pem"), sign_cert=path(3, "sign", "pem"),
                                         sign_key=path(2, "sign", "key"))
    bidders[3].page.locator("#sealed-bid-panel").screenshot(path=str(shots / "sealed-bid-signing-refused.png"))
    # then the same: refused before anything is sealed or sent
    assert is_error and "签名证书私钥与签名证书不匹配（私钥对应的公钥不是证书中的公钥）" in message
    assert not Bid.objects.filter(lot=lot).exists()
    # and a signing certificate without its key is refused too
    message, is_error = _fill_and_submit(bidders[3].page, live_server, lot, files, price="7900000.00",
                                         encrypt=path(3, "encrypt", "pem"), sign_cert=path(3, "sign", "pem"))
    assert is_error and "请同时选择签名证书私钥" in message
    assert not Bid.objects.filter(lot=lot).exists()

    # when bidder 0 signs with its ECDSA key, bidder 1 with its SM2 key, and bidder 2 with bidder 3's certificate
    signed = [(0, "7650000.50", 0), (1, "7712345.60", 1), (2, "7800000.00", 3)]
    for i, price, signer in signed:
        message, is_error = _fill_and_submit(bidders[i].page, live_server, lot, files, price=price,
                                             encrypt=path(i, "encrypt", "pem"), sign_cert=path(signer, "sign", "pem"),
                                             sign_key=path(signer, "sign", "key"))
        assert not is_error and "已递交（已签名" in message, message
    bidders[1].page.locator("#sealed-bid-panel").screenshot(path=str(shots / "sealed-bid-signing-sealed.png"))
    # then before the opening the platform holds sealed signatures naming no one
    bids = list(Bid.objects.filter(lot=lot).order_by("id"))
    assert len(bids) == 3 and all(bytes(b.signature_sealed) for b in bids)
    assert not Signature.objects.exists()
    for bid in bids:
        for name in names:
            assert name.encode() not in bytes(bid.signature_sealed)
            assert b"BEGIN CERTIFICATE" not in bytes(bid.signature_sealed)

    # when the lot opens and each bidder submits its content key
    clock.advance(dt.timedelta(days=21, minutes=1))
    lot = opening.lot_open(actor=world.staff, lot=lot)
    opened = {}
    for i, _price, _signer in signed:
        bid = Bid.objects.get(lot=lot, bidder=world.bidder_entities[i])
        content_key = bidclient.unwrap(pki.users[f"{names[i]}/encrypt"].private_key, bytes(bid.bidder_wrapped_key))
        opened[i] = client_sealed.bid_decrypt_by_bidder(actor=world.bidders[i], lot=lot, content_key=content_key)
    # then the ECDSA and the SM2 signatures made in the page are valid and recorded with their signers
    for i in (0, 1):
        assert (opened[i].state, opened[i].signature_state) == (BidState.OPENED, "valid"), opened[i].signature_reason
        record = Signature.objects.get(object_type="tendering.bid", object_id=str(opened[i].pk))
        assert record.signer_credit_code == world.bidder_entities[i].credit_code
        assert record.purpose == "bid"
        assert x509.load_pem_x509_certificate(record.certificate_pem.encode()) == pki.users[f"{names[i]}/sign"].certificate
        assert record.algorithm == (Algorithm.ECDSA if i == 0 else Algorithm.SM2)
    # and the one signed with another bidder's certificate opens, its signature noted as not the bidder's
    assert (opened[2].state, opened[2].signature_state) == (BidState.OPENED, "invalid")
    assert "签名证书不属于该投标人" in opened[2].signature_reason
    assert not Signature.objects.filter(object_id=str(opened[2].pk)).exists()
    for actor in bidders:
        actor.context.close()
