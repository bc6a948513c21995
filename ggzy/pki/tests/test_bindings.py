"""Person certificates bound to accounts by fingerprint: the holder proves the key, one account per certificate,
names alone bind nothing, and the binding is what certificate login follows."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.files.uploadedfile import SimpleUploadedFile

from ggzy.accounts.roles import Role
from ggzy.core.audit import AuditEntry
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.pki import bindings, sm
from ggzy.pki.models import Algorithm, PersonCertificate

pytestmark = pytest.mark.django_db


def _sign(issued, text: str) -> str:
    data = text.encode("utf-8")
    if issued.algorithm == Algorithm.SM2:
        return base64.b64encode(sm.sm2_sign(issued.private_key, data)).decode()
    return base64.b64encode(issued.private_key.sign(data, ec.ECDSA(hashes.SHA256()))).decode()


def _bind(client, issued, *, text=None):
    challenge = client.get("/api/v1/accounts/cert-challenge").json()
    return client.post("/api/v1/pki/person-certificates", {
        "certificate": issued.pem.decode(), "nonce": challenge["nonce"],
        "signature": _sign(issued, text or challenge["challenge"])}, content_type="application/json")


def _cert_login(client, issued):
    challenge = client.get("/api/v1/accounts/cert-challenge").json()
    return client.post("/api/v1/accounts/cert-login", {
        "certificate": issued.pem.decode(), "nonce": challenge["nonce"],
        "signature": _sign(issued, challenge["challenge"])}, content_type="application/json")


@pytest.mark.parametrize("label", ["王建国/sign", "李海燕/sign"], ids=["sm2", "ecdsa"])
def test_the_holder_binds_with_a_signed_challenge_and_then_signs_in_with_it(client, make_user, frozen_clock,
                                                                          trust_store, label):
    # given an expert signed in with a password, whose account name differs from the certificate's
    issued = trust_store.users[label]
    expert = make_user(Role.EXPERT, username="expert-007")
    client.force_login(expert)
    # when the certificate is bound with a signature over a fresh challenge
    response = _bind(client, issued)
    # then the binding names the certificate's fingerprint and is marked as proven
    assert response.status_code == 201, response.json()
    binding = PersonCertificate.objects.get()
    assert binding.user == expert and binding.proven and binding.fingerprint == issued.certificate.fingerprint(
        hashes.SHA256()).hex()
    assert client.get("/api/v1/pki/person-certificates").json()[0]["common_name"] == label.split("/")[0]
    # and the certificate signs in as that account
    client.post("/api/v1/accounts/logout")
    login = _cert_login(client, issued)
    assert login.status_code == 200 and login.json()["username"] == "expert-007"


def test_a_wrong_signature_binds_nothing(client, make_user, frozen_clock, trust_store):
    client.force_login(make_user(Role.EXPERT))
    response = _bind(client, trust_store.users["王建国/sign"], text="别的内容")
    assert response.status_code == 400 and "signature" in response.json()["errors"]
    assert not PersonCertificate.objects.exists()


def test_entity_certificates_and_other_names_are_refused(make_user, frozen_clock, trust_store):
    user = make_user(Role.EXPERT, display_name="张三")
    with pytest.raises(DomainError, match="单位证书") as caught:
        bindings.person_certificate_register(actor=None, user=user,
                                             certificate_pem=trust_store.users["山东鲁建工程集团有限公司/sign"].pem.decode())
    assert "certificate" in caught.value.errors
    with pytest.raises(DomainError, match="与账户姓名“张三”不一致"):
        bindings.person_certificate_register(actor=None, user=user,
                                             certificate_pem=trust_store.users["王建国/sign"].pem.decode())
    with pytest.raises(DomainError, match="吊销"):
        revoked = next(i for i in trust_store.revoked if i.algorithm == Algorithm.ECDSA)
        bindings.person_certificate_register(actor=None, user=make_user(Role.EXPERT),
                                             certificate_pem=revoked.pem.decode())
    assert not PersonCertificate.objects.exists()


def test_one_account_per_certificate_until_unbound(client, make_user, frozen_clock, trust_store):
    issued = trust_store.users["王建国/sign"]
    first, second = make_user(Role.EXPERT, username="first"), make_user(Role.EXPERT, username="second")
    binding = bindings.person_certificate_register(actor=None, user=first, certificate_pem=issued.pem.decode())
    # a second account cannot take it, and the refusal does not name the first
    with pytest.raises(Conflict) as caught:
        bindings.person_certificate_register(actor=None, user=second, certificate_pem=issued.pem.decode())
    assert "first" not in caught.value.message
    # someone else cannot remove it
    with pytest.raises(NotAllowed):
        bindings.person_certificate_unbind(actor=second, binding=binding)
    # its holder removes it: the certificate signs in as nobody, and can then be bound again
    bindings.person_certificate_unbind(actor=first, binding=binding)
    assert "尚未绑定" in _cert_login(client, issued).json()["detail"]
    bindings.person_certificate_register(actor=None, user=second, certificate_pem=issued.pem.decode())
    assert _cert_login(client, issued).json()["username"] == "second"
    assert AuditEntry.objects.filter(action__startswith="pki.person_certificate").count() == 3


def test_only_administrators_register_for_others(make_user, frozen_clock, trust_store, centers):
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    with pytest.raises(NotAllowed):
        bindings.person_certificate_register(actor=staff, user=make_user(Role.EXPERT),
                                             certificate_pem=trust_store.users["王建国/sign"].pem.decode())


@pytest.mark.urls("ggzy.pki.tests.trust_urls")
def test_pages_my_certificates_and_admin_registration(client, make_user, frozen_clock, trust_store):
    # anonymous users are sent to sign in
    assert client.get("/pki/my-certificates/").status_code == 302
    # the holder's page shows the challenge and, after a bind, the binding with an unbind button
    expert = make_user(Role.EXPERT, username="e1")
    client.force_login(expert)
    page = client.get("/pki/my-certificates/").content.decode()
    assert "绑定个人证书" in page and 'id="challenge-text"' in page
    issued = trust_store.users["李海燕/sign"]
    challenge = client.get("/api/v1/accounts/cert-challenge").json()
    posted = client.post("/pki/my-certificates/", {"certificate": issued.pem.decode(), "nonce": challenge["nonce"],
                                                   "signature": _sign(issued, challenge["challenge"])})
    assert posted.status_code == 302
    page = client.get("/pki/my-certificates/").content.decode()
    assert "李海燕" in page and "解除绑定" in page
    # a replayed challenge is refused on the page with the reason
    again = client.post("/pki/my-certificates/", {"certificate": issued.pem.decode(), "nonce": challenge["nonce"],
                                                  "signature": _sign(issued, challenge["challenge"])})
    assert again.status_code == 400 and "挑战码已使用过" in again.content.decode()
    # the holder unbinds it
    binding = PersonCertificate.objects.get()
    assert client.post(f"/pki/my-certificates/{binding.pk}/unbind/").status_code == 302
    binding.refresh_from_db()
    assert binding.unbound_at is not None
    # only administrators reach the registration page; they register for an account by user name
    assert client.get("/pki/trust/persons/").status_code == 403
    client.force_login(make_user(Role.ADMIN, username="root"))
    missing = client.post("/pki/trust/persons/", {"username": "nobody", "certificate": SimpleUploadedFile(
        "c.pem", issued.pem)})
    assert missing.status_code == 400 and "没有该用户名" in missing.content.decode()
    done = client.post("/pki/trust/persons/", {"username": "e1", "certificate": SimpleUploadedFile(
        "c.der", issued.der)})
    assert done.status_code == 302
    assert PersonCertificate.objects.filter(user=expert, unbound_at__isnull=True, proven=False).count() == 1
