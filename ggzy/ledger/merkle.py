"""RFC 9162 Merkle trees: hashing, roots, proofs and their verification. Pure functions, no Django.

Leaves hash as ``H(0x00 || data)``, interior nodes as ``H(0x01 || left || right)`` (RFC 9162 §2.1.1), so a
standard verifier (Certificate Transparency, Trillian, Sigstore Rekor, transparency-dev/merkle) accepts the
proofs built here. A tree of ``size`` leaves is described by its *complete subtrees*: the node at
``(level, position)`` covers leaves ``[position * 2**level, (position + 1) * 2**level)``. Complete subtrees
never change once written, so a log stores each of them once and any proof needs only O(log n) of them,
fetched through a ``NodeGetter`` (``get(level, position) -> hash``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

from cryptography.hazmat.primitives import hashes

HashFn = Callable[[bytes], bytes]
NodeGetter = Callable[[int, int], bytes]


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def sm3(data: bytes) -> bytes:
    """SM3 (GB/T 32905-2016), for deployments that must use the national hash."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


HASHES: dict[str, HashFn] = {"sha256": sha256, "sm3": sm3}


def hash_function(name: str) -> HashFn:
    try:
        return HASHES[name]
    except KeyError:
        raise ValueError(f"unknown ledger hash {name!r}; use one of {sorted(HASHES)}") from None


def leaf_hash(hash_fn: HashFn, data: bytes) -> bytes:
    return hash_fn(b"\x00" + data)


def node_hash(hash_fn: HashFn, left: bytes, right: bytes) -> bytes:
    return hash_fn(b"\x01" + left + right)


def empty_root(hash_fn: HashFn) -> bytes:
    return hash_fn(b"")


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1): where RFC 9162 splits a tree of n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


split_point = _split


