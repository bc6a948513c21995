"""Fuzz the whole REST API with Schemathesis and fail on any 500 or any answer the OpenAPI document does not declare.

A fresh SQLite database in a temporary directory gets the migrations and the demo data; the app is served on a
loopback port; Schemathesis then walks every operation of ``/api/openapi.json`` once per caller: anonymous, a
bidder (toubiao), center staff (jinan_staff, password + TOTP) and an expert (zhuanjia). Checks:
not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance.

    .venv/bin/python scripts/api_fuzz.py [--max-examples N] [--role NAME ...] [--seed N]

Exit status 0 only when every run found nothing. Sends traffic to 127.0.0.1 only, bounded by --max-examples.
"""

# ruff: noqa: S310, S603 — runs this project's own commands and reads only the loopback URLs it builds
from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEMO_PASSWORD = "Demo-2026-ggzy"
ROLES = {"anonymous": None, "bidder": "toubiao", "staff": "jinan_staff", "expert": "zhuanjia"}
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# Operations that end the caller's own session would leave the rest of a signed-in run anonymous.
SESSION_ENDING = "/api/v1/accounts/logout"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True,
                          text=True)
    return done.stdout


def _wait_for(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"服务未能启动（退出码 {server.returncode}）")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    raise SystemExit(f"服务在 {seconds} 秒内未就绪：{url}")


def _login(base: str, env: dict, username: str) -> list[str]:
    """Sign in over the API; the headers that carry the session and its CSRF token."""
    body = {"username": username, "password": DEMO_PASSWORD}
    with contextlib.suppress(subprocess.CalledProcessError):  # roles without a second factor have no code
        body["totp"] = _manage(env, "demo_totp", username).strip()
    csrf = secrets.token_hex(16)  # signing in needs a CSRF token; any well-formed one will do for the first request
    request = urllib.request.Request(f"{base}/api/v1/accounts/login", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Cookie": f"csrftoken={csrf}",
                                              "X-CSRFToken": csrf})
    with urllib.request.urlopen(request, timeout=30) as response:
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
    session, csrf = cookies["sessionid"].value, cookies["csrftoken"].value
    return ["-H", f"Cookie: sessionid={session}; csrftoken={csrf}", "-H", f"X-CSRFToken: {csrf}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("GGZY_FUZZ_EXAMPLES", "3")))
    parser.add_argument("--role", action="append", choices=sorted(ROLES), help="only these callers")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("GGZY_FUZZ_SEED", "20260301")))
    parser.add_argument("st_args", nargs="*", help="extra arguments for `st run` (after --)")
    options = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="ggzy-fuzz-"))
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(GGZY_VAR_DIR=str(workdir), DJANGO_SETTINGS_MODULE="ggzy.settings.dev", PYTHONUNBUFFERED="1")
    started = time.monotonic()
    _manage(env, "migrate", "--noinput")
    _manage(env, "demo_load")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(workdir / "server.log", "w")  # noqa: SIM115 — closed in finally
    server = subprocess.Popen([PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    failed: list[str] = []
    try:
        _wait_for(f"{base}/api/openapi.json", server)
        # Sign everyone in first: the anonymous run's failed logins count against 127.0.0.1's throttle.
        headers = {role: _login(base, env, username) if username else [] for role, username in ROLES.items()
                   if not options.role or role in options.role}
        for role, extra in headers.items():
            print(f"== {role}", flush=True)
            command = [str(Path(PYTHON).with_name("st")), "run", f"{base}/api/openapi.json", "--checks", CHECKS,
                       "--max-examples", str(options.max_examples), "--seed", str(options.seed), "--workers", "1",
                       "--no-shrink", "--suppress-health-check", "all", "--request-timeout", "30",
                       "--report", "junit", "--report-dir", str(workdir / f"report-{role}"), *extra]
            if role != "anonymous":
                command += ["--exclude-path", SESSION_ENDING]
            command += options.st_args
            if subprocess.run(command, cwd=workdir, env=env).returncode != 0:
                failed.append(role)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    if failed:
        errors = [line for line in (workdir / "server.log").read_text().splitlines() if "Error" in line]
        print("\n".join(errors[-40:]))
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"api-fuzz: work dir {workdir}, {time.monotonic() - started:.0f}s; failed: {', '.join(failed) or 'none'}")
    print(f"api-fuzz: {len(headers) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
