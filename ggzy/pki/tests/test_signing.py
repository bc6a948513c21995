"""Detached CMS signatures: SM2 (GM/T 0010 profile), ECDSA and RSA round trips and every way they must fail."""

import datetime as dt
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from ggzy.core.errors import DomainError
from ggzy.pki import der
from ggzy.pki.models import Algorithm
from ggzy.pki.signing import sign_detached, verify_detached
from ggzy.pki.signing_cms import OID_SM2_SIGNED_DATA, OID_SM3, sm2_signed_data
from ggzy.pki.testpki import SIGN_USAGES

from .conftest import NOW

CONTENT = "开标记录：项目 SDGGZY-2026-0001，投标人 3 家".encode()
SIGNERS = {Algorithm.SM2: "王建国/sign", Algorithm.ECDSA: "李海燕/sign"}


@pytest.fixture(scope="module")
def rsa_signer(demo_pki):
    """The demo PKI has no RSA signing certificate; the ECDSA root issues one here."""
    return demo_pki.cas[Algorithm.ECDSA].issue(
        label="RSA签名/sign", subject=[("2.5.4.6", "CN"), ("2.5.4.3", "RSA签名人")], usages=SIGN_USAGES,
        not_before=NOW - dt.timedelta(days=1), not_after=NOW + dt.timedelta(days=365), key_algorithm=Algorithm.RSA)


@pytest.fixture
def signer_of(demo_pki, rsa_signer):
    return lambda algorithm: rsa_signer if algorithm == Algorithm.RSA else demo_pki.users[SIGNERS[algorithm]]


@pytest.mark.parametrize("algorithm", [Algorithm.SM2, Algorithm.ECDSA, Algorithm.RSA])
def test_a_detached_signature_verifies_and_names_its_signer(trust_store, signer_of, algorithm):
    # given
    signer = signer_of(algorithm)
    # when
    signature = sign_detached(CONTENT, cert_pem=signer.pem, key_pem=signer.private_key_pem())
    check = verify_detached(CONTENT, signature, at=NOW)
    # then
    assert check.ok, check.reason
    assert check.algorithm == algorithm
    assert check.certificate_fingerprint == signer.certificate.fingerprint(hashes.SHA256()).hex()
    assert check.signer.common_name in check.signer_subject
    assert check.signing_time is not None
    assert check.reason.startswith("签名有效")


def test_the_sm2_signature_is_in_the_gmt_0010_profile(trust_store, demo_pki):
    # given
    signer = demo_pki.users[SIGNERS[Algorithm.SM2]]
    # when
    signature = sign_detached(CONTENT, cert_pem=signer.pem, key_pem=signer.private_key_pem())
    # then
    content_type, wrapped = der.read_one(signature).children()
    assert content_type.as_oid() == OID_SM2_SIGNED_DATA
    signed_data = der.read_one(wrapped.content).children()
    assert signed_data[1].children()[0].children()[0].as_oid() == OID_SM3
    assert len(signed_data[2].children()) == 1  # detached: no eContent


@pytest.mark.parametrize("algorithm", [Algorithm.SM2, Algorithm.ECDSA, Algorithm.RSA])
def test_tampered_content_is_refused(trust_store, signer_of, algorithm):
    # given
    signer = signer_of(algorithm)
    signature = sign_detached(CONTENT, cert_pem=signer.pem, key_pem=signer.private_key_pem())
    # when
    check = verify_detached(CONTENT + b" ", signature, at=NOW)
    # then
    assert not check.ok
    assert "签名后被改动" in check.reason


@pytest.mark.parametrize("algorithm", [Algorithm.SM2, Algorithm.ECDSA])
def test_a_tampered_signature_value_is_refused(trust_store, signer_of, algorithm):
    # given
    signer = signer_of(algorithm)
    signature = bytearray(sign_detached(CONTENT, cert_pem=signer.pem, key_pem=signer.private_key_pem()))
    # when: flip a bit in the last byte, inside the signature value
    signature[-1] ^= 0x01
    check = verify_detached(CONTENT, bytes(signature), at=NOW)
    # then
    assert not check.ok
    assert "签名值验证失败" in check.reason


@pytest.mark.parametrize("index", [0, 1], ids=["sm2", "ecdsa"])
def test_a_signer_with_a_revoked_certificate_is_refused(trust_store, demo_pki, index):
    # given
    revoked = demo_pki.revoked[index]
    signature = sign_detached(CONTENT, cert_pem=revoked.pem, key_pem=revoked.private_key_pem())
    # when
    check = verify_detached(CONTENT, signature, at=NOW)
    # then
    assert not check.ok and check.code == "revoked"
    assert "吊销" in check.reason


