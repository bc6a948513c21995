"""Receipts: an entry, its inclusion proof and a (cosigned) checkpoint, verifiable offline by anyone.

``receipt_verify`` needs only this module, ``merkle``, ``notes`` and ``canonical`` — no database — and the
public keys the verifier trusts (the platform's vkey and the witnesses' vkeys).

The receipt of a sealed entry carries ``"sealed": {"body", "salt"}`` — the entry and the salt its leaf commits
to — once the seal has lifted, or before that when the caller has established that the reader made the entry
(tendering's bid receipt); ``receipt_verify`` then also checks ``H(salt || body)`` against the commitment.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from . import canonical, merkle, notes

RECEIPT_FORMAT = "ggzy-ledger-receipt/v1"


class ReceiptInvalid(ValueError):
    """The receipt does not prove what it claims; the message says why."""


@dataclass(frozen=True)
class ReceiptCheck:
    index: int
    tree_size: int
    root: bytes
    entry: dict[str, Any]
    cosigners: tuple[str, ...]
    sealed_entry: dict[str, Any] | None = None  # the opened body of a sealed entry, when the receipt carries it


def receipt_for(entry_index: int, *, open_sealed: bool = False, states: dict[str, Any] | None = None) -> dict[str, Any]:
    """The receipt of entry ``entry_index``, against the latest (preferably cosigned) checkpoint.

    Issues a checkpoint first when none covers the entry yet. A sealed entry's body and salt are included once
    revealed, or with ``open_sealed`` — only for the party that made the entry, which the caller must have checked.
    ``states`` ({"before": …, "after": …}, either optional): the values whose hashes the entry holds, for a reader
    entitled to them (e.g. a bid's arrival time); ``receipt_verify`` checks them against the entry's hashes.
    """
    from . import selectors, services

    entry = selectors.entry_get(index=entry_index)
    kept = selectors.sealed_get(index=entry_index)
    checkpoint = selectors.checkpoint_covering(index=entry_index)
    if checkpoint is None:
        checkpoint = services.checkpoint_issue()
    head = selectors.log_head()
    proof = selectors.inclusion_proof_hashes(index=entry.index, size=checkpoint.tree_size)
    receipt: dict[str, Any] = {
        "format": RECEIPT_FORMAT,
        "hash": head.hash_algorithm,
        "entry": {"index": entry.index, "body": entry.body},
        "leaf_hash": _b64(bytes(entry.leaf_hash)),
        "inclusion": {"tree_size": checkpoint.tree_size, "proof": [_b64(p) for p in proof]},
        "checkpoint": checkpoint.note_with_cosignatures(),
    }
    if kept is not None and (kept.is_revealed or open_sealed):
        receipt["sealed"] = {"body": kept.body, "salt": _b64(bytes(kept.salt))}
    if states:
        receipt["states"] = states
    return receipt


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, TypeError) as exc:
        raise ReceiptInvalid("a hash is not valid base64") from exc


def _verifiers(trusted_keys: Iterable[str | notes.Verifier]) -> list[notes.Verifier]:
    out = []
    for key in trusted_keys:
        out.append(key if isinstance(key, notes.Verifier) else notes.parse_vkey(key))
    return out


def receipt_verify(receipt: dict[str, Any] | str, trusted_keys: Sequence[str | notes.Verifier], *,
                   min_cosignatures: int | None = None) -> ReceiptCheck:
    """Check a receipt offline. Raises ``ReceiptInvalid``; returns what was proven.

    ``trusted_keys`` are vkeys: type 0x01 keys may sign checkpoints (the platform), type 0x04 keys are
    witnesses. ``min_cosignatures`` defaults to 1 when any witness key is trusted, else 0.
    """
    if isinstance(receipt, str):
        try:
            receipt = json.loads(receipt)
        except ValueError as exc:
            raise ReceiptInvalid("the receipt is not JSON") from exc
    if not isinstance(receipt, dict) or receipt.get("format") != RECEIPT_FORMAT:
        raise ReceiptInvalid("not a ggzy ledger receipt")
    try:
        verifiers = _verifiers(trusted_keys)
        hash_fn = merkle.hash_function(str(receipt["hash"]))
        index = int(receipt["entry"]["index"])
        body_text = str(receipt["entry"]["body"])
        size = int(receipt["inclusion"]["tree_size"])
        proof = [_unb64(p) for p in receipt["inclusion"]["proof"]]
        note = str(receipt["checkpoint"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ReceiptInvalid(f"malformed receipt: {exc}") from exc
    log_keys = [v for v in verifiers if v.sig_type in notes.LOG_TYPES]
    witness_keys = [v for v in verifiers if v.is_cosigner]
    if not log_keys:
        raise ReceiptInvalid("no trusted log key was given")
    try:
        checkpoint, cosigs = notes.open_checkpoint(note, log_keys, witness_keys)
    except notes.NoteError as exc:
        raise ReceiptInvalid(f"checkpoint: {exc}") from exc
    needed = (1 if witness_keys else 0) if min_cosignatures is None else min_cosignatures
    cosigners = tuple(sorted({c.verifier.name for c in cosigs}))
    if len(cosigners) < needed:
        raise ReceiptInvalid(f"checkpoint has {len(cosigners)} trusted cosignatures, {needed} required")
    if checkpoint.size != size:
        raise ReceiptInvalid("the proof is for another tree size than the checkpoint")
    body = body_text.encode("utf-8")
    try:
        entry = json.loads(body)
    except ValueError as exc:
        raise ReceiptInvalid("the entry is not JSON") from exc
    try:
        is_canonical = canonical.canonical_json(entry) == body
    except ValueError:
        is_canonical = False
    if not is_canonical or not isinstance(entry, dict):
        raise ReceiptInvalid("the entry is not in canonical form")
    if entry.get("index") != index:
        raise ReceiptInvalid("the entry's index does not match the receipt")
    sealed_entry = _opened(receipt, entry, hash_fn) if canonical.is_sealed_stub(entry) else None
    _check_states(receipt, sealed_entry if sealed_entry is not None else entry, hash_fn)
    leaf = merkle.leaf_hash(hash_fn, body)
    if "leaf_hash" in receipt and _unb64(str(receipt["leaf_hash"])) != leaf:
        raise ReceiptInvalid("the leaf hash does not match the entry")
    try:
        merkle.verify_inclusion(hash_fn, index, size, leaf, proof, checkpoint.root)
    except merkle.ProofError as exc:
        raise ReceiptInvalid(f"inclusion proof: {exc}") from exc
    return ReceiptCheck(index, size, checkpoint.root, entry, cosigners, sealed_entry)


def _check_states(receipt: dict[str, Any], body: dict[str, Any], hash_fn: merkle.HashFn) -> None:
    states = receipt.get("states")
    if states is None:
        return
    if not isinstance(states, dict) or not set(states) <= {"before", "after"}:
        raise ReceiptInvalid("malformed states")
    for side, value in states.items():
        try:
            digest = canonical.state_hash(hash_fn, value)
        except ValueError as exc:
            raise ReceiptInvalid(f"the {side} state is not JSON") from exc
        if digest != body.get(f"{side}_hash"):
            raise ReceiptInvalid(f"the {side} state does not match the entry's hash")


def _opened(receipt: dict[str, Any], stub: dict[str, Any], hash_fn: merkle.HashFn) -> dict[str, Any] | None:
    """The body a sealed entry's receipt opens (checked against the leaf's commitment), or None when it has none."""
    problem = canonical.sealed_stub_problem(stub, len(hash_fn(b"")))
    if problem:
        raise ReceiptInvalid(f"sealed entry: {problem}")
    if "sealed" not in receipt:
        return None
    try:
        body_text = str(receipt["sealed"]["body"])
        salt = _unb64(str(receipt["sealed"]["salt"]))
    except (KeyError, TypeError) as exc:
        raise ReceiptInvalid(f"malformed sealed part: {exc}") from exc
    problem = canonical.reveal_problem(hash_fn, stub, body_text, salt)
    if problem:
        raise ReceiptInvalid(f"sealed entry: {problem}")
    opened: dict[str, Any] = json.loads(body_text)
    return opened
