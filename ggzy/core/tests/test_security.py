"""Content-Security-Policy on every response (no inline script without the request's nonce), and the idle timeout
that signs out staff, supervisors and administrators."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages

from ggzy.accounts.roles import Role
from ggzy.core import security

PUBLIC_PAGES = ["/", "/notices/", "/api/docs", "/registry/apply/", "/registry/entities/", "/pki/cas/", "/catalog/", "/tendering/lots/",
                "/ledger/", "/accounts/login/", "/accounts/login/certificate/", "/admin/login/"]
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=[\"']application/json)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def _directives(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in header.split(";"))


@pytest.mark.django_db
def test_every_page_carries_a_strict_policy(client):
    # when a page is served
    response = client.get("/")
    # then everything comes from the platform itself, scripts only from files or with this request's nonce
    policy = _directives(response)
    nonce = response.wsgi_request.csp_nonce
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == f"'self' 'nonce-{nonce}'"
    assert policy["style-src"] == f"'self' 'nonce-{nonce}'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_no_template_or_widget_writes_an_inline_style_or_handler():
    # the policy blocks style="…" and on…= attributes, so none may be written (they would silently do nothing)
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in [*root.rglob("templates/**/*.html"), *[p for p in root.rglob("*.py") if "tests" not in p.parts]]:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".html":
            found = re.findall(r"""\s(style|on[a-z]+)=["']""", text)
        else:
            found = re.findall(r"""["'](style|on(?:click|change|submit|load|input))["']\s*:""", text)
        offenders += [f"{path.relative_to(root)}: {name}" for name in found]
    assert offenders == []


@pytest.mark.django_db
def test_each_request_gets_a_fresh_nonce(client):
    first, second = client.get("/"), client.get("/")
    assert first.wsgi_request.csp_nonce != second.wsgi_request.csp_nonce
    assert len(first.wsgi_request.csp_nonce) >= 22


@pytest.mark.django_db
def test_api_answers_carry_the_policy_too(client):
    response = client.get("/api/v1/accounts/me")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_pages_have_no_inline_script_without_the_nonce_and_no_event_handler(client, url):
    # when a public page is rendered
    response = client.get(url, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    nonce = response.wsgi_request.csp_nonce
    # then any inline script carries this request's nonce, and no element has an on…= handler
    for tag in INLINE_SCRIPT.findall(html):
        assert f'nonce="{nonce}"' in tag, f"{url}: {tag}"
    assert not EVENT_HANDLER.findall(html), f"{url}: inline event handler"


@pytest.mark.django_db
def test_staff_pages_have_no_event_handlers(client, make_user, centers):
    # given a signed-in member of staff on the pages only staff see
    client.force_login(make_user(Role.CENTER_STAFF, center=centers["jinan"]))
    for url in ["/tendering/", "/tendering/custodians/", "/accounts/me/", "/pki/my-certificates/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not EVENT_HANDLER.findall(response.content.decode()), url


def test_the_policy_can_be_configured(settings):
    settings.GGZY_CSP = {"default-src": "'self'", "script-src": "'self'", "report-uri": "/csp-report"}
    header = security.content_security_policy("abc")
    assert header == "default-src 'self'; script-src 'self' 'nonce-abc'; report-uri /csp-report"


# --- idle timeout ---------------------------------------------------------------------------------------------


class WallClock:
    """The idle timer's wall clock, moved by the test (the platform clock is not the one that counts here)."""

    def __init__(self) -> None:
        self.now = 1_780_000_000.0

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta.total_seconds()


@pytest.fixture
def wall_clock(monkeypatch):
    clock = WallClock()
    monkeypatch.setattr(security, "wall_clock", lambda: clock.now)
    return clock


def _signed_in(client, user):
    client.force_login(user)
    assert client.get("/accounts/me/").status_code == 200  # the first request starts the activity clock


@pytest.mark.parametrize("role", [Role.CENTER_STAFF, Role.SUPERVISOR, Role.ADMIN])
def test_staff_idle_for_longer_than_the_timeout_are_signed_out(client, make_user, centers, wall_clock, role):
    # given a signed-in account of a role that can change records
    user = make_user(role, center=None if role == Role.ADMIN else centers["jinan"])
    _signed_in(client, user)
    # when the next request comes 31 minutes later
    wall_clock.advance(dt.timedelta(minutes=31))
    response = client.get("/accounts/me/")
    # then the user is sent to sign in again, with a message, and the session is gone
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["由于长时间未操作，您已自动退出，请重新登录。"]


def test_activity_keeps_the_staff_session(client, make_user, centers, wall_clock):
    # given a member of staff who works with pauses shorter than the timeout
    _signed_in(client, make_user(Role.CENTER_STAFF, center=centers["jinan"]))
    for _ in range(4):
        wall_clock.advance(dt.timedelta(minutes=25))
        # then every request is served
        assert client.get("/accounts/me/").status_code == 200


def test_bidders_are_not_timed_out(client, make_user, wall_clock):
    _signed_in(client, make_user(Role.BIDDER))
    wall_clock.advance(dt.timedelta(hours=3))
    assert client.get("/accounts/me/").status_code == 200


def test_the_timeout_is_a_setting(client, make_user, centers, wall_clock, settings):
    # given a five-minute timeout
    settings.GGZY_STAFF_IDLE_TIMEOUT_SECONDS = 5 * 60
    _signed_in(client, make_user(Role.SUPERVISOR, center=centers["jinan"]))
    # when six minutes pass
    wall_clock.advance(dt.timedelta(minutes=6))
    # then the session is over
    assert client.get("/accounts/me/").status_code == 302


def test_moving_the_platform_clock_does_not_sign_staff_out(client, make_user, centers, frozen_clock, wall_clock):
    # given a member of staff waiting for a bid deadline in a test or the demo
    _signed_in(client, make_user(Role.CENTER_STAFF, center=centers["jinan"]))
    # when the platform clock jumps three weeks but only a minute passes
    frozen_clock.advance(dt.timedelta(days=21))
    wall_clock.advance(dt.timedelta(minutes=1))
    # then the session continues
    assert client.get("/accounts/me/").status_code == 200


def test_an_idle_api_session_continues_anonymous(client, make_user, centers, wall_clock):
    # given a member of staff idle past the timeout
    _signed_in(client, make_user(Role.CENTER_STAFF, center=centers["jinan"]))
    wall_clock.advance(dt.timedelta(hours=1))
    # when the API is called with the old session
    response = client.get("/api/v1/accounts/me")
    # then it is refused as anonymous, not redirected
    assert response.status_code == 401


def test_the_sign_out_message_is_translated(client, make_user, centers, wall_clock):
    # given an English-speaking member of staff idle past the timeout
    client.cookies["django_language"] = "en"
    _signed_in(client, make_user(Role.CENTER_STAFF, center=centers["jinan"]))
    wall_clock.advance(dt.timedelta(hours=1))
    # when the next page is requested
    response = client.get("/accounts/me/")
    # then the message is in English
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You were signed out after a period of inactivity. Please sign in again."]
