"""validate_certificate: one interface for SM2 and ECDSA/RSA chains; every refusal names its reason."""

import datetime as dt
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from ggzy.pki import services
from ggzy.pki.models import Algorithm, TrustedCA
from ggzy.pki.testpki import SIGN_USAGES, ca_new, entity_subject, person_subject
from ggzy.pki.validation import validate_certificate

from .conftest import NOW

SM2_ENTITY = "山东鲁建工程集团有限公司"
ECDSA_ENTITY = "青岛海晟招标代理有限公司"


def _tamper(der: bytes, marker: bytes) -> bytes:
    """Change one byte inside the first occurrence of ``marker`` (a subject name string) — DER stays parseable."""
    index = der.index(marker) + len(marker) // 2
    return der[:index] + bytes([der[index] ^ 0x01]) + der[index + 1 :]


@pytest.mark.parametrize(("label", "usage", "algorithm"), [
    pytest.param(f"{SM2_ENTITY}/sign", "digital_signature", Algorithm.SM2, id="sm2-sign"),
    pytest.param(f"{SM2_ENTITY}/encrypt", "key_encipherment", Algorithm.SM2, id="sm2-encrypt"),
    pytest.param(f"{ECDSA_ENTITY}/sign", "digital_signature", Algorithm.ECDSA, id="ecdsa-sign"),
    pytest.param(f"{ECDSA_ENTITY}/encrypt", "key_encipherment", Algorithm.RSA, id="rsa-encrypt-under-ecdsa-ca"),
    pytest.param("王建国/sign", "content_commitment", Algorithm.SM2, id="sm2-person"),
])
def test_a_chain_from_each_ca_is_accepted(trust_store, label, usage, algorithm):
    # given
    issued = trust_store.users[label]
    # when
    result = validate_certificate(issued.der, at=NOW, usage=usage)
    # then
    assert result.ok, result.reason
    assert result.code == "ok"
    assert len(result.chain) == 2
    assert result.chain[1].trusted_ca_id == TrustedCA.objects.get(name=result.chain[1].name).pk
    assert result.subject.algorithm == algorithm
    assert result.subject.credit_code == issued.credit_code


def test_credit_code_is_read_from_organization_identifier_and_from_serial_number(trust_store):
    # given
    sm2_cert = trust_store.users[f"{SM2_ENTITY}/sign"]
    ecdsa_cert = trust_store.users[f"{ECDSA_ENTITY}/sign"]
    # when
    sm2_result = validate_certificate(sm2_cert.pem, at=NOW, usage="digital_signature")
    ecdsa_result = validate_certificate(ecdsa_cert.pem.decode(), at=NOW, usage="digital_signature")
    # then
    assert len(sm2_result.subject.credit_code) == 18 and sm2_result.subject.is_entity
    assert sm2_result.subject.organization == SM2_ENTITY
    assert len(ecdsa_result.subject.credit_code) == 18
    assert validate_certificate(trust_store.users["王建国/sign"].der, at=NOW,
                                usage="digital_signature").subject.credit_code == ""


@pytest.mark.parametrize("algorithm", [Algorithm.SM2, Algorithm.ECDSA])
def test_refusals_have_distinct_reasons_a_person_understands(trust_store, algorithm):
    # given
    ca = trust_store.cas[algorithm]
    stranger = ca_new(name="未登记的CA", algorithm=algorithm, not_before=NOW - dt.timedelta(days=10))
    subject = entity_subject("某公司", "91370100MA3C7K1P0X", algorithm=algorithm)
    year = dt.timedelta(days=365)
    cases = {
        "untrusted": stranger.issue(label="x", subject=subject, usages=SIGN_USAGES, not_before=NOW - year,
                                    not_after=NOW + year).der,
        "expired": ca.issue(label="x", subject=subject, usages=SIGN_USAGES, not_before=NOW - 2 * year,
                            not_after=NOW - dt.timedelta(seconds=1)).der,
        "not_yet_valid": ca.issue(label="x", subject=subject, usages=SIGN_USAGES,
                                  not_before=NOW + dt.timedelta(minutes=1), not_after=NOW + year).der,
        "revoked": next(item for item in trust_store.revoked if item.algorithm == algorithm).der,
        "wrong_usage": trust_store.users[f"{SM2_ENTITY if algorithm == Algorithm.SM2 else ECDSA_ENTITY}/sign"].der,
        "bad_signature": _tamper(trust_store.users["王建国/sign" if algorithm == Algorithm.SM2 else "李海燕/sign"].der,
                                 "王建国".encode() if algorithm == Algorithm.SM2 else "李海燕".encode()),
        "format": b"not a certificate",
    }
    # when
    results = {code: validate_certificate(der, at=NOW,
                                          usage="key_encipherment" if code == "wrong_usage" else "digital_signature")
               for code, der in cases.items()}
    # then
    for code, result in results.items():
        assert not result.ok, code
        assert result.code == code, (code, result.reason)
        assert any("\u4e00" <= char <= "\u9fff" for char in result.reason)
    assert len({result.reason for result in results.values()}) == len(cases)
    assert "吊销" in results["revoked"].reason
    assert "过期" in results["expired"].reason
    assert "尚未生效" in results["not_yet_valid"].reason
    assert "密钥加密" in results["wrong_usage"].reason
    assert "改动" in results["bad_signature"].reason
    assert "不是平台认可的CA" in results["untrusted"].reason


