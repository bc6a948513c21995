"""Receipts: issued from the database, verified offline with public keys only."""

import copy
import json

import pytest

from ggzy.ledger import keys, notes
from ggzy.ledger.localwitness import DEMO_WITNESSES, LocalWitness, ledger_demo_witnesses
from ggzy.ledger.models import Checkpoint
from ggzy.ledger.receipts import ReceiptInvalid, receipt_for, receipt_verify

from .factories import append_entries

pytestmark = pytest.mark.django_db


@pytest.fixture
def cosigned_log(frozen_clock):
    append_entries(20)
    ledger_demo_witnesses(actor=None)
    return [keys.platform_verifier().vkey, *(LocalWitness(name).signer().verifier.vkey for name, _d, _k in DEMO_WITNESSES)]


def test_a_receipt_verifies_offline(cosigned_log):
    # given a receipt for entry 13, serialised as a bidder would keep it
    receipt = json.dumps(receipt_for(13))
    # when it is verified with only the public keys
    result = receipt_verify(receipt, cosigned_log)
    # then it proves entry 13 is in the cosigned tree
    assert result.index == 13 and result.entry["index"] == 13
    assert len(result.cosigners) == 2 and result.tree_size >= 14


def test_a_receipt_issues_a_checkpoint_when_none_covers_the_entry(frozen_clock):
    append_entries(3)
    receipt = receipt_for(2)
    assert Checkpoint.objects.filter(tree_size=3).exists()
    assert receipt_verify(receipt, [keys.platform_verifier().vkey]).index == 2


def _mangle(receipt, case):
    r = copy.deepcopy(receipt)
    if case == "entry-changed":
        r["entry"]["body"] = r["entry"]["body"].replace('"v":2', '"v":3')
    elif case == "index-changed":
        r["entry"]["index"] = 12
    elif case == "proof-changed":
        r["inclusion"]["proof"][0] = r["inclusion"]["proof"][1]
    elif case == "size-changed":
        r["inclusion"]["tree_size"] += 1
    elif case == "checkpoint-root-changed":
        lines = r["checkpoint"].split("\n")
        lines[2] = "A" * 43 + "="
        r["checkpoint"] = "\n".join(lines)
    elif case == "cosignatures-stripped":
        r["checkpoint"] = r["checkpoint"].split("\n\n")[0] + "\n\n" + r["checkpoint"].split("\n\n")[1].split("\n")[0] + "\n"
    elif case == "not-canonical":
        r["entry"]["body"] = json.dumps(json.loads(r["entry"]["body"]), indent=1)
    elif case == "hash-switched":
        r["hash"] = "sm3"
    return r


@pytest.mark.parametrize("case", ["entry-changed", "index-changed", "proof-changed", "size-changed",
                                  "checkpoint-root-changed", "cosignatures-stripped", "not-canonical",
                                  "hash-switched"])
def test_a_changed_receipt_is_refused(cosigned_log, case):
    # given a valid receipt
    receipt = receipt_for(13)
    assert receipt_verify(receipt, cosigned_log)
    # when any part of it is changed, it no longer verifies
    with pytest.raises(ReceiptInvalid):
        receipt_verify(_mangle(receipt, case), cosigned_log)


def test_a_receipt_signed_by_another_log_key_is_refused(cosigned_log):
    receipt = receipt_for(3)
    other = notes.Signer.generate(keys.log_origin()).verifier.vkey
    with pytest.raises(ReceiptInvalid):
        receipt_verify(receipt, [other])
    # and without trusted witnesses a receipt needs no cosignature, unless asked
    assert receipt_verify(receipt, [keys.platform_verifier().vkey]).index == 3
    with pytest.raises(ReceiptInvalid):
        receipt_verify(receipt, [keys.platform_verifier().vkey], min_cosignatures=3)
