"""An independent witness: ``ggzy ledger witness serve`` as a separate process, with its own key and state.

It cosigns consistent checkpoints, refuses a forked one, and while it is down the platform keeps trading and
the latest checkpoint waits for its cosignature.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import selectors
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from ggzy.ledger import keys, merkle, notes
from ggzy.ledger import selectors as ledger_selectors
from ggzy.ledger.models import Checkpoint, Cosignature, Witness, WitnessKind
from ggzy.ledger.remotewitness import http_add_checkpoint, ledger_witness_push
from ggzy.ledger.services import checkpoint_issue, witness_register
from ggzy.ledger.witness import WitnessRefusal, add_checkpoint_body

from .factories import append_entries

pytestmark = pytest.mark.django_db

REPOSITORY = Path(__file__).resolve().parents[3]
WITNESS_NAME = "fgw.test/independent-witness"


class WitnessProcess:
    """``python -m ggzy ledger witness serve`` in its own process; the test only talks HTTP to it."""

    def __init__(self, directory: Path, log_vkey: str) -> None:
        self.directory = directory
        self.log_vkey = log_vkey
        self.port = 0
        self.process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ggzy.settings.test"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ggzy", "ledger", "witness", "serve", "--dir", str(self.directory),
             "--log-key", self.log_vkey, "--listen", f"127.0.0.1:{self.port}"],
            cwd=REPOSITORY, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        assert self.process.stdout is not None
        with selectors.DefaultSelector() as waiting:  # the server prints one line once it listens
            waiting.register(self.process.stdout, selectors.EVENT_READ)
            ready = waiting.select(timeout=60)
        line = self.process.stdout.readline() if ready else ""
        match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if match is None:
            self.stop()
            pytest.fail(f"the witness did not start: {line!r}")
        self.port = int(match.group(1))  # kept, so a restart listens where the platform expects it

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.communicate(timeout=30)
            self.process = None

    def status(self) -> str:
        with urllib.request.urlopen(self.url + "/", timeout=5) as response:
            return response.read().decode()


@pytest.fixture
def witness_process(tmp_path):
    # the witness's directory is its own, not the platform's (conftest puts the platform's keys elsewhere)
    directory = tmp_path / "supervision-department"
    call_command("ledger", "witness", "keygen", "--dir", str(directory), "--name", WITNESS_NAME)
    process = WitnessProcess(directory, keys.platform_verifier().vkey)
    process.start()
    yield process
    process.stop()


@pytest.fixture
def registered(witness_process, frozen_clock):
    vkey = (witness_process.directory / "witness.vkey").read_text().strip()
    return witness_register(actor=None, name=WITNESS_NAME, display_name="省发展改革委（独立见证）",
                            kind=WitnessKind.SUPERVISOR, vkey=vkey, url=witness_process.url)


def _witness_size(process: WitnessProcess) -> int:
    state = json.loads((process.directory / "state.json").read_text())
    return state[keys.log_origin()]["size"]


def test_the_witness_process_cosigns_consistent_checkpoints(witness_process, registered,
                                                             django_capture_on_commit_callbacks):
    # given a log with entries and a first checkpoint the witness cosigned
    append_entries(5)
    first = checkpoint_issue(actor=None)
    assert ledger_witness_push()[0].cosigned
    # when the log grows and a new checkpoint is issued (its commit pushes it to every remote witness)
    append_entries(9)
    with django_capture_on_commit_callbacks(execute=True):
        second = checkpoint_issue(actor=None)
    # then the witness checked consistency from what it held and cosigned; the platform stored both cosignatures
    assert first.tree_size < second.tree_size == _witness_size(witness_process)
    registered.refresh_from_db()
    assert registered.last_cosigned_size == second.tree_size and registered.attempts == 0
    verifier = notes.parse_vkey(registered.vkey)
    for checkpoint in (first, second):
        _cp, cosigs = notes.open_checkpoint(checkpoint.note_with_cosignatures(), [keys.platform_verifier()], [verifier])
        assert [c.verifier.name for c in cosigs] == [WITNESS_NAME]
    # and the witness's private key never entered the platform's database or witness directory
    skey = (witness_process.directory / "witness.key").read_text().strip()
    assert skey.startswith("PRIVATE+KEY+") and not Witness.objects.filter(vkey__contains=skey[-20:]).exists()


def test_the_witness_process_refuses_a_forked_checkpoint(witness_process, registered):
    # given the witness cosigned the platform's checkpoint at some size
    append_entries(6)
    honest = checkpoint_issue(actor=None)
    assert ledger_witness_push()[0].cosigned
    signer = keys.platform_signer()
    origin = keys.log_origin()

    def forged(size: int) -> str:
        return notes.sign_note(notes.Checkpoint(origin, size, merkle.sha256(b"rewritten history")).text(), signer)

    # when the log (its key stolen, or its operator) signs another root at the same size
    with pytest.raises(WitnessRefusal) as same_size:
        http_add_checkpoint(witness_process.url, add_checkpoint_body(honest.tree_size, [], forged(honest.tree_size)), 5)
    # or a larger tree that does not extend what the witness cosigned, with the honest log's proof
    append_entries(4)
    proof = ledger_selectors.consistency_proof_hashes(first=honest.tree_size, second=honest.tree_size + 4)
    with pytest.raises(WitnessRefusal) as bad_proof:
        http_add_checkpoint(witness_process.url, add_checkpoint_body(honest.tree_size, proof, forged(honest.tree_size + 4)), 5)
    # or rolls the tree back to a smaller size
    with pytest.raises(WitnessRefusal) as rollback:
        http_add_checkpoint(witness_process.url, add_checkpoint_body(honest.tree_size, [], forged(2)), 5)
    # or a checkpoint signed with another key
    stranger = notes.Signer.generate(origin)
    with pytest.raises(WitnessRefusal) as unsigned:
        http_add_checkpoint(witness_process.url, add_checkpoint_body(
            honest.tree_size, proof, notes.sign_note(notes.Checkpoint(origin, 99, bytes(32)).text(), stranger)), 5)
    # then it refuses each (409 naming its own size; 422 for the proof; 400 for going back; 403 for the key)
    # and keeps its state
    assert (same_size.value.status, same_size.value.known_size) == (409, honest.tree_size)
    assert bad_proof.value.status == 422
    assert rollback.value.status == 400
    assert unsigned.value.status == 403
    assert _witness_size(witness_process) == honest.tree_size
    # and it kept the signed forks as evidence
    assert len(list((witness_process.directory / "refused").iterdir())) == 2
    # and the honest next checkpoint is still cosigned from where it stood
    following = checkpoint_issue(actor=None)
    assert ledger_witness_push()[0].cosigned and _witness_size(witness_process) == following.tree_size


def test_while_the_witness_is_down_trading_continues_and_the_checkpoint_waits(witness_process, registered, client,
                                                                             frozen_clock):
    # given a witness that cosigned a checkpoint and then went down
    append_entries(3)
    checkpoint_issue(actor=None)
    assert ledger_witness_push()[0].cosigned
    witness_process.stop()
    # when trading goes on: entries are appended and a new checkpoint is issued
    appended = append_entries(4)
    waiting = checkpoint_issue(actor=None)
    result = ledger_witness_push()[0]
    # then nothing was held up, the failure is recorded with a backoff, and the checkpoint awaits the witness
    assert len(appended) == 4 and waiting.tree_size == appended[-1].index + 1
    assert not result.cosigned and "无法连接见证方" in result.error
    registered.refresh_from_db()
    assert registered.attempts == 1 and registered.next_attempt_at > frozen_clock.now()
    assert not Cosignature.objects.filter(checkpoint=waiting).exists()
    html = client.get("/ledger/").content.decode()
    assert "待省发展改革委（独立见证）签名" in html and "暂未签名" in html
    # and before the backoff has passed nothing is sent
    assert ledger_witness_push()[0].skipped == "backoff"
    # when the witness is back and the backoff has passed (the periodic task's next round)
    witness_process.start()
    frozen_clock.advance(dt.timedelta(minutes=1))
    assert ledger_witness_push()[0].cosigned
    # then the waiting checkpoint is cosigned, and the page says so
    assert Cosignature.objects.filter(checkpoint=waiting, witness=registered).exists()
    assert _witness_size(witness_process) == waiting.tree_size == Checkpoint.objects.latest("tree_size").tree_size
    registered.refresh_from_db()
    assert registered.attempts == 0 and registered.last_error == ""
    html = client.get("/ledger/").content.decode()
    assert "待省发展改革委（独立见证）签名" not in html and "私钥由省发展改革委（独立见证）的见证进程持有" in html
