"""End-to-end verification of a log: every leaf, every checkpoint signature and cosignature, consistency
between successive checkpoints — from an export directory alone, or straight from the database.

The verifier rebuilds the tree from the entries' canonical bytes and names the first bad row: a row whose
bytes no longer hash to its leaf, whose body names another index (reordered), a missing index (deleted),
or — when a forger also fixed the leaf hash — the leaves under the lowest stored subtree hash or the
checkpoint that no longer matches.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import canonical, merkle, notes

EXPORT_FORMAT = "ggzy-ledger-export/v1"
MAX_PROBLEMS = 200


@dataclass
class Problem:
    message: str
    index: int | None = None
    # how exactly ``index`` places the damage: 0 this row, 1 a stored subtree's range, 2 a checkpoint's range
    rank: int = 0


@dataclass
class VerifyReport:
    entries: int = 0
    checkpoints: int = 0
    cosignatures: int = 0
    problems: list[Problem] = field(default_factory=list)
    suppressed: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.suppressed

    @property
    def first_bad_index(self) -> int | None:
        """The first row named exactly; failing that, the start of the first damaged range."""
        placed = [(p.rank, p.index) for p in self.problems if p.index is not None]
        return min(placed)[1] if placed else None

    def add(self, message: str, index: int | None = None, *, rank: int = 0) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(message, index, rank))
        else:
            self.suppressed += 1


@dataclass(frozen=True)
class _SignedHead:
    size: int
    root: bytes
    cosigners: tuple[str, ...]


def _open_checkpoints(report: VerifyReport, checkpoint_notes: Iterable[str], log_keys: list[notes.Verifier],
                      witness_keys: list[notes.Verifier]) -> list[_SignedHead]:
    heads = []
    for note in checkpoint_notes:
        try:
            checkpoint, cosigs = notes.open_checkpoint(note, log_keys, witness_keys)
        except notes.NoteError as exc:
            first_line = note.split("\n", 2)[:2]
            report.add(f"检查点 {'/'.join(first_line)} 签名无效：{exc}")
            continue
        report.checkpoints += 1
        report.cosignatures += len(cosigs)
        heads.append(_SignedHead(checkpoint.size, checkpoint.root, tuple(c.verifier.name for c in cosigs)))
    heads.sort(key=lambda h: h.size)
    return heads


# index → (revealed canonical body, salt) of a sealed entry
Reveals = Mapping[int, tuple[str, bytes]]


def _check_sealed(report: VerifyReport, hash_fn: merkle.HashFn, index: int, stub: dict, reveals: Reveals | None,
                  require_reveals: bool) -> None:
    """A sealed leaf is checked by its shape; its body, where known, against the commitment (never printed)."""
    problem = canonical.sealed_stub_problem(stub, len(hash_fn(b"")))
    if problem:
        report.add(f"index {index}: {problem}", index)
        return
    reveal = reveals.get(index) if reveals is not None else None
    if reveal is None:
        if require_reveals:
            report.add(f"index {index}: 密封记录的内容与盐值缺失", index)
        return
    problem = canonical.reveal_problem(hash_fn, stub, reveal[0], reveal[1])
    if problem:
        report.add(f"index {index}: {problem}", index)


def _check_entry(report: VerifyReport, hash_fn: merkle.HashFn, expected: int, index: int, body: str,
                 stored_leaf: bytes | None, reveals: Reveals | None = None, require_reveals: bool = False) -> bytes:
    data = body.encode("utf-8")
    leaf = merkle.leaf_hash(hash_fn, data)
    if index != expected:
        report.add(f"index {expected}: 第 {expected} 号记录不在其位置（被删除或调换），此处是 index {index} 的记录",
                   expected)
    try:
        decoded = json.loads(data)
        is_canonical = canonical.canonical_json(decoded) == data
    except ValueError:
        decoded, is_canonical = None, False
    if not is_canonical or not isinstance(decoded, dict):
        report.add(f"index {index}: 内容不是规范化 JSON", index)
    elif decoded.get("index") != index:
        report.add(f"index {index}: 内容写明的序号是 {decoded.get('index')}（记录被调换或改动）", index)
    elif canonical.is_sealed_stub(decoded):
        _check_sealed(report, hash_fn, index, decoded, reveals, require_reveals)
    if stored_leaf is not None and stored_leaf != leaf:
        report.add(f"index {index}: 内容的哈希与叶哈希不符（记录被改动）", index)
    return leaf


def verify_log(*, hash_name: str, entries: Iterable[tuple[int, str, bytes | None]],
               checkpoint_notes: Iterable[str], log_keys: list[notes.Verifier],
               witness_keys: list[notes.Verifier] | None = None,
               stored_nodes: Iterable[tuple[int, int, bytes]] | None = None, reveals: Reveals | None = None,
               require_reveals: bool = False) -> VerifyReport:
    """Verify a whole log. ``entries`` are (index, canonical body, stored leaf hash or None) in stored
    order; ``stored_nodes`` (database mode) are the persisted complete-subtree hashes to cross-check.
    ``reveals`` are the known bodies and salts of sealed entries, each checked against its leaf's commitment;
    ``require_reveals`` (database mode) reports a sealed entry whose body and salt are missing."""
    report = VerifyReport()
    hash_fn = merkle.hash_function(hash_name)
    heads = _open_checkpoints(report, checkpoint_notes, log_keys, witness_keys or [])
    tree = merkle.MemoryTree(hash_fn)
    expected = 0
    for index, body, stored_leaf in entries:
        tree.append(_check_entry(report, hash_fn, expected, index, body, stored_leaf, reveals, require_reveals))
        expected = index + 1  # one report per gap or swap, not one per following row
    report.entries = tree.size
    if stored_nodes is not None:
        _check_nodes(report, tree, stored_nodes)
    previous: _SignedHead | None = None
    for head in heads:
        if head.size > tree.size:
            report.add(f"检查点 {head.size} 超出现有 {tree.size} 条记录：index {tree.size} 起的记录缺失", tree.size, rank=2)
            continue
        if tree.root(head.size) != head.root:
            start = previous.size if previous else 0
            report.add(f"检查点 {head.size} 的根哈希与记录不符：index {start} 至 {head.size - 1} 之间有记录被改动",
                       start, rank=2)
        if previous is not None and previous.size > 0:
            try:
                proof = tree.consistency_proof(previous.size, head.size)
                merkle.verify_consistency(hash_fn, previous.size, head.size, proof, previous.root, head.root)
            except merkle.ProofError as exc:
                report.add(f"检查点 {previous.size} 与 {head.size} 不一致：{exc}")
        previous = head
    return report


def _check_nodes(report: VerifyReport, tree: merkle.MemoryTree, stored: Iterable[tuple[int, int, bytes]]) -> None:
    worst: tuple[int, int] | None = None
    for level, position, h in stored:
        try:
            expected = tree.get(level, position)
        except (KeyError, IndexError):
            report.add(f"树节点 ({level}, {position}) 超出记录范围")
            continue
        if expected != bytes(h) and (worst is None or level < worst[0]):
            worst = (level, position)
    if worst is not None:
        level, position = worst
        first, last = position << level, ((position + 1) << level) - 1
        report.add(f"index {first}: 记录 index {first} 至 {last} 与已存子树哈希 ({level}, {position}) 不符", first,
                   rank=0 if level == 0 else 1)


# --- export directory ------------------------------------------------------------------------------------


SEALED_FILE = "sealed.jsonl"


def read_reveals(directory: Path) -> dict[int, tuple[str, bytes]]:
    """``sealed.jsonl`` of an export: the revealed sealed entries, {"index", "body", "salt" (base64)} per line."""
    path = directory / SEALED_FILE
    if not path.exists():
        return {}
    reveals: dict[int, tuple[str, bytes]] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                reveals[int(row["index"])] = (str(row["body"]), base64.b64decode(row["salt"]))
    return reveals


def read_export(directory: Path) -> tuple[dict, Iterator[tuple[int, str, bytes | None]], list[str]]:
    """The manifest, the entries (streamed) and the checkpoint notes of an export directory."""
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("format") != EXPORT_FORMAT:
        raise ValueError("not a ggzy ledger export")

    def entries() -> Iterator[tuple[int, str, bytes | None]]:
        with (directory / "entries.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    leaf = base64.b64decode(row["leaf_hash"]) if row.get("leaf_hash") else None
                    yield int(row["index"]), row["body"], leaf

    checkpoint_notes = [p.read_text(encoding="utf-8") for p in sorted((directory / "checkpoints").glob("*.note"))]
    return manifest, entries(), checkpoint_notes


def verify_export(directory: Path, *, trusted_keys: list[str] | None = None) -> VerifyReport:
    """Verify an export from its files; the keys come from the manifest unless ``trusted_keys`` pins them."""
    manifest, entries, checkpoint_notes = read_export(directory)
    vkeys = trusted_keys or [manifest["log_key"], *(w["vkey"] for w in manifest.get("witnesses", []))]
    verifiers = [notes.parse_vkey(k) for k in vkeys]
    report = verify_log(hash_name=manifest["hash"], entries=entries, checkpoint_notes=checkpoint_notes,
                        log_keys=[v for v in verifiers if v.sig_type in notes.LOG_TYPES],
                        witness_keys=[v for v in verifiers if v.is_cosigner], reveals=read_reveals(directory))
    declared = int(manifest.get("tree_size", report.entries))
    if declared != report.entries:
        report.add(f"导出清单写明 {declared} 条记录，文件中只有 {report.entries} 条", min(declared, report.entries))
    return report
