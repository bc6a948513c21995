"""The feed never skips a late commit: a publication whose transaction started first but commits late can never
end up below an offset a reader has already read past (PostgreSQL: real concurrent transactions)."""

import threading
import time

import pytest
from django.db import connection, transaction

from ggzy.accounts.roles import Role
from ggzy.disclosure.tests.factories import notice_make
from ggzy.publication import selectors, services

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="concurrent writers need PostgreSQL")
def test_a_slow_publisher_holds_back_later_offsets_until_it_commits(make_user, centers, monkeypatch):
    monkeypatch.setattr(services, "_push_soon", lambda: None)
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    slow_inside, release, fast_done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def slow() -> None:
        try:
            with transaction.atomic():
                notice_make(actor=staff, center=centers["jinan"], title="先开始、后提交")
                slow_inside.set()
                release.wait(20)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    def fast() -> None:
        try:
            notice_make(actor=staff, center=centers["jinan"], title="后开始")
            fast_done.set()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    first = threading.Thread(target=slow)
    first.start()
    assert slow_inside.wait(20)
    second = threading.Thread(target=fast)
    second.start()
    time.sleep(0.5)
    # the later publisher waits for the offset; a reader sees nothing uncommitted and nothing out of order
    assert not fast_done.is_set()
    assert selectors.feed_page(offset=0, limit=10) == []
    release.set()
    first.join(20)
    second.join(20)
    assert not errors, errors
    rows = selectors.feed_page(offset=0, limit=10)
    assert [(p.offset, '"先开始、后提交"' in p.content) for p in rows] == [(1, True), (2, False)]
