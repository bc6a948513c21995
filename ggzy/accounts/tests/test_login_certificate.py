"""Certificate login (challenge-response): ECDSA and SM2 certificates, each refusal reason, replay, throttling."""

import base64
import datetime as dt

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from ggzy.accounts.models import LoginAttempt
from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.pki import sm
from ggzy.pki.models import Algorithm
from ggzy.pki.testpki import ca_new, person_subject
from ggzy.registry.models import MarketEntityAccount
from ggzy.registry.tests.factories import MarketEntityFactory

ECDSA_FIRM = "青岛海晟招标代理有限公司/sign"
SM2_FIRM = "山东鲁建工程集团有限公司/sign"


def _sign(issued, text: str) -> str:
    data = text.encode("utf-8")
    if issued.algorithm == Algorithm.SM2:
        return base64.b64encode(sm.sm2_sign(issued.private_key, data)).decode()
    return base64.b64encode(issued.private_key.sign(data, ec.ECDSA(hashes.SHA256()))).decode()


def _link(make_user, issued, *, role=Role.BIDDER, username=None):
    entity = MarketEntityFactory(credit_code=issued.credit_code, name=issued.label.split("/")[0])
    user = make_user(role, username=username)
    MarketEntityAccount.objects.create(user=user, entity=entity, linked_at=clock.now())
    return user


def _challenge(client) -> dict:
    response = client.get("/api/v1/accounts/cert-challenge")
    assert response.status_code == 200
    return response.json()


