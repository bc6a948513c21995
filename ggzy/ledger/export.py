"""Export the log to files (``ggzy ledger export``) and verify the database in place (``ggzy ledger verify --db``).

An export directory holds everything an outside verifier needs, in the formats of docs/ledger-format.md:

    manifest.json          origin, hash algorithm, size, the platform's and the witnesses' public keys
    entries.jsonl          one line per entry: {"index", "body" (canonical JSON text), "leaf_hash" (base64)}
    sealed.jsonl           one line per *revealed* sealed entry: {"index", "body", "salt" (base64)}
    nodes.jsonl            the stored complete-subtree hashes (level ≥ 1): {"level", "position", "hash" (base64)}
    checkpoints/<size>.note  each checkpoint as a signed note with its cosignature lines
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

from ggzy.core import clock

from . import keys, notes, selectors
from .canonical import canonical_time
from .models import Checkpoint, LogEntry, SealedEntry, TreeNode, Witness
from .verify import EXPORT_FORMAT, NODES_FILE, SEALED_FILE, VerifyReport, verify_log

CHUNK = 2000


def _entry_rows() -> Iterator[tuple[int, str, bytes]]:
    rows = LogEntry.objects.order_by("index").values_list("index", "body", "leaf_hash")
    for index, body, leaf in rows.iterator(chunk_size=CHUNK):
        yield index, body, bytes(leaf)


def _checkpoint_notes() -> list[tuple[int, str]]:
    checkpoints = Checkpoint.objects.order_by("tree_size").prefetch_related("cosignatures")
    return [(c.tree_size, c.note_with_cosignatures()) for c in checkpoints]


def ledger_export(directory: Path) -> dict:
    """Write the whole log under ``directory``; returns the manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "checkpoints").mkdir(exist_ok=True)
    head = selectors.log_head()
    count = 0
    with (directory / "entries.jsonl").open("w", encoding="utf-8") as fh:
        for index, body, leaf in _entry_rows():
            fh.write(json.dumps({"index": index, "body": body, "leaf_hash": base64.b64encode(leaf).decode()},
                                ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    # Still-sealed bodies never leave the database: an export may be published.
    with (directory / SEALED_FILE).open("w", encoding="utf-8") as fh:
        revealed = SealedEntry.objects.filter(revealed_at__isnull=False, index__lt=count).order_by("index")
        for index, body, salt in revealed.values_list("index", "body", "salt").iterator(chunk_size=CHUNK):
            fh.write(json.dumps({"index": index, "body": body, "salt": base64.b64encode(bytes(salt)).decode()},
                                ensure_ascii=False, separators=(",", ":")) + "\n")
    # the platform's subtree hashes let a verifier place damage that only a checkpoint's root reveals
    with (directory / NODES_FILE).open("w", encoding="utf-8") as fh:
        for level, position, h in _stored_nodes():
            if (position + 1) << level <= count:
                fh.write(json.dumps({"level": level, "position": position, "hash": base64.b64encode(h).decode()},
                                    separators=(",", ":")) + "\n")
    for size, note in _checkpoint_notes():
        (directory / "checkpoints" / f"{size:020d}.note").write_text(note, encoding="utf-8")
    manifest = {
        "format": EXPORT_FORMAT,
        "origin": keys.log_origin(),
        "hash": head.hash_algorithm,
        "tree_size": count,
        "log_key": keys.platform_verifier().vkey,
        "witnesses": [{"name": w.name, "display_name": w.display_name, "kind": w.kind, "vkey": w.vkey}
                      for w in Witness.objects.order_by("name")],
        "exported_at": canonical_time(clock.now()),
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                             encoding="utf-8")
    return manifest


def _stored_nodes() -> Iterator[tuple[int, int, bytes]]:
    rows = TreeNode.objects.order_by("level", "position").values_list("level", "position", "hash")
    for level, position, h in rows.iterator(chunk_size=CHUNK):
        yield level, position, bytes(h)


def verify_database(*, trusted_keys: list[str] | None = None) -> VerifyReport:
    """Verify the live tables: entries, stored subtree hashes, checkpoints, cosignatures."""
    vkeys = trusted_keys or [keys.platform_verifier().vkey, *Witness.objects.values_list("vkey", flat=True)]
    verifiers = [notes.parse_vkey(k) for k in vkeys]
    # every sealed body is checked against its commitment here, revealed or not (the operator holds them all)
    reveals = {index: (body, bytes(salt)) for index, body, salt in SealedEntry.objects.values_list("index", "body", "salt")}
    report = verify_log(hash_name=selectors.log_head().hash_algorithm, entries=_entry_rows(),
                        checkpoint_notes=[note for _size, note in _checkpoint_notes()],
                        log_keys=[v for v in verifiers if v.sig_type in notes.LOG_TYPES],
                        witness_keys=[v for v in verifiers if v.is_cosigner], stored_nodes=_stored_nodes(),
                        reveals=reveals, require_reveals=True)
    head = selectors.log_head()
    if head.size != report.entries:
        report.add(f"日志头记录数 {head.size} 与实际记录数 {report.entries} 不符",
                   min(head.size, report.entries))
    return report
