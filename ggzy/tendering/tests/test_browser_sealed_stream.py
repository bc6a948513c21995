"""Browser: the sealed-bid page seals large files as a stream. Each file is read one envelope segment at a time
(``file.slice``), its plaintext SHA-256 is computed incrementally by the page's own SHA-256 (WebCrypto has no
incremental digest), each segment is sealed as it is read into a list of Blob parts, and the panel shows the
progress of sealing and of the upload. The bytes are those of ``ggzy.pki.envelope`` (what the server and ggzy-bid
read), for AES-256-GCM (RSA certificates) and SM4-GCM (SM2 certificates)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from ggzy.core import clock
from ggzy.core import files as file_store
from ggzy.pki import envelope, sm
from ggzy.tendering import bidformat
from ggzy.tendering.choices import BidState
from ggzy.tendering.services.bidding import bid_of

from .conftest import lot_ready, sign_up
from .test_browser_sealed_bid import _pki, _submit_with_client
from .test_browser_sealed_sm2 import SCRIPT, SM2_SCRIPT, _clear_message, _wait_for
from .test_browser_tendering import Actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SEGMENT = envelope.SEGMENT
OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def crypto_page(page, live_server):
    """A blank page with only sealed_bid.js, at the live server's origin: http://localhost is a secure context, so
    WebCrypto (AES-GCM, SHA-256) is there as it is on the platform's HTTPS pages."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.set_content("<!doctype html><html><head><meta charset='utf-8'></head><body></body></html>")
    # from the platform's own static URLs, as its pages load them: the page's CSP refuses inline scripts
    page.add_script_tag(url=f"{live_server.url}/static/pki/{SM2_SCRIPT.name}")
    page.add_script_tag(url=f"{live_server.url}/static/tendering/{SCRIPT.name}")
    assert page.evaluate("typeof window.ggzySealedBid.sealFile + ' ' + typeof crypto.subtle.digest") == \
        "function function"
    return page


# --- SHA-256 ------------------------------------------------------------------------------------------------------

VECTORS = [  # FIPS 180-4 examples (NIST CSRC "SHA2 additional examples") and the empty message
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
]


def test_sha256_known_answers_in_the_page(crypto_page):
    # given the standard's messages
    # when the page hashes them in one piece
    got = crypto_page.evaluate("(texts) => texts.map(t => window.ggzySealedBid.hex("
                               "window.ggzySealedBid.sha256(new TextEncoder().encode(t))))", [t for t, _ in VECTORS])
    # then each digest is the standard's
    assert got == [digest for _, digest in VECTORS]


def test_sha256_of_a_million_a_whole_and_in_uneven_pieces(crypto_page):
    # given one million "a" (FIPS 180-4 example), hashed whole and fed as pieces of 1, 63, 64, 65, 999 … bytes
    expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
    whole, pieces = crypto_page.evaluate(
        "() => { const g = window.ggzySealedBid; const data = new Uint8Array(1000000).fill(97);"
        " const h = new g.Sha256(); const steps = [1, 63, 64, 65, 999, 4096, 7]; let at = 0, i = 0;"
        " while (at < data.length) { const n = steps[i++ % steps.length]; h.update(data.subarray(at, at + n)); at += n; }"
        " return [g.hex(g.sha256(data)), g.hex(h.digest())]; }")
    # then both are the standard's digest
    assert whole == expected
    assert pieces == expected


@pytest.mark.parametrize("size", [1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, SEGMENT + 3],
                         ids=lambda v: f"{v}B")
def test_sha256_matches_webcrypto_and_hashlib_on_random_data(crypto_page, size):
    # given random data of a length around the padding boundaries (55/56 bytes, block edges) or over a segment
    data = os.urandom(size)
    # when the page hashes it fed in pieces of awkward sizes, and WebCrypto hashes it whole
    ours, webcrypto = crypto_page.evaluate(
        "async (d) => { const g = window.ggzySealedBid; const data = g.unb64(d); const h = new g.Sha256();"
        " let at = 0, step = 1; while (at < data.length) { h.update(data.subarray(at, at + step)); at += step;"
        " step = (step * 7 + 3) % 150 + 1; }"
        " return [g.hex(h.digest()), g.hex(new Uint8Array(await crypto.subtle.digest('SHA-256', data)))]; }",
        _b64(data))
    # then all three agree
    assert ours == webcrypto == hashlib.sha256(data).hexdigest()


