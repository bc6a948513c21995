"""Checkpoints, the platform key, witnesses and their cosignatures."""

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from ggzy.accounts.roles import Role
from ggzy.core.errors import DomainError
from ggzy.core.models import AuditEntry
from ggzy.ledger import keys, merkle, notes, selectors
from ggzy.ledger.localwitness import LocalWitness, ledger_cosign_locally, ledger_demo_witnesses
from ggzy.ledger.models import Checkpoint, Cosignature, LogEntry, Witness, WitnessKind
from ggzy.ledger.services import (
    checkpoint_issue,
    checkpoint_request_cosignature,
    cosignature_add,
    witness_register,
)
from ggzy.ledger.tasks import ledger_checkpoint_periodic

from .factories import append_entries

pytestmark = pytest.mark.django_db


def test_checkpoint_is_a_signed_note_of_the_current_head(frozen_clock):
    # given 9 entries
    append_entries(9)
    # when a checkpoint is issued
    checkpoint = checkpoint_issue(actor=None)
    # then it is a C2SP checkpoint signed by the platform key, over the head's root
    cp, cosigs = notes.open_checkpoint(checkpoint.note, [keys.platform_verifier()])
    assert (cp.origin, cp.size, cp.root) == (keys.log_origin(), 9, selectors.root_at(size=9))
    assert cosigs == [] and checkpoint.tree_size == 9
    # and issuing again without new entries returns the same checkpoint
    assert checkpoint_issue(actor=None).pk == checkpoint.pk


def test_the_platform_key_lives_in_a_file_never_in_the_database(frozen_clock):
    # when the key is first needed
    signer = keys.platform_signer()
    # then it was generated into the configured file with owner-only permissions
    path = Path(django_settings.GGZY_LEDGER_KEY_FILE)
    assert path.read_text().strip() == signer.skey
    assert os.stat(path).st_mode & 0o777 == 0o600
    # and a fresh process (empty cache) loads the same key
    keys._cache.clear()
    assert keys.platform_signer().skey == signer.skey


def test_the_empty_log_has_a_checkpoint_too(frozen_clock):
    checkpoint = checkpoint_issue(actor=None)
    assert checkpoint.tree_size == 0
    assert bytes(checkpoint.root_hash) == merkle.sha256(b"")


def test_the_periodic_task_issues_and_gathers_local_cosignatures(frozen_clock):
    # given a registered local witness and some entries
    witness = _local_witness("fgw.test/w1")
    append_entries(3)
    # when the scheduled task runs (immediate mode in tests)
    size = ledger_checkpoint_periodic.call_local()
    # then a checkpoint of the whole log exists, cosigned by the witness
    checkpoint = Checkpoint.objects.get(tree_size=size)
    assert checkpoint.cosignatures.get().witness == witness


def _local_witness(name, kind=WitnessKind.SUPERVISOR):
    local = LocalWitness(name)
    return witness_register(actor=None, name=name, display_name="监督部门", kind=kind,
                            vkey=local.signer().verifier.vkey)


def test_registering_a_witness_is_audited_and_in_the_ledger(make_user, frozen_clock):
    # given an administrator
    admin = make_user(Role.ADMIN)
    # when a witness is registered
    local = LocalWitness("fgw.test/w2")
    witness = witness_register(actor=admin, name="fgw.test/w2", display_name="省发展改革委", kind=WitnessKind.SUPERVISOR,
                               vkey=local.signer().verifier.vkey)
    # then the act is audited, and so in the ledger
    audit = AuditEntry.objects.get(action="ledger.witness_register")
    assert audit.object_id == str(witness.pk)
    assert LogEntry.objects.filter(source_id=audit.pk).exists()


