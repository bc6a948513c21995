"""Response hardening every profile shares: a Content-Security-Policy with a per-request nonce, and an idle
timeout for the accounts that can change trading records (staff, supervisors, administrators).

Django 5.2 has no CSP support of its own (6.0 adds it); this is the small part the platform needs. Every asset
is served by the platform itself, so the policy allows only ``'self'``. A page that needs an inline
``<script>`` or ``<style>`` gives it ``nonce="{{ request.csp_nonce }}"``; inline event handlers (``onclick=``)
are never allowed.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.utils.translation import gettext

from .middleware import login_redirect

# One directive per line; the nonce is added to script-src and style-src. No inline style attributes either: the
# templates size boxes with classes from the stylesheet and draw chart bars with <progress>.
DEFAULT_POLICY: Mapping[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
NONCE_DIRECTIVES = ("script-src", "style-src")


def agent_origin() -> str:
    """The origin of the local certificate agent (settings.GGZY_AGENT_URL), or "" when none is configured."""
    url = (getattr(settings, "GGZY_AGENT_URL", "") or "").strip()
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def content_security_policy(nonce: str, policy: Mapping[str, str] | None = None) -> str:
    """The header value for one response: the configured directives with this request's nonce."""
    directives = dict(policy if policy is not None else getattr(settings, "GGZY_CSP", DEFAULT_POLICY))
    agent = agent_origin()
    parts = []
    for name, value in directives.items():
        if name in NONCE_DIRECTIVES:
            value = f"{value} 'nonce-{nonce}'"
        if name == "connect-src" and agent and agent not in value.split():
            value = f"{value} {agent}"  # the bidder's certificate agent on this computer
        parts.append(f"{name} {value}".strip())
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    """Sets ``request.csp_nonce`` and sends the Content-Security-Policy header (unless a view set its own)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(18)
        response = self.get_response(request)
        if "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = content_security_policy(request.csp_nonce)
        return response


SESSION_LAST_ACTIVITY = "ggzy_last_activity"
# Inactivity is a person's, measured on the wall clock, not the platform clock (core.clock): tests and the demo
# move the platform clock across bid deadlines while people stay signed in. Tests replace this function.
wall_clock = time.time
# Write the session at most this often while the user is active (each write is a database update).
_ACTIVITY_RESOLUTION_SECONDS = 60


POLL_HEADER = "X-GGZY-Poll"  # set by the pages' automatic polls (hx-headers), see ``is_automatic_poll``


def is_automatic_poll(request) -> bool:
    """A request a page sends on a timer rather than because a person did something."""
    return request.headers.get(POLL_HEADER) == "1"


def idle_timeout_applies(user) -> bool:
    from ggzy.core.roles import SECOND_FACTOR_ROLES

    return bool(user.is_authenticated and (user.role in SECOND_FACTOR_ROLES or user.is_staff or user.is_superuser))


class StaffIdleTimeoutMiddleware:
    """Signs out staff, supervisors and administrators after ``GGZY_STAFF_IDLE_TIMEOUT_SECONDS`` without a request.

    Their sessions can publish notices, open bids and change the register; a workstation left signed in must not
    stay usable. A page request is sent to the login page with a message; an API request continues anonymous (and
    is refused by the endpoint's own permission rule).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and idle_timeout_applies(user):
            timeout = int(getattr(settings, "GGZY_STAFF_IDLE_TIMEOUT_SECONDS", 30 * 60))
            now = wall_clock()
            last = request.session.get(SESSION_LAST_ACTIVITY)
            if timeout > 0 and last is not None and now - float(last) > timeout:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(request, gettext("由于长时间未操作，您已自动退出，请重新登录。"))
                response = login_redirect(request)
                if request.headers.get("HX-Request") == "true":  # htmx: the whole page goes to sign-in
                    return HttpResponse(status=204, headers={"HX-Redirect": response["Location"]})
                return response
            # an automatic poll (a live log refreshed every 2 s) is not the person working: it must not keep an idle
            # workstation signed in, so it never moves the timer (it is still signed out when the time is up)
            if last is None or (not is_automatic_poll(request)
                                and now - float(last) >= _ACTIVITY_RESOLUTION_SECONDS):
                request.session[SESSION_LAST_ACTIVITY] = now
        return self.get_response(request)