@pytest.mark.parametrize("algorithm", [Algorithm.SM2, Algorithm.ECDSA])
def test_a_signer_with_an_expired_certificate_is_refused(trust_store, demo_pki, algorithm):
    # given
    expired = demo_pki.cas[algorithm].issue(
        label="过期", subject=[("2.5.4.6", "CN"), ("2.5.4.3", "过期证书")], usages=SIGN_USAGES,
        not_before=NOW - dt.timedelta(days=400), not_after=NOW - dt.timedelta(days=1))
    signature = sign_detached(CONTENT, cert_pem=expired.pem, key_pem=expired.private_key_pem())
    # when
    check = verify_detached(CONTENT, signature, at=NOW)
    # then
    assert not check.ok and check.code == "expired"
    assert "已过期" in check.reason


def test_an_encryption_certificate_cannot_sign(trust_store, demo_pki):
    # given
    encryption = demo_pki.users["王建国/encrypt"]
    signature = sign_detached(CONTENT, cert_pem=encryption.pem, key_pem=encryption.private_key_pem())
    # when
    check = verify_detached(CONTENT, signature, at=NOW)
    # then
    assert not check.ok and check.code == "wrong_usage"


def test_a_certificate_from_an_unregistered_ca_is_refused(db, demo_pki):
    # given: no CA registered
    signer = demo_pki.users[SIGNERS[Algorithm.SM2]]
    signature = sign_detached(CONTENT, cert_pem=signer.pem, key_pem=signer.private_key_pem())
    # when
    check = verify_detached(CONTENT, signature, at=NOW)
    # then
    assert not check.ok and check.code == "untrusted"


@pytest.mark.parametrize("algorithm", [Algorithm.SM2, Algorithm.ECDSA])
def test_signing_with_a_key_that_is_not_the_certificates_is_refused(demo_pki, algorithm):
    # given
    signer = demo_pki.users[SIGNERS[algorithm]]
    other = demo_pki.users["张志强/sign" if algorithm == Algorithm.SM2 else "青岛海晟招标代理有限公司/sign"]
    # when / then
    with pytest.raises(DomainError, match="私钥与签名证书不匹配"):
        sign_detached(CONTENT, cert_pem=signer.pem, key_pem=other.private_key_pem())


@pytest.mark.parametrize("algorithm", [Algorithm.SM2, Algorithm.ECDSA])
def test_a_signature_made_with_another_key_is_refused(trust_store, demo_pki, algorithm):
    # given: a signature that names one certificate but was made with another holder's key
    signer = demo_pki.users[SIGNERS[algorithm]]
    other = demo_pki.users["张志强/sign" if algorithm == Algorithm.SM2 else "青岛海晟招标代理有限公司/sign"]
    if algorithm == Algorithm.SM2:
        forged = sm2_signed_data(CONTENT, certificate=signer.certificate, private_key=other.private_key,
                                 signing_time=NOW)
    else:
        forged = (pkcs7.PKCS7SignatureBuilder().set_data(CONTENT)
                  .add_signer(signer.certificate, other.private_key, hashes.SHA256())
                  .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature]))
    # when
    check = verify_detached(CONTENT, forged, at=NOW)
    # then
    assert not check.ok
    assert "签名值验证失败" in check.reason


@pytest.mark.parametrize("garbage", [b"", b"\x30\x03\x02\x01\x01", b"not a signature"], ids=["empty", "der", "text"])
def test_garbage_is_refused_with_a_reason(trust_store, garbage):
    # when
    check = verify_detached(CONTENT, garbage, at=NOW)
    # then
    assert not check.ok
    assert "签名数据" in check.reason


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl command not installed")
def test_openssl_verifies_the_ecdsa_signature(tmp_path, demo_pki):
    # given
    signer = demo_pki.users[SIGNERS[Algorithm.ECDSA]]
    (tmp_path / "content").write_bytes(CONTENT)
    (tmp_path / "sig.der").write_bytes(sign_detached(CONTENT, cert_pem=signer.pem, key_pem=signer.private_key_pem()))
    (tmp_path / "ca.pem").write_bytes(demo_pki.cas[Algorithm.ECDSA].issued.pem)
    # when
    result = subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "sig.der", "-content", "content",
         "-CAfile", "ca.pem", "-purpose", "any", "-out", "/dev/null"],
        cwd=tmp_path, capture_output=True, text=True, check=False)
    # then
    assert result.returncode == 0, result.stderr




@pytest.mark.parametrize("algorithm", [Algorithm.ECDSA, Algorithm.RSA, Algorithm.SM2])
def test_content_with_newlines_round_trips_byte_for_byte(trust_store, signer_of, algorithm):
    # given text with Unix line endings (an award notice)
    signer = signer_of(algorithm)
    content = "中标人：某公司\n中标金额：100元\n".encode()
    # when it is signed
    signature = sign_detached(content, cert_pem=signer.pem, key_pem=signer.private_key_pem())
    # then the signature covers exactly those bytes, not a CRLF-canonicalised copy
    assert verify_detached(content, signature, at=NOW).ok
    assert not verify_detached(content.replace(b"\n", b"\r\n"), signature, at=NOW).ok
