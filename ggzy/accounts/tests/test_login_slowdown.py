"""Sign-in slows down after failures (a growing wait, never a lock-out), per user name and per client address."""

import datetime as dt

import pytest

from ggzy.accounts.models import LoginAttempt
from ggzy.accounts.roles import Role

PROXY = "10.0.0.1"


def _post(client, username, password, *, client_ip="203.0.113.5", proxy=PROXY):
    """A sign-in as the reverse proxy forwards it: REMOTE_ADDR is the proxy, the header names the client."""
    return client.post("/accounts/login/", {"username": username, "password": password},
                       REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=client_ip)


def _fail(client, username, times, **where):
    for _ in range(times):
        response = _post(client, username, "wrong-password", **where)
        assert "用户名、密码或动态口令错误" in response.content.decode()


@pytest.fixture(autouse=True)
def _behind_the_proxy(settings):
    settings.GGZY_TRUSTED_PROXIES = ["10.0.0.0/8"]


def _wait_message(response) -> str:
    text = response.content.decode()
    assert "登录失败次数过多" in text, text[:2000]
    return text


@pytest.mark.django_db
def test_the_wait_grows_after_each_further_failure(client, make_user, frozen_clock):
    # given five failures for one user name
    make_user(Role.BIDDER, username="firm2")
    _fail(client, "firm2", 5)
    # when the right password is tried at once, then it must wait 2 seconds, unchecked and unrecorded
    assert "请等待2秒后再试" in _wait_message(_post(client, "firm2", "pass-1234-ok"))
    assert client.get("/accounts/me/").status_code == 302
    assert LoginAttempt.objects.filter(username="firm2").count() == 5
    # when the wait is over and the attempt fails again, then the next wait is 4 seconds, then 8
    frozen_clock.advance(dt.timedelta(seconds=2))
    _fail(client, "firm2", 1)
    assert "请等待4秒后再试" in _wait_message(_post(client, "firm2", "pass-1234-ok"))
    frozen_clock.advance(dt.timedelta(seconds=3))
    assert "请等待1秒后再试" in _wait_message(_post(client, "firm2", "pass-1234-ok"))
    frozen_clock.advance(dt.timedelta(seconds=1))
    _fail(client, "firm2", 1)
    assert "请等待8秒后再试" in _wait_message(_post(client, "firm2", "pass-1234-ok"))
    # then once the wait is over the right password signs in, and the count starts again
    frozen_clock.advance(dt.timedelta(seconds=8))
    assert _post(client, "firm2", "pass-1234-ok").status_code == 302
    client.post("/accounts/logout/")
    _fail(client, "firm2", 4)
    assert _post(client, "firm2", "pass-1234-ok").status_code == 302


@pytest.mark.django_db
def test_the_wait_is_capped(client, make_user, frozen_clock, settings):
    # given twenty failures for one user name, each after its wait
    make_user(Role.BIDDER, username="firm4")
    for _ in range(20):
        _fail(client, "firm4", 1)
        frozen_clock.advance(dt.timedelta(seconds=settings.GGZY_LOGIN_MAX_DELAY_SECONDS))
    _fail(client, "firm4", 1)
    # then the wait is at most fifteen minutes
    assert "请等待900秒后再试" in _wait_message(_post(client, "firm4", "pass-1234-ok"))


@pytest.mark.django_db
def test_failures_from_one_client_do_not_slow_down_another_behind_the_same_proxy(client, make_user, frozen_clock):
    # given one client guessing many user names through the proxy (twenty failures, four per name)
    make_user(Role.BIDDER, username="firm5")
    for n in range(5):
        _fail(client, f"victim{n}", 4, client_ip="203.0.113.5")
    # then that client must wait, whatever name it tries
    assert "请等待2秒后再试" in _wait_message(_post(client, "firm5", "pass-1234-ok", client_ip="203.0.113.5"))
    # and another client behind the same proxy signs in at once
    assert _post(client, "firm5", "pass-1234-ok", client_ip="203.0.113.9").status_code == 302
    # and the forgotten failures no longer count after the address window
    client.post("/accounts/logout/")
    frozen_clock.advance(dt.timedelta(minutes=16))
    assert _post(client, "firm5", "pass-1234-ok", client_ip="203.0.113.5").status_code == 302


@pytest.mark.django_db
def test_a_forged_header_from_an_untrusted_sender_does_not_escape_the_wait(client, make_user, frozen_clock):
    # given a client connecting directly (not through the proxy) that writes a new forwarded address each time
    make_user(Role.BIDDER, username="firm6")
    for n in range(20):
        _fail(client, f"victim{n}", 1, proxy="198.51.100.77", client_ip=f"203.0.113.{n}")
    # then it is still counted under its own address
    response = _post(client, "firm6", "pass-1234-ok", proxy="198.51.100.77", client_ip="203.0.113.200")
    assert "请等待2秒后再试" in _wait_message(response)
    assert set(LoginAttempt.objects.values_list("address", flat=True)) == {"198.51.100.77"}


@pytest.mark.django_db
def test_the_api_answers_429_while_waiting(client, make_user, frozen_clock):
    make_user(Role.BIDDER, username="firm7")
    for _ in range(5):
        client.post("/api/v1/accounts/login", {"username": "firm7", "password": "wrong-password"},
                    content_type="application/json")
    response = client.post("/api/v1/accounts/login", {"username": "firm7", "password": "pass-1234-ok"},
                           content_type="application/json")
    assert response.status_code == 429 and response["Retry-After"] == "2"
    assert response.json()["detail"] == "登录失败次数过多，请等待2秒后再试"
    assert client.get("/api/v1/accounts/me").status_code == 401
