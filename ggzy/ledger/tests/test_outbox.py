"""Push: entries reach a webhook (a real local HTTP server) in order, without gaps, across restarts and failures."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ggzy.core.errors import DomainError
from ggzy.core.models import AuditEntry
from ggzy.ledger import merkle, outbox
from ggzy.ledger.models import LogEntry, Subscriber, SubscriberKind

from .factories import append_entries

pytestmark = pytest.mark.django_db
SECRET = "s3cret-shared-with-the-exchange"


class Receiver:
    """A webhook: verifies the HMAC header, keeps entries by index (deduplicating), answers ``statuses`` in turn."""

    def __init__(self):
        self.statuses: list[int] = []  # answers to give before falling back to 200
        self.requests: list[dict] = []
        self.entries: dict[int, str] = {}
        self.bad_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if not outbox.signature_valid(SECRET, body, self.headers.get(outbox.SIGNATURE_HEADER, "")):
                    receiver.bad_signatures += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                payload = json.loads(body)
                receiver.requests.append(payload)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                if 200 <= status < 300:
                    for item in payload["entries"]:
                        receiver.entries.setdefault(item["index"], item["body"])
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ledger-hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def indexes_sent(self) -> list[int]:
        return [item["index"] for payload in self.requests for item in payload["entries"]]


@pytest.fixture
def receiver():
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def hook(receiver, frozen_clock):
    return outbox.subscriber_register(actor=None, name="disclosure", kind=SubscriberKind.WEBHOOK, url=receiver.url,
                                      secret=SECRET)


def test_entries_arrive_in_order_without_gaps_and_signed(receiver, hook):
    # given 250 entries (the subscriber's own registration is entry 0)
    append_entries(249)
    # when one round runs in batches of 100
    results = outbox.ledger_push(batch_size=100)
    # then every entry arrived once, in order, with a valid HMAC, and the cursor is the last index
    assert receiver.indexes_sent() == list(range(250)) and receiver.bad_signatures == 0
    assert [len(p["entries"]) for p in receiver.requests] == [100, 100, 50]
    assert results[0].delivered == 250 and Subscriber.objects.get().cursor == 249
    entry = LogEntry.objects.get(index=7)
    assert receiver.entries[7] == entry.body
    assert merkle.leaf_hash(merkle.hash_function("sha256"), entry.body.encode()) == bytes(entry.leaf_hash)


def test_a_restart_resumes_from_the_cursor_in_the_database(receiver, hook):
    # given a first round delivered everything
    append_entries(9)
    call_command("ledger", "push", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = receiver.indexes_sent()
    # when more entries come and a fresh round runs (no state but the database: a new process)
    append_entries(5)
    call_command("ledger", "push", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # then only the new entries were sent, continuing the sequence
    assert first == list(range(10))
    assert receiver.indexes_sent() == list(range(15)) and Subscriber.objects.get().cursor == 14


def test_a_failure_keeps_the_cursor_backs_off_and_the_retry_resends_the_same_batch(receiver, hook, frozen_clock):
    # given the receiver fails the first request
    append_entries(4)
    receiver.statuses = [503]
    # when a round runs
    result = outbox.ledger_push()[0]
    # then nothing is acknowledged and the failure is recorded with a backoff
    subscriber = Subscriber.objects.get()
    assert result.error == "HTTP 503" and subscriber.cursor == -1 and subscriber.attempts == 1
    assert subscriber.last_error == "HTTP 503" and subscriber.next_attempt_at == frozen_clock.now() + dt.timedelta(
        seconds=30)
    # when a round runs again before the backoff is over, nothing is sent
    assert outbox.ledger_push()[0].skipped == "backoff" and len(receiver.requests) == 1
    # when the clock passes the backoff
    frozen_clock.advance(dt.timedelta(seconds=31))
    result = outbox.ledger_push()[0]
    # then the same batch is sent again (same indexes: the receiver deduplicates) and acknowledged
    assert receiver.indexes_sent() == list(range(5)) * 2 and sorted(receiver.entries) == list(range(5))
    subscriber.refresh_from_db()
    assert result.delivered == 5 and subscriber.cursor == 4 and subscriber.attempts == 0
    assert subscriber.last_error == "" and subscriber.next_attempt_at is None


def test_an_unreachable_subscriber_is_an_error_and_its_backoff_grows(frozen_clock):
    # given a subscriber on a port nobody listens on
    outbox.subscriber_register(actor=None, name="down", kind=SubscriberKind.WEBHOOK, url="http://127.0.0.1:9/x",
                               secret=SECRET)
    # when two rounds fail
    assert outbox.ledger_push()[0].error
    frozen_clock.advance(dt.timedelta(seconds=31))
    outbox.ledger_push()
    # then the cursor stays and the wait doubled
    subscriber = Subscriber.objects.get()
    assert subscriber.cursor == -1 and subscriber.attempts == 2
    assert subscriber.next_attempt_at == frozen_clock.now() + dt.timedelta(seconds=60)
    with pytest.raises(CommandError):
        frozen_clock.advance(dt.timedelta(seconds=61))
        call_command("ledger", "push", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_a_lost_acknowledgement_resends_at_most_that_batch(receiver, hook, frozen_clock):
    # given the receiver stores a batch but the answer is lost (the sender sees a timeout)
    append_entries(150)

    def lose_second_answer(url, body, headers, timeout, calls=[]):  # noqa: B006
        status = outbox.http_post(url, body, headers, timeout)
        calls.append(status)
        if len(calls) == 2:
            raise TimeoutError("timed out")
        return status

    outbox.ledger_push(send=lose_second_answer, batch_size=100)
    assert Subscriber.objects.get().cursor == 99
    # when the next round runs after the backoff
    frozen_clock.advance(dt.timedelta(minutes=1))
    outbox.ledger_push(batch_size=100)
    # then only the unacknowledged batch was sent twice, and the receiver has every entry once
    assert receiver.indexes_sent() == list(range(100)) + list(range(100, 151)) * 2
    assert sorted(receiver.entries) == list(range(151)) and Subscriber.objects.get().cursor == 150


def test_a_locked_subscriber_is_skipped_not_sent_twice(receiver, hook, monkeypatch):
    # given another worker holds the subscriber's row (its lock query finds nothing with skip_locked)
    append_entries(3)
    monkeypatch.setattr(outbox.Subscriber.objects, "select_for_update",
                        lambda **kw: Subscriber.objects.none())
    # when a round runs
    result = outbox.ledger_push()[0]
    # then nothing was sent
    assert result.skipped == "busy" and receiver.requests == []


def test_disabled_and_pull_subscribers_get_no_posts(receiver, hook):
    Subscriber.objects.filter(pk=hook.pk).update(is_enabled=False)
    outbox.subscriber_register(actor=None, name="exchange", kind=SubscriberKind.PULL, secret=SECRET)
    append_entries(3)
    assert outbox.ledger_push() == [] and receiver.requests == []


def test_registration_is_validated_and_audited(frozen_clock):
    # when the input is bad, nothing is stored
    with pytest.raises(DomainError) as error:
        outbox.subscriber_register(actor=None, name="x", kind=SubscriberKind.WEBHOOK, url="ftp://x", secret="short")
    assert set(error.value.errors) == {"url", "secret"} and not Subscriber.objects.exists()
    assert not AuditEntry.objects.exists()
    # when it is good, the subscriber gets a random secret and the registration is audited
    subscriber = outbox.subscriber_register(actor=None, name="exchange", kind=SubscriberKind.PULL)
    assert len(subscriber.secret) == 64 and AuditEntry.objects.filter(action="ledger.subscriber_register").count() == 1


def test_appends_trigger_a_push_after_commit(receiver, hook, django_capture_on_commit_callbacks):
    # when entries are appended and the transaction commits (huey runs tasks immediately in tests)
    from ggzy.ledger import tasks

    tasks._push_last = -10.0**9
    with django_capture_on_commit_callbacks(execute=True):
        append_entries(2)
    # then the push task delivered them
    assert receiver.indexes_sent() == [0, 1, 2]
