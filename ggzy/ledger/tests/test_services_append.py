"""Appending: the audit hook, same-transaction semantics, persisted subtrees, proofs from the database."""

import json
import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction

from ggzy.core.audit import audit_record
from ggzy.core.models import AuditEntry
from ggzy.ledger import canonical, merkle, selectors
from ggzy.ledger.models import LogEntry, LogHead, TreeNode
from ggzy.ledger.services import EntryInput, ledger_append, ledger_append_many

from .factories import EntryInputFactory, append_entries

pytestmark = pytest.mark.django_db


def test_every_audit_entry_becomes_a_ledger_entry_in_the_same_transaction(frozen_clock):
    # given a service writing an audit record
    with transaction.atomic():
        audit = audit_record(actor=None, action="thing.publish", object_type="test.thing", object_id="42",
                             center_id=5, before={"status": "draft"}, after={"status": "published", "secret": "x"})
    # then one ledger entry describes it, with hashes of the states and never their values
    entry = LogEntry.objects.get(source_id=audit.pk)
    body = json.loads(entry.body)
    assert (entry.action, entry.object_type, entry.object_id, entry.center_id) == ("thing.publish", "test.thing",
                                                                                   "42", 5)
    assert body["after_hash"] == canonical.state_hash(merkle.sha256, {"status": "published", "secret": "x"})
    assert body["before_hash"] == entry.previous_state_hash
    assert body["changed"] == ["secret", "status"]
    assert "published" not in entry.body and "draft" not in entry.body
    assert entry.leaf_hash == merkle.leaf_hash(merkle.sha256, entry.body.encode())


@pytest.mark.parametrize(("who", "actor"), [
    pytest.param("user", {"label_commitment": "<H(salt || zhaobiao_x)>", "role": "tenderer"}, id="user-with-role"),
    pytest.param("system", {"label": "匿名/系统"}, id="system"),
    pytest.param("sealed", {"label": "投标人（密封）"}, id="sealed-bidder-act"),
])
def test_the_actor_has_a_role_key_only_when_it_has_a_role(frozen_clock, make_user, who, actor):
    # given a user with a role, the system, or a bidder whose act is sealed
    user = make_user("tenderer", username="zhaobiao_x") if who != "system" else None
    # when a service records a creation (nothing before it)
    with transaction.atomic():
        audit = audit_record(actor=user, action="thing.create", object_type="test.thing", object_id="1",
                             sealed=who == "sealed", after={"status": "draft"})
    # then the entry's actor names the role only when there is one, and before_hash is null for the creation
    entry = LogEntry.objects.get(source_id=audit.pk)
    body = json.loads(entry.body)
    if who == "user":  # a user's name enters only as a commitment, opened by the salt the platform keeps
        actor = dict(actor, label_commitment=canonical.actor_commitment(merkle.sha256, entry.actor_salt, "zhaobiao_x"))
        assert "zhaobiao_x" not in entry.body and entry.actor_label == "zhaobiao_x"
    else:
        assert entry.actor_salt is None
    assert body["actor"] == actor
    assert body["before_hash"] is None and body["after_hash"] is not None


def test_a_rolled_back_change_leaves_no_ledger_entry(frozen_clock):
    # given one committed entry
    append_entries(1)
    # when a service fails after auditing
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="thing.publish", object_type="test.thing", object_id="1")
        raise RuntimeError("validation failed later")
    # then neither the audit row nor the ledger entry nor the head moved
    assert LogEntry.objects.count() == 1 and LogHead.objects.get().size == 1
    assert not AuditEntry.objects.filter(action="thing.publish").exists()


def test_appending_writes_each_complete_subtree_once(frozen_clock):
    # when 1000 entries are appended one by one and in batches
    for _ in range(300):
        ledger_append(entry=EntryInputFactory())
    append_entries(700)
    # then the node table holds exactly the complete subtrees of level ≥ 1 (n - popcount(n) of them)
    assert LogEntry.objects.count() == 1000
    assert TreeNode.objects.count() == 1000 - bin(1000).count("1")
    # and the head's root is the root of all leaves
    leaves = [bytes(h) for h in LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True)]
    assert bytes(LogHead.objects.get().root_hash) == merkle.root(merkle.sha256, leaves)


def test_proofs_from_the_database_verify(frozen_clock, django_assert_max_num_queries):
    # given 77 entries
    append_entries(77)
    leaves = [bytes(h) for h in LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True)]
    reference = merkle.MemoryTree(merkle.sha256, leaves)
    for size in (1, 2, 3, 16, 17, 50, 77):
        root = selectors.root_at(size=size)
        assert root == merkle.root(merkle.sha256, leaves[:size])
        for index in {0, size // 2, size - 1}:
            # when a proof is read from the stored subtrees (head, leaves and nodes: one query on PostgreSQL,
            # three in-process ones on SQLite)
            with django_assert_max_num_queries(1 if connection.vendor == "postgresql" else 3):
                proof = selectors.inclusion_proof_hashes(index=index, size=size)
            # then it is the in-memory proof and it verifies
            assert proof == reference.inclusion_proof(index, size)
            merkle.verify_inclusion(merkle.sha256, index, size, leaves[index], proof, root)
        for first in (1, size // 3 or 1, size):
            proof = selectors.consistency_proof_hashes(first=first, second=size)
            merkle.verify_consistency(merkle.sha256, first, size, proof, selectors.root_at(size=first), root)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"index": 5, "size": 5}, "index"), ({"index": 0, "size": 11}, "size"), ({"index": -1, "size": 3}, "index"),
], ids=["index-not-below-size", "size-beyond-log", "negative"])
def test_bad_proof_requests_name_the_field(frozen_clock, kwargs, field):
    from ggzy.core.errors import DomainError

    append_entries(10)
    with pytest.raises(DomainError) as error:
        selectors.inclusion_proof_hashes(**kwargs)
    assert field in error.value.errors


