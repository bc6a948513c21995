"""主体核验: a self-registered entity is unverified until a certificate sign-in or the center's review; the
registration rate limit."""

import base64
import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.auth.models import AnonymousUser

from ggzy.accounts.roles import Role
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.models import AuditEntry
from ggzy.pki import sm
from ggzy.pki.models import Algorithm
from ggzy.registry import services, services_review
from ggzy.registry.models import EntityRegistration, EntityVersion, MarketEntity

from .conftest import ALL_PEOPLE, STAFF_OVER, stored
from .factories import MarketEntityFactory, entity_data, link, unverified

URL = "/api/v1/registry/entities"


def _state(entity: MarketEntity) -> tuple:
    entity.refresh_from_db()
    return entity.verified_at, entity.verification_method, entity.verified_by_id, entity.version


# ---- who is verified at registration ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_self_registration_is_unverified_staff_and_system_registrations_are_verified(people, frozen_clock):
    # when an anonymous applicant, a Jinan staff member and the system (demo loader) each register an entity
    own = services.entity_register(actor=AnonymousUser(), data=entity_data(), address="10.0.0.1")
    on_behalf = services.entity_register(actor=people["jinan_staff"], data=entity_data())
    imported = services.entity_register(actor=None, data=entity_data())
    # then only the self-registration waits for verification
    assert not own.is_verified and own.verification_method == ""
    assert on_behalf.is_verified and on_behalf.verification_method == "staff_registration"
    assert on_behalf.verified_by == people["jinan_staff"]
    assert imported.is_verified and imported.verification_method == "system"
    assert EntityRegistration.objects.get(entity=own).address == "10.0.0.1"


# ---- the center's review ---------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("who", ALL_PEOPLE)
def test_verification_by_review_permission_matrix(people, jinan_entity, frozen_clock, who):
    # given the Jinan entity, not yet verified
    MarketEntity.objects.filter(pk=jinan_entity.pk).update(verified_at=None, verification_method="")
    jinan_entity.refresh_from_db()
    before, state = stored(), _state(jinan_entity)
    actor = people[who] if people[who] is not None else AnonymousUser()
    # when each person verifies it
    if who in STAFF_OVER:
        services_review.entity_verify(actor=actor, entity=jinan_entity)
        # then staff over Jinan verify it: a new version and an audit entry record who and how
        assert jinan_entity.is_verified and jinan_entity.verification_method == "review"
        assert jinan_entity.verified_by == actor and jinan_entity.version == 2
        version = EntityVersion.objects.get(entity=jinan_entity, version=2)
        assert version.action == "verify" and version.changes == {"verification": [None, "交易中心审核"]}
        assert AuditEntry.objects.filter(action="entity.verify", object_id=str(jinan_entity.pk)).count() == 1
    else:
        # and everyone else (Qingdao's staff included) is refused, nothing changes and nothing is audited
        with pytest.raises(NotAllowed) as refused:
            services_review.entity_verify(actor=actor, entity=jinan_entity)
        assert "注册地交易中心或省级交易中心" in refused.value.message
        assert stored() == before and _state(jinan_entity) == state


@pytest.mark.django_db
def test_verifying_twice_is_refused(people, jinan_entity):
    before = stored()
    with pytest.raises(Conflict):
        services_review.entity_verify(actor=people["jinan_staff"], entity=jinan_entity)
    assert stored() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("owner", 403), ("qingdao_staff", 403),
                                             ("jinan_staff", 200), ("provincial_staff", 200)])
def test_verify_endpoint(client, people, make_user, frozen_clock, who, status):
    # given a self-registered Jinan entity with its own user
    entity = unverified()
    own_user = make_user(Role.BIDDER)
    link(own_user, entity)
    actor = own_user if who == "owner" else people[who]
    if actor is not None:
        client.force_login(actor)
    before = stored()
    # when the person posts to the verify endpoint
    response = client.post(f"{URL}/{entity.credit_code}/verify")
    # then staff over Jinan verify it; the others are refused and nothing changes
    assert response.status_code == status, response.content
    entity.refresh_from_db()
    if status == 200:
        assert response.json()["is_verified"] is True and response.json()["verification_label"] == "交易中心审核"
        assert entity.is_verified
    else:
        assert not entity.is_verified and stored() == before


