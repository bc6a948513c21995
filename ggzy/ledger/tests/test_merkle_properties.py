"""Property tests: our proofs equal, and verify under, an independent recursive implementation.

The reference below follows RFC 6962 §2.1.1–2.1.2 literally — MTH, PATH and SUBPROOF as recursive
functions over lists, and verifiers that rebuild the root top-down — sharing no code with
``ggzy.ledger.merkle`` (which is iterative, reads stored subtrees and verifies bottom-up per RFC 9162).
"""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from ggzy.ledger import merkle


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return _h(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = _k(len(leaves))
    return _h(b"\x01" + ref_mth(leaves[:k]) + ref_mth(leaves[k:]))


def ref_path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = _k(len(leaves))
    if m < k:
        return ref_path(m, leaves[:k]) + [ref_mth(leaves[k:])]
    return ref_path(m - k, leaves[k:]) + [ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [ref_mth(leaves)]
    k = _k(n)
    if m <= k:
        return ref_subproof(m, leaves[:k], complete) + [ref_mth(leaves[k:])]
    return ref_subproof(m - k, leaves[k:], False) + [ref_mth(leaves[:k])]


def ref_root_from_path(m: int, n: int, leaf: bytes, proof: list[bytes]) -> bytes:
    """Top-down: the last proof element is the sibling of the first split."""
    if n == 1:
        if proof:
            raise ValueError("proof too long")
        return leaf
    if not proof:
        raise ValueError("proof too short")
    k = _k(n)
    sibling, rest = proof[-1], proof[:-1]
    if m < k:
        return _h(b"\x01" + ref_root_from_path(m, k, leaf, rest) + sibling)
    return _h(b"\x01" + sibling + ref_root_from_path(m - k, n - k, leaf, rest))


def ref_roots_from_subproof(m: int, n: int, proof: list[bytes], complete: bool, first_root: bytes):
    """Rebuild (old subtree root, new subtree root) from SUBPROOF(m, D[n], complete), consuming the proof."""
    if m == n:
        if complete:
            return first_root, first_root, proof
        if not proof:
            raise ValueError("proof too short")
        return proof[-1], proof[-1], proof[:-1]
    if not proof:
        raise ValueError("proof too short")
    k = _k(n)
    sibling, rest = proof[-1], proof[:-1]
    if m <= k:
        old, new, rest = ref_roots_from_subproof(m, k, rest, complete, first_root)
        return old, _h(b"\x01" + new + sibling), rest
    old, new, rest = ref_roots_from_subproof(m - k, n - k, rest, False, first_root)
    return _h(b"\x01" + sibling + old), _h(b"\x01" + sibling + new), rest


def ref_verify_consistency(m: int, n: int, proof: list[bytes], root1: bytes, root2: bytes) -> bool:
    try:
        old, new, rest = ref_roots_from_subproof(m, n, list(proof), True, root1)
    except ValueError:
        return False
    return not rest and old == root1 and new == root2


def _leaves(n: int, salt: int = 0) -> list[bytes]:
    return [merkle.leaf_hash(merkle.sha256, f"{salt}:{i}".encode()) for i in range(n)]


@st.composite
def tree_and_index(draw):
    n = draw(st.integers(min_value=1, max_value=300))
    return n, draw(st.integers(min_value=0, max_value=n - 1))


@st.composite
def two_sizes(draw):
    n = draw(st.integers(min_value=1, max_value=300))
    return draw(st.integers(min_value=1, max_value=n)), n


@settings(max_examples=300, deadline=None)
@given(tree_and_index())
def test_inclusion_proofs_match_the_reference(case):
    # given a tree of n leaves and a leaf m
    n, m = case
    leaves = _leaves(n)
    tree = merkle.MemoryTree(merkle.sha256, leaves)
    # when we build the inclusion proof from stored subtrees
    proof = tree.inclusion_proof(m, n)
    # then it equals RFC 6962's PATH, the roots agree, and both verifiers accept it
    assert proof == ref_path(m, leaves)
    root = ref_mth(leaves)
    assert tree.root(n) == root == merkle.root(merkle.sha256, leaves)
    assert ref_root_from_path(m, n, leaves[m], proof) == root
    merkle.verify_inclusion(merkle.sha256, m, n, leaves[m], proof, root)


@settings(max_examples=300, deadline=None)
@given(two_sizes())
def test_consistency_proofs_match_the_reference(case):
    # given a tree of n leaves and an earlier size m
    m, n = case
    leaves = _leaves(n)
    tree = merkle.MemoryTree(merkle.sha256, leaves)
    # when we build the consistency proof
    proof = tree.consistency_proof(m, n)
    # then it equals RFC 6962's PROOF, and both verifiers accept it
    expected = [] if m == n else ref_subproof(m, leaves, True)
    assert proof == expected
    root1, root2 = ref_mth(leaves[:m]), ref_mth(leaves)
    merkle.verify_consistency(merkle.sha256, m, n, proof, root1, root2)
    if m < n:
        assert ref_verify_consistency(m, n, proof, root1, root2)


@settings(max_examples=200, deadline=None)
@given(tree_and_index(), st.data())
def test_a_changed_inclusion_proof_is_refused(case, data):
    # given a valid proof for a tree of at least two leaves
    n, m = case
    leaves = _leaves(n)
    proof = merkle.MemoryTree(merkle.sha256, leaves).inclusion_proof(m, n)
    root = ref_mth(leaves)
    if not proof:
        return
    # when one bit of one proof hash flips
    i = data.draw(st.integers(0, len(proof) - 1))
    bit = data.draw(st.integers(0, 255))
    bad = list(proof)
    bad[i] = (int.from_bytes(bad[i], "big") ^ (1 << bit)).to_bytes(32, "big")
    # then both verifiers refuse it
    try:
        merkle.verify_inclusion(merkle.sha256, m, n, leaves[m], bad, root)
        raise AssertionError("accepted a modified proof")
    except merkle.ProofError:
        pass
    assert ref_root_from_path(m, n, leaves[m], bad) != root


@settings(max_examples=200, deadline=None)
@given(tree_and_index(), st.integers(min_value=1, max_value=300))
def test_a_proof_for_another_index_or_size_is_refused(case, other):
    # given a valid proof for leaf m of n
    n, m = case
    leaves = _leaves(n)
    proof = merkle.MemoryTree(merkle.sha256, leaves).inclusion_proof(m, n)
    root = ref_mth(leaves)
    # when it is presented for another position, or another tree size
    for index, size in ((other % n, n), (m, other)):
        if (index, size) == (m, n) or index >= size:
            continue
        # then it does not verify
        try:
            merkle.verify_inclusion(merkle.sha256, index, size, leaves[m], proof, root)
        except merkle.ProofError:
            continue
        # (only possible if the tree shapes coincide on the path, which RFC 9162 ties to index and size)
        assert ref_root_from_path(index, size, leaves[m], proof) == root


@settings(max_examples=200, deadline=None)
@given(two_sizes(), st.data())
def test_a_forked_tree_fails_consistency(case, data):
    # given an old tree of m leaves and a new tree of n leaves where one old leaf was rewritten
    m, n = case
    leaves = _leaves(n)
    changed = list(leaves)
    j = data.draw(st.integers(0, m - 1))
    changed[j] = merkle.leaf_hash(merkle.sha256, b"forged")
    tree = merkle.MemoryTree(merkle.sha256, changed)
    # when the forked log proves consistency from the honest old root
    proof = tree.consistency_proof(m, n)
    # then verification fails
    try:
        merkle.verify_consistency(merkle.sha256, m, n, proof, ref_mth(leaves[:m]), tree.root(n))
        raise AssertionError("accepted a fork")
    except merkle.ProofError:
        pass


@settings(max_examples=50, deadline=None)
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=80))
def test_appending_keeps_the_root_of_every_prefix(items):
    # given leaves appended one by one (the right edge kept as in the database head)
    hashes = [merkle.leaf_hash(merkle.sha256, item) for item in items]
    frontier: list[bytes] = []
    stored: dict[tuple[int, int], bytes] = {(0, i): h for i, h in enumerate(hashes)}
    for size, leaf in enumerate(hashes):
        created = merkle.append_leaf(merkle.sha256, frontier, size, leaf)
        # then at most log2(size + 1) subtrees are completed and the head's root is the reference root
        assert len(created) <= (size + 1).bit_length()
        stored.update({(level, position): h for level, position, h in created})
        assert merkle.frontier_root(merkle.sha256, frontier) == ref_mth(hashes[:size + 1])
    # and the stored complete subtrees give the same root for every prefix
    for size in range(len(hashes) + 1):
        assert merkle.tree_root(merkle.sha256, lambda lv, p: stored[(lv, p)], size) == ref_mth(hashes[:size])


