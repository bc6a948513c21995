"""The witness side of tlog-witness (C2SP): cosign a checkpoint only if it extends what was cosigned before.

A witness (a supervision department, or the provincial center for a city center) keeps, per log, the
last checkpoint it cosigned. ``witness_cosign`` is the whole decision as a pure function; the witness
persists the returned state atomically with answering (tlog-witness warns of the rollback race).
The request body of ``add-checkpoint`` is also built and parsed here so an HTTP witness can be put in
front of the same function.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

from . import merkle, notes


class WitnessRefusal(Exception):
    """The witness will not cosign. ``status`` is the tlog-witness HTTP status it would answer."""

    def __init__(self, message: str, *, status: int, known_size: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.known_size = known_size


@dataclass(frozen=True)
class WitnessState:
    """The latest checkpoint a witness cosigned for one log origin."""

    origin: str
    size: int
    root: bytes


def witness_cosign(witness_key: notes.Signer, checkpoint_note: str, consistency_proof: Sequence[bytes],
                   last_cosigned: WitnessState | None, *, log_verifiers: Sequence[notes.Verifier],
                   old_size: int | None = None, timestamp: int,
                   hash_fn: merkle.HashFn = merkle.sha256) -> tuple[str, WitnessState]:
    """Check ``checkpoint_note`` against the witness's last cosigned state and cosign it.

    ``old_size`` is the size the log believes the witness last cosigned (the ``old`` line of the
    request; defaults to the witness's own). Returns the cosignature line and the new state to persist.
    """
    if witness_key.sig_type != notes.COSIGNATURE_V1:
        raise ValueError("a witness signs with a cosignature (type 0x04) key")
    try:
        text, _lines = notes.split_note(checkpoint_note)
        checkpoint = notes.parse_checkpoint(text)
    except notes.NoteError as exc:
        raise WitnessRefusal(f"malformed checkpoint: {exc}", status=400) from exc
    if last_cosigned is not None and last_cosigned.origin != checkpoint.origin:
        raise WitnessRefusal("unknown log origin", status=404)
    try:
        notes.open_checkpoint(checkpoint_note, list(log_verifiers))
    except notes.NoteError as exc:
        raise WitnessRefusal(f"checkpoint not signed by the log: {exc}", status=403) from exc
    known_size = last_cosigned.size if last_cosigned else 0
    old = known_size if old_size is None else old_size
    if old > checkpoint.size:
        raise WitnessRefusal("old size is larger than the checkpoint", status=400)
    if old != known_size:
        raise WitnessRefusal("old size does not match the last cosigned checkpoint", status=409,
                             known_size=known_size)
    if last_cosigned is not None and last_cosigned.size > 0:
        if checkpoint.size == last_cosigned.size:
            if checkpoint.root != last_cosigned.root:
                raise WitnessRefusal("same size, different root: the log forked", status=409,
                                     known_size=known_size)
        else:
            try:
                merkle.verify_consistency(hash_fn, last_cosigned.size, checkpoint.size, consistency_proof,
                                          last_cosigned.root, checkpoint.root)
            except merkle.ProofError as exc:
                raise WitnessRefusal(f"inconsistent with the last cosigned checkpoint: {exc}",
                                     status=422) from exc
    elif consistency_proof:
        raise WitnessRefusal("the proof must be empty when the old size is zero", status=422)
    line = witness_key.signature_line(text, timestamp=timestamp)
    return line, WitnessState(checkpoint.origin, checkpoint.size, checkpoint.root)


def add_checkpoint_body(old_size: int, proof: Sequence[bytes], checkpoint_note: str) -> str:
    """The tlog-witness ``add-checkpoint`` request body."""
    lines = [f"old {old_size}", *(base64.b64encode(p).decode("ascii") for p in proof), ""]
    return "\n".join(lines) + "\n" + checkpoint_note


def parse_add_checkpoint_body(body: str) -> tuple[int, list[bytes], str]:
    head, sep, note = body.partition("\n\n")
    if not sep:
        raise WitnessRefusal("malformed request", status=400)
    lines = head.split("\n")
    if not lines[0].startswith("old ") or not lines[0][4:].isdigit() or len(lines) - 1 > 63:
        raise WitnessRefusal("malformed request", status=400)
    try:
        proof = [base64.b64decode(line, validate=True) for line in lines[1:]]
    except ValueError as exc:
        raise WitnessRefusal("malformed proof line", status=400) from exc
    return int(lines[0][4:]), proof, note
