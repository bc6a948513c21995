"""The ledger API: public checkpoints, entries and proofs; receipts for the entry's own parties."""

import base64
import json

import pytest

from ggzy.accounts.roles import Role
from ggzy.core.models import AuditEntry
from ggzy.ledger import keys, merkle
from ggzy.ledger.models import LogEntry
from ggzy.ledger.receipts import receipt_verify
from ggzy.ledger.services import checkpoint_issue

from .factories import append_entries

pytestmark = pytest.mark.django_db
API = "/api/v1/ledger"


def _b(text):
    return base64.b64decode(text)


@pytest.fixture
def log(frozen_clock, centers):
    append_entries(10, center_id=centers["jinan"].pk, actor_label="firm1")
    checkpoint_issue(actor=None)
    append_entries(6, center_id=centers["qingdao"].pk)
    return checkpoint_issue(actor=None)


def test_latest_checkpoint_is_public(client, log, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(f"{API}/checkpoints/latest")
    assert response.status_code == 200
    data = response.json()
    assert data["tree_size"] == 16 and data["note"].startswith(keys.log_origin() + "\n16\n")
    assert _b(data["root_hash"]) == bytes(log.root_hash)


def test_latest_checkpoint_before_any_is_404(client, db):
    assert client.get(f"{API}/checkpoints/latest").status_code == 404


def test_public_entry_shows_hashes_never_actor_or_values(client, log, django_assert_max_num_queries):
    # when anyone reads entry 3
    with django_assert_max_num_queries(2):
        response = client.get(f"{API}/entries/3")
    # then they see the body its leaf was computed from (object, action, time, hashes), naming the actor only by a
    # salted commitment — not who, not the before/after values
    data = response.json()
    assert response.status_code == 200 and data["index"] == 3 and data["object_type"] == "test.thing"
    assert "user" not in str(data) and "firm1" not in str(data) and "published" not in str(data)
    assert set(json.loads(data["body"])["actor"]) == {"label_commitment", "role"} and data["masked"] is False
    assert _b(data["leaf_hash"]) == bytes(LogEntry.objects.get(index=3).leaf_hash)
    assert _b(data["leaf_hash"]) == merkle.leaf_hash(merkle.sha256, data["body"].encode())
    assert client.get(f"{API}/entries/999").status_code == 404


def test_inclusion_and_consistency_proofs_verify(client, log, django_assert_max_num_queries):
    # when anyone asks for proofs
    with django_assert_max_num_queries(6):
        inclusion = client.get(f"{API}/proofs/inclusion", {"index": 4, "size": 10}).json()
    consistency = client.get(f"{API}/proofs/consistency", {"first": 10, "second": 16}).json()
    # then they verify per RFC 9162 against the published roots
    merkle.verify_inclusion(merkle.sha256, 4, 10, _b(inclusion["leaf_hash"]), [_b(p) for p in inclusion["proof"]],
                            _b(inclusion["root_hash"]))
    merkle.verify_consistency(merkle.sha256, 10, 16, [_b(p) for p in consistency["proof"]],
                              _b(consistency["first_root"]), _b(consistency["second_root"]))
    assert _b(consistency["second_root"]) == bytes(log.root_hash)


@pytest.mark.parametrize(("path", "params", "field"), [
    ("inclusion", {"index": 16, "size": 16}, "index"),
    ("inclusion", {"index": 1, "size": 99}, "size"),
    ("consistency", {"first": 0, "second": 5}, "first"),
    ("consistency", {"first": 9, "second": 5}, "first"),
    ("consistency", {"first": 2, "second": 99}, "second"),
], ids=["index-at-size", "size-too-big", "first-zero", "first-after-second", "second-too-big"])
def test_bad_proof_requests_are_400_naming_the_field(client, log, path, params, field):
    response = client.get(f"{API}/proofs/{path}", params)
    assert response.status_code == 400 and field in response.json()["errors"]


@pytest.mark.parametrize(("who", "status"), [
    ("anonymous", 401), ("other-bidder", 404), ("other-center-staff", 404), ("actor", 200),
    ("center-staff", 200), ("provincial-supervisor", 200),
])
def test_receipts_go_to_the_entrys_parties(client, log, make_user, centers, who, status):
    # given entry 2 of a Jinan object, acted by firm1
    users = {
        "other-bidder": lambda: make_user(Role.BIDDER, username="firm2"),
        "other-center-staff": lambda: make_user(Role.CENTER_STAFF, center=centers["qingdao"]),
        "actor": lambda: make_user(Role.BIDDER, username="firm1"),
        "center-staff": lambda: make_user(Role.CENTER_STAFF, center=centers["jinan"]),
        "provincial-supervisor": lambda: make_user(Role.SUPERVISOR, center=centers["province"]),
    }
    if who in users:
        client.force_login(users[who]())
    audits = AuditEntry.objects.count()
    # when the receipt is asked for
    response = client.get(f"{API}/receipts/2")
    # then only the parties get it, and it verifies offline
    assert response.status_code == status
    if status == 200:
        assert receipt_verify(response.json(), [keys.platform_verifier().vkey]).index == 2
    assert AuditEntry.objects.count() == audits
