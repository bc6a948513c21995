"""GET /api/v1/ledger/feed: entries in order with the latest checkpoint, for pull subscribers and provincial roles."""

import pytest

from ggzy.accounts.roles import Role
from ggzy.core.models import AuditEntry
from ggzy.ledger import outbox
from ggzy.ledger.models import LogEntry, Subscriber, SubscriberKind
from ggzy.ledger.services import checkpoint_issue

from .factories import append_entries

pytestmark = pytest.mark.django_db
FEED = "/api/v1/ledger/feed"
SECRET = "pull-secret-of-the-national-exchange"


@pytest.fixture
def exchange(frozen_clock):
    subscriber = outbox.subscriber_register(actor=None, name="exchange", kind=SubscriberKind.PULL, secret=SECRET)
    append_entries(11)
    checkpoint_issue(actor=None)
    return subscriber


def _bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_pull_subscriber_reads_in_order_and_its_cursor_follows(client, exchange, django_assert_max_num_queries):
    # when the subscriber reads from the start, then continues from next_after
    with django_assert_max_num_queries(6):
        first = client.get(FEED, {"limit": 5}, **_bearer(SECRET)).json()
    second = client.get(FEED, {"after": first["next_after"], "limit": 100}, **_bearer(SECRET)).json()
    # then it gets every entry once, in order, with bodies and the latest signed checkpoint
    indexes = [e["index"] for e in first["entries"] + second["entries"]]
    assert indexes == list(range(12)) and first["next_after"] == 4 and second["next_after"] == 11
    assert second["entries"][0]["body"] == LogEntry.objects.get(index=5).body
    assert second["checkpoint"]["tree_size"] == 12
    # and asking for after=4 acknowledged everything up to 4
    assert Subscriber.objects.get().cursor == 4


def test_limits_are_validated(client, exchange):
    response = client.get(FEED, {"limit": 5000}, **_bearer(SECRET))
    assert response.status_code == 400 and "limit" in response.json()["errors"]


@pytest.mark.parametrize("role, provincial, status", [
    pytest.param(None, False, 401, id="anonymous"),
    pytest.param(Role.BIDDER, False, 403, id="wrong-role"),
    pytest.param(Role.SUPERVISOR, False, 403, id="city-supervisor"),
    pytest.param(Role.SUPERVISOR, True, 200, id="provincial-supervisor"),
    pytest.param(Role.ADMIN, True, 200, id="admin"),
])
def test_who_may_read_the_feed(client, exchange, make_user, centers, role, provincial, status):
    # given a user (or nobody) without the subscriber's token
    if role is not None:
        center = centers["province"] if provincial else centers["jinan"]
        client.force_login(make_user(role, center=center))
    audits = AuditEntry.objects.count()
    # when they read the feed
    response = client.get(FEED)
    # then only provincial roles get it, and nothing changed
    assert response.status_code == status
    assert Subscriber.objects.get().cursor == -1 and AuditEntry.objects.count() == audits


def test_a_wrong_or_webhook_token_is_refused(client, exchange):
    outbox.subscriber_register(actor=None, name="hook", kind=SubscriberKind.WEBHOOK, url="http://127.0.0.1:9/",
                               secret="webhook-secret-0123456789")
    assert client.get(FEED, **_bearer("not-the-secret-at-all")).status_code == 403
    assert client.get(FEED, **_bearer("webhook-secret-0123456789")).status_code == 403