@pytest.mark.django_db
def test_entity_page_tells_the_owner_what_to_do_and_offers_staff_the_review(client, people, jinan_entity,
                                                                           frozen_clock):
    MarketEntity.objects.filter(pk=jinan_entity.pk).update(verified_at=None, verification_method="")
    url = f"/registry/entities/{jinan_entity.credit_code}/"
    # the public sees the state only
    public = client.get(url).content.decode()
    assert "未核验" in public and 'id="verification-notice"' not in public
    # the entity's own user is told how to get verified
    client.force_login(people["owner"])
    own = client.get(url).content.decode()
    assert "尚未核验，暂不能报名、投标或登记项目" in own and "数字证书" in own and "济南市公共资源交易中心" in own
    assert 'id="verify-entity"' not in own
    # Jinan's staff get the button, Qingdao's staff do not and cannot post it
    client.force_login(people["jinan_staff"])
    assert 'id="verify-entity"' in client.get(url).content.decode()
    client.force_login(people["qingdao_staff"])
    assert 'id="verify-entity"' not in client.get(url).content.decode()
    assert client.post(f"{url}verify/").status_code == 403
    jinan_entity.refresh_from_db()
    assert not jinan_entity.is_verified
    # the Jinan staff member verifies on the page
    client.force_login(people["jinan_staff"])
    assert client.post(f"{url}verify/").status_code == 302
    jinan_entity.refresh_from_db()
    assert jinan_entity.is_verified
    assert "交易中心审核" in client.get(url).content.decode()


# ---- certificate sign-in (the root conftest's demo_pki and trust_store) ------------------------------------------


