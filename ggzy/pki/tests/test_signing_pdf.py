"""PAdES: PDFs signed with pyHanko by RSA/ECDSA certificates, checked against the trust store."""

import datetime as dt

import pytest

from ggzy.core.errors import DomainError
from ggzy.pki.models import Algorithm
from ggzy.pki.signing_pdf import pdf_sign, pdf_verify
from ggzy.pki.testpki import SIGN_USAGES

from .conftest import NOW
from .pdfs import minimal_pdf

AGENCY = "青岛海晟招标代理有限公司/sign"
PERSON = "李海燕/sign"


@pytest.fixture(scope="module")
def signed_pdf(demo_pki):
    signer = demo_pki.users[AGENCY]
    return pdf_sign(minimal_pdf("Award notice"), signer.pem, signer.private_key_pem(), reason="中标通知书")


def test_a_signed_pdf_verifies_and_names_its_signer(trust_store, demo_pki, signed_pdf):
    # when
    check = pdf_verify(signed_pdf, at=NOW)
    # then
    assert check.ok, check.reason
    assert check.algorithm == Algorithm.ECDSA
    assert check.signer.organization == "青岛海晟招标代理有限公司"
    assert check.signer.credit_code == demo_pki.users[AGENCY].credit_code


def test_an_rsa_signed_pdf_verifies(trust_store, demo_pki):
    # given
    signer = demo_pki.cas[Algorithm.ECDSA].issue(
        label="RSA", subject=[("2.5.4.6", "CN"), ("2.5.4.3", "RSA签章人")], usages=SIGN_USAGES,
        not_before=NOW - dt.timedelta(days=1), not_after=NOW + dt.timedelta(days=30), key_algorithm=Algorithm.RSA)
    # when
    check = pdf_verify(pdf_sign(minimal_pdf(), signer.pem, signer.private_key_pem()), at=NOW)
    # then
    assert check.ok, check.reason
    assert check.algorithm == Algorithm.RSA


def test_a_pdf_changed_inside_the_signed_bytes_is_refused(trust_store, signed_pdf):
    # given
    tampered = bytearray(signed_pdf)
    at = tampered.find(b"(Award notice)")
    tampered[at + 1 : at + 6] = b"Xward"
    # when
    check = pdf_verify(bytes(tampered), at=NOW)
    # then
    assert not check.ok
    assert "签名后被改动" in check.reason


def test_a_second_signature_keeps_the_first_valid(trust_store, demo_pki, signed_pdf):
    # given
    second = demo_pki.users[PERSON]
    # when
    both = pdf_sign(signed_pdf, second.pem, second.private_key_pem())
    check = pdf_verify(both, at=NOW)
    # then
    assert check.ok, check.reason
    assert check.signer.common_name == "李海燕"


def test_a_pdf_signed_with_a_revoked_certificate_is_refused(trust_store, demo_pki):
    # given
    revoked = demo_pki.revoked[1]
    assert revoked.algorithm == Algorithm.ECDSA
    # when
    check = pdf_verify(pdf_sign(minimal_pdf(), revoked.pem, revoked.private_key_pem()), at=NOW)
    # then
    assert not check.ok and check.code == "revoked"


def test_a_pdf_without_signature_is_refused(trust_store):
    check = pdf_verify(minimal_pdf(), at=NOW)
    assert not check.ok and check.code == "no_signature"


def test_sm2_certificates_do_not_sign_pdfs(demo_pki):
    signer = demo_pki.users["王建国/sign"]
    with pytest.raises(DomainError, match="SM2"):
        pdf_sign(minimal_pdf(), signer.pem, signer.private_key_pem())


def test_pdf_signing_with_another_key_is_refused(demo_pki):
    with pytest.raises(DomainError, match="私钥与签名证书不匹配"):
        pdf_sign(minimal_pdf(), demo_pki.users[AGENCY].pem, demo_pki.users[PERSON].private_key_pem())


def test_a_pdf_that_is_not_a_pdf_is_refused(trust_store):
    check = pdf_verify(b"%PDF-1.7 garbage", at=NOW)
    assert not check.ok


def test_a_page_changed_in_a_later_revision_is_refused(trust_store, signed_pdf):
    # given: an incremental update after the signature that replaces the page's text
    from io import BytesIO

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(signed_pdf))
    page_ref = writer.root["/Pages"]["/Kids"][0]
    stream = generic.StreamObject(stream_data=b"BT /F1 12 Tf 20 100 Td (Other text) Tj ET")
    page = page_ref.get_object()
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    # when
    check = pdf_verify(out.getvalue(), at=NOW)
    # then
    assert not check.ok and check.code == "modified"
    assert "改动超出签章允许的范围" in check.reason
