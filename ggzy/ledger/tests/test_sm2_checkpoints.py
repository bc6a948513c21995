"""Checkpoints signed with SM2 for deployments that require Chinese commercial cryptography."""

import pytest

from ggzy.ledger import keys, notes, selectors
from ggzy.ledger.localwitness import ledger_demo_witnesses
from ggzy.ledger.receipts import receipt_for, receipt_verify
from ggzy.ledger.services import checkpoint_issue

from .factories import append_entries


def test_sm2_note_signature_round_trips_and_refuses_tampering():
    # given an SM2 log signer
    signer = notes.Signer.generate("ggzy.local/sm2-test", notes.SM2)
    # when its keys are written and read back as signed-note key strings
    again = notes.parse_skey(signer.skey)
    verifier = notes.parse_vkey(signer.verifier.vkey)
    assert again.verifier == verifier and len(verifier.public_key) == 65
    # then a note it signs verifies, and a changed note does not
    note = notes.sign_note("ggzy.local/sm2-test\n3\nAAAA\n", again)
    text, signatures = notes.verify_note(note, [verifier])
    assert text.endswith("AAAA\n") and len(signatures) == 1
    with pytest.raises(notes.NoteError):
        notes.verify_note(note.replace("\n3\n", "\n4\n"), [verifier])


def test_an_ed25519_key_cannot_pass_for_the_sm2_key():
    sm2 = notes.Signer.generate("ggzy.local/log", notes.SM2)
    ed = notes.Signer.generate("ggzy.local/log", notes.ED25519)
    note = notes.sign_note("ggzy.local/log\n1\nAAAA\n", sm2)
    with pytest.raises(notes.NoteError):
        notes.verify_note(note, [ed.verifier])


@pytest.mark.django_db
def test_a_deployment_configured_for_sm2_signs_checkpoints_and_receipts_with_sm2(settings, frozen_clock):
    # given a deployment that requires SM2
    settings.GGZY_LEDGER_SIGNATURE = "sm2"
    keys._cache.clear()
    append_entries(5)
    # when a checkpoint is issued and witnesses cosign it
    checkpoint = checkpoint_issue(actor=None)
    ledger_demo_witnesses(actor=None)
    # then the platform key is SM2 and the checkpoint opens with it
    verifier = keys.platform_verifier()
    assert verifier.sig_type == notes.SM2
    cp, _ = notes.open_checkpoint(checkpoint.note, [verifier])
    assert cp.size == 5 and cp.root == selectors.root_at(size=5)
    # and a receipt verifies offline with the SM2 public key
    receipt = receipt_for(2)
    assert receipt_verify(receipt, [verifier.vkey])
