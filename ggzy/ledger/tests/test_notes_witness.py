"""Signed notes, checkpoints, cosignatures and the witness's refusal of an inconsistent checkpoint."""

import base64
import hashlib

import pytest

from ggzy.ledger import merkle, notes
from ggzy.ledger.witness import (
    WitnessRefusal,
    WitnessState,
    add_checkpoint_body,
    parse_add_checkpoint_body,
    witness_cosign,
)

# golang.org/x/mod/sumdb/note's documented example (the reference implementation of signed notes)
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_SIG = "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
ORIGIN = "ggzy.test/ledger"
T0 = 1_772_000_000


def test_signed_note_matches_the_reference_implementation():
    # given the Go package's documented key and text
    signer = notes.parse_skey(GO_SKEY)
    # then our key id, vkey and (deterministic Ed25519) signature are byte for byte the same
    assert signer.verifier.vkey == GO_VKEY
    assert notes.sign_note(GO_TEXT, signer) == GO_TEXT + "\n" + GO_SIG
    text, sigs = notes.verify_note(GO_TEXT + "\n" + GO_SIG, [notes.parse_vkey(GO_VKEY)])
    assert text == GO_TEXT and sigs[0].verifier.name == "PeterNeumann"


def test_key_id_is_the_signed_note_formula():
    signer = notes.Signer.generate("witness.example/w1", notes.COSIGNATURE_V1)
    public = signer.verifier.public_key
    expected = hashlib.sha256(b"witness.example/w1\n\x04" + public).digest()[:4]
    assert signer.verifier.key_id == expected
    assert notes.parse_vkey(signer.verifier.vkey) == signer.verifier
    assert notes.parse_skey(signer.skey).verifier == signer.verifier


@pytest.mark.parametrize("mangle", [
    lambda n: n.replace("then you", "then we"),           # text changed
    lambda n: n.replace("x08go", "x08gp"),                 # signature changed
    lambda n: n.replace("\n\n\u2014", "\n\u2014"),         # no blank line before the signatures
    lambda n: n.rstrip("\n"),                              # no final newline
], ids=["text", "signature", "separator", "newline"])
def test_a_changed_note_is_rejected(mangle):
    with pytest.raises(notes.NoteError):
        notes.verify_note(mangle(GO_TEXT + "\n" + GO_SIG), [notes.parse_vkey(GO_VKEY)])


def test_unknown_signatures_are_ignored_but_a_note_needs_one_known():
    stranger = notes.Signer.generate("stranger.example")
    note = notes.sign_note(GO_TEXT, notes.parse_skey(GO_SKEY)) + stranger.signature_line(GO_TEXT)
    _text, sigs = notes.verify_note(note, [notes.parse_vkey(GO_VKEY)])
    assert [s.verifier.name for s in sigs] == ["PeterNeumann"]
    with pytest.raises(notes.NoteError):
        notes.verify_note(note, [notes.Signer.generate("other").verifier])


