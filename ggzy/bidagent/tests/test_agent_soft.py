"""The agent as a real process with its software store: pairing, refusals, confirmation, sign, unwrap, PINs.

Each test starts ``ggzy-bid agent serve`` in a subprocess on a free port and answers its questions through the
process's stdin, as a user at the terminal would.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import http.client
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ggzy.pki import envelope, login
from ggzy.tendering import bidformat

from .harness import ORIGIN, ROOT, AgentProcess, cli
from .keys import PASSWORD, make_keys

OTHER = "https://evil.example.com"


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    return make_keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def home(tmp_path_factory, keys):
    """An agent home with every test key imported through the CLI (PKCS#12 for some, PKCS#8 for others)."""
    home = tmp_path_factory.mktemp("agent-home")
    imports = {
        "sm2_sign": ("p12",),
        "sm2_encrypt": ("pkcs8",),
        "ec_sign": ("pkcs8",),
        "rsa_encrypt": ("p12",),
        "lock": ("p12",),
        "expired": ("pkcs8",),
    }
    for name, (kind,) in imports.items():
        made = keys[name]
        args = (
            ["agent", "import", str(made.p12_path)]
            if kind == "p12"
            else ["agent", "import", str(made.key_path), "--cert", str(made.cert_path)]
        )
        result = cli(*args, "--home", str(home), "--label", name, stdin=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
        assert "已导入" in result.stdout
    return home


@pytest.fixture
def agent(home):
    process = AgentProcess(home, timeout=20)
    yield process
    process.stop()


def _certificate_id(agent, token, label):
    status, _h, body = agent.request("GET", "/v1/certificates", token=token)
    assert status == 200, body
    return next(c for c in body["certificates"] if c["label"] == label)


def test_status_answers_any_origin(agent):
    status, headers, body = agent.request("GET", "/v1/status", origin=OTHER)
    assert status == 200
    assert body["agent"] == "ggzy-bid-agent" and body["paired"] is False
    assert {"id": "soft", "kind": "soft", "label": "本机软件证书库", "present": True} in body["stores"]
    assert headers["access-control-allow-origin"] == OTHER
    assert headers["vary"] == "Origin"


def test_dns_rebinding_host_refused(agent):
    status, headers, body = agent.request("GET", "/v1/status", host=f"attacker.example:{agent.port}")
    assert status == 400 and body["field"] == "Host"
    assert "access-control-allow-origin" not in headers


def test_pairing_then_an_unpaired_origin_is_refused(agent, keys):
    token = agent.pair(ORIGIN)
    status, headers, body = agent.request("GET", "/v1/certificates", token=token)
    assert status == 200 and headers["access-control-allow-origin"] == ORIGIN
    labels = {c["label"] for c in body["certificates"]}
    assert {"sm2_sign", "sm2_encrypt", "ec_sign", "rsa_encrypt"} <= labels
    assert all("PRIVATE" not in c["certificate_pem"] for c in body["certificates"])
    status, _h, body = agent.request("GET", "/v1/status", token=token)
    assert body["paired"] is True

    # another origin, even holding the paired origin's token, gets not_paired and no CORS header
    status, headers, body = agent.request("GET", "/v1/certificates", origin=OTHER, token=token)
    assert status == 403 and body["error"] == "not_paired"
    assert "access-control-allow-origin" not in headers
    sign_id = _certificate_id(agent, token, "ec_sign")["id"]
    status, headers, body = agent.request(
        "POST",
        "/v1/sign",
        origin=OTHER,
        token=token,
        body={"certificate_id": sign_id, "data": "aGk=", "purpose": "login"},
    )
    assert status == 403 and body["error"] == "not_paired" and "access-control-allow-origin" not in headers
    status, headers, _body = agent.request("OPTIONS", "/v1/sign", origin=OTHER)
    assert status == 403 and "access-control-allow-origin" not in headers
    # the paired origin's preflight is answered
    status, headers, _body = agent.request("OPTIONS", "/v1/sign", origin=ORIGIN)
    assert status == 200 and headers["access-control-allow-origin"] == ORIGIN
    assert headers["access-control-allow-private-network"] == "true"
    assert "Authorization" in headers["access-control-allow-headers"]
    # no Origin at all, or a wrong token, on a protected endpoint
    status, _h, body = agent.request("GET", "/v1/certificates", origin=None, token=token)
    assert status == 403 and body["error"] == "not_paired"
    status, headers, body = agent.request("GET", "/v1/certificates", token="x" * 43)
    assert status == 403 and body["error"] == "not_paired"
    # nothing was asked of the user for any of these
    assert not any("签名请求" in line for line in agent.output)

    # the pairing outlives the agent; unpair removes it
    agent_home = agent.process.args[agent.process.args.index("--home") + 1]
    pairings = Path(agent_home) / "pairings.json"
    assert stat.S_IMODE(pairings.stat().st_mode) == 0o600
    assert token not in pairings.read_text(encoding="utf-8")
    result = cli("agent", "unpair", ORIGIN, "--home", agent_home)
    assert result.returncode == 0, result.stderr
    status, _h, body = agent.request("GET", "/v1/certificates", token=token)
    assert status == 403 and body["error"] == "not_paired"


def test_pairing_the_user_declined(agent):
    origin = "https://declined.example.cn"
    status, _h, started = agent.request("POST", "/v1/pair", origin=origin, body={})
    assert status == 200 and len(started["code"]) == 6 and started["code"].isdigit()
    agent.expect(started["code"])
    agent.expect(r"确认？\[y/N\]")
    agent.type("n")
    status, _h, body = agent.request("GET", f"/v1/pair/{started['pairing_id']}?wait=20", origin=origin)
    assert status == 403 and body["error"] == "declined"
    status, _h, body = agent.request("GET", "/v1/status", origin=origin)
    assert body["paired"] is False
    # another origin cannot poll someone else's pairing
    status, _h, body = agent.request("GET", f"/v1/pair/{started['pairing_id']}?wait=0", origin=OTHER)
    assert status == 400


def test_sign_the_user_declined(agent):
    token = agent.pair()
    entry = _certificate_id(agent, token, "ec_sign")
    status, _h, body = agent.confirmed(
        "POST",
        "/v1/sign",
        answer="n",
        token=token,
        body={
            "certificate_id": entry["id"],
            "data": base64.b64encode(b"doc").decode(),
            "purpose": "bid",
            "summary": "投标文件签名 · 标段 A",
        },
    )
    assert status == 403 and body["error"] == "declined"


def test_sign_sm2_verified_by_the_platform_and_confirmation_shows_what(agent, keys):
    token = agent.pair()
    entry = _certificate_id(agent, token, "sm2_sign")
    assert entry["algorithm"] == "sm2" and entry["usage"] == ["sign"] and entry["expired"] is False
    data = "登录挑战 nonce=abc".encode()
    status, _h, body = agent.confirmed(
        "POST",
        "/v1/sign",
        pin=PASSWORD,
        token=token,
        body={
            "certificate_id": entry["id"],
            "data": base64.b64encode(data).decode(),
            "purpose": "login",
            "summary": "登录\x1b[2J 平台",
        },
    )
    assert status == 200, body
    assert body["algorithm"] == "sm2-sm3"
    signature = base64.b64decode(body["signature"])
    assert signature[0] == 0x30  # DER SEQUENCE r, s
    assert login.signature_valid(keys["sm2_sign"].issued.certificate, data, signature)
    assert not login.signature_valid(keys["sm2_sign"].issued.certificate, data + b"x", signature)
    shown = "".join(agent.output)
    assert f"来源网站：{ORIGIN}" in shown and "用途：登录" in shown and "王建国" in shown
    assert hashlib.sha256(data).hexdigest() in shown
    assert "\x1b" not in shown  # the page's text cannot drive the terminal
    assert PASSWORD not in shown


def test_sign_ecdsa_soft_verified_by_the_platform(agent, keys):
    token = agent.pair()
    entry = _certificate_id(agent, token, "ec_sign")
    data = b"bid manifest"
    status, _h, body = agent.confirmed(
        "POST",
        "/v1/sign",
        pin=PASSWORD,
        token=token,
        body={"certificate_id": entry["id"], "data": base64.b64encode(data).decode(), "purpose": "bid"},
    )
    assert status == 200 and body["algorithm"] == "ecdsa-sha256"
    assert login.signature_valid(
        keys["ec_sign"].issued.certificate, data, base64.b64decode(body["signature"])
    )


def test_wrong_pin_counts_down_then_locks(agent):
    token = agent.pair()
    entry = _certificate_id(agent, token, "lock")
    request = {"certificate_id": entry["id"], "data": "ZGF0YQ==", "purpose": "other"}
    seen = []
    for _ in range(5):
        status, _h, body = agent.confirmed("POST", "/v1/sign", pin="wrong", token=token, body=request)
        assert status == 401 and body["error"] == "wrong_pin", body
        seen.append(body["tries_left"])
    assert seen == [4, 3, 2, 1, 0]
    shown = "".join(agent.output)
    assert "证书口令剩余尝试次数：5" in shown and "证书口令剩余尝试次数：1" in shown
    # locked: even the right PIN is refused, and the lock survives a restart (counted on disk)
    status, _h, body = agent.confirmed("POST", "/v1/sign", pin=PASSWORD, token=token, body=request)
    assert status == 423 and body["error"] == "pin_locked"


def test_right_pin_resets_the_counter(agent):
    token = agent.pair()
    entry = _certificate_id(agent, token, "ec_sign")
    request = {"certificate_id": entry["id"], "data": "ZGF0YQ==", "purpose": "other"}
    status, _h, body = agent.confirmed("POST", "/v1/sign", pin="wrong", token=token, body=request)
    assert body["tries_left"] == 4
    status, _h, body = agent.confirmed("POST", "/v1/sign", pin=PASSWORD, token=token, body=request)
    assert status == 200
    status, _h, body = agent.confirmed("POST", "/v1/sign", pin="wrong", token=token, body=request)
    assert body["tries_left"] == 4


def test_unwrap_sm2_and_rsa_keys_wrapped_by_the_platform(agent, keys):
    token = agent.pair()
    for label, algorithm, content in (
        ("sm2_encrypt", "sm2", envelope.SM4_GCM),
        ("rsa_encrypt", "rsa-oaep-sha256", envelope.AES_256_GCM),
    ):
        entry = _certificate_id(agent, token, label)
        assert "encrypt" in entry["usage"]
        content_key = envelope.content_key_new(content)
        wrapped = bidformat.wrap_to_certificate(keys[label].issued.certificate, content_key)
        status, _h, body = agent.confirmed(
            "POST",
            "/v1/unwrap",
            pin=PASSWORD,
            token=token,
            body={
                "certificate_id": entry["id"],
                "wrapped": base64.b64encode(wrapped).decode(),
                "algorithm": algorithm,
                "summary": "开标解密 · 标段 X",
            },
        )
        assert status == 200, body
        assert base64.b64decode(body["key"]) == content_key
    assert "用途：开标解密" in "".join(agent.output)


def test_operation_the_key_cannot_do_and_expired_certificate(agent):
    token = agent.pair()
    sign_only = _certificate_id(agent, token, "ec_sign")
    status, _h, body = agent.request(
        "POST",
        "/v1/unwrap",
        token=token,
        body={"certificate_id": sign_only["id"], "wrapped": "AAAA", "algorithm": "rsa-oaep-sha256"},
    )
    assert status == 400 and body["error"] == "unsupported"
    expired = _certificate_id(agent, token, "expired")
    assert expired["expired"] is True
    status, _h, body = agent.request(
        "POST",
        "/v1/sign",
        token=token,
        body={"certificate_id": expired["id"], "data": "AAAA", "purpose": "bid"},
    )
    assert status == 409 and body["error"] == "certificate_expired" and "过期" in body["message"]
    status, _h, body = agent.request(
        "POST", "/v1/sign", token=token, body={"certificate_id": "nope", "data": "AAAA", "purpose": "bid"}
    )
    assert status == 404 and body["error"] == "no_such_certificate"
    status, _h, body = agent.request(
        "POST",
        "/v1/sign",
        token=token,
        body={"certificate_id": sign_only["id"], "data": "not base64!", "purpose": "bid"},
    )
    assert status == 400 and body["error"] == "bad_request" and body["field"] == "data"
    # a body over 1 MiB is refused from its Content-Length, before it is read
    connection = http.client.HTTPConnection("127.0.0.1", agent.port, timeout=30)
    connection.putrequest("POST", "/v1/sign", skip_host=True)
    for name, value in (
        ("Host", f"127.0.0.1:{agent.port}"),
        ("Origin", ORIGIN),
        ("Content-Length", "2000000"),
        ("Authorization", f"Bearer {token}"),
    ):
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 400 and json.loads(response.read())["field"] == "body"
    connection.close()


def test_one_request_at_a_time(agent):
    token = agent.pair()
    entry = _certificate_id(agent, token, "ec_sign")
    request = {"certificate_id": entry["id"], "data": "ZGF0YQ==", "purpose": "other"}
    first = agent.background("POST", "/v1/sign", token=token, body=request)
    agent.expect(r"确认？\[y/N\]")
    status, _h, body = agent.request("POST", "/v1/sign", token=token, body=request)
    assert status == 409 and body["error"] == "busy"
    agent.type("n")
    assert first.result(timeout=30)[2]["error"] == "declined"


def test_nobody_answers(agent, home):
    token = agent.pair()  # paired with a patient agent; the pairing outlives it
    agent.stop()
    agent = AgentProcess(home, timeout=1)
    try:
        entry = _certificate_id(agent, token, "ec_sign")
        status, _h, body = agent.request(
            "POST",
            "/v1/sign",
            token=token,
            body={"certificate_id": entry["id"], "data": "ZGF0YQ==", "purpose": "other"},
        )
        assert status == 408 and body["error"] == "timeout"
    finally:
        agent.stop()


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("sm2_sign", "p12"),
        ("sm2_encrypt", "pkcs8"),
        ("rsa_encrypt", "p12"),
        ("rsa_encrypt", "pkcs8"),
        ("ec_sign", "pkcs8"),
    ],
)
def test_import_with_a_wrong_password_is_refused(tmp_path, keys, name, kind):
    made = keys[name]
    args = (
        ["agent", "import", str(made.p12_path)]
        if kind == "p12"
        else ["agent", "import", str(made.key_path), "--cert", str(made.cert_path)]
    )
    result = cli(*args, "--home", str(tmp_path), stdin="wrong-password\n")
    assert result.returncode == 1
    assert "证书口令错误" in result.stderr
    assert not list((tmp_path / "keys").glob("*.json")) if (tmp_path / "keys").exists() else True


