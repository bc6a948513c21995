"""The embedded mode's one command (``manage.py serve``, what ``make demo`` runs) serves the platform and runs the
task consumer with its scheduler, so checkpoints are issued without anyone running ``run_huey`` by hand."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from ggzy.core.testing import REPOSITORY
from ggzy.ledger import notes

_WAIT_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _latest_checkpoint(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/ledger/checkpoints/latest", timeout=5) as r:
            return json.loads(r.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None  # not serving yet, or 404 until the first checkpoint


def test_serve_runs_the_scheduler_which_issues_a_signed_checkpoint(tmp_path):
    # given a migrated embedded database in its own data directory, with no checkpoint yet
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GGZY_", "DATABASE_URL", "REDIS_URL", "DJANGO_", "RUN_MAIN"))}
    env.update(DJANGO_SETTINGS_MODULE="ggzy.settings.dev", GGZY_VAR_DIR=str(tmp_path / "var"),
               GGZY_LEDGER_CHECKPOINT_MINUTES="1", PYTHONUNBUFFERED="1")
    manage = [sys.executable, "manage.py"]
    migrated = subprocess.run([*manage, "migrate", "--noinput"], cwd=REPOSITORY, env=env, capture_output=True,
                              text=True, timeout=180)
    assert migrated.returncode == 0, migrated.stderr
    port = _free_port()
    log_path = tmp_path / "serve.log"
    # when the one command starts
    with log_path.open("w") as log:
        server = subprocess.Popen([*manage, "serve", f"127.0.0.1:{port}", "--noreload", "--workers", "1"],
                                  cwd=REPOSITORY, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + _WAIT_SECONDS
            checkpoint = _latest_checkpoint(port)
            while checkpoint is None and time.monotonic() < deadline and server.poll() is None:
                time.sleep(0.5)  # polling a real server process, not waiting for the domain clock
                checkpoint = _latest_checkpoint(port)
        finally:
            # then it stops cleanly on SIGTERM, and stops the consumer it started
            server.send_signal(signal.SIGTERM)
            try:
                returncode = server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                raise
    output = log_path.read_text()
    # then the public API serves a checkpoint that the scheduler issued, signed with the platform's key
    assert checkpoint is not None, output
    assert checkpoint["tree_size"] == 0
    platform_key = notes.parse_skey((tmp_path / "var" / "ledger-key").read_text(encoding="ascii"))
    opened, _cosignatures = notes.open_checkpoint(checkpoint["note"], [platform_key.verifier], [])
    assert opened.size == 0
    assert "Executing ggzy.ledger.tasks.ledger_checkpoint_periodic" in output
    assert "Executing ggzy.tendering.tasks.chronograph" in output
    assert returncode == 0, output
    assert "Consumer exiting." in output
    consumer_pid = int(re.search(r"进程 (\d+)", output).group(1))
    try:
        os.kill(consumer_pid, 0)
    except ProcessLookupError:
        pass
    else:
        raise AssertionError(f"the consumer (pid {consumer_pid}) outlived the server")
