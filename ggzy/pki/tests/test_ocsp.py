"""OCSP responses in the trust store: checked on import (CA or its authorised responder), used by validation while
current, and fetched with the CRL by the scheduled refresh from a real HTTP server."""

from __future__ import annotations

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp as pyca_ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ggzy.core import clock
from ggzy.core.errors import DomainError, NotAllowed
from ggzy.pki import services
from ggzy.pki.models import OcspResponse, OcspStatus, RevocationList, Signature, TrustedCA
from ggzy.pki.testpki import Issued, ca_new
from ggzy.pki.validation import validate_certificate

from .conftest import NOW

SM2_ENTITY = "山东鲁建工程集团有限公司"
ECDSA_ENTITY = "青岛海晟招标代理有限公司"
DAY = dt.timedelta(days=1)


def _ca(pki, algorithm: str):
    return next(ca for ca in pki.cas.values() if ca.algorithm == algorithm)


def _stored(pki, algorithm: str) -> TrustedCA:
    return TrustedCA.objects.get(fingerprint=_fingerprint(_ca(pki, algorithm).issued.certificate))


def _fingerprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex()


def _responder(ca, *, ocsp_signing: bool = True, issuer=None) -> Issued:
    """A delegated OCSP responder certificate issued by ``issuer`` (default: ``ca``) for ``ca``'s responses."""
    issuer = issuer or ca
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "OCSP响应者")]))
               .issuer_name(issuer.issued.certificate.subject).public_key(key.public_key()).serial_number(777)
               .not_valid_before(NOW - DAY).not_valid_after(NOW + 365 * DAY))
    if ocsp_signing:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), critical=False)
    return Issued("responder", "ecdsa", builder.sign(issuer.issued.private_key, hashes.SHA256()), key)


def _without_crls():
    RevocationList.objects.all().delete()


# --- import ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["sm2", "ecdsa"])
def test_a_current_good_answer_stands_in_for_a_missing_crl(trust_store, algorithm):
    # given: no CRL at all — validation refuses
    label = f"{SM2_ENTITY if algorithm == 'sm2' else ECDSA_ENTITY}/sign"
    leaf = trust_store.users[label]
    _without_crls()
    assert validate_certificate(leaf.der, at=NOW, usage="digital_signature").code == "revocation_unknown"
    response = _ca(trust_store, algorithm).ocsp_response(
        serials=[leaf.certificate.serial_number], produced_at=NOW, this_update=NOW - DAY, next_update=NOW + DAY)
    # when
    rows = services.ocsp_import(actor=None, response=response)
    # then: accepted while current, refused after nextUpdate
    assert [(r.status, r.ca.algorithm) for r in rows] == [(OcspStatus.GOOD, algorithm)]
    assert validate_certificate(leaf.der, at=NOW, usage="digital_signature").ok
    later = validate_certificate(leaf.der, at=NOW + 2 * DAY, usage="digital_signature")
    assert later.code == "revocation_unknown"


@pytest.mark.parametrize("algorithm", ["sm2", "ecdsa"])
def test_a_revoked_answer_refuses_even_with_a_clean_crl(trust_store, algorithm):
    # given: the imported CRL does not list the certificate
    label = f"{SM2_ENTITY if algorithm == 'sm2' else ECDSA_ENTITY}/sign"
    leaf = trust_store.users[label]
    assert validate_certificate(leaf.der, at=NOW, usage="digital_signature").ok
    serial = leaf.certificate.serial_number
    response = _ca(trust_store, algorithm).ocsp_response(
        serials=[serial], produced_at=NOW, this_update=NOW - DAY, next_update=NOW + DAY,
        revoked={serial: NOW - dt.timedelta(hours=3)})
    # when
    services.ocsp_import(actor=None, response=response)
    result = validate_certificate(leaf.der, at=NOW, usage="digital_signature")
    # then
    assert result.code == "revoked"
    assert "OCSP" in result.reason
    # and before the revocation time it was still good
    assert validate_certificate(leaf.der, at=NOW - dt.timedelta(hours=4), usage="digital_signature").ok


