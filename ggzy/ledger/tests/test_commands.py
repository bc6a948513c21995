"""``ggzy ledger verify|trace|export``: a log altered, deleted from or reordered by direct SQL is caught."""

import json
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from ggzy.core.audit import audit_record
from ggzy.ledger.localwitness import ledger_demo_witnesses
from ggzy.ledger.services import checkpoint_issue

from .conftest import tamper
from .factories import append_entries

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(frozen_clock):
    """40 entries under two cosigned checkpoints (sizes 22 and 42), then 5 more not yet checkpointed."""
    append_entries(20)
    ledger_demo_witnesses(actor=None)  # 2 entries for the witness registrations, checkpoint 22
    append_entries(20)
    ledger_demo_witnesses(actor=None)  # checkpoint 42
    append_entries(5)


def _verify(*args) -> str:
    from io import StringIO

    out = StringIO()
    try:
        call_command("ledger", "verify", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue() + f"\nERROR {exc}"
    return out.getvalue()


def test_an_untouched_log_verifies_from_the_database_and_from_an_export(log, tmp_path):
    # when the database and an export are verified
    db_output = _verify("--db")
    call_command("ledger", "export", str(tmp_path / "out"))
    export_output = _verify(str(tmp_path / "out"))
    # then both pass, having checked every entry, both checkpoints and their cosignatures
    for output in (db_output, export_output):
        assert "通过" in output and "ERROR" not in output
        assert "47 条记录，2 个检查点，4 个见证签名" in output


@pytest.mark.parametrize(("sql", "named"), [
    ("UPDATE ledger_logentry SET body = replace(body, '\"test.update\"', '\"test.forged\"') WHERE \"index\" = 7", 7),
    ("DELETE FROM ledger_logentry WHERE \"index\" = 11", 11),
    ("UPDATE ledger_logentry SET \"index\" = -1 WHERE \"index\" = 30; "
     "UPDATE ledger_logentry SET \"index\" = 30 WHERE \"index\" = 31; "
     "UPDATE ledger_logentry SET \"index\" = 31 WHERE \"index\" = -1", 30),
    ("DELETE FROM ledger_logentry WHERE \"index\" = 46", 46),
], ids=["altered", "deleted", "reordered", "last-deleted"])
def test_verify_names_the_first_bad_row(log, sql, named):
    # given a row changed by direct SQL past the guard
    for statement in sql.split("; "):
        tamper(statement)
    # when the database is verified
    output = _verify("--db")
    # then verification fails and names the row
    assert f"第一处错误：index {named}" in output
    assert "通过" not in output


def test_a_forger_who_also_fixes_the_leaf_hash_is_caught_by_the_subtrees_and_checkpoints(log):
    # given entry 9 rewritten together with its leaf hash (so the row is self-consistent)
    from ggzy.ledger import merkle
    from ggzy.ledger.models import LogEntry

    body = LogEntry.objects.get(index=9).body.replace("test.update", "test.forged")
    tamper("UPDATE ledger_logentry SET body = %s, leaf_hash = %s WHERE \"index\" = 9",
           [body, merkle.leaf_hash(merkle.sha256, body.encode())])
    # when verified
    output = _verify("--db")
    # then the stored subtree over leaves 8–9 and the signed checkpoint 22 both disagree
    assert "index 8 至 9" in output and "检查点 22 的根哈希与记录不符" in output
    assert "第一处错误：index 8" in output


def test_an_edited_export_file_is_caught(log, tmp_path):
    # given an export whose entry 3 was edited in the file
    out = tmp_path / "out"
    call_command("ledger_export", str(out))
    lines = (out / "entries.jsonl").read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[3])
    row["body"] = row["body"].replace('"test.', '"forged.')
    lines[3] = json.dumps(row, ensure_ascii=False)
    (out / "entries.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # then verifying the files alone names it
    assert "第一处错误：index 3" in _verify(str(out))


@pytest.mark.parametrize(("edited", "named"), [(9, "index 8 至 9"), (30, "index 30 至 31"), (0, "index 0 至 1")],
                         ids=["under-the-first-checkpoint", "under-the-second", "first-entry"])
def test_an_export_edited_with_its_leaf_hash_is_placed_by_the_signed_tree(log, tmp_path, edited, named):
    # given an export whose entry's body and leaf hash were changed together (the line is self-consistent)
    import base64

    from ggzy.ledger import merkle

    out = tmp_path / "out"
    call_command("ledger", "export", str(out))
    lines = (out / "entries.jsonl").read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[edited])
    row["body"] = row["body"].replace('"test.', '"forged.').replace('"ledger.', '"forged.')
    row["leaf_hash"] = base64.b64encode(merkle.leaf_hash(merkle.sha256, row["body"].encode())).decode()
    lines[edited] = json.dumps(row, ensure_ascii=False)
    (out / "entries.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # when the files alone are verified
    output = _verify(str(out))
    # then the descent from the signed root through the exported subtree hashes places it in its pair of leaves
    # (which of the two cannot be told: the forged leaf hash is the pair's only published one), not at index 0
    assert named in output and "根哈希与记录不符" in output
    assert f"第一处错误：index {named.split()[1]}" in output


def test_swapped_export_lines_are_caught(log, tmp_path):
    out = tmp_path / "out"
    call_command("ledger", "export", str(out))
    lines = (out / "entries.jsonl").read_text(encoding="utf-8").splitlines()
    lines[5], lines[6] = lines[6], lines[5]
    (out / "entries.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert "第一处错误：index 5" in _verify(str(out))


def test_a_checkpoint_signed_by_another_key_is_caught(log, tmp_path):
    # given an export verified against a key the auditor pinned, not the manifest's
    from ggzy.ledger import notes

    out = tmp_path / "out"
    call_command("ledger", "export", str(out))
    pinned = notes.Signer.generate("ggzy.local/other").verifier.vkey
    output = _verify(str(out), "--trusted-key", pinned)
    assert "签名无效" in output and "ERROR" in output


def test_a_deleted_checkpoint_file_still_leaves_a_consistent_chain(log, tmp_path):
    out = tmp_path / "out"
    call_command("ledger", "export", str(out))
    shutil.rmtree(out / "checkpoints")
    (out / "checkpoints").mkdir()
    assert "47 条记录，0 个检查点" in _verify(str(out))


def test_trace_prints_an_objects_history(frozen_clock):
    # given three changes to one object
    with transaction.atomic():
        audit_record(actor=None, action="thing.create", object_type="test.thing", object_id="42",
                     after={"status": "draft"})
    frozen_clock.advance(__import__("datetime").timedelta(hours=1))
    with transaction.atomic():
        audit_record(actor=None, action="thing.publish", object_type="test.thing", object_id="42",
                     before={"status": "draft"}, after={"status": "published"})
    checkpoint_issue(actor=None)
    from io import StringIO

    out = StringIO()
    # when traced
    call_command("ledger", "trace", "test.thing:42", stdout=out)
    text = out.getvalue()
    # then each change appears in order with who, when and what changed
    assert "共 2 条存证记录" in text
    assert text.index("thing.create") < text.index("thing.publish")
    assert "2026-03-02 10:00:00" in text and "变更字段：status" in text and '"published"' in text


def test_trace_of_an_unknown_object_fails(frozen_clock):
    with pytest.raises(CommandError):
        call_command("ledger", "trace", "test.thing:404")
    with pytest.raises(CommandError):
        call_command("ledger", "trace", "no-colon")


def test_witness_add_and_checkpoint_commands(frozen_clock):
    from io import StringIO

    from ggzy.ledger.localwitness import LocalWitness
    from ggzy.ledger.models import Witness

    # given a witness's public key
    vkey = LocalWitness("fgw.test/cli").signer().verifier.vkey
    # when it is registered and a checkpoint is issued from the command line
    call_command("ledger", "witness-add", "--name", "fgw.test/cli", "--display-name", "监督部门",
                 "--kind", "supervisor", "--vkey", vkey, stdout=StringIO())
    out = StringIO()
    call_command("ledger", "checkpoint", stdout=out)
    # then the witness exists and cosigned the checkpoint (its key is local in this test)
    assert Witness.objects.get().name == "fgw.test/cli"
    assert "1 个本地见证方已签名" in out.getvalue() and "\u2014 fgw.test/cli " in out.getvalue()
    # and a bad key is refused with the field named
    with pytest.raises(CommandError, match="vkey"):
        call_command("ledger", "witness-add", "--name", "x.test/w", "--display-name", "x", "--kind", "supervisor",
                     "--vkey", "nonsense")


def test_witness_keygen_add_and_push_commands(frozen_clock, tmp_path):
    from io import StringIO

    from ggzy.ledger.models import Witness

    # given a witness key made on the witness's side
    out = StringIO()
    call_command("ledger", "witness", "keygen", "--dir", str(tmp_path / "w"), "--name", "fgw.test/remote", stdout=out)
    vkey = out.getvalue().strip()
    # when it is registered with its address and the latest checkpoint is pushed while nothing listens there
    call_command("ledger", "witness", "add", "--name", "fgw.test/remote", "--display-name", "监督部门",
                 "--kind", "supervisor", "--vkey", vkey, "--url", "http://127.0.0.1:9/", stdout=StringIO())
    out = StringIO()
    call_command("ledger", "checkpoint", stdout=out)
    # then the witness is registered by its public key only, and the failed push is reported, not fatal
    witness = Witness.objects.get()
    assert (witness.vkey, witness.url) == (vkey, "http://127.0.0.1:9")
    assert "fgw.test/remote: 检查点" in out.getvalue() and "无法连接见证方" in out.getvalue()
    assert Witness.objects.get().attempts == 1
    # and a second key in the same directory is refused: a witness keeps its key
    with pytest.raises(CommandError, match="already exists"):
        call_command("ledger", "witness", "keygen", "--dir", str(tmp_path / "w"), "--name", "fgw.test/remote")
