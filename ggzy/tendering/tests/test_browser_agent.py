"""Browser + the certificate agent (证书助手, ``ggzy-bid agent``) started by the test: the page pairs with the agent,
signs in with a certificate the agent holds, seals and signs a bid through it, and decrypts it at the opening —
with no private key in the page. The user's answers (确认, 证书口令) are typed into the agent's stdin, as at its
terminal. Every request the page makes is recorded and searched for private-key material.

The keys live on a SoftHSM2 token (PKCS#11) when the agent has its PKCS#11 store and SoftHSM2 is installed;
otherwise in the agent's software store (imported as a password-protected PKCS#8 file)."""

from __future__ import annotations

import base64
import datetime as dt
import importlib.util
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ggzy.core import clock
from ggzy.pki import envelope
from ggzy.pki.models import Algorithm
from ggzy.tendering.choices import BidState
from ggzy.tendering.models import Bid

from .conftest import lot_ready, sign_up
from .test_browser_sealed_bid import _pki, _submit_with_client, _wait_message
from .test_browser_tendering import Actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PIN = "246810"


def _agent_home(tmp_path, keys: dict) -> tuple[Path, list[str], dict, str]:
    """Put ``keys`` ({label: testpki.Issued}) where the agent finds them; returns the agent's home, its extra
    arguments, its environment and the PIN to type."""
    from ggzy.bidagent.tests.harness import cli

    home = tmp_path / "agent-home"
    home.mkdir()
    if importlib.util.find_spec("ggzy.bidagent.pkcs11store") is not None:
        from ggzy.bidagent.tests import softhsm

        module = softhsm.softhsm_module()
        env = softhsm.token_make(tmp_path / "softhsm", module, keys)
        return home, ["--pkcs11-module", module, "--pkcs11-token", softhsm.TOKEN_LABEL], env, softhsm.USER_PIN
    for label, issued in keys.items():  # the agent's software store
        key = tmp_path / f"{label}.key.pem"
        cert = tmp_path / f"{label}.crt.pem"
        key.write_bytes(
            issued.private_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(PIN.encode()),
            )
        )
        cert.write_bytes(issued.pem)
        result = cli(
            "agent",
            "import",
            str(key),
            "--cert",
            str(cert),
            "--label",
            label,
            "--home",
            str(home),
            stdin=PIN + "\n",
        )
        assert result.returncode == 0, result.stderr
        key.unlink()
    return home, [], {}, PIN


def _secrets(keys: dict) -> list[bytes]:
    """Every form of the private keys that must never travel: PEM markers, PKCS#8 DER (raw and Base64), the
    private scalar / exponent (raw, hex, Base64)."""
    found = [b"PRIVATE KEY"]
    for issued in keys.values():
        key = issued.private_key
        der = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        if isinstance(key, ec.EllipticCurvePrivateKey):
            values = [key.private_numbers().private_value]
        else:
            assert isinstance(key, rsa.RSAPrivateKey)
            numbers = key.private_numbers()
            values = [numbers.d, numbers.p, numbers.q]
        found += [der, base64.b64encode(der)]
        for value in values:
            raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
            found += [raw, base64.b64encode(raw), raw.hex().encode(), raw.hex().upper().encode()]
    return found


def _answer(agent, pin: str, page) -> None:
    """The user confirms the request in the agent and types the certificate PIN."""
    try:
        agent.expect(r"确认？\[y/N\]", timeout=60)
    except AssertionError as exc:
        shown = page.evaluate(
            "[...document.querySelectorAll('[role=alert], #sealed-message, .agent-status')]"
            ".map(e => e.textContent.trim()).filter(Boolean).join(' | ')"
        )
        raise AssertionError(f"the page shows: {shown}") from exc
    agent.type("y")
    agent.expect(r"请输入证书口令", timeout=30)
    agent.type(pin)


def _choose(page, select: str, text: str) -> None:
    """Choose the option of ``select`` whose label contains ``text``."""
    label = next(t for t in page.locator(f"{select} option").all_inner_texts() if text in t)
    page.select_option(select, label=label)


def _state(page, *states: str) -> None:
    page.wait_for_function(
        "s => s.includes(document.querySelector('.agent-status').dataset.state)", arg=list(states)
    )


