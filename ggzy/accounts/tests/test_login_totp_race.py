"""Six sign-ins at once with the same TOTP code: the conditional update of the user's last step lets one in."""

import threading

import pyotp
import pytest
from django.db import connection, connections

from ggzy.accounts.models import LoginAttempt
from ggzy.accounts.roles import Role
from ggzy.accounts.services import LOGIN_REFUSED, _totp_accept, login_authenticate
from ggzy.core.errors import DomainError


@pytest.mark.django_db(transaction=True)
def test_six_concurrent_sign_ins_with_one_code_let_exactly_one_in(settings, make_user, frozen_clock):
    # given an administrator (TOTP required), the current code, and no slow-down to blur the count
    settings.GGZY_LOGIN_MAX_FAILURES = 100
    admin = make_user(Role.ADMIN, username="root1")
    code = pyotp.TOTP(admin.totp_secret).at(frozen_clock.now())
    start = threading.Barrier(6)
    outcomes: list[object] = []
    lock = threading.Lock()
    # The in-memory SQLite test database is shared-cache, where a second writer fails at once instead of waiting
    # (the embedded file database waits): there the threads take turns; on PostgreSQL they really race.
    in_turn = threading.Lock() if connection.vendor == "sqlite" else None

    def sign_in(n: int) -> None:
        try:
            start.wait(timeout=10)
            if in_turn:
                in_turn.acquire()
            try:
                user = login_authenticate(request=None, username="root1", password="pass-1234-ok", totp=code,
                                          address=f"198.51.100.{n}")
            finally:
                if in_turn:
                    in_turn.release()
            result: object = user.pk
        except DomainError as exc:
            result = exc.message
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            result = exc
        finally:
            connections["default"].close()
        with lock:
            outcomes.append(result)

    # when six threads sign in with the same password and code at the same moment
    threads = [threading.Thread(target=sign_in, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then exactly one is let in, the other five read like a wrong password, and every attempt is recorded
    assert sorted(outcomes, key=str) == sorted([admin.pk] + [LOGIN_REFUSED] * 5, key=str), outcomes
    assert LoginAttempt.objects.filter(username="root1", succeeded=True).count() == 1
    assert LoginAttempt.objects.filter(username="root1", succeeded=False).count() == 5


@pytest.mark.django_db
def test_a_code_checked_against_a_stale_copy_of_the_user_is_still_refused(make_user, frozen_clock):
    # given two copies of one user loaded before either request used the code (as two concurrent requests hold)
    admin = make_user(Role.ADMIN, username="root2")
    code = pyotp.TOTP(admin.totp_secret).at(frozen_clock.now())
    first, second = (type(admin).objects.get(pk=admin.pk) for _ in range(2))
    # when both check the code
    accepted = [_totp_accept(user=first, code=code), _totp_accept(user=second, code=code)]
    # then the database, not the copy, decides: only the first is accepted
    assert accepted == [True, False]
