"""The demo's independent witness: a separate ``witness_server`` process whose key lives outside ``var/``.

``ggzy ledger witness demo-start`` (called by ``make demo``) creates the key in ``$GGZY_DEMO_WITNESS_DIR``
(default ``~/.ggzy-demo-witness``), starts ``python -m ggzy.ledger.witness_server serve`` there as its own
process (detached; its log is ``serve.log``, its pid ``serve.pid``), registers it with the platform by its
public key and address, and pushes the latest checkpoint. Run again, it reuses a witness that is already
answering. The platform never reads that directory except, here, to learn the *public* key and to start the
process, as the supervision department's operator would by hand.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from ggzy.core.errors import DomainError

from . import keys, selectors, services, witness_server
from .localwitness import ledger_cosign_locally
from .models import Witness, WitnessKind
from .remotewitness import WitnessPushResult, witness_push

DEMO_REMOTE_WITNESS = ("czt.shandong.demo/ledger-witness", "山东省财政厅（政府采购监督，演示见证进程）")
LOG_KEY_FILE = "log.vkey"  # the platform log this demo witness was started for
START_TIMEOUT = 10.0  # seconds


@dataclass
class DemoWitness:
    witness: Witness
    directory: Path
    url: str
    pid: int | None  # the process started now; None when one was already answering
    push: WitnessPushResult


def demo_witness_dir() -> Path:
    configured = os.environ.get("GGZY_DEMO_WITNESS_DIR")
    return Path(configured).expanduser() if configured else Path.home() / ".ggzy-demo-witness"


def _answering(url: str, vkey: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/", timeout=1.0) as response:  # noqa: S310 (our own http URL)
            return f"vkey {vkey}\n" in response.read(4096).decode("utf-8", "replace")
    except (OSError, ValueError):
        return False


def _stop_previous(directory: Path) -> None:
    pid_file = directory / "serve.pid"
    if pid_file.exists():
        try:
            pid = int(pid_file.read_text().strip())
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline:
                os.kill(pid, 0)  # raises ProcessLookupError once it has exited
                time.sleep(0.1)
        except (ValueError, ProcessLookupError, PermissionError):
            pass
        pid_file.unlink()


def _spawn(directory: Path, port: int, log_vkey: str, hash_name: str, url: str, vkey: str) -> int:
    with open(directory / "serve.log", "ab") as log:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", "ggzy.ledger.witness_server", "serve", "--dir", str(directory),
             "--log-key", log_vkey, "--listen", f"127.0.0.1:{port}", "--hash", hash_name],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    (directory / "serve.pid").write_text(f"{process.pid}\n")
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DomainError(f"见证进程启动失败，见 {directory / 'serve.log'}", field="witness")
        if _answering(url, vkey):
            return process.pid
        time.sleep(0.1)  # a CLI waiting for a child process to listen, not a test
    raise DomainError(f"见证进程未在 {START_TIMEOUT:.0f} 秒内响应，见 {directory / 'serve.log'}", field="witness")


def demo_witness_start(*, directory: Path | None = None, port: int = 8510) -> DemoWitness:
    directory = (directory or demo_witness_dir()).expanduser().resolve()
    if directory.is_relative_to(Path(settings.VAR_DIR).resolve()):
        raise DomainError("演示见证方的密钥目录不能在平台的 var/ 目录下", field="dir")
    name, display_name = DEMO_REMOTE_WITNESS
    if not (directory / witness_server.KEY_FILE).exists():
        witness_server.keygen(directory, name)
    vkey = witness_server.load_signer(directory).verifier.vkey
    log_vkey = keys.platform_verifier().vkey
    url = f"http://127.0.0.1:{port}"
    recorded = directory / LOG_KEY_FILE
    if recorded.exists() and recorded.read_text().strip() != log_vkey:
        # a fresh platform (``make clean``) is a new log under the same origin: a real witness would refuse it
        # as a rollback; the demo witness starts its record over instead and keeps the old one beside it
        _stop_previous(directory)
        state = directory / witness_server.STATE_FILE
        if state.exists():
            state.rename(state.with_suffix(f".{int(time.time())}.old"))
    recorded.write_text(log_vkey + "\n")
    pid = None
    if not _answering(url, vkey):
        _stop_previous(directory)
        pid = _spawn(directory, port, log_vkey, selectors.log_head().hash_algorithm, url, vkey)
    witness = Witness.objects.filter(name=name).first()
    if witness is None:
        witness = services.witness_register(actor=None, name=name, display_name=display_name,
                                            kind=WitnessKind.SUPERVISOR, vkey=vkey, url=url)
    elif witness.vkey != vkey or witness.url != url:
        raise DomainError(f"已登记的 {name} 的公钥或地址与 {directory} 中的见证方不一致", field="witness")
    checkpoint = services.checkpoint_issue(actor=None)
    ledger_cosign_locally(checkpoint=checkpoint)
    return DemoWitness(witness, directory, url, pid, witness_push(witness=witness, checkpoint=checkpoint, force=True))
