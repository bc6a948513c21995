"""Trust-store pages and API: who may see and change the list of recognised CAs, and CRL freshness."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ggzy.accounts.roles import Role
from ggzy.core.audit import AuditEntry
from ggzy.pki.models import Algorithm, RevocationList, TrustedCA
from ggzy.pki.testpki import ca_new
from ggzy.pki.tests.trust_urls import API_BASE

pytestmark = pytest.mark.urls("ggzy.pki.tests.trust_urls")


@pytest.fixture
def people(make_user, centers, frozen_clock):
    return {
        "admin": make_user(Role.ADMIN, username="root"),
        "provincial": make_user(Role.CENTER_STAFF, center=centers["province"], username="prov"),
        "city_staff": make_user(Role.CENTER_STAFF, center=centers["jinan"], username="jn"),
        "bidder": make_user(Role.BIDDER, username="firm"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("who,status", [("anonymous", 302), ("bidder", 403), ("city_staff", 403),
                                        ("provincial", 200), ("admin", 200)])
def test_trust_store_page_permissions(client, people, trust_store, who, status, django_assert_max_num_queries):
    # given a user of each kind
    if who != "anonymous":
        client.force_login(people[who])
    # when the trust-store page is opened
    with django_assert_max_num_queries(12):
        response = client.get("/pki/trust/")
    # then only administrators and provincial staff see it, and only administrators get the forms
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "GGZY测试SM2根CA" in body and "CRL有效" in body
        assert ("登记CA证书" in body) == (who == "admin")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "bidder", "provincial"])
def test_non_admins_cannot_change_the_trust_store(client, people, trust_store, who):
    if who != "anonymous":
        client.force_login(people[who])
    ca = TrustedCA.objects.get(algorithm=Algorithm.SM2)
    audits = AuditEntry.objects.count()
    rogue = ca_new(name="另一个CA", algorithm=Algorithm.ECDSA, not_before=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    responses = [
        client.post(f"/pki/trust/{ca.pk}/enabled/", {"enabled": "0"}),
        client.post("/pki/trust/register/", {"certificate": SimpleUploadedFile("ca.pem", rogue.issued.pem)}),
        client.post("/pki/trust/crl/", {"crl": SimpleUploadedFile("x.crl", trust_store.crls[Algorithm.SM2])}),
    ]
    assert all(r.status_code in (302, 403) for r in responses)
    if who != "anonymous":
        assert all(r.status_code == 403 for r in responses)
    ca.refresh_from_db()
    assert ca.enabled and TrustedCA.objects.count() == 2 and AuditEntry.objects.count() == audits


@pytest.mark.django_db
def test_admin_registers_disables_and_imports(client, people, trust_store, frozen_clock):
    # given an administrator
    client.force_login(people["admin"])
    rogue = ca_new(name="新登记的CA", algorithm=Algorithm.ECDSA, not_before=frozen_clock.now() - dt.timedelta(days=1))
    # when a CA is uploaded, then it is listed with a missing CRL
    response = client.post("/pki/trust/register/", {"certificate": SimpleUploadedFile("ca.pem", rogue.issued.pem)})
    assert response.status_code == 302
    page = client.get("/pki/trust/").content.decode()
    assert "新登记的CA" in page and "无CRL" in page
    # when its CRL is imported, then it is fresh
    crl = rogue.crl(this_update=frozen_clock.now() - dt.timedelta(hours=1),
                    next_update=frozen_clock.now() + dt.timedelta(hours=2))
    assert client.post("/pki/trust/crl/", {"crl": SimpleUploadedFile("r.crl", crl)}).status_code == 302
    assert RevocationList.objects.filter(ca__name="新登记的CA").count() == 1
    assert "CRL即将过期" in client.get("/pki/trust/").content.decode()
    # when it is disabled, then it leaves the public list
    ca = TrustedCA.objects.get(name="新登记的CA")
    client.post(f"/pki/trust/{ca.pk}/enabled/", {"enabled": "0"})
    ca.refresh_from_db()
    assert not ca.enabled
    assert "新登记的CA" not in client.get("/pki/cas/").content.decode()
    assert AuditEntry.objects.filter(action__startswith="pki.").count() >= 3


@pytest.mark.django_db
def test_bad_upload_is_refused_with_the_reason(client, people, trust_store):
    client.force_login(people["admin"])
    response = client.post("/pki/trust/register/", {"certificate": SimpleUploadedFile("x.pem", b"not a cert")})
    assert response.status_code == 400 and "证书格式无法识别" in response.content.decode()
    assert TrustedCA.objects.count() == 2


@pytest.mark.django_db
def test_stale_crl_is_flagged(client, people, trust_store, frozen_clock):
    client.force_login(people["admin"])
    frozen_clock.advance(dt.timedelta(days=31))
    assert "CRL已过期" in client.get("/pki/trust/").content.decode()
    states = {row["name"]: row["crl_state"] for row in client.get(f"{API_BASE}/store").json()}
    assert set(states.values()) == {"stale"}


@pytest.mark.django_db
def test_public_list_of_recognised_cas(client, trust_store, frozen_clock, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        page = client.get("/pki/cas/")
    assert page.status_code == 200 and "GGZY测试ECDSA根CA" in page.content.decode()
    rows = client.get(f"{API_BASE}/cas").json()
    assert {row["algorithm"] for row in rows} == {"sm2", "ecdsa"} and "fingerprint" not in rows[0]


@pytest.mark.django_db
@pytest.mark.parametrize("who,status", [("anonymous", 401), ("bidder", 403), ("city_staff", 403),
                                        ("provincial", 200), ("admin", 200)])
def test_trust_store_api_permissions(client, people, trust_store, who, status):
    if who != "anonymous":
        client.force_login(people[who])
    response = client.get(f"{API_BASE}/store")
    assert response.status_code == status
    if status == 200:
        assert len(response.json()) == 2 and response.json()[0]["crl_state"] == "ok"