def test_import_sm2_pkcs8_encrypted_with_sm4_cbc(tmp_path, keys):
    made = keys["sm2_encrypt"]
    sm4_file = made.key_path.with_name("sm2_encrypt.key-sm4.pem")
    assert b"ENCRYPTED PRIVATE KEY" in sm4_file.read_bytes()
    result = cli(
        "agent",
        "import",
        str(sm4_file),
        "--cert",
        str(made.cert_path),
        "--home",
        str(tmp_path),
        stdin="wrong\n",
    )
    assert result.returncode == 1 and "证书口令错误" in result.stderr
    result = cli(
        "agent",
        "import",
        str(sm4_file),
        "--cert",
        str(made.cert_path),
        "--home",
        str(tmp_path),
        stdin=PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert "sm2" in result.stdout and "王建国" in result.stdout


def test_import_refuses_a_key_that_does_not_match_the_certificate(tmp_path, keys):
    result = cli(
        "agent",
        "import",
        str(keys["ec_sign"].key_path),
        "--cert",
        str(keys["lock"].cert_path),
        "--home",
        str(tmp_path),
        stdin=PASSWORD + "\n",
    )
    assert result.returncode == 1 and "私钥与证书不匹配" in result.stderr


def test_stored_keys_are_encrypted_and_private(home, keys):
    for path in (home / "keys").glob("*.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        text = path.read_text()
        assert "PRIVATE KEY" not in text and "scrypt" in text
    assert stat.S_IMODE((home / "keys").stat().st_mode) == 0o700


def test_the_agent_imports_no_django():
    code = (
        "import sys, ggzy.tendering.bidclient, ggzy.bidagent.cli, ggzy.bidagent.server, "
        "ggzy.bidagent.pkcs11store; print('django' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    assert result.stdout.strip() == "False", result.stderr


def test_the_agent_package_imports_only_django_free_modules():
    """ggzy.bidagent may use itself and ggzy.pki's pure modules (sm, der, sm2x509) — nothing with models or Django."""
    allowed = ("ggzy.bidagent", "ggzy.pki.sm", "ggzy.pki.der", "ggzy.pki.sm2x509")
    package = ROOT / "ggzy" / "bidagent"
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            for name in names:
                assert not name.startswith("django"), (path.name, name)
                if name.startswith("ggzy."):
                    assert name.startswith(allowed), (path.name, name)
