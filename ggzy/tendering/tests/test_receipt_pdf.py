"""The bid receipt as a platform-signed PDF (issue 11, item 3): produced for the bidder alone, verifiable offline
(signature, embedded receipt, inclusion proof), refusing a tampered file, naming the version that counts."""

import datetime as dt
import hashlib
import json
import socket
from pathlib import Path

import pytest

from ggzy.core import clock
from ggzy.ledger import keys, notes
from ggzy.pki.platform_signing import platform_signer
from ggzy.tendering import bidclient
from ggzy.tendering.receipt_pdf import ReceiptPdfInvalid, receipt_pdf_verify
from ggzy.tendering.services import bidding

from .conftest import lot_ready, sign_up


def _bid(world, lot, i, *, price="7650000.00", content=b"proposal", token=""):
    return bidding.bid_submit(actor=world.bidders[i], lot=lot, price_sheet={"total_price": price},
                              files=[bidding.IncomingFile("技术标.pdf", [content]),
                                     bidding.IncomingFile("商务标.pdf", [b"commercial " * 100])],
                              fingerprint={"mac": f"00:11:22:33:44:{i:02d}"}, submission_token=token)


@pytest.fixture
def lot(world):
    lot = lot_ready(world)
    sign_up(world, lot, [0, 1])
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
    # and its signature chains to the platform's root, its attachment and ledger proof verify
    check = receipt_pdf_verify(pdf, trust_pems=[_ca()], checkpoint_keys=[keys.platform_verifier().vkey])
    assert check.trusted and check.checkpoint_key == "pinned"
    receipt = check.receipt
    assert receipt["lot"]["code"] == lot.code and receipt["bidder"]["name"] == world.bidder_entities[0].name
    assert [f["name"] for f in receipt["files"]] == ["技术标.pdf", "商务标.pdf"]
    assert receipt["files"][0]["sha256"] == hashlib.sha256(b"proposal").hexdigest()
    assert receipt["files"][1]["size"] == len(b"commercial " * 100)
    assert receipt["version_text"].startswith("首次递交")
    assert len(receipt["price_sheet"]["sha256"]) == 64
    assert dt.datetime.fromisoformat(receipt["arrived_at"]) < lot.bid_deadline


def test_a_tampered_receipt_fails(client, world, lot):
    pdf = _pdf(client, world.bidders[0], lot).content
    # given the PDF with one byte of its signed content changed (the first file's hash in the attachment's text
    # is compressed, so change the page's visible text stream instead: any byte inside the signed range)
    at = pdf.index(b"ReportLab Generated PDF document")
    tampered = pdf[:at] + b"X" + pdf[at + 1:]
    with pytest.raises(ReceiptPdfInvalid, match="签章"):
        receipt_pdf_verify(tampered, trust_pems=[_ca()])
    # and a PDF with an update appended after signing
    appended = pdf + b"\n1 0 obj\n<< /Evil true >>\nendobj\n"
    with pytest.raises(ReceiptPdfInvalid):
        receipt_pdf_verify(appended, trust_pems=[_ca()])


def test_a_receipt_signed_by_another_root_or_proved_with_another_ledger_key_fails(client, world, lot, demo_pki):
    pdf = _pdf(client, world.bidders[0], lot).content
    # a trust anchor that is not the platform's root
    other_root = demo_pki.cas["ecdsa"].issued.pem  # the test PKI of another run: same name, another key
    with pytest.raises(ReceiptPdfInvalid, match="证书链不可信"):
        receipt_pdf_verify(pdf, trust_pems=[other_root])
    # a ledger key other than the platform's
    stranger = notes.Signer.generate("someone.else/ledger")
    with pytest.raises(ReceiptPdfInvalid, match="存证包含证明"):
        receipt_pdf_verify(pdf, trust_pems=[_ca()], checkpoint_keys=[stranger.verifier.vkey])


def test_a_modification_receipt_says_which_version_counts(client, world, lot):
    # when the bidder modifies its bid twice
    for price in ("7600000.00", "7550000.00"):
        clock.advance(dt.timedelta(hours=1))
        _bid(world, lot, 0, price=price, content=price.encode())
    # then its receipt names the second modification as the one that counts, with the new file's hash
    check = receipt_pdf_verify(_pdf(client, world.bidders[0], lot).content, trust_pems=[_ca()])
    assert check.receipt["modification"] == {"count": 2, "counts": True}
    assert check.receipt["version_text"].startswith("第2次修改，以本次为准")
    assert check.receipt["files"][0]["sha256"] == hashlib.sha256(b"7550000.00").hexdigest()


@pytest.mark.parametrize("who", ["anonymous", "bidder_without_bid", "own_center_staff", "tenderer"])
@pytest.mark.parametrize("where", ["api", "page"])
def test_nobody_else_gets_the_bidders_pdf_receipt(client, world, lot, who, where):
    viewer = {"anonymous": None, "bidder_without_bid": world.bidders[2], "own_center_staff": world.staff,
              "tenderer": world.tenderer}[who]
    if viewer is not None:
        client.force_login(viewer)
    url = (f"/api/v1/tendering/lots/{lot.pk}/my-bid/receipt.pdf" if where == "api"
           else f"/tendering/lots/{lot.pk}/my-bid/receipt.pdf")
    response = client.get(url)
    assert response.status_code in (302, 401, 403, 404)
    assert b"%PDF" not in response.content
    # and what a bidder without a bid sees is the same whether others bid or not (no count leaks)
    if who == "bidder_without_bid":
        assert response.status_code == 404