@pytest.mark.parametrize("algorithm", [Algorithm.SM2, Algorithm.ECDSA])
def test_revocation_takes_effect_only_from_its_date(trust_store, algorithm):
    # given: the demo CRL revokes this certificate one hour before NOW
    revoked = next(item for item in trust_store.revoked if item.algorithm == algorithm)
    # when
    before = validate_certificate(revoked.der, at=NOW - dt.timedelta(hours=2), usage="digital_signature")
    after = validate_certificate(revoked.der, at=NOW, usage="digital_signature")
    # then: two hours before NOW the CRL (issued a day earlier) did not list it yet
    assert before.ok, before.reason
    assert after.code == "revoked"


def test_missing_revocation_data_is_a_hard_failure(db, demo_pki):
    # given: CAs registered, no CRL imported
    for ca in demo_pki.cas.values():
        services.ca_register(actor=None, certificate=ca.issued.pem)
    # when
    result = validate_certificate(demo_pki.users[f"{SM2_ENTITY}/sign"].der, at=NOW, usage="digital_signature")
    # then
    assert not result.ok
    assert result.code == "revocation_unknown"
    assert "缺少" in result.reason and "吊销列表" in result.reason


def test_stale_revocation_data_is_a_hard_failure(trust_store):
    # given: the demo CRLs' nextUpdate is NOW + 30 days; the certificates are valid much longer
    later = NOW + dt.timedelta(days=31)
    # when
    results = [validate_certificate(trust_store.users[label].der, at=later, usage="digital_signature")
               for label in (f"{SM2_ENTITY}/sign", f"{ECDSA_ENTITY}/sign")]
    # then
    assert [result.code for result in results] == ["revocation_stale", "revocation_stale"]
    assert "吊销列表已过期" in results[0].reason


def test_a_disabled_ca_is_no_longer_trusted(trust_store):
    # given
    ca = TrustedCA.objects.get(algorithm=Algorithm.SM2)
    services.ca_set_enabled(actor=None, ca=ca, enabled=False)
    # when
    result = validate_certificate(trust_store.users[f"{SM2_ENTITY}/sign"].der, at=NOW, usage="digital_signature")
    # then
    assert result.code == "untrusted"


def test_a_ca_certificate_presented_as_a_user_certificate_is_refused(trust_store):
    # when
    result = validate_certificate(trust_store.cas[Algorithm.SM2].issued.der, at=NOW, usage="digital_signature")
    # then
    assert not result.ok


@pytest.mark.parametrize("algorithm", [Algorithm.SM2, Algorithm.ECDSA])
def test_a_chain_through_a_registered_intermediate_is_accepted(trust_store, algorithm):
    # given
    from ggzy.pki.testpki import CA_USAGES, TestCA

    root = trust_store.cas[algorithm]
    subject = [("2.5.4.6", "CN"), ("2.5.4.3", f"中级CA-{algorithm}")]
    middle = TestCA(root.issue(label="中级CA", subject=subject, usages=CA_USAGES, ca=True,
                               not_before=NOW - dt.timedelta(days=1), not_after=NOW + dt.timedelta(days=900)),
                    subject)
    services.ca_register(actor=None, certificate=middle.issued.pem)
    services.crl_import(actor=None, crl=middle.crl(this_update=NOW - dt.timedelta(hours=1),
                                                   next_update=NOW + dt.timedelta(days=7)))
    leaf = middle.issue(label="leaf", subject=person_subject("赵某"), usages=SIGN_USAGES,
                        not_before=NOW - dt.timedelta(days=1), not_after=NOW + dt.timedelta(days=300))
    # when
    result = validate_certificate(leaf.der, at=NOW, usage="digital_signature")
    # then
    assert result.ok, result.reason
    assert [link.name for link in result.chain] == ["赵某", f"中级CA-{algorithm}", root.name]


