"""The agent with keys on a PKCS#11 token (SoftHSM2): sign with RSA and ECDSA P-256, unwrap RSA-OAEP-SHA256 keys
wrapped by the platform, wrong PIN, token absent. The agent runs as a real process; the token is private to the test.
"""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding

from ggzy.bidagent.pkcs11store import oaep_sha256_decode
from ggzy.pki import envelope, login, testpki
from ggzy.pki.models import Algorithm
from ggzy.tendering import bidformat

from .harness import AgentProcess
from .softhsm import TOKEN_LABEL, USER_PIN, softhsm_module, token_make

ENCRYPT_USAGES = ["key_encipherment", "data_encipherment"]


@pytest.fixture(scope="module")
def token(tmp_path_factory):
    module = softhsm_module()
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    until = now + dt.timedelta(days=365)
    ca = testpki.ca_new(name="令牌测试CA", algorithm=Algorithm.ECDSA, not_before=now)
    person = testpki.person_subject("李投标")
    keys = {
        "hsm-rsa": ca.issue(
            label="hsm-rsa",
            subject=person,
            usages=["digital_signature", *ENCRYPT_USAGES],
            not_before=now,
            not_after=until,
            key_algorithm=Algorithm.RSA,
        ),
        "hsm-ec": ca.issue(
            label="hsm-ec", subject=person, usages=testpki.SIGN_USAGES, not_before=now, not_after=until
        ),
    }
    directory = tmp_path_factory.mktemp("softhsm")
    env = token_make(directory, module, keys)
    return {"module": module, "env": env, "keys": keys, "directory": directory}


@pytest.fixture
def agent(token, tmp_path):
    process = AgentProcess(tmp_path / "home", "--pkcs11-module", token["module"], env=token["env"])
    yield process
    process.stop()


def _entries(agent, token_value):
    status, _h, body = agent.request("GET", "/v1/certificates", token=token_value)
    assert status == 200, body
    return {c["label"]: c for c in body["certificates"] if c["store"] == "pkcs11"}


def test_token_certificates_listed_and_signed_with(agent, token):
    status, _h, body = agent.request("GET", "/v1/status")
    assert {"id": "pkcs11", "kind": "pkcs11", "present": True}.items() <= next(
        s for s in body["stores"] if s["id"] == "pkcs11"
    ).items()
    paired = agent.pair()
    entries = _entries(agent, paired)
    assert entries["hsm-rsa"]["algorithm"] == "rsa" and entries["hsm-ec"]["algorithm"] == "ecdsa-p256"
    assert entries["hsm-rsa"]["present"] is True
    data = "投标文件摘要".encode()
    for label, algorithm in (("hsm-rsa", "rsa-pkcs1v15-sha256"), ("hsm-ec", "ecdsa-sha256")):
        status, _h, body = agent.confirmed(
            "POST",
            "/v1/sign",
            pin=USER_PIN,
            token=paired,
            body={
                "certificate_id": entries[label]["id"],
                "data": base64.b64encode(data).decode(),
                "purpose": "bid",
                "summary": "投标文件签名 · 标段 1",
            },
        )
        assert status == 200, body
        assert body["algorithm"] == algorithm
        signature = base64.b64decode(body["signature"])
        certificate = token["keys"][label].certificate
        public_key = certificate.public_key()
        if label == "hsm-rsa":
            public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            assert signature[0] == 0x30  # DER, not WebCrypto's raw r‖s
            public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        assert login.signature_valid(certificate, data, signature)  # the platform's own check