def _certificate_login(client, issued):
    challenge = client.get("/api/v1/accounts/cert-challenge").json()
    data = challenge["challenge"].encode("utf-8")
    if issued.algorithm == Algorithm.SM2:
        signature = sm.sm2_sign(issued.private_key, data)
    else:
        signature = issued.private_key.sign(data, ec.ECDSA(hashes.SHA256()))
    return client.post("/api/v1/accounts/cert-login", {
        "certificate": issued.pem.decode(), "nonce": challenge["nonce"],
        "signature": base64.b64encode(signature).decode()}, content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("label", ["青岛海晟招标代理有限公司/sign", "山东鲁建工程集团有限公司/sign"], ids=["ecdsa", "sm2"])
def test_certificate_sign_in_with_the_same_credit_code_verifies(client, make_user, frozen_clock, trust_store, label):
    # given a self-registered entity whose credit code the firm's certificate carries, and its bidder account
    issued = trust_store.users[label]
    entity = unverified(credit_code=issued.credit_code)
    user = make_user(Role.BIDDER)
    link(user, entity)
    # when its user signs in with the certificate
    response = _certificate_login(client, issued)
    # then the entity is verified by certificate, with a version naming the certificate
    assert response.status_code == 200, response.content
    entity.refresh_from_db()
    assert entity.is_verified and entity.verification_method == "certificate" and entity.verified_by == user
    version = EntityVersion.objects.get(entity=entity, action="verify")
    assert version.changes["verification"] == [None, "数字证书登录核验"] and "序列号" in version.changes["certificate"]


@pytest.mark.django_db
def test_certificate_with_another_credit_code_verifies_nothing(client, make_user, frozen_clock, trust_store):
    # given two self-registered entities, each with a user; the certificate carries the second one's code
    issued = trust_store.users["青岛海晟招标代理有限公司/sign"]
    mine, theirs = unverified(), unverified(credit_code=issued.credit_code)
    my_user, their_user = make_user(Role.BIDDER), make_user(Role.AGENCY)
    link(my_user, mine)
    link(their_user, theirs)
    from ggzy.pki.certificates import subject_info

    subject = subject_info(issued.certificate)
    before = stored()
    # when the certificate's subject is offered for my user (another entity's code)
    assert services_review.entity_verify_by_certificate(user=my_user, subject=subject) is None
    # then nothing changes
    assert stored() == before
    mine.refresh_from_db()
    assert not mine.is_verified
    # and signing in with that certificate signs in (and verifies) only the entity it names
    assert _certificate_login(client, issued).status_code == 200
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert not mine.is_verified and theirs.is_verified


@pytest.mark.django_db
def test_person_certificate_verifies_nothing(make_user, frozen_clock, trust_store):
    from ggzy.pki.certificates import subject_info

    entity = unverified()
    user = make_user(Role.BIDDER)
    link(user, entity)
    person = next(i for label, i in trust_store.users.items() if not i.credit_code and label.endswith("/sign"))
    assert services_review.entity_verify_by_certificate(user=user, subject=subject_info(person.certificate)) is None
    entity.refresh_from_db()
    assert not entity.is_verified


# ---- registration rate limit -----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_self_registration_is_limited_per_address_and_hour(frozen_clock, centers):
    # given three registrations from one address within the hour
    for _ in range(3):
        services.entity_register(actor=AnonymousUser(), data=entity_data(), address="203.0.113.7")
        frozen_clock.advance(dt.timedelta(minutes=10))
    before = stored()
    # when a fourth comes from that address
    with pytest.raises(DomainError) as refused:
        services.entity_register(actor=AnonymousUser(), data=entity_data(), address="203.0.113.7")
    # then it is refused, saying when to try again, and nothing is stored
    assert refused.value.message == "同一网络地址每小时最多注册3个市场主体，请于10:00后再试"
    assert stored() == before
    # another address may register meanwhile, and the first one again once the hour has passed
    services.entity_register(actor=AnonymousUser(), data=entity_data(), address="203.0.113.8")
    frozen_clock.advance(dt.timedelta(minutes=30, seconds=1))
    services.entity_register(actor=AnonymousUser(), data=entity_data(), address="203.0.113.7")


@pytest.mark.django_db
def test_registration_on_behalf_is_limited_per_account(people, settings):
    settings.GGZY_REGISTRATION_LIMITS = {"account": 2}
    services.entity_register(actor=people["jinan_staff"], data=entity_data())
    services.entity_register(actor=people["jinan_staff"], data=entity_data())
    before = stored()
    with pytest.raises(DomainError) as refused:
        services.entity_register(actor=people["jinan_staff"], data=entity_data())
    assert refused.value.message.startswith("同一账户每小时最多注册2个市场主体")
    assert stored() == before
    services.entity_register(actor=people["provincial_staff"], data=entity_data())  # another account


@pytest.mark.django_db
def test_api_registration_is_limited_per_client_address(client, frozen_clock, centers):
    for _ in range(3):
        response = client.post(URL, json.dumps(entity_data(), default=str), content_type="application/json",
                               REMOTE_ADDR="198.51.100.4")
        assert response.status_code == 201
    before = stored()
    response = client.post(URL, json.dumps(entity_data(), default=str), content_type="application/json",
                           REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 3600
    assert response.json()["detail"].startswith("同一网络地址每小时最多注册3个市场主体")
    assert stored() == before


# ---- the staff's review queue on the register page -------------------------------------------------------------

@pytest.mark.parametrize(("who", "sees"), [("anonymous", False), ("owner", False), ("supervisor", False),
                                           ("qingdao_staff", False), ("jinan_staff", True),
                                           ("provincial_staff", True), ("admin", True)])
def test_register_page_lists_what_the_center_must_review(client, people, jinan_entity, who, sees,
                                                         django_assert_max_num_queries):
    # given a Jinan entity awaiting verification, the Jinan entity asking for a new name, and a verified bystander
    waiting = unverified(name="济南待核验建设有限公司")
    bystander = MarketEntityFactory(name="济南已核验工程有限公司")
    services.entity_update(actor=people["owner"], entity=jinan_entity, data={"name": "济南新名称建设有限公司"})
    if people[who] is not None:
        client.force_login(people[who])
        client.get("/registry/entities/")  # a working session (the idle-timeout mark is written once)
    # when the register page is opened
    with django_assert_max_num_queries(12):
        html = client.get("/registry/entities/").content.decode()
    # then the center's staff see both waiting items and nobody else sees the queue
    assert ('id="review-queue"' in html) is sees
    if sees:
        queue = html.split('id="review-queue"')[1].split("</section>")[0]
        assert waiting.name in queue and "待核验" in queue and "济南新名称建设有限公司" in queue
        assert bystander.name not in queue
