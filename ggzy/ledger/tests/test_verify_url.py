"""``ggzy ledger verify --url``: a live platform checked from its public endpoints alone.

The server is pytest-django's ``live_server``; the verifier reads only HTTP (bodies, the latest checkpoint, keys,
subtree hashes). Damage is done with SQL past the append-only guard, as an operator with table rights could.
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ggzy.ledger import keys
from ggzy.ledger.localwitness import ledger_demo_witnesses
from ggzy.ledger.models import LogEntry
from ggzy.ledger.services import EntryInput, ledger_append, seal_lift

from .conftest import tamper
from .factories import append_entries

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def published(frozen_clock, live_server):
    """A live platform: 45 entries (users named only by commitment, one sealed entry revealed) under two
    checkpoints cosigned by the two in-process witnesses; returns the witnesses' keys."""
    append_entries(20)
    ledger_demo_witnesses(actor=None)  # 2 entries, checkpoint 22
    ledger_append(entry=EntryInput(action="bid.submit", object_type="tendering.lot", object_id="5",
                                   actor_label="投标人（密封）", after={"arrived_at": "2026-03-02"}, seal_key="lot-5"))
    seal_lift(seal_key="lot-5")
    append_entries(19)
    witnesses = ledger_demo_witnesses(actor=None)  # checkpoint 42
    append_entries(3)
    yield [w.vkey for w in witnesses]
    _restore_guard()


def _restore_guard() -> None:
    """On SQLite the tamper helper drops the guard's triggers, and a transactional test does not roll that back."""
    if connection.vendor != "sqlite":
        return
    import importlib

    guard = importlib.import_module("ggzy.ledger.migrations.0002_append_only_guard")
    with connection.cursor() as cursor:
        for table in guard.TABLES:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    with connection.schema_editor() as editor:
        guard._forward(None, editor)


def _verify(url: str, *args: str) -> str:
    out = StringIO()
    try:
        call_command("ledger", "verify", "--url", url, *args, stdout=out)
    except CommandError as exc:
        return out.getvalue() + f"\nERROR {exc}"
    return out.getvalue()


def _pinned(witness_keys: list[str], k: int = 2) -> list[str]:
    args = ["--log-key", keys.platform_verifier().vkey, "--min-cosignatures", str(k)]
    for vkey in witness_keys:
        args += ["--witness", vkey]
    return args


def test_an_untouched_platform_verifies_from_its_public_endpoints(published, live_server):
    # when an auditor verifies the live platform, pinning the log's key and both witnesses' keys
    output = _verify(live_server.url, *_pinned(published))
    # then every body recomputes its leaf, the tree matches the signed checkpoint, both cosignatures count
    assert "通过" in output and "ERROR" not in output
    assert "45 条记录，1 个检查点，2 个见证签名" in output
    assert "index 42 起的 3 条记录尚无检查点" in output


def test_the_cosignature_policy_is_enforced(published, live_server):
    # when more cosignatures are required than the checkpoint has
    too_many = _verify(live_server.url, *_pinned(published, k=3))
    # or nothing is pinned: the listed witnesses' keys are held by the platform, so none counts as independent
    unpinned = _verify(live_server.url)
    # then both fail, and the unpinned run says what it took on trust
    assert "只有 2 个有效见证签名，策略要求至少 3 个" in too_many and "ERROR" in too_many
    assert "平台公钥取自 /keys（未固定）" in unpinned and "另有 2 个密钥由平台持有的见证方不计入" in unpinned
    assert "只有 0 个有效见证签名" in unpinned and "ERROR" in unpinned


def _edit_body(index: int) -> None:
    body = LogEntry.objects.get(index=index).body.replace('"test.update"', '"test.forged"')
    tamper('UPDATE ledger_logentry SET body = %s WHERE "index" = %s', [body, index])


def _delete(index: int) -> None:
    tamper('DELETE FROM ledger_logentry WHERE "index" = %s', [index])


def _swap(first: int, second: int) -> None:
    for sql, params in (('UPDATE ledger_logentry SET "index" = -1 WHERE "index" = %s', [first]),
                        ('UPDATE ledger_logentry SET "index" = %s WHERE "index" = %s', [first, second]),
                        ('UPDATE ledger_logentry SET "index" = %s WHERE "index" = -1', [second])):
        tamper(sql, params)


@pytest.mark.parametrize(("damage", "first_bad"), [
    pytest.param(lambda: _edit_body(7), 7, id="body-edited-hash-kept"),
    pytest.param(lambda: _delete(11), 11, id="entry-deleted"),
    pytest.param(lambda: _swap(30, 31), 30, id="entries-swapped"),
    pytest.param(lambda: _edit_body(43), 43, id="edited-after-the-checkpoint"),
])
def test_damage_is_named_at_its_first_bad_index(published, live_server, damage, first_bad):
    # given the platform's database damaged past the guard
    damage()
    # when an auditor verifies it from the public endpoints
    output = _verify(live_server.url, *_pinned(published))
    # then verification fails and names the first bad index
    assert f"第一处错误：index {first_bad}" in output
    assert "通过" not in output


def test_a_sealed_entry_is_published_as_its_stub_and_opened_once_revealed(published, live_server):
    # given the public page of entries around the sealed one
    import json
    import urllib.request

    with urllib.request.urlopen(f"{live_server.url}/api/v1/ledger/entries?start=22&limit=1") as response:  # noqa: S310
        page = json.loads(response.read())
    # then its body is the commitment-only stub its leaf was computed from
    assert json.loads(page["entries"][0]["body"])["kind"] == "sealed" and page["next_start"] == 23