def test_sm3_is_selected_per_deployment_before_the_first_entry(settings, frozen_clock):
    # given a deployment configured for SM3
    settings.GGZY_LEDGER_HASH = "sm3"
    # when entries are appended
    entries = append_entries(5)
    # then the log hashes with SM3, and later configuration changes do not switch an existing log
    assert LogHead.objects.get().hash_algorithm == "sm3"
    assert bytes(entries[2].leaf_hash) == merkle.leaf_hash(merkle.sm3, entries[2].body.encode())
    settings.GGZY_LEDGER_HASH = "sha256"
    later = ledger_append(entry=EntryInputFactory())
    assert bytes(later.leaf_hash) == merkle.leaf_hash(merkle.sm3, later.body.encode())
    proof = selectors.inclusion_proof_hashes(index=2, size=6)
    merkle.verify_inclusion(merkle.sm3, 2, 6, bytes(entries[2].leaf_hash), proof, selectors.root_at(size=6))


@pytest.mark.parametrize("statement", [
    "UPDATE ledger_logentry SET action = 'forged' WHERE \"index\" = 1",
    "DELETE FROM ledger_logentry WHERE \"index\" = 1",
    "UPDATE ledger_treenode SET hash = hash WHERE level = 1",
    "DELETE FROM ledger_treenode WHERE level = 1 AND position = 1",
], ids=["update-entry", "delete-entry", "update-node", "delete-node"])
def test_the_database_refuses_to_change_ledger_rows(frozen_clock, statement):
    # given a log of 4 entries
    append_entries(4)
    before = list(LogEntry.objects.values_list("index", "body"))
    # when someone runs raw SQL against it
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    # then the trigger refused it and nothing changed
    assert list(LogEntry.objects.values_list("index", "body")) == before
    assert TreeNode.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_get_distinct_consecutive_indexes():
    """On PostgreSQL six threads race on the head's row lock; on SQLite (one in-memory connection) they run
    in turn. Either way the test database is then flushed, which the append-only guard must allow."""
    # given several writers appending at once
    errors = []

    def writer(n):
        try:
            for _ in range(n):
                ledger_append(entry=EntryInput(action="race", object_type="test.race", object_id="1"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections["default"].close()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=writer, args=(25,)) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        for _ in range(6):
            ledger_append_many(entries=[EntryInput(action="race", object_type="test.race", object_id="1")] * 25)
    # then every append got its own index, with no gaps, and the tree is whole
    assert not errors
    assert list(LogEntry.objects.order_by("index").values_list("index", flat=True)) == list(range(150))
    from ggzy.ledger.export import verify_database

    assert verify_database().ok


def test_an_append_after_a_rolled_back_one_falls_back_and_stays_consistent(frozen_clock):
    """The process remembers the head it last wrote; a rolled-back append leaves that memory ahead of the
    database, and the next conditional append must notice (size/root mismatch) and lock-read-write instead."""
    from ggzy.ledger import store
    from ggzy.ledger.export import verify_database

    # given 3 entries, then an append whose transaction rolls back
    append_entries(3)
    with pytest.raises(RuntimeError), transaction.atomic():
        append_entries(2)
        raise RuntimeError("the service failed after appending")
    # when the next entries are appended
    append_entries(2)
    # then they continue at index 3 and the tree verifies
    assert list(LogEntry.objects.values_list("index", flat=True)) == [0, 1, 2, 3, 4]
    assert verify_database().ok
    assert connection.vendor != "postgresql" or store.remembered_head().size == 5


def test_a_warm_append_is_one_statement_on_postgresql(frozen_clock, django_assert_num_queries):
    # given a process that has appended before
    append_entries(5)
    # when it appends one entry
    expected = 1 if connection.vendor == "postgresql" else 4  # SQLite: head read, entry, nodes, head
    with django_assert_num_queries(expected, exact=connection.vendor == "postgresql"):
        ledger_append(entry=EntryInput(action="x", object_type="test.thing", object_id="1"))
    # then the log still verifies
    from ggzy.ledger.export import verify_database

    assert verify_database().ok


def test_proofs_keep_to_the_head_they_read(frozen_clock):
    """The head and the hashes come from one read: a size beyond the head is refused even when the nodes it
    would need exist, and an empty log has only the empty tree."""
    from ggzy.core.errors import DomainError

    # given an empty log
    # then only the empty tree's root can be read, and no proof
    assert selectors.root_at(size=0) == merkle.empty_root(merkle.sha256)
    with pytest.raises(DomainError):
        selectors.inclusion_proof_hashes(index=0, size=1)
    # when 8 entries are appended
    append_entries(8)
    # then the root at the head's size is the head's, and a larger size is refused by name
    assert selectors.root_at(size=8) == bytes(LogHead.objects.get().root_hash)
    with pytest.raises(DomainError) as error:
        selectors.consistency_proof_hashes(first=1, second=9)
    assert "second" in error.value.errors
