"""End-to-end verification of a log: every leaf, every checkpoint signature and cosignature, consistency
between successive checkpoints — from an export directory alone, or straight from the database.

The verifier rebuilds the tree from the entries' canonical bytes and names the first bad row: a row whose
bytes no longer hash to its leaf, whose body names another index (reordered), a missing index (deleted),
or — when a forger also fixed the leaf hash — the first leaves where the rebuilt tree leaves the tree a signed
checkpoint commits to (``locate_divergence``: a descent from the signed root through the publisher's stored
subtree hashes, each pair checked against the hash above it).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
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
    last: int | None = None  # the end of the damaged range (inclusive) when ``rank`` > 0


@dataclass
class VerifyReport:
    entries: int = 0
    checkpoints: int = 0
    cosignatures: int = 0
    problems: list[Problem] = field(default_factory=list)
    suppressed: int = 0
    # the largest signed checkpoint that verified, and the witnesses whose cosignatures on it verified
    latest_size: int | None = None
    latest_cosigners: tuple[str, ...] = ()
    masked: int = 0  # entries published masked (version 1 naming a user): their leaves taken as published

    @property
    def ok(self) -> bool:
        return not self.problems and not self.suppressed

    @property
    def first_bad(self) -> Problem | None:
        """The problem naming the first row exactly; failing that, the first damaged range."""
        placed = [p for p in self.problems if p.index is not None]
        return min(placed, key=lambda p: (p.rank, p.index)) if placed else None

    @property
    def first_bad_index(self) -> int | None:
        first = self.first_bad
        return first.index if first is not None else None

    def add(self, message: str, index: int | None = None, *, rank: int = 0, last: int | None = None) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(message, index, rank, last))
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
                 stored_leaf: bytes | None, reveals: Reveals | None = None, require_reveals: bool = False,
                 masked: bool = False) -> bytes:
    data = body.encode("utf-8")
    leaf = merkle.leaf_hash(hash_fn, data)
    if masked and stored_leaf is not None:
        # a version 1 body published with its user name masked: the leaf is taken as published and checked only by
        # the tree (the checkpoint's root); the rest of the body is still read
        report.masked += 1
        leaf = stored_leaf
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


# (level, position) → the publisher's hash of that complete subtree (a leaf hash at level 0), or None if unknown
NodeSource = Callable[[int, int], bytes | None]
EntryRow = tuple[int, str, bytes | None] | tuple[int, str, bytes | None, bool]


def locate_divergence(hash_fn: merkle.HashFn, ours: merkle.MemoryTree, size: int, signed_root: bytes,
                      claimed: NodeSource | None) -> tuple[int, int]:
    """The first leaves ``[first, last]`` where ``ours`` leaves the tree of ``size`` leaves that ``signed_root``
    commits to; call it when ``ours.root(size) != signed_root``.

    A descent from the signed root (RFC 9162's split): the publisher's hashes of the two halves are accepted only
    when they hash to the authenticated node above them, so a publisher cannot steer the search; the search goes
    into the left half when ours differs there, else into the right one. It ends at one leaf, or at the range
    whose halves the publisher cannot (or will not) show — e.g. a pair of leaves one of which was rewritten
    together with its stored leaf hash. Without a source it returns the whole range."""
    lo, hi, authentic = 0, size, signed_root

    def published(start: int, end: int) -> bytes | None:
        if claimed is None:
            return None
        try:
            return merkle.range_hash(hash_fn, _required(claimed), start, end)
        except LookupError:
            return None

    while hi - lo > 1:
        k = merkle.split_point(hi - lo)
        left, right = published(lo, lo + k), published(lo + k, hi)
        if left is None or right is None or merkle.node_hash(hash_fn, left, right) != authentic:
            break
        if merkle.range_hash(hash_fn, ours.get, lo, lo + k) != left:
            hi, authentic = lo + k, left
        else:
            lo, authentic = lo + k, right
    return lo, hi - 1


def _required(source: NodeSource) -> Callable[[int, int], bytes]:
    def get(level: int, position: int) -> bytes:
        found = source(level, position)
        if found is None:
            raise LookupError((level, position))
        return found

    return get


def verify_log(*, hash_name: str, entries: Iterable[EntryRow],
               checkpoint_notes: Iterable[str], log_keys: list[notes.Verifier],
               witness_keys: list[notes.Verifier] | None = None,
               stored_nodes: Iterable[tuple[int, int, bytes]] | None = None, reveals: Reveals | None = None,
               require_reveals: bool = False, claimed: NodeSource | None = None) -> VerifyReport:
    """Verify a whole log. ``entries`` are (index, canonical body, stored leaf hash or None[, masked]) in stored
    order; ``stored_nodes`` (database mode) are the persisted complete-subtree hashes to cross-check.
    ``reveals`` are the known bodies and salts of sealed entries, each checked against its leaf's commitment;
    ``require_reveals`` (database mode) reports a sealed entry whose body and salt are missing. ``claimed`` is the
    publisher's subtree hashes, used only to place damage that a signed checkpoint reveals (``locate_divergence``);
    by default the stored leaf hashes and ``stored_nodes``."""
    report = VerifyReport()
    hash_fn = merkle.hash_function(hash_name)
    heads = _open_checkpoints(report, checkpoint_notes, log_keys, witness_keys or [])
    tree = merkle.MemoryTree(hash_fn)
    stored_leaves: dict[int, bytes] = {}
    expected = 0
    for row in entries:
        index, body, stored_leaf = row[0], row[1], row[2]
        masked = bool(row[3]) if len(row) > 3 else False  # type: ignore[misc]
        tree.append(_check_entry(report, hash_fn, expected, index, body, stored_leaf, reveals, require_reveals,
                                 masked))
        if stored_leaf is not None and claimed is None:
            stored_leaves[tree.size - 1] = stored_leaf
        expected = index + 1  # one report per gap or swap, not one per following row
    report.entries = tree.size
    nodes: dict[tuple[int, int], bytes] = {}
    if stored_nodes is not None:
        nodes = {(level, position): bytes(h) for level, position, h in stored_nodes}
        _check_nodes(report, tree, ((level, position, h) for (level, position), h in nodes.items()))
    if claimed is None:
        def claimed(level: int, position: int) -> bytes | None:
            return stored_leaves.get(position) if level == 0 else nodes.get((level, position))
    previous: _SignedHead | None = None
    for head in heads:
        if head.size > tree.size:
            report.add(f"检查点 {head.size} 超出现有 {tree.size} 条记录：index {tree.size} 起的记录缺失", tree.size, rank=2)
            continue
        if tree.root(head.size) != head.root:
            _report_divergence(report, hash_fn, tree, head, previous, claimed)
        if previous is not None and previous.size > 0:
            try:
                proof = tree.consistency_proof(previous.size, head.size)
                merkle.verify_consistency(hash_fn, previous.size, head.size, proof, previous.root, head.root)
            except merkle.ProofError as exc:
                report.add(f"检查点 {previous.size} 与 {head.size} 不一致：{exc}")
        previous = head
    if heads:
        report.latest_size, report.latest_cosigners = heads[-1].size, heads[-1].cosigners
    return report


def _report_divergence(report: VerifyReport, hash_fn: merkle.HashFn, tree: merkle.MemoryTree, head: _SignedHead,
                       previous: _SignedHead | None, claimed: NodeSource | None) -> None:
    first, last = locate_divergence(hash_fn, tree, head.size, head.root, claimed)
    segment = 0
    if previous is not None and previous.size <= head.size and tree.root(previous.size) == previous.root:
        segment = previous.size  # the earlier checkpoint vouches for the leaves before it
        first = max(first, segment)
    if first == last:
        report.add(f"检查点 {head.size} 的根哈希与记录不符：index {first} 与检查点所签的记录不同", first)
    else:
        # a range the descent narrowed (rank 1), or only the checkpoint's own segment (rank 2)
        report.add(f"检查点 {head.size} 的根哈希与记录不符：index {first} 至 {last} 之间有记录被改动",
                   first, rank=2 if (first, last) == (segment, head.size - 1) else 1, last=last)


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
                   rank=0 if level == 0 else 1, last=last)


# --- export directory ------------------------------------------------------------------------------------


SEALED_FILE = "sealed.jsonl"
NODES_FILE = "nodes.jsonl"


def read_nodes(directory: Path) -> list[tuple[int, int, bytes]] | None:
    """``nodes.jsonl`` of an export (None for an export written before it existed)."""
    path = directory / NODES_FILE
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as fh:
        return [(int(row["level"]), int(row["position"]), base64.b64decode(row["hash"]))
                for row in map(json.loads, filter(str.strip, fh))]


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
                        witness_keys=[v for v in verifiers if v.is_cosigner], reveals=read_reveals(directory),
                        stored_nodes=read_nodes(directory))
    declared = int(manifest.get("tree_size", report.entries))
    if declared != report.entries:
        report.add(f"导出清单写明 {declared} 条记录，文件中只有 {report.entries} 条", min(declared, report.entries))
    return report
