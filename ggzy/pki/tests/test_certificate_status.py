"""The certificate-status API a page asks before it uses a certificate through the certificate agent: the trust
store's verdict (expired, revoked) and whether the certificate is the signed-in user's."""

from __future__ import annotations

import datetime as dt

import pytest

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.pki.models import Algorithm

from .test_bindings import _bind

pytestmark = pytest.mark.django_db
URL = "/api/v1/pki/certificate-status"


def _status(client, issued, purpose="sign"):
    return client.post(URL, {"certificate": issued.pem.decode(), "purpose": purpose}, content_type="application/json")


def test_a_valid_certificate_is_ok_and_nobody_is_asked_about_when_signed_out(client, frozen_clock, trust_store):
    response = _status(client, trust_store.users["王建国/sign"], "login")
    assert response.status_code == 200, response.json()
    assert response.json() == {"ok": True, "code": "ok", "reason": response.json()["reason"], "matches": None}


def test_revoked_and_expired_certificates_are_named(client, frozen_clock, trust_store):
    revoked = next(i for i in trust_store.revoked if i.algorithm == Algorithm.ECDSA)
    assert _status(client, revoked).json()["code"] == "revoked"
    clock.advance(dt.timedelta(days=3 * 366))
    answer = _status(client, trust_store.users["王建国/sign"]).json()
    assert (answer["ok"], answer["code"]) == (False, "expired") and "已过期" in answer["reason"]


def test_matches_says_whether_the_certificate_is_bound_to_the_signed_in_user(client, make_user, frozen_clock,
                                                                           trust_store):
    issued = trust_store.users["王建国/sign"]
    holder = make_user(Role.EXPERT, username="expert-holder")
    client.force_login(holder)
    assert _status(client, issued).json()["matches"] is False  # not bound yet
    assert _bind(client, issued).status_code == 201
    assert _status(client, issued).json()["matches"] is True
    client.force_login(make_user(Role.EXPERT, username="expert-other"))
    assert _status(client, issued).json()["matches"] is False


def test_a_bad_purpose_is_refused_in_chinese_naming_the_field(client, trust_store):
    response = client.post(URL, {"certificate": "x", "purpose": "steal"}, content_type="application/json")
    assert response.status_code == 400
    assert "purpose" in str(response.json())