def test_the_receipt_holds_only_the_bidders_own_bid(client, world, lot):
    check = receipt_pdf_verify(_pdf(client, world.bidders[0], lot).content, trust_pems=[_ca()])
    text = json.dumps(check.receipt, ensure_ascii=False)
    assert world.bidder_entities[1].name not in text
    assert check.receipt["bidder"]["name"] == world.bidder_entities[0].name


def test_the_lot_page_links_the_pdf_receipt(client, world, lot):
    client.force_login(world.bidders[0])
    page = client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    assert f"/tendering/lots/{lot.pk}/my-bid/receipt.pdf" in page and "下载投标回执（PDF）" in page


def test_the_platform_root_to_verify_against_is_public(db, client, settings, tmp_path):
    response = client.get("/tendering/receipt-trust-root.pem")
    assert response.status_code == 200 and response.content == _ca()
    assert "attachment" in response["Content-Disposition"]
    # a platform configured with its own certificate but no chain file has none to offer, and says so
    cert = tmp_path / "signing.pem"
    cert.write_bytes(platform_signer().cert_pem)
    key = tmp_path / "signing.key"
    key.write_bytes(platform_signer().key_pem)
    settings.GGZY_PLATFORM_SIGNING_CERT_FILE, settings.GGZY_PLATFORM_SIGNING_KEY_FILE = str(cert), str(key)
    settings.GGZY_PLATFORM_SIGNING_CHAIN_FILE = ""
    response = client.get("/tendering/receipt-trust-root.pem")
    assert response.status_code == 404 and b"BEGIN CERTIFICATE" not in response.content


def _offline(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the receipt check must not use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_the_cli_verifies_the_receipt_offline(client, world, lot, tmp_path, monkeypatch, capsys):
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(_pdf(client, world.bidders[0], lot).content)
    ca = tmp_path / "platform-ca.pem"
    ca.write_bytes(_ca())
    vkey = tmp_path / "ledger.vkey"
    vkey.write_text(keys.platform_verifier().vkey)
    _offline(monkeypatch)
    # when the bidder verifies it with the platform's root and the ledger key, with no network
    code = bidclient.main(["receipt", "verify", str(pdf), "--trust", str(ca), "--checkpoint-key", str(vkey)])
    out = capsys.readouterr()
    # then it passes and says what it proved
    assert code == 0, out.err
    assert "投标回执验证通过" in out.out and "证书链可信" in out.out and "--checkpoint-key 指定" in out.out
    # and a tampered copy fails with the reason
    data = pdf.read_bytes()
    at = data.index(b"ReportLab Generated PDF document")
    (tmp_path / "bad.pdf").write_bytes(data[:at] + b"Y" + data[at + 1:])
    assert bidclient.main(["receipt", "verify", str(tmp_path / "bad.pdf"), "--trust", str(ca)]) == 1
    assert "投标回执验证失败" in capsys.readouterr().err


def cli_offline(args: list[str]):
    """``ggzy-bid`` run as a bidder runs it: a fresh interpreter with no Django settings and the network refused."""
    import os
    import subprocess
    import sys

    script = ("import socket, sys\n"
              "def refuse(*a, **k):\n    raise OSError('network used')\n"
              "socket.socket.connect = refuse\nsocket.getaddrinfo = refuse\n"
              "from ggzy.tendering.bidclient import main\n"
              "import django.conf\nassert not django.conf.settings.configured\n"
              f"sys.exit(main({args!r}))\n")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120,
                          check=False, cwd=Path(__file__).resolve().parents[3])


def test_the_cli_runs_without_django_or_network(client, world, lot, tmp_path):
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(_pdf(client, world.bidders[0], lot).content)
    (tmp_path / "ca.pem").write_bytes(_ca())
    result = cli_offline(["receipt", "verify", str(pdf), "--trust", str(tmp_path / "ca.pem"), "--json"])
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["valid"] is True and verdict["trusted"] is True and verdict["checkpoint_key"] == "embedded"


def test_a_client_sealed_bid_gets_a_receipt_without_names(client, world, lot):
    # given the bidder's bid was sealed by its own client (names encrypted by the client, unknown to the platform)
    from ggzy.tendering.models import Bid

    bid = Bid.objects.get(lot=lot, bidder_tag=bidding.bid_of(actor=world.bidders[0], lot=lot).bidder_tag)
    Bid.objects.filter(pk=bid.pk).update(receipt_detail_sealed="", sealed_by="bidder")
    # then the receipt lists the declared plaintext hashes and sizes, names as sealed, the price sheet's ciphertext hash
    check = receipt_pdf_verify(_pdf(client, world.bidders[0], lot).content, trust_pems=[_ca()])
    assert [f["name"] for f in check.receipt["files"]] == ["", ""]
    assert check.receipt["files"][0]["sha256"] == hashlib.sha256(b"proposal").hexdigest()
    assert check.receipt["price_sheet"]["what"] == "报价单密文"


def test_without_anchors_the_check_says_what_it_did_not_prove(client, world, lot):
    check = receipt_pdf_verify(_pdf(client, world.bidders[0], lot).content)
    assert not check.trusted and check.checkpoint_key == "embedded"
    assert any("不能证明出自本平台" in note for note in check.notes)


def test_a_withdrawn_bid_has_no_receipt(client, world, lot):
    bidding.bid_withdraw(actor=world.bidders[0], lot=lot)
    response = _pdf(client, world.bidders[0], lot)
    assert response.status_code == 409 and b"%PDF" not in response.content
