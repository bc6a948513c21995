"""Pieces of the agent that a real token or terminal cannot easily show: PIN flags of a token that counts, the
terminal confirmer's reading and time-out, origin checks and the page text shown to the user."""

from __future__ import annotations

import io
import os
import threading
import time

import pkcs11
import pytest

from ggzy.bidagent import pkcs11store, stores
from ggzy.bidagent.confirm import ConfirmTimeout, Prompt, TerminalConfirmer
from ggzy.bidagent.errors import AgentError
from ggzy.bidagent.pairing import origin_valid
from ggzy.bidagent.server import printable


class FakeToken:
    label = "fake"
    serial = b"ABC123"

    def __init__(self, flags: int, error: type[Exception]) -> None:
        self.flags = flags
        self.error = error

    def open(self, user_pin=None):
        raise self.error()


def _store(token: FakeToken, tmp_path) -> tuple[pkcs11store.Pkcs11Store, stores.CertificateEntry]:
    store = pkcs11store.Pkcs11Store("/nonexistent.so", home=tmp_path)
    store._tokens = lambda: [token]  # type: ignore[method-assign]
    entry = stores.CertificateEntry(
        id="p11-ABC123-01", store="pkcs11", label="x", algorithm=stores.RSA, certificate=None, usage=["sign"]
    )  # type: ignore[arg-type]
    return store, entry


@pytest.mark.parametrize(
    ("flags", "tries_left"),
    [
        (pkcs11.TokenFlag.TOKEN_INITIALIZED, None),
        (pkcs11.TokenFlag.TOKEN_INITIALIZED | pkcs11.TokenFlag.USER_PIN_COUNT_LOW, None),
        (pkcs11.TokenFlag.TOKEN_INITIALIZED | pkcs11.TokenFlag.USER_PIN_FINAL_TRY, 1),
        (pkcs11.TokenFlag.TOKEN_INITIALIZED | pkcs11.TokenFlag.USER_PIN_LOCKED, 0),
    ],
)
def test_wrong_pin_on_a_token_reports_tries_from_its_flags(tmp_path, flags, tries_left):
    store, entry = _store(FakeToken(flags, pkcs11.exceptions.PinIncorrect), tmp_path)
    with pytest.raises(AgentError) as caught:
        store.sign(entry, b"data", "0000")
    assert caught.value.code == "wrong_pin" and caught.value.extra["tries_left"] == tries_left
    assert caught.value.status == 401


def test_locked_and_absent_tokens(tmp_path):
    store, entry = _store(
        FakeToken(pkcs11.TokenFlag.TOKEN_INITIALIZED, pkcs11.exceptions.PinLocked), tmp_path
    )
    with pytest.raises(AgentError) as caught:
        store.sign(entry, b"data", "0000")
    assert caught.value.code == "pin_locked" and caught.value.status == 423
    store, entry = _store(
        FakeToken(pkcs11.TokenFlag.TOKEN_INITIALIZED, pkcs11.exceptions.TokenNotPresent), tmp_path
    )
    with pytest.raises(AgentError) as caught:
        store.sign(entry, b"data", "0000")
    assert caught.value.code == "token_absent" and caught.value.status == 409
    store._tokens = lambda: []  # type: ignore[method-assign]
    with pytest.raises(AgentError) as caught:
        store.sign(entry, b"data", "0000")
    assert caught.value.code == "token_absent"


def test_a_missing_module_is_no_token(tmp_path):
    store = pkcs11store.Pkcs11Store(str(tmp_path / "missing.so"), home=tmp_path)
    assert store.present() is False
    assert store.certificates() == []


def _piped_confirmer():
    read, write = os.pipe()
    stdin = os.fdopen(read, "r", encoding="utf-8")
    writer = os.fdopen(write, "w", encoding="utf-8")
    out = io.StringIO()
    return TerminalConfirmer(stdin=stdin, stdout=out), writer, out


def test_terminal_confirmer_reads_answers_from_a_pipe():
    confirmer, writer, out = _piped_confirmer()
    assert confirmer.tty is False

    def answer(*lines):
        time.sleep(0.2)
        writer.write("".join(f"{line}\n" for line in lines))
        writer.flush()

    threading.Thread(target=answer, args=("y", "pin-123")).start()
    decision = confirmer.ask(Prompt("签名请求", ["来源网站：https://a.example"], need_pin=True), timeout=10)
    assert decision.approved and decision.pin == "pin-123"
    assert "签名请求" in out.getvalue() and "pin-123" not in out.getvalue()

    threading.Thread(target=answer, args=("N",)).start()
    assert confirmer.ask(Prompt("签名请求", need_pin=True), timeout=10).approved is False

    with pytest.raises(ConfirmTimeout):
        confirmer.ask(Prompt("签名请求"), timeout=0.3)
    # an answer typed after the time-out is not taken for the next question
    writer.write("y\n")
    writer.flush()
    time.sleep(0.2)
    threading.Thread(target=answer, args=("n",)).start()
    assert confirmer.ask(Prompt("配对"), timeout=10).approved is False
    writer.close()
    assert confirmer.ask(Prompt("配对"), timeout=10).approved is False  # stdin closed: nobody can say yes


@pytest.mark.parametrize(
    ("origin", "valid"),
    [
        ("https://ggzy.example.cn", True),
        ("http://127.0.0.1:8000", True),
        ("https://ggzy.example.cn/", False),
        ("null", False),
        ("https://user@ggzy.example.cn", False),
        ("file://", False),
        ("https://a.cn:99999", False),
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_origins(origin, valid):
    assert origin_valid(origin) is valid


def test_page_text_cannot_drive_the_terminal():
    assert printable("标段\x1b[2J\x07A\u202eB") == "标段 [2J A B"
    assert printable("x" * 500).endswith("…") and len(printable("x" * 500)) == 201