def _post(client, issued, challenge, *, text=None, username=None, certificate=None):
    body = {"certificate": (certificate or issued.pem).decode(), "nonce": challenge["nonce"],
            "signature": _sign(issued, text or challenge["challenge"])}
    if username:
        body["username"] = username
    return client.post("/api/v1/accounts/cert-login", body, content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("label", [ECDSA_FIRM, SM2_FIRM], ids=["ecdsa", "sm2"])
def test_entity_certificate_logs_in_its_account(client, make_user, frozen_clock, trust_store, label):
    # given a firm's signing certificate and a bidder account linked to that firm
    issued = trust_store.users[label]
    user = _link(make_user, issued)
    challenge = _challenge(client)
    assert challenge["nonce"] in challenge["challenge"] and "origin: http://testserver" in challenge["challenge"]
    # when the challenge is signed with the certificate's key
    response = _post(client, issued, challenge)
    # then the account is signed in
    assert response.status_code == 200, response.json()
    assert response.json()["username"] == user.username
    assert client.get("/api/v1/accounts/me").json()["username"] == user.username
    assert LoginAttempt.objects.filter(username__startswith="cert:", succeeded=True).count() == 1


@pytest.mark.django_db
def test_person_certificate_logs_in_only_the_account_it_is_bound_to(client, make_user, frozen_clock, trust_store):
    # given a person's certificate (CN 王建国) and an account with that very name, but no binding
    from ggzy.pki.bindings import person_certificate_register

    issued = trust_store.users["王建国/sign"]
    namesake = make_user(Role.EXPERT, username="王建国", display_name="王建国")
    # then the name alone signs in nobody
    assert "尚未绑定" in _refusal(_post(client, issued, _challenge(client)))
    # when the certificate is bound (by fingerprint) to an account
    person_certificate_register(actor=None, user=namesake, certificate_pem=issued.pem.decode())
    # then it signs in as that account
    response = _post(client, issued, _challenge(client))
    assert response.status_code == 200 and response.json()["username"] == "王建国"


@pytest.mark.django_db
def test_several_accounts_of_one_entity_first_or_chosen(client, make_user, frozen_clock, trust_store):
    issued = trust_store.users[ECDSA_FIRM]
    first = _link(make_user, issued, username="firm-a")
    second = make_user(Role.AGENCY, username="firm-b")
    MarketEntityAccount.objects.create(user=second, entity=first.entity_account.entity,
                                       linked_at=clock.now() + dt.timedelta(minutes=1))
    assert _post(client, issued, _challenge(client)).json()["username"] == "firm-a"
    client.post("/api/v1/accounts/logout")
    assert _post(client, issued, _challenge(client), username="firm-b").json()["username"] == "firm-b"


def _refusal(response) -> str:
    assert response.status_code == 400, response.content
    return response.json()["detail"]


@pytest.mark.django_db
def test_certificate_from_unregistered_ca_is_refused(client, make_user, frozen_clock, trust_store):
    # given a certificate from a CA no administrator registered
    rogue = ca_new(name="未登记的CA", algorithm=Algorithm.ECDSA, not_before=frozen_clock.now() - dt.timedelta(days=1))
    issued = rogue.issue(label="x", subject=person_subject("王建国"), usages=["digital_signature"],
                         not_before=frozen_clock.now() - dt.timedelta(days=1),
                         not_after=frozen_clock.now() + dt.timedelta(days=30))
    make_user(Role.EXPERT, username="王建国")
    # then it is refused as untrusted and nobody is signed in
    assert "不是平台认可的CA" in _refusal(_post(client, issued, _challenge(client)))
    assert client.get("/api/v1/accounts/me").status_code == 401
    assert LoginAttempt.objects.filter(succeeded=False).count() == 1


@pytest.mark.django_db
def test_expired_certificate_is_refused(client, make_user, frozen_clock, trust_store):
    issued = trust_store.users[ECDSA_FIRM]
    _link(make_user, issued)
    frozen_clock.advance(dt.timedelta(days=4 * 365))
    assert "已过期" in _refusal(_post(client, issued, _challenge(client)))


@pytest.mark.django_db
def test_revoked_certificate_is_refused(client, frozen_clock, trust_store):
    issued = next(item for item in trust_store.revoked if item.algorithm == Algorithm.ECDSA)
    assert "吊销" in _refusal(_post(client, issued, _challenge(client)))


@pytest.mark.django_db
def test_encryption_certificate_is_refused_for_login(client, make_user, frozen_clock, trust_store):
    issued = trust_store.users["山东鲁建工程集团有限公司/encrypt"]
    _link(make_user, issued)
    assert "密钥用途不允许用于数字签名" in _refusal(_post(client, issued, _challenge(client)))


@pytest.mark.django_db
def test_signature_over_other_text_is_refused(client, make_user, frozen_clock, trust_store):
    issued = trust_store.users[SM2_FIRM]
    _link(make_user, issued)
    challenge = _challenge(client)
    detail = _refusal(_post(client, issued, challenge, text=challenge["challenge"] + "x"))
    assert "签名验证失败" in detail
    assert client.get("/api/v1/accounts/me").status_code == 401


@pytest.mark.django_db
def test_signature_by_another_key_is_refused(client, make_user, frozen_clock, trust_store):
    # given the firm's certificate but a signature made with another firm's key
    issued = trust_store.users[ECDSA_FIRM]
    _link(make_user, issued)
    other = trust_store.users["烟台港城设备采购有限公司/sign"]
    challenge = _challenge(client)
    body = {"certificate": issued.pem.decode(), "nonce": challenge["nonce"],
            "signature": _sign(other, challenge["challenge"])}
    response = client.post("/api/v1/accounts/cert-login", body, content_type="application/json")
    assert "签名验证失败" in _refusal(response)


@pytest.mark.django_db
def test_a_challenge_works_only_once(client, make_user, frozen_clock, trust_store):
    issued = trust_store.users[ECDSA_FIRM]
    _link(make_user, issued)
    challenge = _challenge(client)
    assert _post(client, issued, challenge).status_code == 200
    # when the same signed challenge is replayed in that session, then it is refused as used
    assert "已使用" in _refusal(_post(client, issued, challenge))
    # and after signing out (a new session) it is refused too and nobody is signed in
    client.post("/api/v1/accounts/logout")
    assert "无效" in _refusal(_post(client, issued, challenge))
    assert client.get("/api/v1/accounts/me").status_code == 401


@pytest.mark.django_db
def test_a_failed_attempt_also_uses_up_the_challenge(client, make_user, frozen_clock, trust_store):
    issued = trust_store.users[ECDSA_FIRM]
    _link(make_user, issued)
    challenge = _challenge(client)
    _refusal(_post(client, issued, challenge, text="其他内容"))
    assert "已使用" in _refusal(_post(client, issued, challenge))


@pytest.mark.django_db
def test_an_expired_challenge_is_refused(client, make_user, frozen_clock, trust_store):
    issued = trust_store.users[ECDSA_FIRM]
    _link(make_user, issued)
    challenge = _challenge(client)
    frozen_clock.advance(dt.timedelta(minutes=6))
    assert "已过期" in _refusal(_post(client, issued, challenge))


@pytest.mark.django_db
def test_a_challenge_from_another_session_is_refused(client, make_user, frozen_clock, trust_store, django_user_model):
    from django.test import Client

    issued = trust_store.users[ECDSA_FIRM]
    _link(make_user, issued)
    challenge = _challenge(Client())
    assert "无效" in _refusal(_post(client, issued, challenge))


@pytest.mark.django_db
def test_entity_without_account_is_refused(client, frozen_clock, trust_store):
    issued = trust_store.users[ECDSA_FIRM]
    assert "没有可用的账户" in _refusal(_post(client, issued, _challenge(client)))


@pytest.mark.django_db
def test_certificate_login_is_throttled(client, make_user, frozen_clock, trust_store):
    # given five failed attempts with one certificate
    issued = trust_store.users[ECDSA_FIRM]
    _link(make_user, issued)
    for _ in range(5):
        _refusal(_post(client, issued, _challenge(client), text="错误内容"))
    # then even a correct signature must wait (429, the wait in seconds), and nothing it carries is checked
    response = _post(client, issued, _challenge(client))
    assert response.status_code == 429 and "请等待2秒" in response.json()["detail"]
    # and once the wait is over the correct signature signs in
    frozen_clock.advance(dt.timedelta(seconds=3))
    assert _post(client, issued, _challenge(client)).status_code == 200


@pytest.mark.django_db
def test_staff_certificate_login_still_needs_totp(client, make_user, centers, frozen_clock, trust_store):
    from ggzy.pki.bindings import person_certificate_register

    issued = trust_store.users["李海燕/sign"]
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"], username="李海燕")
    person_certificate_register(actor=None, user=staff, certificate_pem=issued.pem.decode())
    response = _post(client, issued, _challenge(client))
    assert response.status_code == 400 and "totp" in response.json()["errors"]
    assert client.get("/api/v1/accounts/me").status_code == 401


@pytest.mark.django_db
def test_certificate_page_signs_in(client, make_user, frozen_clock, trust_store):
    # given the page (which shows a challenge) and a linked SM2 certificate signed outside the browser
    issued = trust_store.users[SM2_FIRM]
    user = _link(make_user, issued)
    page = client.get("/accounts/login/certificate/")
    assert page.status_code == 200 and "SM2" in page.content.decode()
    challenge = _challenge(client)
    # when the form is posted
    response = client.post("/accounts/login/certificate/", {
        "certificate": issued.pem.decode(), "nonce": challenge["nonce"],
        "signature": _sign(issued, challenge["challenge"])})
    # then the user is signed in
    assert response.status_code == 302
    assert client.get("/api/v1/accounts/me").json()["username"] == user.username


@pytest.mark.django_db
def test_certificate_page_shows_why_it_refuses(client, frozen_clock, trust_store):
    issued = next(item for item in trust_store.revoked if item.algorithm == Algorithm.SM2)
    challenge = _challenge(client)
    response = client.post("/accounts/login/certificate/", {
        "certificate": issued.pem.decode(), "nonce": challenge["nonce"],
        "signature": _sign(issued, challenge["challenge"])})
    assert response.status_code == 200
    assert "吊销" in response.content.decode()