def test_a_delegated_responder_must_be_authorised_by_the_ca(trust_store):
    leaf = trust_store.users[f"{ECDSA_ENTITY}/sign"]
    ca = _ca(trust_store, "ecdsa")
    kwargs = {"serials": [leaf.certificate.serial_number], "produced_at": NOW, "this_update": NOW - DAY,
              "next_update": NOW + DAY}
    # an authorised responder is accepted and named
    rows = services.ocsp_import(actor=None, response=ca.ocsp_response(**kwargs, responder=_responder(ca)))
    assert rows[0].responder == "OCSP响应者"
    # a responder certificate without id-kp-OCSPSigning is refused
    with pytest.raises(DomainError, match="未授权签发OCSP响应"):
        services.ocsp_import(actor=None, response=ca.ocsp_response(
            **{**kwargs, "this_update": NOW}, responder=_responder(ca, ocsp_signing=False)))
    # a responder certificate issued by an impostor CA of the same name is refused
    other = ca_new(name=ca.name, algorithm="ecdsa", not_before=NOW - DAY)
    with pytest.raises(DomainError, match="不是由该CA签发"):
        services.ocsp_import(actor=None, response=ca.ocsp_response(
            **{**kwargs, "this_update": NOW}, responder=_responder(ca, issuer=other)))
    assert OcspResponse.objects.count() == 1


@pytest.mark.parametrize("algorithm", ["sm2", "ecdsa"])
def test_a_tampered_response_is_refused_and_nothing_is_stored(trust_store, algorithm):
    leaf = trust_store.users[f"{SM2_ENTITY if algorithm == 'sm2' else ECDSA_ENTITY}/sign"]
    response = _ca(trust_store, algorithm).ocsp_response(
        serials=[leaf.certificate.serial_number], produced_at=NOW, this_update=NOW - DAY, next_update=NOW + DAY)
    at = response.index(b"\x18\x0f") + 15  # producedAt's last seconds digit (still a valid time after the flip)
    tampered = response[:at] + bytes([response[at] ^ 0x01]) + response[at + 1 :]
    with pytest.raises(DomainError, match="签名验证失败") as caught:
        services.ocsp_import(actor=None, response=tampered)
    assert list(caught.value.errors) == ["response"]
    assert not OcspResponse.objects.exists()


def test_bad_input_is_named_and_changes_nothing(trust_store, demo_pki, make_user):
    with pytest.raises(DomainError, match="不是有效的OCSP响应"):
        services.ocsp_import(actor=None, response=b"not der")
    unsuccessful = pyca_ocsp.OCSPResponseBuilder.build_unsuccessful(pyca_ocsp.OCSPResponseStatus.TRY_LATER)
    with pytest.raises(DomainError, match="请稍后再试"):
        services.ocsp_import(actor=None, response=unsuccessful.public_bytes(serialization.Encoding.DER))
    # a response on an unregistered CA's certificates
    TrustedCA.objects.filter(algorithm="sm2").delete()
    leaf = trust_store.users[f"{SM2_ENTITY}/sign"]
    response = _ca(trust_store, "sm2").ocsp_response(
        serials=[leaf.certificate.serial_number], produced_at=NOW, this_update=NOW - DAY, next_update=NOW + DAY)
    with pytest.raises(DomainError, match="不是由已登记的CA签发"):
        services.ocsp_import(actor=None, response=response)
    # only administrators import
    bidder = make_user("bidder")
    with pytest.raises(NotAllowed):
        services.ocsp_import(actor=bidder, response=response)
    assert not OcspResponse.objects.exists()


def test_importing_the_same_response_twice_keeps_one_row(trust_store):
    leaf = trust_store.users[f"{SM2_ENTITY}/sign"]
    response = _ca(trust_store, "sm2").ocsp_response(
        serials=[leaf.certificate.serial_number], produced_at=NOW, this_update=NOW - DAY, next_update=NOW + DAY)
    services.ocsp_import(actor=None, response=response)
    services.ocsp_import(actor=None, response=response)
    assert OcspResponse.objects.count() == 1


# --- sources and the scheduled refresh ------------------------------------------------------------------------