def test_token_unwraps_rsa_oaep_sha256(agent, token):
    paired = agent.pair()
    entry = _entries(agent, paired)["hsm-rsa"]
    content_key = envelope.content_key_new(envelope.AES_256_GCM)
    wrapped = bidformat.wrap_to_certificate(token["keys"]["hsm-rsa"].certificate, content_key)
    status, _h, body = agent.confirmed(
        "POST",
        "/v1/unwrap",
        pin=USER_PIN,
        token=paired,
        body={
            "certificate_id": entry["id"],
            "wrapped": base64.b64encode(wrapped).decode(),
            "algorithm": "rsa-oaep-sha256",
            "summary": "开标解密 · 标段 1",
        },
    )
    assert status == 200, body
    assert base64.b64decode(body["key"]) == content_key
    # a tampered envelope is refused with the same message whatever went wrong
    tampered = bytearray(wrapped)
    tampered[-1] ^= 1
    status, _h, body = agent.confirmed(
        "POST",
        "/v1/unwrap",
        pin=USER_PIN,
        token=paired,
        body={
            "certificate_id": entry["id"],
            "wrapped": base64.b64encode(bytes(tampered)).decode(),
            "algorithm": "rsa-oaep-sha256",
        },
    )
    assert status == 400 and body["field"] == "wrapped"


def test_token_wrong_pin(agent):
    paired = agent.pair()
    entry = _entries(agent, paired)["hsm-ec"]
    status, _h, body = agent.confirmed(
        "POST",
        "/v1/sign",
        pin="000000",
        token=paired,
        body={"certificate_id": entry["id"], "data": "ZGF0YQ==", "purpose": "login"},
    )
    assert status == 401 and body["error"] == "wrong_pin"
    assert body["tries_left"] is None  # SoftHSM2 sets neither FINAL_TRY nor LOCKED: the token decides
    assert "000000" not in "".join(agent.output) + "".join(agent.stderr)


def test_token_absent(token, tmp_path):
    """Certificates seen on the token stay listed when it is unplugged; using them says the token is absent."""
    home = tmp_path / "home"
    agent = AgentProcess(home, "--pkcs11-module", token["module"], env=token["env"])
    try:
        paired = agent.pair()
        entry = _entries(agent, paired)["hsm-ec"]
    finally:
        agent.stop()
    empty = tmp_path / "no-token"
    empty.mkdir()
    (tmp_path / "empty.conf").write_text(f"directories.tokendir = {empty}\nobjectstore.backend = file\n")
    agent = AgentProcess(
        home, "--pkcs11-module", token["module"], env={"SOFTHSM2_CONF": str(tmp_path / "empty.conf")}
    )
    try:
        status, _h, body = agent.request("GET", "/v1/status")
        assert next(s for s in body["stores"] if s["id"] == "pkcs11")["present"] is False
        listed = _entries(agent, paired)["hsm-ec"]
        assert listed["id"] == entry["id"] and listed["present"] is False
        status, _h, body = agent.request(
            "POST",
            "/v1/sign",
            token=paired,
            body={"certificate_id": entry["id"], "data": "ZGF0YQ==", "purpose": "login"},
        )
        assert status == 409 and body["error"] == "token_absent" and "USB Key" in body["message"]
    finally:
        agent.stop()


def test_token_label_not_there(token, tmp_path):
    agent = AgentProcess(
        tmp_path / "home",
        "--pkcs11-module",
        token["module"],
        "--pkcs11-token",
        "no-such-token",
        env=token["env"],
    )
    try:
        status, _h, body = agent.request("GET", "/v1/status")
        assert next(s for s in body["stores"] if s["id"] == "pkcs11")["present"] is False
        assert TOKEN_LABEL not in str(body)
    finally:
        agent.stop()


def test_oaep_decoding_rejects_bad_padding():
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = key.private_numbers()
    ciphertext = key.public_key().encrypt(b"k" * 32, bidformat.OAEP)  # the platform's OAEP parameters
    raw = pow(int.from_bytes(ciphertext, "big"), numbers.d, numbers.public_numbers.n).to_bytes(256, "big")
    assert oaep_sha256_decode(raw, 256) == b"k" * 32
    for position in (0, 5, 40, 255):
        broken = bytearray(raw)
        broken[position] ^= 0x40
        with pytest.raises(ValueError, match="decryption error"):
            oaep_sha256_decode(bytes(broken), 256)