@pytest.mark.parametrize(("change", "field"), [
    ({"vkey": "garbage"}, "vkey"),
    ({"kind": "bank"}, "kind"),
    ({"display_name": " "}, "display_name"),
    ({"name": "someone.else/w"}, "vkey"),
    ({"log_key": True}, "vkey"),
    ({"url": "ftp://witness.example/"}, "url"),
], ids=["bad-vkey", "bad-kind", "no-name", "name-mismatch", "not-a-cosigner-key", "not-an-http-url"])
def test_bad_witness_registrations_are_refused(frozen_clock, change, field):
    # given a valid registration with one thing wrong
    local = LocalWitness("fgw.test/w3")
    data = {"name": "fgw.test/w3", "display_name": "监督部门", "kind": WitnessKind.SUPERVISOR,
            "vkey": local.signer().verifier.vkey}
    if change.pop("log_key", False):
        data["vkey"] = notes.Signer.generate("fgw.test/w3").verifier.vkey
    data.update(change)
    audits = AuditEntry.objects.count()
    # when it is submitted, it is refused naming the field, and nothing is written
    with pytest.raises(DomainError) as error:
        witness_register(actor=None, **data)
    assert field in error.value.errors
    assert not Witness.objects.exists() and AuditEntry.objects.count() == audits


def test_cosignatures_follow_the_log_forward(frozen_clock):
    # given a local witness that cosigned a first checkpoint (its registration is entry 0)
    witness = _local_witness("fgw.test/w4")
    append_entries(5)
    first = checkpoint_issue(actor=None)
    assert ledger_cosign_locally(checkpoint=first) == 1
    # when the log grows and a new checkpoint is cosigned
    append_entries(12)
    second = checkpoint_issue(actor=None)
    ledger_cosign_locally(checkpoint=second)
    # then the witness checked consistency 6 → 18 and both cosignatures verify
    assert (first.tree_size, second.tree_size) == (6, 18)
    witness.refresh_from_db()
    assert witness.last_cosigned_size == 18
    assert LocalWitness("fgw.test/w4").state().size == 18
    verifier = notes.parse_vkey(witness.vkey)
    for checkpoint in (first, second):
        _cp, cosigs = notes.open_checkpoint(checkpoint.note_with_cosignatures(), [keys.platform_verifier()],
                                            [verifier])
        assert [c.verifier.name for c in cosigs] == ["fgw.test/w4"]


def test_a_witness_that_knows_a_newer_size_is_caught_up_by_the_409_answer(frozen_clock):
    # given the platform's record of the witness is behind (it cosigned 8 through another channel)
    witness = _local_witness("fgw.test/w5")
    append_entries(8)
    ledger_cosign_locally(checkpoint=checkpoint_issue(actor=None))
    Witness.objects.filter(pk=witness.pk).update(last_cosigned_size=0)
    witness.refresh_from_db()
    append_entries(4)
    checkpoint = checkpoint_issue(actor=None)
    # when a cosignature is requested from the stale size
    cosignature = checkpoint_request_cosignature(checkpoint=checkpoint, witness=witness,
                                                 send=LocalWitness("fgw.test/w5").send)
    # then the witness answered 409 with its size, the platform retried from there, and got it
    assert cosignature.checkpoint == checkpoint


def test_a_forged_cosignature_is_not_stored(frozen_clock):
    witness = _local_witness("fgw.test/w6")
    append_entries(2)
    checkpoint = checkpoint_issue(actor=None)
    impostor = notes.Signer.generate("fgw.test/w6", notes.COSIGNATURE_V1)
    text = checkpoint.note.split("\n\n")[0] + "\n"
    with pytest.raises(DomainError):
        cosignature_add(checkpoint=checkpoint, witness=witness, signature_line=impostor.signature_line(text, timestamp=1))
    assert not Cosignature.objects.exists()


def test_demo_witnesses_are_registered_once_and_cosign(frozen_clock):
    # when the demo loader sets up its witnesses twice
    append_entries(3)
    ledger_demo_witnesses(actor=None)
    append_entries(2)
    witnesses = ledger_demo_witnesses(actor=None)
    # then two witnesses exist and both cosigned the latest checkpoint
    assert Witness.objects.count() == 2 == len(witnesses)
    assert selectors.checkpoint_latest().cosignatures.count() == 2