def test_source_addresses_must_be_http(trust_store, make_user):
    ca = _stored(trust_store, "sm2")
    with pytest.raises(DomainError) as caught:
        services.ca_sources_set(actor=None, ca=ca, crl_url="file:///etc/passwd", ocsp_url="ftp://x")
    assert {"crl_url", "ocsp_url"} <= set(caught.value.errors)
    ca.refresh_from_db()
    assert ca.crl_url == "" and ca.ocsp_url == ""
    with pytest.raises(NotAllowed):
        services.ca_sources_set(actor=make_user("bidder"), ca=ca,
                                crl_url="http://ca.example/crl", ocsp_url="")


class _Repository:
    """A CA's publication point: /crl serves the current CRL, /ocsp answers OCSP requests (POST)."""

    def __init__(self, ca, *, revoked: dict[int, dt.datetime] | None = None):
        self.ca, self.revoked, self.requests = ca, revoked or {}, []
        self.crl = ca.crl(this_update=NOW - dt.timedelta(hours=1), next_update=NOW + 7 * DAY, number=2)
        repository = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, body: bytes, kind: str):
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path == "/crl":
                    self._send(repository.crl, "application/pkix-crl")
                else:
                    self.send_error(404)

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                request = pyca_ocsp.load_der_ocsp_request(body)
                repository.requests.append(request.serial_number)
                self._send(repository.ca.ocsp_response(
                    serials=[request.serial_number], produced_at=NOW, this_update=NOW - dt.timedelta(hours=1),
                    next_update=NOW + DAY, revoked=repository.revoked), "application/ocsp-response")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def repository_for(frozen_clock):
    made = []

    def make(ca, **kwargs):
        made.append(_Repository(ca, **kwargs))
        return made[-1]

    yield make
    for repository in made:
        repository.close()


def _signature_by(issued: Issued) -> Signature:
    pem = issued.certificate.public_bytes(serialization.Encoding.PEM).decode()
    return Signature.objects.create(object_type="tendering.lot", object_id="1", purpose="opening_record",
                                    signer_label="测试", certificate_pem=pem,
                                    certificate_fingerprint=_fingerprint(issued.certificate),
                                    certificate_subject="CN=测试", algorithm=issued.algorithm,
                                    signature_der=b"x", content_sha256="0" * 64, recorded_at=NOW)


@pytest.mark.parametrize("algorithm", ["sm2", "ecdsa"])
def test_the_scheduled_refresh_fetches_crl_and_ocsp_idempotently(trust_store, repository_for, algorithm):
    # given: a CA with a publication point, and a certificate of it in use (a recorded signature)
    from ggzy.pki.tasks import pki_revocation_refresh_periodic

    label = f"{SM2_ENTITY if algorithm == 'sm2' else ECDSA_ENTITY}/sign"
    leaf = trust_store.users[label]
    serial = leaf.certificate.serial_number
    repository = repository_for(_ca(trust_store, algorithm), revoked={serial: NOW - dt.timedelta(hours=2)})
    ca = _stored(trust_store, algorithm)
    ca = services.ca_sources_set(actor=None, ca=ca, crl_url=f"{repository.url}/crl",
                                 ocsp_url=f"{repository.url}/ocsp")
    _signature_by(leaf)
    crls_before = RevocationList.objects.filter(ca=ca).count()
    # when: the periodic task runs (immediately in tests)
    pki_revocation_refresh_periodic()
    # then: the new CRL and the OCSP answer are stored, and the answer decides validation
    ca.refresh_from_db()
    assert ca.refresh_error == "" and ca.refreshed_at == clock.now()
    assert RevocationList.objects.filter(ca=ca).count() == crls_before + 1
    assert repository.requests == [serial]
    assert OcspResponse.objects.get(ca=ca, serial_number=format(serial, "x")).status == OcspStatus.REVOKED
    assert validate_certificate(leaf.der, at=NOW, usage="digital_signature").code == "revoked"
    # when run again: nothing new (the CRL is unchanged, the OCSP answer still current)
    results = services.revocation_refresh_all()
    assert [r.crl for r in results if r.ca.pk == ca.pk] == ["unchanged"]
    assert repository.requests == [serial]
    assert RevocationList.objects.filter(ca=ca).count() == crls_before + 1
    assert OcspResponse.objects.count() == 1


