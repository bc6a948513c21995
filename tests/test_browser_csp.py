"""In Chromium, under the platform's Content-Security-Policy: the pages, htmx, Swagger UI and the admin work and
the browser reports no violation (a blocked script or style would show up here before it showed up to a user)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/notices/", "/registry/entities/", "/registry/apply/", "/catalog/", "/tendering/lots/", "/ledger/",
         "/pki/cas/", "/accounts/login/", "/accounts/login/certificate/", "/admin/login/"]


def _violations(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: found.append(f"page error: {e}"))
    return found


def test_public_pages_raise_no_policy_violation(page, live_server):
    # given a browser that records every policy violation
    violations = _violations(page)
    for url in PAGES:
        # when each page is loaded
        response = page.goto(f"{live_server.url}{url}")
        # then it is served under the policy and nothing was blocked
        assert response is not None and "default-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    assert violations == []


def test_htmx_search_works_under_the_policy(page, live_server):
    from playwright.sync_api import expect

    # given the public register search (htmx, indicator styles from the stylesheet)
    violations = _violations(page)
    page.goto(f"{live_server.url}/registry/entities/")
    # when a search is typed
    with page.expect_response(lambda r: "/registry/entities/" in r.url and r.request.headers.get("hx-request")):
        page.fill("input[type=search]", "建设")
    # then htmx swapped the results without any violation
    expect(page.locator("#entity-results")).to_be_visible()
    assert violations == []


def test_swagger_ui_renders_under_the_policy(page, live_server):
    from playwright.sync_api import expect

    violations = _violations(page)
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_be_visible()
    assert violations == []


@pytest.mark.parametrize("agent_url", ["http://127.0.0.1:17380", "http://127.0.0.1:27999"])
def test_pages_reach_the_certificate_agent_under_the_policy(page, live_server, settings, agent_url):
    # given the certificate agent's address (the default, or another port configured)
    settings.GGZY_AGENT_URL = agent_url
    violations = _violations(page)
    # when the certificate sign-in page asks the agent for its status (nobody listens: refused, not blocked)
    response = page.goto(f"{live_server.url}/accounts/login/certificate/")
    page.wait_for_function("() => document.querySelector('.agent-status').dataset.state === 'state_absent'")
    # then connect-src names the agent's origin and the browser blocked nothing
    assert response is not None and agent_url in response.headers["content-security-policy"]
    assert violations == []
