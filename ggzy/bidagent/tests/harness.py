"""Run the agent as a real process (real port, stdin piped) and talk to it like a page does."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ORIGIN = "https://ggzy.example.cn"


def bid_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "ggzy.tendering.bidclient", *args]


def cli(*args: str, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        bid_command(*args),
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


class AgentProcess:
    def __init__(self, home: Path, *extra: str, env: dict | None = None, timeout: float = 20) -> None:
        environment = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        environment.pop("DJANGO_SETTINGS_MODULE", None)  # the agent runs without Django
        self.process = subprocess.Popen(
            bid_command(
                "agent", "serve", "--port", "0", "--home", str(home), "--timeout", str(timeout), *extra
            ),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=environment,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.stderr: list[str] = []
        threading.Thread(target=lambda: self.stderr.extend(self.process.stderr or []), daemon=True).start()
        started = self.expect(r"已启动：http://127\.0\.0\.1:(\d+)/", timeout=30)
        self.port = int(re.search(r"127\.0\.0\.1:(\d+)", started).group(1))
        self.pool = ThreadPoolExecutor(max_workers=4)

    def _read(self) -> None:
        for line in self.process.stdout or []:
            self.output.append(line)
            self.lines.put(line)

    def expect(self, pattern: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(
                    f"agent never printed {pattern!r}; output: {''.join(self.output)}"
                    f"\nstderr: {''.join(self.stderr)}"
                ) from None
            if re.search(pattern, line):
                return line

    def type(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def request(
        self,
        method: str,
        path: str,
        *,
        origin: str | None = ORIGIN,
        token: str | None = None,
        body: dict | None = None,
        host: str | None = None,
        raw: bytes | None = None,
    ) -> tuple[int, dict, dict]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": host or f"127.0.0.1:{self.port}"}
        if origin:
            headers["Origin"] = origin
        if token:
            headers["Authorization"] = f"Bearer {token}"
        payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if payload is not None:
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, json.loads(data or b"{}")

    def background(self, *args, **kwargs) -> Future:
        return self.pool.submit(self.request, *args, **kwargs)

    def pair(self, origin: str = ORIGIN) -> str:
        status, _headers, started = self.request("POST", "/v1/pair", origin=origin, body={})
        assert status == 200, started
        code_line = self.expect(r"配对码：")
        assert started["code"] in code_line
        self.expect(r"确认？\[y/N\]")
        self.type("y")
        status, _headers, result = self.request(
            "GET", f"/v1/pair/{started['pairing_id']}?wait=20", origin=origin
        )
        assert status == 200 and result["status"] == "paired", result
        return result["token"]

    def confirmed(self, method: str, path: str, *, answer: str = "y", pin: str | None = None, **kwargs):
        """A request the user answers in the agent: ``answer`` to 确认, then ``pin``."""
        future = self.background(method, path, **kwargs)
        self.expect(r"确认？\[y/N\]")
        self.type(answer)
        if pin is not None:
            self.expect(r"请输入证书口令")
            self.type(pin)
        return future.result(timeout=60)

    def stop(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