def test_an_unreachable_publication_point_is_reported_on_the_ca(trust_store, frozen_clock):
    ca = _stored(trust_store, "ecdsa")
    ca = services.ca_sources_set(actor=None, ca=ca, crl_url="http://127.0.0.1:9/crl", ocsp_url="")
    before = RevocationList.objects.count()
    result = services.revocation_refresh(ca=ca)
    ca.refresh_from_db()
    assert result.crl == "failed"
    assert "无法连接" in ca.refresh_error
    assert RevocationList.objects.count() == before


def test_a_crl_of_another_ca_at_the_address_is_refused(trust_store, repository_for):
    repository = repository_for(_ca(trust_store, "sm2"))
    ca = _stored(trust_store, "ecdsa")
    ca = services.ca_sources_set(actor=None, ca=ca, crl_url=f"{repository.url}/crl", ocsp_url="")
    before = RevocationList.objects.count()
    services.revocation_refresh(ca=ca)
    ca.refresh_from_db()
    assert "不是" in ca.refresh_error
    assert RevocationList.objects.count() == before


# --- the trust-store page ---------------------------------------------------------------------------------------


@pytest.mark.urls("ggzy.pki.tests.trust_urls")
def test_admin_imports_ocsp_sets_sources_and_refreshes_from_the_page(client, make_user, trust_store,
                                                                     repository_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = make_user("admin", username="root")
    client.force_login(admin)
    leaf = trust_store.users[f"{ECDSA_ENTITY}/sign"]
    ca = _stored(trust_store, "ecdsa")
    # an OCSP response file is imported and listed
    response = _ca(trust_store, "ecdsa").ocsp_response(
        serials=[leaf.certificate.serial_number], produced_at=NOW, this_update=NOW - DAY, next_update=NOW + DAY)
    assert client.post("/pki/trust/ocsp/", {"response": SimpleUploadedFile("r.ocsp", response)}).status_code == 302
    page = client.get("/pki/trust/").content.decode()
    assert 'id="ocsp-recent"' in page and format(leaf.certificate.serial_number, "x") in page
    # a bad file is refused with the field named, nothing stored
    bad = client.post("/pki/trust/ocsp/", {"response": SimpleUploadedFile("r.ocsp", b"junk")})
    assert bad.status_code == 400 and "不是有效的OCSP响应" in bad.content.decode()
    assert OcspResponse.objects.count() == 1
    # a bad address is refused next to its field
    bad = client.post(f"/pki/trust/{ca.pk}/sources/", {f"ca{ca.pk}-crl_url": "ftp://x", f"ca{ca.pk}-ocsp_url": ""})
    assert bad.status_code == 400 and "http://" in bad.content.decode()
    ca.refresh_from_db()
    assert ca.crl_url == ""
    # a good address is saved, and "refresh now" fetches the CRL from it
    repository = repository_for(_ca(trust_store, "ecdsa"))
    saved = client.post(f"/pki/trust/{ca.pk}/sources/", {f"ca{ca.pk}-crl_url": f"{repository.url}/crl",
                                                          f"ca{ca.pk}-ocsp_url": ""})
    assert saved.status_code == 302
    before = RevocationList.objects.filter(ca=ca).count()
    refreshed = client.post(f"/pki/trust/{ca.pk}/refresh/", follow=True)
    assert "已下载新的CRL" in refreshed.content.decode()
    assert RevocationList.objects.filter(ca=ca).count() == before + 1


@pytest.mark.urls("ggzy.pki.tests.trust_urls")
def test_non_admins_cannot_import_ocsp_or_refresh(client, make_user, trust_store):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(make_user("bidder"))
    ca = _stored(trust_store, "ecdsa")
    leaf = trust_store.users[f"{ECDSA_ENTITY}/sign"]
    response = _ca(trust_store, "ecdsa").ocsp_response(
        serials=[leaf.certificate.serial_number], produced_at=NOW, this_update=NOW - DAY, next_update=NOW + DAY)
    assert client.post("/pki/trust/ocsp/", {"response": SimpleUploadedFile("r.ocsp", response)}).status_code == 403
    assert client.post(f"/pki/trust/{ca.pk}/sources/", {f"ca{ca.pk}-crl_url": "http://x/"}).status_code == 403
    assert client.post(f"/pki/trust/{ca.pk}/refresh/").status_code == 403
    assert not OcspResponse.objects.exists()