def test_sm3_trees_use_sm3_throughout():
    # given the same leaves hashed with SM3
    items = [f"{i}".encode() for i in range(11)]
    leaves = [merkle.leaf_hash(merkle.sm3, x) for x in items]
    tree = merkle.MemoryTree(merkle.sm3, leaves)
    # then proofs verify with SM3 and not with SHA-256
    proof = tree.inclusion_proof(5)
    merkle.verify_inclusion(merkle.sm3, 5, 11, leaves[5], proof, tree.root())
    try:
        merkle.verify_inclusion(merkle.sha256, 5, 11, leaves[5], proof, tree.root())
        raise AssertionError("SHA-256 accepted an SM3 proof")
    except merkle.ProofError:
        pass
    # and SM3 is the national standard's function (GB/T 32905 example "abc")
    assert merkle.sm3(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_node_keys_needed_are_logarithmic():
    # given a large tree
    size = 1_000_003
    # when the keys a proof reads are listed
    inclusion = merkle.node_keys_needed(lambda get: merkle.inclusion_proof(merkle.sha256, get, 123_456, size))
    consistency = merkle.node_keys_needed(lambda get: merkle.consistency_proof(merkle.sha256, get, 777_777, size))
    # then they are O(log n), not O(n)
    assert len(inclusion) <= 2 * size.bit_length()
    assert len(consistency) <= 3 * size.bit_length()
