"""The reference witness a supervision department runs: C2SP tlog-witness ``add-checkpoint`` over HTTP.

It runs on the witness's own host, with its own key and its own record of the log, and needs neither
Django nor the platform's database — only this package's ``notes``, ``merkle`` and ``witness`` modules:

    python -m ggzy.ledger.witness_server keygen --dir D --name fgw.example.gov.cn/ledger-witness
    python -m ggzy.ledger.witness_server serve --dir D --log-key <platform vkey or file> --listen 127.0.0.1:8510

(``ggzy ledger witness keygen|serve`` run the same functions.) The directory holds:

* ``witness.key``  the signer key (``PRIVATE+KEY+…``, mode 0600) — it never leaves this host
* ``witness.vkey`` the verifier key to hand to the platform operator (``ggzy ledger witness add``)
* ``state.json``   per log origin, the latest checkpoint cosigned (size and root); replaced atomically
  (temporary file, fsync, rename, fsync of the directory) *before* the cosignature is returned
* ``refused/``     signed checkpoints refused as a fork or with a bad proof: evidence of log misbehaviour
* ``lock``         held while serving, so two processes never share one state

The log is known by its verifier key; its origin line is the key's name (docs/ledger-format.md).
Checking the old size and persisting the new state happen under one lock, which closes the rollback race
tlog-witness describes.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO

from . import merkle, notes
from .witness import WitnessRefusal, WitnessState, parse_add_checkpoint_body, witness_cosign

KEY_FILE = "witness.key"
VKEY_FILE = "witness.vkey"
STATE_FILE = "state.json"
MAX_BODY = 64 * 1024  # 63 proof lines and a checkpoint with a few dozen signatures fit easily
SIZE_CONTENT_TYPE = "text/x.tlog.size"


class WitnessSetupError(Exception):
    """The witness directory or its configuration cannot be used (no key, a bad log key, …)."""


def keygen(directory: Path, name: str) -> notes.Verifier:
    """Create the witness's cosignature key in ``directory``; refuses to replace an existing key."""
    directory.mkdir(parents=True, exist_ok=True)
    try:
        signer = notes.Signer.generate(name, notes.COSIGNATURE_V1)
    except notes.NoteError as exc:
        raise WitnessSetupError(str(exc)) from exc
    try:
        fd = os.open(directory / KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise WitnessSetupError(f"{directory / KEY_FILE} already exists; a witness keeps its key") from exc
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(signer.skey + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    (directory / VKEY_FILE).write_text(signer.verifier.vkey + "\n", encoding="ascii")
    return signer.verifier


def load_signer(directory: Path) -> notes.Signer:
    path = directory / KEY_FILE
    if not path.exists():
        raise WitnessSetupError(f"no witness key in {directory}: run keygen first")
    try:
        signer = notes.parse_skey(path.read_text(encoding="ascii"))
    except notes.NoteError as exc:
        raise WitnessSetupError(f"{path}: {exc}") from exc
    if signer.sig_type != notes.COSIGNATURE_V1:
        raise WitnessSetupError(f"{path} is not a cosignature (type 0x04) key")
    return signer


def parse_log_keys(values: Sequence[str]) -> list[notes.Verifier]:
    """Each value is a verifier key or a file of verifier keys (one a line, ``#`` comments)."""
    verifiers = []
    for value in values:
        path = Path(value)
        lines = path.read_text(encoding="utf-8").splitlines() if "+" not in value and path.is_file() else [value]
        for line in lines:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                verifier = notes.parse_vkey(line)
            except notes.NoteError as exc:
                raise WitnessSetupError(f"log key {line!r}: {exc}") from exc
            if verifier.sig_type not in notes.LOG_TYPES:
                raise WitnessSetupError(f"log key {verifier.name} is not a log signature key")
            verifiers.append(verifier)
    if not verifiers:
        raise WitnessSetupError("give at least one --log-key")
    return verifiers


def _write_atomically(path: Path, data: bytes) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class WitnessService:
    """The witness's decisions over its directory: one lock around check-and-persist."""

    def __init__(self, directory: Path, log_verifiers: Sequence[notes.Verifier], *,
                 hash_fn: merkle.HashFn = merkle.sha256, now: Callable[[], float] = time.time) -> None:
        self.directory = directory
        self.signer = load_signer(directory)
        self.log_verifiers = list(log_verifiers)
        self.hash_fn = hash_fn
        self.now = now
        self._lock = threading.Lock()

    @property
    def state_path(self) -> Path:
        return self.directory / STATE_FILE

    def states(self) -> dict[str, WitnessState]:
        if not self.state_path.exists():
            return {}
        data = json.loads(self.state_path.read_text(encoding="utf-8"))
        return {origin: WitnessState(origin, row["size"], bytes.fromhex(row["root"])) for origin, row in data.items()}

    def _save(self, states: dict[str, WitnessState]) -> None:
        data = {origin: {"size": s.size, "root": s.root.hex()} for origin, s in sorted(states.items())}
        _write_atomically(self.state_path, json.dumps(data, indent=1).encode("utf-8"))

    def add_checkpoint(self, body: str) -> tuple[int, str, str]:
        """Answer an ``add-checkpoint`` request body: (HTTP status, content type, response body)."""
        with self._lock:
            try:
                old_size, proof, note = parse_add_checkpoint_body(body)
            except WitnessRefusal as refusal:
                return self._refused(refusal, body, is_evidence=False)
            try:
                origin = note.split("\n", 1)[0]
                verifiers = [v for v in self.log_verifiers if v.name == origin]
                if not verifiers:
                    raise WitnessRefusal("unknown log origin", status=404)
                states = self.states()
                line, state = witness_cosign(self.signer, note, proof, states.get(origin), log_verifiers=verifiers,
                                             old_size=old_size, timestamp=int(self.now()), hash_fn=self.hash_fn)
            except WitnessRefusal as refusal:
                # A 422, or a 409 at the very size the witness holds, answers a correctly signed checkpoint that
                # contradicts what it cosigned: keep it, it proves the log forked (tlog-witness allows logging it).
                is_evidence = refusal.status == 422 or (refusal.status == 409 and refusal.known_size == old_size)
                return self._refused(refusal, body, is_evidence=is_evidence)
            states[origin] = state
            self._save(states)  # persisted before the cosignature leaves (tlog-witness)
        return 200, "text/plain; charset=utf-8", line

    def _refused(self, refusal: WitnessRefusal, body: str, *, is_evidence: bool) -> tuple[int, str, str]:
        if is_evidence:
            refused = self.directory / "refused"
            refused.mkdir(exist_ok=True)
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(self.now()))
            (refused / f"{stamp}-{refusal.status}-{threading.get_ident()}.txt").write_text(body, encoding="utf-8")
        if refusal.status == 409 and refusal.known_size is not None:
            return 409, SIZE_CONTENT_TYPE, f"{refusal.known_size}\n"
        return refusal.status, "text/plain; charset=utf-8", f"{refusal}\n"

    def status_text(self) -> str:
        lines = [f"witness {self.signer.name}", f"vkey {self.signer.verifier.vkey}"]
        states = self.states()
        for v in self.log_verifiers:
            state = states.get(v.name)
            lines.append(f"log {v.name} size {state.size if state else 0}")
        return "\n".join(lines) + "\n"


def handler_for(service: WitnessService) -> type[BaseHTTPRequestHandler]:
    class WitnessHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as tlog-witness recommends
        server_version = "ggzy-witness/1"

        def _answer(self, status: int, content_type: str, text: str) -> None:
            data = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            if self.path.rstrip("/") != "/add-checkpoint":
                self._answer(404, "text/plain; charset=utf-8", "not found\n")
                return
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                self._answer(411, "text/plain; charset=utf-8", "Content-Length required\n")
                return
            if not 0 < length <= MAX_BODY:
                self.close_connection = True
                self._answer(413 if length > 0 else 400, "text/plain; charset=utf-8", "bad request size\n")
                return
            raw = self.rfile.read(length)
            try:
                body = raw.decode("utf-8")
            except UnicodeDecodeError:
                self._answer(400, "text/plain; charset=utf-8", "the body is not UTF-8\n")
                return
            self._answer(*service.add_checkpoint(body))

        def do_GET(self) -> None:  # noqa: N802
            if self.path != "/":
                self._answer(404, "text/plain; charset=utf-8", "not found\n")
                return
            self._answer(200, "text/plain; charset=utf-8", service.status_text())

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    return WitnessHandler


def parse_listen(listen: str) -> tuple[str, int]:
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit():
        raise WitnessSetupError("--listen is HOST:PORT, e.g. 127.0.0.1:8510")
    return host.strip("[]") or "127.0.0.1", int(port)


def serve(directory: Path, log_keys: Sequence[str], listen: str, *, hash_name: str = "sha256",
          out: IO[str] = sys.stdout) -> None:
    """Serve ``add-checkpoint`` until SIGTERM or Ctrl-C; one process per witness directory."""
    service = WitnessService(directory, parse_log_keys(log_keys), hash_fn=merkle.hash_function(hash_name))
    lock = open(directory / "lock", "a")  # noqa: SIM115 (held for the life of the process)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        lock.close()
        raise WitnessSetupError(f"another witness process is serving {directory}") from exc
    host, port = parse_listen(listen)
    server = ThreadingHTTPServer((host, port), handler_for(service))
    server.daemon_threads = True

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    logs = ", ".join(v.name for v in service.log_verifiers)
    out.write(f"witness {service.signer.name} listening on http://{host}:{server.server_port} for {logs}\n")
    out.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
        lock.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ggzy.ledger.witness_server",
                                     description="C2SP tlog-witness for the ggzy transparency log")
    sub = parser.add_subparsers(dest="command", required=True)
    add_keygen_arguments(sub.add_parser("keygen", help="create the witness key"))
    add_serve_arguments(sub.add_parser("serve", help="serve add-checkpoint"))
    options = parser.parse_args(argv)
    try:
        if options.command == "keygen":
            print(keygen(Path(options.dir), options.name).vkey)
        else:
            serve(Path(options.dir), options.log_keys, options.listen, hash_name=options.hash)
    except WitnessSetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def add_keygen_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", required=True, help="the witness's directory (key and state)")
    parser.add_argument("--name", required=True, help="the witness's key name, e.g. fgw.example.gov.cn/ledger-witness")


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", required=True, help="the witness's directory (key and state)")
    parser.add_argument("--log-key", required=True, action="append", dest="log_keys",
                        help="the log's verifier key, or a file of them (repeatable)")
    parser.add_argument("--listen", default="127.0.0.1:8510", help="HOST:PORT (port 0 picks a free one)")
    parser.add_argument("--hash", default="sha256", choices=["sha256", "sm3"], help="the log's Merkle hash")


if __name__ == "__main__":
    sys.exit(main())