def test_checkpoint_text_round_trips():
    checkpoint = notes.Checkpoint(ORIGIN, 20852163, base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="))
    assert checkpoint.text() == f"{ORIGIN}\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    assert notes.parse_checkpoint(checkpoint.text()) == checkpoint
    for bad in (f"{ORIGIN}\n012\nAA==\n", f"{ORIGIN}\n12\n", f"{ORIGIN}\n-1\nAA==\n", f"{ORIGIN}\n1\nAA==\n\n"):
        with pytest.raises(notes.NoteError):
            notes.parse_checkpoint(bad)


# --- witness -------------------------------------------------------------------------------------------


@pytest.fixture
def log():
    signer = notes.Signer.generate(ORIGIN)
    leaves = [merkle.leaf_hash(merkle.sha256, f"entry {i}".encode()) for i in range(40)]
    tree = merkle.MemoryTree(merkle.sha256, leaves)

    def checkpoint(size, root=None):
        body = notes.Checkpoint(ORIGIN, size, root or tree.root(size)).text()
        return notes.sign_note(body, signer)

    return signer, tree, checkpoint


@pytest.fixture
def witness_key():
    return notes.Signer.generate("supervision.example/witness", notes.COSIGNATURE_V1)


def test_witness_cosigns_a_consistent_checkpoint(log, witness_key):
    # given a witness that cosigned size 10
    signer, tree, checkpoint = log
    state = WitnessState(ORIGIN, 10, tree.root(10))
    # when the log asks it to cosign size 25 with a consistency proof
    line, new_state = witness_cosign(witness_key, checkpoint(25), tree.consistency_proof(10, 25), state,
                                     log_verifiers=[signer.verifier], timestamp=T0)
    # then it returns a cosignature/v1 line that verifies, and remembers size 25
    assert new_state == WitnessState(ORIGIN, 25, tree.root(25))
    _cp, cosigs = notes.open_checkpoint(checkpoint(25) + line, [signer.verifier], [witness_key.verifier])
    assert cosigs[0].timestamp == T0


def test_witness_refuses_a_checkpoint_inconsistent_with_what_it_cosigned(log, witness_key):
    # given a witness that cosigned size 10 of the honest log
    signer, tree, checkpoint = log
    state = WitnessState(ORIGIN, 10, tree.root(10))
    # and a log that rewrote entry 3 and signs a new head
    forged = merkle.MemoryTree(merkle.sha256, [tree.get(0, i) if i != 3 else merkle.sha256(b"x") for i in range(25)])
    note = checkpoint(25, forged.root(25))
    # when it asks for a cosignature with the forked tree's own consistency proof
    with pytest.raises(WitnessRefusal) as refused:
        witness_cosign(witness_key, note, forged.consistency_proof(10, 25), state, log_verifiers=[signer.verifier],
                       timestamp=T0)
    # then the witness refuses (422), whatever proof is offered
    assert refused.value.status == 422


@pytest.mark.parametrize(("case", "status"), [
    ("same-size-other-root", 409), ("old-size-mismatch", 409), ("old-larger", 400), ("unsigned", 403),
    ("proof-from-zero", 422), ("smaller-than-cosigned", 400),
])
def test_witness_refusals(log, witness_key, case, status):
    signer, tree, checkpoint = log
    state = WitnessState(ORIGIN, 10, tree.root(10))
    kwargs = {"log_verifiers": [signer.verifier], "timestamp": T0}
    with pytest.raises(WitnessRefusal) as refused:
        if case == "same-size-other-root":
            witness_cosign(witness_key, checkpoint(10, tree.root(11)), [], state, **kwargs)
        elif case == "old-size-mismatch":
            witness_cosign(witness_key, checkpoint(20), tree.consistency_proof(8, 20), state, old_size=8, **kwargs)
        elif case == "old-larger":
            witness_cosign(witness_key, checkpoint(5), [], state, old_size=6, **kwargs)
        elif case == "unsigned":
            other = notes.Signer.generate(ORIGIN)
            note = notes.sign_note(notes.Checkpoint(ORIGIN, 20, tree.root(20)).text(), other)
            witness_cosign(witness_key, note, tree.consistency_proof(10, 20), state, **kwargs)
        elif case == "proof-from-zero":
            witness_cosign(witness_key, checkpoint(20), tree.consistency_proof(10, 20), None, **kwargs)
        elif case == "smaller-than-cosigned":
            witness_cosign(witness_key, checkpoint(5), tree.consistency_proof(5, 10), state, old_size=10, **kwargs)
    assert refused.value.status == status


def test_witness_request_body_round_trips(log):
    _signer, tree, checkpoint = log
    proof = tree.consistency_proof(7, 30)
    body = add_checkpoint_body(7, proof, checkpoint(30))
    assert body.startswith("old 7\n")
    assert parse_add_checkpoint_body(body) == (7, proof, checkpoint(30))
