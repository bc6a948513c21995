"""Signing in needs the CSRF token, on the page and on the API: another site cannot sign a browser in (login CSRF)."""

import pytest
from django.test import Client

from ggzy.accounts.models import LoginAttempt
from ggzy.accounts.roles import Role

FOREIGN = {"HTTP_ORIGIN": "https://evil.example"}


@pytest.fixture
def browser_client():
    return Client(enforce_csrf_checks=True)


def _signed_in(client) -> bool:
    return client.get("/api/v1/accounts/me").status_code == 200


@pytest.mark.django_db
def test_the_login_page_refuses_a_foreign_post_without_token(browser_client, make_user):
    # given an account
    make_user(Role.BIDDER, username="firm8")
    # when another site posts the right password, without the token
    response = browser_client.post("/accounts/login/", {"username": "firm8", "password": "pass-1234-ok"}, **FOREIGN)
    # then it is refused before the password is looked at, and nobody is signed in
    assert response.status_code == 403
    assert not _signed_in(browser_client)
    assert not LoginAttempt.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/accounts/login", "/api/v1/accounts/cert-login"], ids=["password", "cert"])
def test_the_login_api_refuses_a_foreign_post_without_token(browser_client, make_user, path):
    make_user(Role.BIDDER, username="firm9")
    body = {"username": "firm9", "password": "pass-1234-ok", "certificate": "x", "signature": "x", "nonce": "x"}
    response = browser_client.post(path, body, content_type="application/json", **FOREIGN)
    assert response.status_code == 403
    assert not _signed_in(browser_client)
    assert not LoginAttempt.objects.exists()


@pytest.mark.django_db
def test_the_login_api_refuses_a_same_site_post_without_token(browser_client, make_user):
    make_user(Role.BIDDER, username="firm10")
    response = browser_client.post("/api/v1/accounts/login", {"username": "firm10", "password": "pass-1234-ok"},
                                   content_type="application/json")
    assert response.status_code == 403
    assert not _signed_in(browser_client)


@pytest.mark.django_db
def test_the_page_and_the_api_sign_in_with_the_token(browser_client, make_user):
    # given the token the login page hands out
    make_user(Role.BIDDER, username="firm11")
    browser_client.get("/accounts/login/")
    token = browser_client.cookies["csrftoken"].value
    # when the page form is posted with it, then the user is signed in
    page = browser_client.post("/accounts/login/", {"username": "firm11", "password": "pass-1234-ok",
                                                    "csrfmiddlewaretoken": token})
    assert page.status_code == 302 and _signed_in(browser_client)
    # when an API client posts with it in the header, then it is signed in too
    api_client = Client(enforce_csrf_checks=True)
    api_client.get("/accounts/login/")
    response = api_client.post("/api/v1/accounts/login", {"username": "firm11", "password": "pass-1234-ok"},
                               content_type="application/json",
                               HTTP_X_CSRFTOKEN=api_client.cookies["csrftoken"].value)
    assert response.status_code == 200 and _signed_in(api_client)


@pytest.mark.django_db
def test_an_overlong_user_name_is_refused_before_anything_is_recorded(client):
    response = client.post("/api/v1/accounts/login", {"username": "x" * 20000, "password": "p"},
                           content_type="application/json")
    assert response.status_code == 400 and "username" in response.json()["errors"]
    assert LoginAttempt.objects.count() == 0