def test_pages_pair_sign_in_seal_sign_and_decrypt_through_the_agent(
    live_server, world, browser, tmp_path, settings
):
    from ggzy.bidagent.tests.harness import AgentProcess

    # given an RSA-certificate bidder whose ECDSA signing key and RSA encryption key are held by its certificate
    # agent (a SoftHSM2 token), the agent running on this computer, and two bidders sealing with ggzy-bid
    pki = _pki(world, tmp_path)
    lot = lot_ready(world)
    sign_up(world, lot, range(3))
    for i in (1, 2):
        _submit_with_client(world, pki, lot, i)
    name = world.bidder_entities[0].name
    keys = {"bid-sign": pki.users[f"{name}/sign"], "bid-encrypt": pki.users[f"{name}/encrypt"]}
    home, extra, env, pin = _agent_home(tmp_path, keys)
    agent = AgentProcess(home, *extra, env=env, timeout=60)
    settings.GGZY_AGENT_URL = f"http://127.0.0.1:{agent.port}"
    requests: list[tuple[str, bytes]] = []
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30000)
    page.on("request", lambda r: requests.append((r.url, r.post_data_buffer or b"")))
    try:
        # when the bidder opens certificate sign-in: the page finds the agent, not yet paired with this site
        page.goto(f"{live_server.url}/accounts/login/certificate/")
        _state(page, "state_unpaired")
        assert page.locator("#cert-file").is_hidden() and page.locator("#key-file").is_hidden()
        # and pairs: the page and the agent show the same code, which the user confirms in the agent
        page.click(".agent-pair")
        line = agent.expect(r"配对码：", timeout=30)
        page.wait_for_function("() => document.querySelector('.agent-code-digits').textContent.length === 6")
        code = page.inner_text(".agent-code-digits")
        assert re.fullmatch(r"\d{6}", code) and code in line
        agent.expect(r"确认？\[y/N\]")
        agent.type("y")
        _state(page, "state_paired", "state_chosen")
        assert page.evaluate("localStorage.getItem('ggzy-agent-token')")
        # then the agent's signing certificate is offered (chosen: it is the only one for signing)
        page.wait_for_function("() => document.querySelector('#agent-cert-login').value !== ''")
        # when the bidder signs in but types a wrong PIN in the agent, the page says so in plain words
        page.click("#cert-login-submit")
        _answer(agent, "000000", page)
        page.wait_for_function("() => !document.getElementById('cert-client-error').hidden")
        assert "证书口令错误" in page.inner_text("#cert-client-error")
        # and signs in when it confirms and types the right PIN
        page.click("#cert-login-submit")
        _answer(agent, pin, page)
        page.wait_for_url(f"{live_server.url}/")

        # and seals its bid: the encryption certificate from the agent, signed through the agent
        page.goto(f"{live_server.url}/tendering/lots/{lot.pk}/sealed-bid/")
        _state(page, "state_paired", "state_chosen")
        page.set_input_files(
            "#sealed-files",
            [
                {
                    "name": "技术标.pdf",
                    "mimeType": "application/pdf",
                    "buffer": b"%PDF-1.7 technical plan " * 1000,
                }
            ],
        )
        page.fill("#sealed-total-price", "7650000.50")
        page.fill("#sealed-duration", "300")
        page.wait_for_function(
            "() => document.querySelector('#sealed-agent-enc').value !== ''"
            " && document.querySelector('#sealed-agent-sign').value !== ''"
        )
        page.click("#sealed-submit")
        _answer(agent, pin, page)
        _wait_message(page, "已递交（已签名")
        bid = Bid.objects.get(lot=lot, sealed_by="bidder", content_algorithm=envelope.AES_256_GCM)
        assert bid.bidder_id is None and bytes(bid.signature_sealed)

        # when the deadline passes, the center opens, and the bidder decrypts through the agent
        clock.advance(dt.timedelta(days=21, minutes=1))
        staff = Actor(browser, live_server, world.staff)
        staff.lot(lot.pk)
        staff.click("#open-button")
        page.goto(f"{live_server.url}/tendering/lots/{lot.pk}/sealed-bid/")
        page.wait_for_function("() => document.querySelector('#sealed-agent-dec').value !== ''")
        page.click("#sealed-decrypt")
        _answer(agent, pin, page)
        _wait_message(page, "已解密")
        # then the bid is open with the price entered and the signature made in the agent is valid
        bid.refresh_from_db()
        assert (bid.state, bid.opened_by, str(bid.price)) == (BidState.OPENED, "bidder", "7650000.50")
        assert bid.signature_state == "valid", bid.signature_reason
        staff.context.close()
    finally:
        context.close()
        agent.stop()
    # and no request the page made — to the platform or to the agent — carried any private-key material
    agent_calls = [url for url, _ in requests if url.startswith(settings.GGZY_AGENT_URL)]
    assert any(url.endswith("/v1/sign") for url in agent_calls) and any(
        url.endswith("/v1/unwrap") for url in agent_calls
    )
    for url, body in requests:
        for secret in _secrets(keys):
            assert secret not in body, f"private-key material in the request to {url}"


HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def test_the_agent_panel_speaks_english_and_fits_a_phone(live_server, world, browser, tmp_path, settings):
    from ggzy.bidagent.tests.harness import AgentProcess

    # given the bidder's agent with its certificates, on a 390 px phone in English
    pki = _pki(world, tmp_path)
    name = world.bidder_entities[0].name
    keys = {"bid-sign": pki.users[f"{name}/sign"], "bid-encrypt": pki.users[f"{name}/encrypt"]}
    home, extra, env, _pin = _agent_home(tmp_path, keys)
    agent = AgentProcess(home, *extra, env=env, timeout=60)
    settings.GGZY_AGENT_URL = f"http://127.0.0.1:{agent.port}"
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(30000)
    try:
        page.goto(f"{live_server.url}/accounts/login/certificate/")
        # when the page finds the agent and pairs with it
        _state(page, "state_unpaired")
        page.click(".agent-pair")
        agent.expect(r"确认？\[y/N\]", timeout=30)
        agent.type("y")
        _state(page, "state_paired", "state_chosen")
        page.wait_for_function("() => document.querySelector('#agent-cert-login').value !== ''")
        # then the panel's words are English (the certificate's subject is data) and nothing overflows the phone
        status = page.inner_text(".agent-status").split(":", 1)[0]
        panel = page.inner_text(".agent-panel").replace(page.inner_text(".agent-status"), "")
        assert not HAN.search(status) and not HAN.search(panel), (status, panel)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.click(".keyfile-fallback > summary")
        assert "read into this page" in page.inner_text(".keyfile-warning")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
        agent.stop()


def test_certificates_not_the_bidders_or_revoked_are_refused_before_the_agent_is_asked(
    live_server, world, browser, tmp_path, settings, trust_store
):
    from ggzy.bidagent.tests.harness import AgentProcess

    # given bidder 0 signed in, whose agent holds its own encryption certificate and, for signing, a person's
    # certificate that is not bound to the bidder's account and a revoked one
    pki = _pki(world, tmp_path)
    lot = lot_ready(world)
    sign_up(world, lot, [0])
    keys = {
        "own-encrypt": pki.users[f"{world.bidder_entities[0].name}/encrypt"],
        "person-sign": trust_store.users["李海燕/sign"],
        "revoked-sign": next(i for i in trust_store.revoked if i.algorithm == Algorithm.ECDSA),
    }
    home, extra, env, _pin = _agent_home(tmp_path, keys)
    agent = AgentProcess(home, *extra, env=env, timeout=60)
    settings.GGZY_AGENT_URL = f"http://127.0.0.1:{agent.port}"
    bidder = Actor(browser, live_server, world.bidders[0])
    page = bidder.page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(f"{live_server.url}/tendering/lots/{lot.pk}/sealed-bid/")
        _state(page, "state_unpaired")
        page.click(".agent-pair")
        agent.expect(r"确认？\[y/N\]", timeout=30)
        agent.type("y")
        _state(page, "state_paired", "state_chosen")
        page.wait_for_function("() => document.querySelector('#sealed-agent-enc').value !== ''")
        # when it tries to seal a bid signed with the person's certificate
        page.set_input_files(
            "#sealed-files", [{"name": "a.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7 x"}]
        )
        page.fill("#sealed-total-price", "100.00")
        _choose(page, "#sealed-agent-sign", "李海燕")
        page.click("#sealed-submit")
        # then the page says so in plain words
        _wait_message(page, "与登记的证书不一致")
        # and with the revoked certificate, that it is revoked (the trust store's answer)
        _choose(page, "#sealed-agent-sign", "已吊销")
        page.click("#sealed-submit")
        page.wait_for_function(
            "() => document.getElementById('sealed-message').textContent.includes('证书已吊销')"
        )
        # and nothing was sealed or sent, and the agent was never asked
        assert not Bid.objects.filter(lot=lot).exists()
        assert not any(url.endswith(("/v1/sign", "/v1/unwrap")) or "sealing-key" in url for url in requests)
    finally:
        bidder.context.close()
        agent.stop()