def test_sha256_refuses_use_after_digest(crypto_page):
    message = crypto_page.evaluate("() => { const h = new window.ggzySealedBid.Sha256(); h.digest();"
                                   " try { h.update(new Uint8Array(1)); return 'NO ERROR'; } catch (e) { return e.message; } }")
    assert message == "SHA-256 已结束"


# --- streamed sealing of a File ------------------------------------------------------------------------------------

SEAL_FILE_JS = """async ([algorithm, k, d]) => {
  const g = window.ggzySealedBid;
  const key = await g.contentKey(algorithm, g.unb64(k));
  const file = new File([g.unb64(d)], '技术标.pdf');
  // the file itself is never read whole: only slices of at most one segment
  const slices = [];
  file.arrayBuffer = () => { throw new Error('read whole'); };
  const slice = file.slice.bind(file);
  file.slice = (start, end) => { slices.push([start, end]); return slice(start, end); };
  const progress = [];
  const sealed = await g.sealFile(key, file, g.context(41, 'file:0'), (done, total) => progress.push([done, total]));
  const bytes = new Uint8Array(await sealed.blob.arrayBuffer());
  return { sealed: g.b64(bytes), sha256: sealed.sha256, size: sealed.size, blobSize: sealed.blob.size,
           slices, progress };
}"""