def test_a_certificate_issued_with_an_end_entity_key_is_refused(trust_store):
    # given: someone uses their own user key as if it were a CA
    from ggzy.pki.testpki import TestCA

    fake = TestCA(trust_store.users["王建国/sign"], person_subject("王建国"))
    leaf = fake.issue(label="x", subject=person_subject("假证书"), usages=SIGN_USAGES,
                      not_before=NOW - dt.timedelta(days=1), not_after=NOW + dt.timedelta(days=30))
    # when
    result = validate_certificate(leaf.der, at=NOW, usage="digital_signature")
    # then
    assert result.code == "untrusted"


@pytest.mark.parametrize("algorithm", [Algorithm.SM2, Algorithm.ECDSA])
def test_a_leaf_from_a_ca_whose_key_may_not_sign_certificates_is_refused(trust_store, algorithm):
    # given: an intermediate with cA=TRUE but a key usage without keyCertSign
    from ggzy.pki.testpki import TestCA

    root = trust_store.cas[algorithm]
    subject = [("2.5.4.6", "CN"), ("2.5.4.3", f"只可签CRL的CA-{algorithm}")]
    middle = TestCA(root.issue(label="m", subject=subject, usages=["crl_sign"], ca=True,
                               not_before=NOW - dt.timedelta(days=1), not_after=NOW + dt.timedelta(days=90)),
                    subject)
    services.ca_register(actor=None, certificate=middle.issued.der)
    leaf = middle.issue(label="leaf", subject=person_subject("钱某"), usages=SIGN_USAGES,
                        not_before=NOW - dt.timedelta(days=1), not_after=NOW + dt.timedelta(days=30))
    # when
    result = validate_certificate(leaf.der, at=NOW, usage="digital_signature")
    # then
    assert result.code == "not_ca"
    assert "不允许签发证书" in result.reason


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl command not installed")
def test_openssl_independently_verifies_our_sm2_certificates(trust_store, tmp_path):
    # given
    root = tmp_path / "root.pem"
    leaf = tmp_path / "leaf.pem"
    root.write_bytes(trust_store.cas[Algorithm.SM2].issued.certificate.public_bytes(Encoding.PEM))
    leaf.write_bytes(trust_store.users[f"{SM2_ENTITY}/sign"].pem)
    # when
    done = subprocess.run(["openssl", "verify", "-vfyopt", "distid:1234567812345678", "-attime", str(int(NOW.timestamp())), "-CAfile", str(root),
                           str(leaf)], capture_output=True, text=True, check=False)
    # then
    if "unknown" in done.stderr.lower() and "sm2" in done.stderr.lower():
        pytest.skip("this openssl build lacks SM2")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl command not installed")
def test_sm2_certificates_made_by_openssl_are_verified(db, tmp_path):
    # given: an SM2 root and user certificate made by the openssl command (empty SM2 ID, OpenSSL 3 default)
    def run(*args):
        return subprocess.run(["openssl", *args], cwd=tmp_path, capture_output=True, text=True, check=False)

    run("ecparam", "-genkey", "-name", "SM2", "-out", "ca.key")
    made = run("req", "-new", "-x509", "-key", "ca.key", "-sm3", "-subj", "/CN=OpenSSL SM2 CA", "-out", "ca.pem",
               "-days", "3650", "-addext", "basicConstraints=critical,CA:TRUE",
               "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    if made.returncode != 0:
        pytest.skip("this openssl build cannot make SM2 certificates")
    run("ecparam", "-genkey", "-name", "SM2", "-out", "user.key")
    run("req", "-new", "-key", "user.key", "-sm3", "-subj", "/CN=user", "-out", "user.csr")
    run("x509", "-req", "-in", "user.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-sm3", "-out", "user.pem",
        "-days", "30", "-set_serial", "7")
    from ggzy.pki import certificates as certs

    root = certs.certificate_load((tmp_path / "ca.pem").read_bytes())
    user = certs.certificate_load((tmp_path / "user.pem").read_bytes())
    # when / then
    assert certs.signature_valid(root, root)
    assert certs.signature_valid(user, root)
    assert not certs.signature_valid(root, user)
