"""signature_attach / signatures_for: only verified signatures are recorded; each is re-verified when read."""

import datetime as dt

import pytest
from django.template.loader import render_to_string

from ggzy.accounts.roles import Role
from ggzy.core.errors import Conflict, DomainError
from ggzy.core.models import AuditEntry
from ggzy.pki import services
from ggzy.pki.models import Algorithm, Signature, SignaturePurpose
from ggzy.pki.signing import sign_detached
from ggzy.pki.signing_selectors import signatures_for
from ggzy.pki.signing_services import signature_attach

from .conftest import NOW

REPORT = "评标报告：第一中标候选人 山东鲁建工程集团有限公司".encode()
OBJECT = {"object_type": "tendering.section", "object_id": "42"}


def _sign(issued, content=REPORT):
    return sign_detached(content, cert_pem=issued.pem, key_pem=issued.private_key_pem())


def _attach(actor, issued, *, content=REPORT, signature=None, purpose=SignaturePurpose.EVALUATION_REPORT, **kwargs):
    return signature_attach(actor=actor, purpose=purpose, content=content,
                            signature_der=signature if signature is not None else _sign(issued, content),
                            **OBJECT, **kwargs)


@pytest.mark.parametrize("label", ["王建国/sign", "李海燕/sign"], ids=["sm2", "ecdsa"])
def test_a_verified_signature_is_recorded_and_audited(trust_store, frozen_clock, make_user, centers, demo_pki,
                                                       label):
    # given
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    signer = demo_pki.users[label]
    # when
    record = _attach(staff, signer, center_id=centers["jinan"].pk)
    # then
    assert record.signer_label == label.split("/")[0]
    assert record.algorithm == signer.algorithm
    assert record.recorded_by == staff and record.recorded_at == NOW
    assert record.signed_at is not None
    entry = AuditEntry.objects.get(action="pki.signature_attach")
    assert entry.actor == staff and entry.object_id == str(record.pk)
    assert entry.center_id == centers["jinan"].pk
    assert "signature_der" not in entry.after


def test_an_entity_certificate_records_its_credit_code(trust_store, frozen_clock, demo_pki):
    signer = demo_pki.users["山东鲁建工程集团有限公司/sign"]
    record = _attach(None, signer, purpose=SignaturePurpose.BID)
    assert record.signer_credit_code == signer.credit_code
    assert record.signer_label == "山东鲁建工程集团有限公司"


@pytest.mark.parametrize("case", ["tampered", "revoked", "garbage"])
def test_a_signature_that_does_not_verify_is_refused_and_nothing_is_kept(trust_store, frozen_clock, make_user,
                                                                          centers, demo_pki, case):
    # given
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    signer = demo_pki.revoked[0] if case == "revoked" else demo_pki.users["王建国/sign"]
    signature = b"\x30\x00" if case == "garbage" else _sign(signer)
    content = REPORT + b"!" if case == "tampered" else REPORT
    # when
    with pytest.raises(DomainError) as raised:
        _attach(staff, signer, content=content, signature=signature)
    # then
    assert "signature" in raised.value.errors
    assert Signature.objects.count() == 0
    assert not AuditEntry.objects.filter(action="pki.signature_attach").exists()


def test_an_unknown_purpose_is_refused(trust_store, frozen_clock, demo_pki):
    with pytest.raises(DomainError) as raised:
        _attach(None, demo_pki.users["王建国/sign"], purpose="poem")
    assert "purpose" in raised.value.errors
    assert Signature.objects.count() == 0


def test_the_same_signer_cannot_record_the_same_document_twice(trust_store, frozen_clock, demo_pki):
    # given
    signer = demo_pki.users["王建国/sign"]
    _attach(None, signer)
    # when / then
    with pytest.raises(Conflict):
        _attach(None, signer)
    assert Signature.objects.count() == 1


def test_a_sealed_signature_names_no_actor(trust_store, frozen_clock, make_user, demo_pki):
    bidder = make_user(Role.BIDDER)
    record = _attach(bidder, demo_pki.users["山东鲁建工程集团有限公司/sign"], purpose=SignaturePurpose.BID,
                     sealed=True)
    assert record.recorded_by is None
    assert AuditEntry.objects.get(action="pki.signature_attach").actor is None


def test_signatures_for_shows_a_revocation_after_signing(trust_store, frozen_clock, demo_pki):
    # given: two signers; later the SM2 CA revokes the first one's certificate
    first, second = demo_pki.users["王建国/sign"], demo_pki.users["李海燕/sign"]
    _attach(None, first)
    _attach(None, second)
    assert all(view.verifies_now for view in signatures_for(**OBJECT))
    later = NOW + dt.timedelta(hours=2)
    crl = demo_pki.cas[Algorithm.SM2].crl(this_update=later, next_update=later + dt.timedelta(days=7),
                                          revoked=[(first.certificate.serial_number, later)], number=2)
    services.crl_import(actor=None, crl=crl)
    frozen_clock.advance(dt.timedelta(hours=3))
    # when
    views = signatures_for(**OBJECT)
    # then
    assert [view.record.algorithm for view in views] == [Algorithm.SM2, Algorithm.ECDSA]
    assert not views[0].verifies_now and views[0].check.code == "revoked"
    assert views[1].verifies_now


def test_signatures_for_with_content_detects_a_changed_document(trust_store, frozen_clock, demo_pki):
    # given
    _attach(None, demo_pki.users["王建国/sign"])
    # when
    same = signatures_for(**OBJECT, content=REPORT)
    changed = signatures_for(**OBJECT, content=REPORT + b" ")
    # then
    assert same[0].verifies_now
    assert not changed[0].verifies_now and changed[0].check.code == "content_changed"


def test_signatures_for_reads_only_the_objects_signatures_of_the_purpose(trust_store, frozen_clock, demo_pki):
    # given
    _attach(None, demo_pki.users["王建国/sign"])
    signature_attach(actor=None, object_type="tendering.section", object_id="43",
                     purpose=SignaturePurpose.CONTRACT, content=REPORT,
                     signature_der=_sign(demo_pki.users["王建国/sign"]))
    # when
    views = signatures_for(**OBJECT, purpose=SignaturePurpose.EVALUATION_REPORT)
    # then
    assert len(views) == 1 and views[0].record.object_id == "42"


def test_the_partial_lists_signer_certificate_and_verdict(trust_store, frozen_clock, demo_pki):
    # given
    _attach(None, demo_pki.users["王建国/sign"])
    # when
    html = render_to_string("pki/partials/signatures.html", {"signatures": signatures_for(**OBJECT)})
    # then
    assert "评标报告" in html and "王建国" in html
    assert "验证通过" in html
    assert Signature.objects.get().certificate_fingerprint[:16] in html


def test_the_partial_shows_a_signature_that_no_longer_verifies(trust_store, frozen_clock, demo_pki):
    # given: the CRL has expired by the time the page is read
    _attach(None, demo_pki.users["李海燕/sign"])
    frozen_clock.advance(dt.timedelta(days=60))
    # when
    html = render_to_string("pki/partials/signatures.html", {"signatures": signatures_for(**OBJECT)})
    # then
    assert "验证未通过" in html and "吊销列表已过期" in html


def test_the_partial_says_when_nothing_is_signed(db):
    html = render_to_string("pki/partials/signatures.html", {"signatures": []})
    assert "尚无电子签名" in html
