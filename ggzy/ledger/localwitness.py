"""Witnesses run in-process, for the embedded demo and tests: a key file and a state file per witness.

A production witness runs on the supervision department's own machine (behind the tlog-witness HTTP
interface) and keeps its key there; this stand-in runs the same ``witness_cosign`` decision so the demo
shows cosigned checkpoints without a second server.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from ggzy.core import clock

from . import keys, notes, selectors, services
from .models import Checkpoint, Witness, WitnessKind
from .witness import WitnessState, parse_add_checkpoint_body, witness_cosign

_lock = threading.Lock()

DEMO_WITNESSES = [
    ("fgw.shandong.local/ledger-witness", "山东省发展和改革委员会（行政监督）", WitnessKind.SUPERVISOR),
    ("ggzy.shandong.local/ledger-witness", "山东省公共资源交易中心", WitnessKind.PROVINCIAL_CENTER),
]


def witness_dir() -> Path:
    configured = getattr(settings, "GGZY_LEDGER_WITNESS_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "ledger-witnesses"


class LocalWitness:
    """One witness whose key and last cosigned checkpoint live in files under ``witness_dir()``."""

    def __init__(self, name: str, directory: Path | None = None) -> None:
        self.name = name
        base = (directory or witness_dir()) / name.replace("/", "_")
        self.key_path = base.with_suffix(".key")
        self.state_path = base.with_suffix(".state.json")

    def signer(self) -> notes.Signer:
        if self.key_path.exists():
            return notes.parse_skey(self.key_path.read_text(encoding="ascii"))
        signer = notes.Signer.generate(self.name, notes.COSIGNATURE_V1)
        self.key_path.parent.mkdir(parents=True, exist_ok=True)
        self.key_path.write_text(signer.skey + "\n", encoding="ascii")
        self.key_path.chmod(0o600)
        return signer

    def state(self) -> WitnessState | None:
        if not self.state_path.exists():
            return None
        data = json.loads(self.state_path.read_text(encoding="utf-8"))
        return WitnessState(data["origin"], data["size"], bytes.fromhex(data["root"]))

    def send(self, body: str) -> str:
        """Answer a tlog-witness ``add-checkpoint`` request body with a cosignature line."""
        with _lock:
            old_size, proof, note = parse_add_checkpoint_body(body)
            line, state = witness_cosign(
                self.signer(), note, proof, self.state(), log_verifiers=[keys.platform_verifier()],
                old_size=old_size, timestamp=int(clock.now().timestamp()), hash_fn=selectors.log_hash_fn())
            self.state_path.write_text(json.dumps({"origin": state.origin, "size": state.size,
                                                   "root": state.root.hex()}), encoding="utf-8")
            return line


def witness_key_holder(witness: Witness) -> str:
    """Who holds the witness's private key, as far as the platform can tell: itself (``platform``), the witness's
    own server (``remote``, or ``remote-same-host`` on this machine), or nobody it calls (``offline``)."""
    if witness_key_on_platform(witness):
        return "platform"
    if not witness.url:
        return "offline"
    host = urlsplit(witness.url).hostname or ""
    return "remote-same-host" if host in ("127.0.0.1", "localhost", "::1") else "remote"


def witness_key_on_platform(witness: Witness) -> bool:
    """Whether this platform holds ``witness``'s private key (an in-process witness, not an independent one)."""
    local = LocalWitness(witness.name)
    try:
        return local.key_path.exists() and local.signer().verifier.vkey == witness.vkey
    except (OSError, notes.NoteError):
        return False


def ledger_demo_witnesses(*, actor: Any = None) -> list[Witness]:
    """Register the demo's two witnesses (keys under var/), issue a checkpoint and have both cosign it.

    Safe to call again: known witnesses are reused and only a new checkpoint is cosigned.
    """
    witnesses = []
    for name, display_name, kind in DEMO_WITNESSES:
        local = LocalWitness(name)
        witness = Witness.objects.filter(name=name).first()
        if witness is None:
            witness = services.witness_register(actor=actor, name=name, display_name=display_name, kind=kind,
                                                vkey=local.signer().verifier.vkey)
        witnesses.append(witness)
    checkpoint = services.checkpoint_issue(actor=actor)
    ledger_cosign_locally(checkpoint=checkpoint)
    return witnesses


def ledger_cosign_locally(*, checkpoint: Checkpoint) -> int:
    """Ask every active witness that has a local key to cosign ``checkpoint``; returns how many did."""
    count = 0
    for witness in Witness.objects.filter(is_active=True):
        if not witness_key_on_platform(witness):
            continue
        local = LocalWitness(witness.name)
        witness.refresh_from_db()
        services.checkpoint_request_cosignature(checkpoint=checkpoint, witness=witness, send=local.send)
        count += 1
    return count


__all__ = ["LocalWitness", "ledger_cosign_locally", "ledger_demo_witnesses", "witness_key_on_platform"]