@pytest.mark.parametrize("algorithm", [envelope.AES_256_GCM, envelope.SM4_GCM])
@pytest.mark.parametrize("size", [3 * SEGMENT + 12345, 2 * SEGMENT, 0, 17, 9 * SEGMENT + 5], ids=lambda v: f"{v}B")
def test_streamed_sealing_of_a_file_opens_in_python(crypto_page, algorithm, size):
    # given a content key and a File of 3 segments and a remainder, an exact multiple of the segment, 0 or 17 bytes,
    # or more than the 8 MiB after which the page moves its sealed parts into a Blob
    key = envelope.content_key_new(algorithm)
    data = os.urandom(size)
    # when the page seals it with sealFile
    result = crypto_page.evaluate(SEAL_FILE_JS, [algorithm, _b64(key), _b64(data)])
    sealed = base64.b64decode(result["sealed"])
    # then Python's envelope opens it to the original, under this file's context only
    context = bidformat.client_context(41, "file:0")
    assert envelope.open_bytes(key, sealed, context=context, algorithm=algorithm) == data
    with pytest.raises(envelope.SealError):
        envelope.open_bytes(key, sealed, context=bidformat.client_context(41, "file:1"), algorithm=algorithm)
    # and it is exactly the size ggzy-bid's sealing has (same segments), with the plaintext SHA-256 of the file
    assert sealed.startswith(envelope.ALGORITHMS[algorithm][0])
    assert len(sealed) == result["blobSize"] == len(envelope.seal_bytes(key, data, context=context, algorithm=algorithm))
    assert envelope.sealed_plaintext_size(len(sealed)) == size == result["size"]
    assert result["sha256"] == hashlib.sha256(data).hexdigest()
    # and the file was read segment by segment, with progress from 0 to the whole file after each segment
    segments = max(1, -(-size // SEGMENT))
    assert result["slices"] == [[i * SEGMENT, min(size, (i + 1) * SEGMENT)] for i in range(segments)]
    assert result["progress"] == [[0, size]] + [[min(size, (i + 1) * SEGMENT), size] for i in range(segments)]


def test_streamed_sealing_names_the_file_it_cannot_read(crypto_page):
    # given a File whose slices cannot be read (as when the file changes on disk while it is being sealed)
    message = crypto_page.evaluate(
        "async () => { const g = window.ggzySealedBid;"
        " const key = await g.contentKey('sm4-gcm', new Uint8Array(16));"
        " const file = new File([new Uint8Array(10)], '商务标.pdf');"
        " file.slice = () => ({ arrayBuffer: () => Promise.reject(new DOMException('gone', 'NotReadableError')) });"
        " try { await g.sealFile(key, file, g.context(1, 'file:0')); return 'NO ERROR'; }"
        " catch (e) { return e.message; } }")
    # then the page names the file and what to do
    assert message.startswith("无法读取文件“商务标.pdf”") and "请重新选择" in message


# --- end to end -----------------------------------------------------------------------------------------------------

PROGRESS_RECORDER = """() => {
  window.__progress = [];
  const text = document.getElementById('sealed-progress-text');
  new MutationObserver(() => window.__progress.push(text.textContent))
    .observe(text, { childList: true, characterData: true, subtree: true });
}"""


@pytest.mark.parametrize("index", [0, 1], ids=["rsa-certificate", "sm2-certificate"])
def test_bidder_seals_a_multi_segment_file_with_progress_and_decrypts(live_server, world, browser, tmp_path, index):
    # given bidder 0 (RSA encryption certificate) or bidder 1 (SM2), and two other bidders sealed with ggzy-bid
    pki = _pki(world, tmp_path)
    lot = lot_ready(world)
    sign_up(world, lot, (0, 1, 2))
    for i in {0, 1, 2} - {index}:
        _submit_with_client(world, pki, lot, i)
    name = world.bidder_entities[index].name
    tender_file = os.urandom(2 * SEGMENT + SEGMENT // 2)  # two and a half segments
    files = {}
    for label, content in [("enc.pem", pki.users[f"{name}/encrypt"].pem),
                           ("enc.key", pki.users[f"{name}/encrypt"].private_key_pem()),
                           ("技术标.pdf", tender_file)]:
        files[label] = tmp_path / label
        files[label].write_bytes(content)
    bidder = Actor(browser, live_server, world.bidders[index])
    page = bidder.page
    page.set_default_timeout(60000)
    # when the bidder seals the file in the page, the progress text recorded as it changes
    page.goto(f"{live_server.url}/tendering/lots/{lot.pk}/sealed-bid/")
    assert page.locator("#sealed-progress").is_hidden()
    page.evaluate(PROGRESS_RECORDER)
    page.set_input_files("#sealed-files", str(files["技术标.pdf"]))
    page.fill("#sealed-total-price", "7654321.00")
    page.evaluate("document.querySelectorAll('details.keyfile-fallback').forEach(d => d.open = true)")  # the key-file path
    page.set_input_files("#sealed-cert-file", str(files["enc.pem"]))
    page.click("#sealed-submit")
    message = _wait_for(page, "已加密并递交")
    shots = Path("var") / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.locator("#sealed-bid-panel").screenshot(path=str(shots / f"sealed-bid-stream-{index}.png"))
    # then the bid is in, the button is usable again, and the progress bar stands at 100% with the final line
    assert "已递交" in message and page.locator("#sealed-message.msg-success").count() == 1
    assert page.is_enabled("#sealed-submit")
    bar = page.locator("#sealed-progress-bar")
    assert page.locator("#sealed-progress").is_visible()
    assert bar.evaluate("b => [b.value, b.max, b.getAttribute('aria-valuenow')]") == [100, 100, "100"]
    assert page.inner_text("#sealed-progress-text") == "加密并上传完成：1 个文件，共 2.5 MB"
    # and while it worked the panel said which file it was sealing and how far, per segment, then the upload
    seen = page.evaluate("() => window.__progress")
    sealing = [t for t in seen if t.startswith("正在加密 技术标.pdf：")]
    assert sealing[0] == "正在加密 技术标.pdf：已完成 0%（0 B / 2.5 MB）", seen
    assert "正在加密 技术标.pdf：已完成 40%（1.0 MB / 2.5 MB）" in sealing
    assert "正在加密 技术标.pdf：已完成 80%（2.0 MB / 2.5 MB）" in sealing
    assert sealing[-1] == "正在加密 技术标.pdf：已完成 100%（2.5 MB / 2.5 MB）"
    uploading = seen.index("正在上传…")
    assert uploading > seen.index(sealing[-1]) and seen[-1] == "加密并上传完成：1 个文件，共 2.5 MB"
    # and the server holds the file sealed under the certificate's algorithm, with the plaintext's SHA-256
    bid = bid_of(actor=world.bidders[index], lot=lot)
    algorithm = envelope.AES_256_GCM if index == 0 else envelope.SM4_GCM
    assert (bid.sealed_by, bid.content_algorithm, bid.state) == ("bidder", algorithm, BidState.SUBMITTED)
    stored = bid.files.get()
    assert (stored.plaintext_sha256, stored.size) == (hashlib.sha256(tender_file).hexdigest(), len(tender_file))
    # when the center opens the lot and the bidder decrypts in the page with its key file
    clock.advance(dt.timedelta(days=21, minutes=1))
    staff = Actor(browser, live_server, world.staff)
    staff.lot(lot.pk)
    staff.click("#open-button")
    page.goto(f"{live_server.url}/tendering/lots/{lot.pk}/sealed-bid/")
    _clear_message(page)
    page.evaluate("document.querySelectorAll('details.keyfile-fallback').forEach(d => d.open = true)")  # the key-file path
    page.set_input_files("#sealed-key-file", str(files["enc.key"]))
    page.click("#sealed-decrypt")
    _wait_for(page, "已解密")
    # then the bid is open by the bidder's path with its price, and the stored file opens to the original
    bid.refresh_from_db()
    assert (bid.state, bid.opened_by, str(bid.price)) == (BidState.OPENED, "bidder", "7654321.00")
    private = pki.users[f"{name}/encrypt"]
    if index == 1:
        content_key = sm.sm2_decrypt(private.private_key, bytes(bid.bidder_wrapped_key))
    else:
        content_key = private.private_key.decrypt(bytes(bid.bidder_wrapped_key), OAEP)
    opened = envelope.open_bytes(content_key, file_store.read(stored.ciphertext_sha256), algorithm=algorithm,
                                 context=bidformat.client_context(lot.pk, "file:0"))
    assert opened == tender_file
    sheet = envelope.open_bytes(content_key, bytes(bid.sealed_price_sheet), algorithm=algorithm,
                                context=bidformat.client_context(lot.pk, "price_sheet"))
    assert json.loads(sheet)["total_price"] == "7654321.00"
    bidder.context.close()
    staff.context.close()


def test_leaving_the_page_during_the_upload_asks_first(live_server, world, browser, tmp_path):
    # given a bidder whose upload is held on the way to the server
    pki = _pki(world, tmp_path)
    lot = lot_ready(world)
    sign_up(world, lot, [0])
    name = world.bidder_entities[0].name
    (tmp_path / "enc.pem").write_bytes(pki.users[f"{name}/encrypt"].pem)
    (tmp_path / "技术标.pdf").write_bytes(os.urandom(1000))
    bidder = Actor(browser, live_server, world.bidders[0])
    page = bidder.page
    held = []
    page.route("**/sealed-bid", lambda route: held.append(route) if route.request.method == "POST"
               else route.continue_())
    page.goto(f"{live_server.url}/tendering/lots/{lot.pk}/sealed-bid/")
    page.set_input_files("#sealed-files", str(tmp_path / "技术标.pdf"))
    page.fill("#sealed-total-price", "7654321.00")
    page.evaluate("document.querySelectorAll('details.keyfile-fallback').forEach(d => d.open = true)")  # the key-file path
    page.set_input_files("#sealed-cert-file", str(tmp_path / "enc.pem"))
    page.click("#sealed-submit")
    page.wait_for_function("() => document.getElementById('sealed-progress-text').textContent === '正在上传…'")
    # when the bidder tries to leave while the upload is under way, the page asks first (the beforeunload
    # listener cancels the unload, which makes the browser ask "leave this page?")
    assert page.evaluate(LEAVING) is True
    # and once the bid is in, leaving asks nothing
    held[0].continue_()
    _wait_for(page, "已加密并递交")
    assert page.evaluate(LEAVING) is False
    bidder.context.close()


LEAVING = """() => {
  const event = new Event('beforeunload', { cancelable: true });
  window.dispatchEvent(event);
  return event.defaultPrevented;
}"""