def root(hash_fn: HashFn, leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes (RFC 9162 §2.1.1), bottom-up in O(n)."""
    if not leaf_hashes:
        return empty_root(hash_fn)
    level = list(leaf_hashes)
    while len(level) > 1:
        paired = [node_hash(hash_fn, level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])  # an odd last node is promoted unchanged
        level = paired
    return level[0]


# --- hashes of arbitrary subtrees from complete ones ------------------------------------------------------


def range_hash(hash_fn: HashFn, get: NodeGetter, start: int, end: int) -> bytes:
    """MTH of leaves [start, end) where ``start`` is aligned as in RFC 9162's recursion.

    The range splits into complete subtrees of decreasing size (the binary digits of end - start); the
    MTH folds them from the right, which is exactly what the recursive definition computes.
    """
    parts = []
    while start < end:
        level = (end - start).bit_length() - 1
        while start % (1 << level):  # never happens for ranges RFC 9162 produces; kept for safety
            level -= 1
        parts.append(get(level, start >> level))
        start += 1 << level
    result = parts[-1]
    for part in reversed(parts[:-1]):
        result = node_hash(hash_fn, part, result)
    return result


def tree_root(hash_fn: HashFn, get: NodeGetter, size: int) -> bytes:
    if size == 0:
        return empty_root(hash_fn)
    return range_hash(hash_fn, get, 0, size)


def inclusion_proof(hash_fn: HashFn, get: NodeGetter, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, leaf-most hash first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index - start < k:
            path.append(range_hash(hash_fn, get, start + k, end))
            end = start + k
        else:
            path.append(range_hash(hash_fn, get, start, start + k))
            start = start + k
    path.reverse()
    return path


def consistency_proof(hash_fn: HashFn, get: NodeGetter, size1: int, size2: int) -> list[bytes]:
    """PROOF(size1, D[0:size2]) of RFC 9162 §2.1.4.1 (SUBPROOF with b = true); empty when the sizes match."""
    if not 0 <= size1 <= size2:
        raise ValueError(f"no consistency proof from size {size1} to size {size2}")
    if size1 == 0 or size1 == size2:
        return []
    proof: list[bytes] = []
    start, end, m, complete = 0, size2, size1, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            proof.append(range_hash(hash_fn, get, start + k, end))
            end = start + k
        else:
            proof.append(range_hash(hash_fn, get, start, start + k))
            start, m, complete = start + k, m - k, False
    if not complete:
        proof.append(range_hash(hash_fn, get, start, end))
    proof.reverse()
    return proof


def node_keys_needed(build: Callable[[NodeGetter], object], digest_size: int = 32) -> list[tuple[int, int]]:
    """The (level, position) keys ``build`` reads, so a store can fetch them in one query first.

    The proof algorithms read the same keys whatever the hashes are, so a dry run with dummy hashes
    records exactly the nodes the real run will ask for.
    """
    seen: dict[tuple[int, int], None] = {}

    def record(level: int, position: int) -> bytes:
        seen[(level, position)] = None
        return bytes(digest_size)

    build(record)
    return list(seen)


# --- verification, exactly as RFC 9162 §2.1.3.2 and §2.1.4.2 ----------------------------------------------


class ProofError(ValueError):
    """A proof that does not verify (or cannot apply to the given sizes)."""


def _digest_size(hash_fn: HashFn) -> int:
    return len(hash_fn(b""))


def root_from_inclusion_proof(hash_fn: HashFn, index: int, size: int, leaf: bytes,
                              proof: Sequence[bytes]) -> bytes:
    n = _digest_size(hash_fn)
    if index < 0 or index >= size:
        raise ProofError(f"leaf index {index} is not below tree size {size}")
    if len(leaf) != n:
        raise ProofError(f"leaf hash has {len(leaf)} bytes, expected {n}")
    if any(len(p) != n for p in proof):
        raise ProofError("a proof hash has the wrong length")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(hash_fn, p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(hash_fn, r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    return r


def verify_inclusion(hash_fn: HashFn, index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes] | None,
                     root: bytes) -> None:
    """Raise ``ProofError`` unless ``proof`` shows leaf ``index`` of a tree of ``size`` leaves has ``root``."""
    computed = root_from_inclusion_proof(hash_fn, index, size, leaf_hash, list(proof or []))
    if computed != root:
        raise ProofError("inclusion proof does not lead to the root")


def verify_consistency(hash_fn: HashFn, size1: int, size2: int, proof: Sequence[bytes] | None, root1: bytes,
                       root2: bytes) -> None:
    """Raise ``ProofError`` unless ``proof`` shows the tree of ``size1`` with ``root1`` is a prefix of
    the tree of ``size2`` with ``root2``."""
    path = list(proof or [])
    if size1 <= 0:
        raise ProofError("a consistency proof needs a non-empty first tree")
    if size2 < size1:
        raise ProofError(f"the second tree ({size2}) is smaller than the first ({size1})")
    if size1 == size2:
        if path:
            raise ProofError("trees of equal size need an empty proof")
        if root1 != root2:
            raise ProofError("trees of equal size have different roots")
        return
    # 1. an empty path cannot prove anything between different sizes
    if not path:
        raise ProofError("consistency proof is empty")
    n = _digest_size(hash_fn)
    if any(len(p) != n for p in path):
        raise ProofError("a proof hash has the wrong length")
    # 2. a first tree that is a complete subtree is its own first node
    if size1 & (size1 - 1) == 0:
        path = [root1, *path]
    # 3.-4.
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5.-6.
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(hash_fn, c, fr)
            sr = node_hash(hash_fn, c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(hash_fn, sr, c)
        fn >>= 1
        sn >>= 1
    # 7.
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != root1:
        raise ProofError("consistency proof does not lead to the first root")
    if sr != root2:
        raise ProofError("consistency proof does not lead to the second root")


# --- appending: the right edge of the tree and an in-memory store --------------------------------------------


def append_leaf(hash_fn: HashFn, frontier: list[bytes], size: int, leaf: bytes) -> list[tuple[int, int, bytes]]:
    """Append leaf number ``size`` to a tree whose right edge is ``frontier`` (updated in place).

    ``frontier`` holds the roots of the complete subtrees along the right edge, largest first (one per
    set bit of ``size``). Returns the complete subtrees of level ≥ 1 this leaf completes, as
    ``(level, position, hash)``: at most log2(size + 1) of them, one on average.
    """
    created = []
    h, level, n = leaf, 0, size
    while n & 1:
        h = node_hash(hash_fn, frontier.pop(), h)
        level += 1
        n >>= 1
        created.append((level, (size + 1 >> level) - 1, h))
    frontier.append(h)
    return created


def frontier_root(hash_fn: HashFn, frontier: Sequence[bytes]) -> bytes:
    if not frontier:
        return empty_root(hash_fn)
    result = frontier[-1]
    for part in reversed(frontier[:-1]):
        result = node_hash(hash_fn, part, result)
    return result


class MemoryTree:
    """A whole tree in memory (one bytearray per level): for verifiers, tests and benchmarks."""

    def __init__(self, hash_fn: HashFn = sha256, leaf_hashes: Iterable[bytes] = ()) -> None:
        self.hash_fn = hash_fn
        self.digest_size = _digest_size(hash_fn)
        self.levels: list[bytearray] = [bytearray()]
        self.frontier: list[bytes] = []
        self.size = 0
        for leaf in leaf_hashes:
            self.append(leaf)

    def append(self, leaf: bytes) -> None:
        self.levels[0] += leaf
        for level, _position, h in append_leaf(self.hash_fn, self.frontier, self.size, leaf):
            if len(self.levels) <= level:
                self.levels.append(bytearray())
            self.levels[level] += h
        self.size += 1

    def get(self, level: int, position: int) -> bytes:
        n = self.digest_size
        data = self.levels[level]
        if (position + 1) * n > len(data):
            raise KeyError((level, position))
        return bytes(data[position * n:(position + 1) * n])

    def root(self, size: int | None = None) -> bytes:
        size = self.size if size is None else size
        if size == self.size:
            return frontier_root(self.hash_fn, self.frontier)
        return tree_root(self.hash_fn, self.get, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(self.hash_fn, self.get, index, self.size if size is None else size)

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        return consistency_proof(self.hash_fn, self.get, size1, self.size if size2 is None else size2)
