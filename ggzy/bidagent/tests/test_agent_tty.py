"""The agent on a real terminal (a pseudo-terminal as its controlling tty): the PIN is read without echo."""

from __future__ import annotations

import base64
import fcntl
import os
import pty
import re
import select
import subprocess
import termios
import threading
import time

from ggzy.pki import login

from .harness import ORIGIN, ROOT, bid_command, cli
from .keys import PASSWORD, make_keys


class Terminal:
    def __init__(self, home) -> None:
        self.master, slave = pty.openpty()

        def controlling_tty() -> None:
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        self.process = subprocess.Popen(
            bid_command("agent", "serve", "--port", "0", "--home", str(home), "--timeout", "20"),
            stdin=slave,
            stdout=slave,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
            env={**env, "PYTHONUNBUFFERED": "1"},
            preexec_fn=controlling_tty,
        )  # noqa: PLW1509 — a test helper, no threads yet
        os.close(slave)
        self.screen = ""
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                ready, _w, _x = select.select([self.master], [], [], 0.2)
                if ready:
                    data = os.read(self.master, 4096)
                    if not data:
                        return
                    with self._lock:
                        self.screen += data.decode("utf-8", "replace")
            except OSError:
                return

    def wait_for(self, pattern: str, timeout: float = 20) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = re.search(pattern, self.screen)
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"terminal never showed {pattern!r}: {self.screen!r}")

    def type(self, text: str) -> None:
        os.write(self.master, (text + "\r").encode())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        os.close(self.master)


def test_on_a_terminal_the_pin_is_not_echoed(tmp_path):
    (tmp_path / "keys").mkdir()
    keys = make_keys(tmp_path / "keys")
    home = tmp_path / "home"
    result = cli(
        "agent",
        "import",
        str(keys["ec_sign"].p12_path),
        "--home",
        str(home),
        "--label",
        "tty",
        stdin=PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr
    terminal = Terminal(home)
    try:
        port = int(terminal.wait_for(r"127\.0\.0\.1:(\d+)/").group(1))
        # the harness's HTTP helpers, pointed at this agent
        from .harness import AgentProcess

        client = AgentProcess.__new__(AgentProcess)
        client.port = port
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=2)
        status, _h, started = client.request("POST", "/v1/pair", body={})
        assert status == 200
        terminal.wait_for(r"确认？\[y/N\]")
        terminal.type("y")
        status, _h, paired = client.request("GET", f"/v1/pair/{started['pairing_id']}?wait=20")
        assert paired["status"] == "paired", paired
        token = paired["token"]
        _s, _h, listing = client.request("GET", "/v1/certificates", token=token)
        entry = next(c for c in listing["certificates"] if c["label"] == "tty")
        data = b"tty-signed"
        future = pool.submit(
            client.request,
            "POST",
            "/v1/sign",
            token=token,
            body={
                "certificate_id": entry["id"],
                "data": base64.b64encode(data).decode(),
                "purpose": "login",
                "summary": "登录",
            },
        )
        terminal.wait_for(r"签名请求[\s\S]*确认？\[y/N\]")
        terminal.type("y")
        terminal.wait_for(r"不回显")
        terminal.type(PASSWORD)
        status, _h, body = future.result(timeout=30)
        assert status == 200, body
        assert login.signature_valid(
            keys["ec_sign"].issued.certificate, data, base64.b64decode(body["signature"])
        )
        terminal.wait_for("已签名")
        assert PASSWORD not in terminal.screen  # typed, never shown
        assert ORIGIN in terminal.screen
        pool.shutdown()
    finally:
        terminal.stop()
