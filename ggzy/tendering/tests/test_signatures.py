"""Signed documents: each document signed by its responsible party verifies; anyone else is refused; a document
changed after signing no longer verifies; ggzy-bid signs and uploads; the page and the archive show it all."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ggzy.core import clock
from ggzy.core.errors import DomainError, NotAllowed
from ggzy.core.models import AuditEntry
from ggzy.pki.bindings import person_certificate_register
from ggzy.pki.models import Algorithm
from ggzy.pki.models_signatures import Signature
from ggzy.pki.testpki import O_CN, O_COUNTRY, O_SERIAL, O_UNIT, SIGN_USAGES, build_test_pki, demo_pki_register
from ggzy.tendering import bidclient, documents, selectors
from ggzy.tendering.choices import BidState
from ggzy.tendering.models import EvaluationReport, OpeningRecord
from ggzy.tendering.services import evaluation, opening, result
from ggzy.tendering.services.signatures import document_sign

from .conftest import lot_ready, seat_committee
from .test_client_sealed import _DjangoTransport
from .test_services_flow import PRICES, _bid


@pytest.fixture
def pki(world, tmp_path):
    """Entity certificates for the bidders and the tenderer; person certificates for staff and experts."""
    entities = [(e.name, e.credit_code, alg) for e, alg in
                zip(world.bidder_entities[:3], [Algorithm.SM2, Algorithm.ECDSA, Algorithm.ECDSA], strict=True)]
    entities.append((world.tenderer_entity.name, world.tenderer_entity.credit_code, Algorithm.ECDSA))
    built = build_test_pki(tmp_path / "pki", now=clock.now(), entities=entities, persons=[], crl_days=365)
    demo_pki_register(directory=built.directory)
    start = clock.now() - dt.timedelta(days=1)
    for i, user in enumerate([world.staff, world.other_staff, *world.experts]):
        ca = built.cas[Algorithm.SM2 if i == 0 else Algorithm.ECDSA]  # one SM2 person, the rest ECDSA (fast)
        # a person certificate signs for the account it is bound to by fingerprint
        serial = [(O_SERIAL, user.username)] if user.display_name else []
        subject = [(O_COUNTRY, "CN"), (O_UNIT, "个人"), *serial, (O_CN, user.display_name or user.username)]
        built.users[user.username] = ca.issue(label=user.username, subject=subject, usages=SIGN_USAGES,
                                              not_before=start, not_after=start + dt.timedelta(days=365))
        person_certificate_register(actor=None, user=user, certificate_pem=built.users[user.username].pem.decode())
    return built


def sign_detached(content: bytes, *, cert_pem: bytes, key_pem: bytes) -> bytes:
    """The signer's tool: ggzy-bid's signing (binary-safe; see the report on pki.signing.sign_detached)."""
    certificate, private_key = bidclient.load_credentials_pem(cert_pem, key_pem)
    return bidclient.sign_content(content, certificate=certificate, private_key=private_key)


def _cert(pki, who) -> object:
    """The signing certificate of a user (person) or of a market entity."""
    return pki.users[who.username] if hasattr(who, "username") else pki.users[f"{who.name}/sign"]


def _sign(pki, lot, purpose, actor, *, holder=None, bid=None):
    issued = _cert(pki, holder or actor)
    content = documents.document_of(lot, purpose, bid=bid).content
    der = sign_detached(content, cert_pem=issued.pem, key_pem=issued.private_key_pem())
    return document_sign(actor=actor, lot=lot, purpose=purpose, signature_der=der)


def _opened(world):
    lot = lot_ready(world)
    for i, price in enumerate(PRICES):
        _bid(world, lot, i, price)
    clock.advance(dt.timedelta(days=21, minutes=1))
    return opening.lot_open(actor=world.staff, lot=lot)


def _published(world):
    lot = _opened(world)
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    opening.opening_record_publish(actor=world.staff, lot=lot)
    return lot


def _reported(world):
    lot = opening.opening_close(actor=world.staff, lot=_published(world))
    members = [(e, "expert_technical") for e in world.experts[:4]] + [(world.experts[4], "expert_economic")]
    seat_committee(world.staff, lot, members, chair=world.experts[0])
    for member, _ in members:
        for bid in lot.bids.filter(state=BidState.OPENED):
            evaluation.score_submit(actor=member, bid=bid, technical="50", commercial="10")
    evaluation.report_generate(actor=world.experts[0], lot=lot)
    for member, _ in members:
        evaluation.report_sign(actor=member, lot=lot)
    return lot


def _contracted(world):
    return _continue_to_contract(world, opening.opening_close(actor=world.staff, lot=_published(world)))


def _sections(world, lot, user=None):
    return {s["purpose"]: s for s in selectors.lot_signatures_visible(user=user or world.staff, lot=lot)}


def test_every_document_signed_by_its_responsible_party_verifies_and_is_archived(world, pki):
    # given a lot at the opening: a bidder signs its bid (SM2 entity certificate)
    lot = _opened(world)
    bid = lot.bids.get(bidder=world.bidder_entities[0])
    _sign(pki, lot, "bid", world.bidders[0], holder=world.bidder_entities[0], bid=bid)
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    opening.opening_record_publish(actor=world.staff, lot=lot)
    # when each responsible party signs its document
    _sign(pki, lot, "opening_record", world.staff)  # SM2 person certificate
    opening.opening_close(actor=world.staff, lot=lot)
    lot = _continue_to_contract(world, lot)
    for expert in world.experts[:5]:
        _sign(pki, lot, "evaluation_report", expert)
    _sign(pki, lot, "award_notice", world.tenderer, holder=world.tenderer_entity)
    _sign(pki, lot, "contract", world.tenderer, holder=world.tenderer_entity)
    _sign(pki, lot, "contract", world.bidders[1], holder=world.bidder_entities[1])  # the winner
    # then every signature verifies now, with its signer and certificate shown
    sections = _sections(world, lot)
    counts = {purpose: len(s["signatures"]) for purpose, s in sections.items()}
    assert counts == {"bid": 1, "opening_record": 1, "evaluation_report": 5, "award_notice": 1, "contract": 2}
    views = [v for s in sections.values() for v in s["signatures"]]
    assert all(v.verifies_now for v in views), [v.check.reason for v in views if not v.verifies_now]
    assert {v.record.signer_credit_code for v in sections["contract"]["signatures"]} == {
        world.tenderer_entity.credit_code, world.bidder_entities[1].credit_code}
    # and the archive lists each signature: signer, certificate fingerprint, signature SHA-256
    package = result.archive_build(actor=world.staff, lot=lot)
    rows = package.manifest["signatures"]
    assert len(rows) == 10 and all(r["verified_at_archive"] for r in rows)
    stored = {hashlib.sha256(bytes(s.signature_der)).hexdigest() for s in Signature.objects.all()}
    assert {r["signature_sha256"] for r in rows} == stored
    assert {r["certificate_fingerprint"] for r in rows} == set(
        Signature.objects.values_list("certificate_fingerprint", flat=True))


def _continue_to_contract(world, lot):
    members = [(e, "expert_technical") for e in world.experts[:4]] + [(world.experts[4], "expert_economic")]
    seat_committee(world.staff, lot, members, chair=world.experts[0])
    for member, _ in members:
        for bid in lot.bids.filter(state=BidState.OPENED):
            evaluation.score_submit(actor=member, bid=bid, technical="50", commercial="10")
    evaluation.report_generate(actor=world.experts[0], lot=lot)
    for member, _ in members:
        evaluation.report_sign(actor=member, lot=lot)
    result.candidates_publish(actor=world.tenderer, lot=lot)
    clock.advance(dt.timedelta(days=3, minutes=1))
    result.award_issue(actor=world.tenderer, lot=lot)
    result.contract_record(actor=world.tenderer, lot=lot, amount=PRICES[1], signed_on=clock.today(),
                           content=b"%PDF contract signed by both parties")
    lot.refresh_from_db()
    return lot


@pytest.mark.parametrize("case", [
    "other_center_staff_signs_opening_record", "bidder_signs_opening_record", "staff_with_an_experts_certificate",
    "non_member_expert_signs_report", "staff_signs_report", "losing_bidder_signs_contract",
    "tenderer_signs_award_with_a_bidders_certificate", "bidder_signs_award_notice",
])
def test_a_wrong_party_is_refused_and_nothing_is_saved(world, pki, case):
    # given a contracted lot and someone who is not the responsible party (or not the certificate's holder)
    lot = _contracted(world)
    actor, holder, purpose = {
        "other_center_staff_signs_opening_record": (world.other_staff, None, "opening_record"),
        "bidder_signs_opening_record": (world.bidders[0], world.bidder_entities[0], "opening_record"),
        "staff_with_an_experts_certificate": (world.staff, world.experts[0], "opening_record"),
        "non_member_expert_signs_report": (world.experts[6], None, "evaluation_report"),
        "staff_signs_report": (world.staff, None, "evaluation_report"),
        "losing_bidder_signs_contract": (world.bidders[0], world.bidder_entities[0], "contract"),
        "tenderer_signs_award_with_a_bidders_certificate": (world.tenderer, world.bidder_entities[1], "award_notice"),
        "bidder_signs_award_notice": (world.bidders[1], world.bidder_entities[1], "award_notice"),
    }[case]
    before = AuditEntry.objects.count()
    # when they sign, then they are refused
    with pytest.raises(NotAllowed):
        _sign(pki, lot, purpose, actor, holder=holder or actor)
    # and nothing was recorded
    assert Signature.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_a_signature_over_other_content_is_refused(world, pki):
    # given the staff's signature over something else than the opening record
    lot = _published(world)
    issued = _cert(pki, world.staff)
    der = sign_detached(b"another document", cert_pem=issued.pem, key_pem=issued.private_key_pem())
    # when it is uploaded, then it is refused and nothing is recorded
    with pytest.raises(DomainError) as refused:
        document_sign(actor=world.staff, lot=lot, purpose="opening_record", signature_der=der)
    assert "signature" in refused.value.errors
    assert Signature.objects.count() == 0


def test_a_document_changed_after_signing_no_longer_verifies(world, pki):
    # given a signed opening record and a signed evaluation report
    lot = _reported(world)
    _sign(pki, lot, "opening_record", world.staff)
    _sign(pki, lot, "evaluation_report", world.experts[0])
    assert all(v.verifies_now for s in _sections(world, lot).values() for v in s["signatures"])
    # when both are changed in the database behind the services' back
    record = OpeningRecord.objects.get(lot=lot)
    rows = record.rows
    rows[0]["price"] = "1.00"
    OpeningRecord.objects.filter(pk=record.pk).update(rows=rows)
    report = EvaluationReport.objects.get(lot=lot)
    ranking = list(reversed(report.ranking))
    EvaluationReport.objects.filter(pk=report.pk).update(ranking=ranking)
    # then neither verifies now, and the reason says the document was changed
    sections = _sections(world, lot)
    for purpose in ("opening_record", "evaluation_report"):
        (view,) = sections[purpose]["signatures"]
        assert not view.verifies_now and view.check.code == "content_changed"


def test_a_bid_is_signed_only_from_the_opening(world, pki):
    # given a submitted bid before the deadline
    lot = lot_ready(world)
    bid = _bid(world, lot, 0, PRICES[0])
    # when the bidder signs it then, it is refused (the record would reveal who bid)
    with pytest.raises(DomainError):
        _sign(pki, lot, "bid", world.bidders[0], holder=world.bidder_entities[0], bid=bid)
    assert Signature.objects.count() == 0


def test_ggzy_bid_sign_round_trip(world, pki, tmp_path, capsys):
    # given a lot at the opening and the bidder's signing certificate and key files
    lot = _opened(world)
    issued = _cert(pki, world.bidder_entities[1])
    (tmp_path / "sign.pem").write_bytes(issued.pem)
    (tmp_path / "sign.key").write_bytes(issued.private_key_pem())
    common = ["--server", "http://testserver", "--username", world.bidders[1].username, "--password",
              "pass-1234-ok", "--lot", str(lot.pk), "--cert", str(tmp_path / "sign.pem"),
              "--key", str(tmp_path / "sign.key")]
    # when ggzy-bid signs the bid
    code = bidclient.main(["sign", *common, "--purpose", "bid", "--out", str(tmp_path / "bid.p7s")],
                          transport=_DjangoTransport())
    # then the signature is recorded against the bid, is the file it wrote, and verifies
    assert code == 0, capsys.readouterr().err
    record = Signature.objects.get()
    assert bytes(record.signature_der) == (tmp_path / "bid.p7s").read_bytes()
    assert record.object_id == str(lot.bids.get(bidder=world.bidder_entities[1]).pk)
    assert record.signer_credit_code == world.bidder_entities[1].credit_code
    # and signing a document the bidder is not responsible for fails with a message, nothing stored
    assert bidclient.main(["sign", *common, "--purpose", "opening_record"], transport=_DjangoTransport()) == 1
    assert "HTTP 403" in capsys.readouterr().err
    assert Signature.objects.count() == 1


def test_content_endpoint_serves_the_canonical_bytes(world, pki):
    # given a published opening record
    lot = _published(world)
    # when anyone fetches it (the record is public once published)
    response = Client().get(f"/api/v1/tendering/lots/{lot.pk}/documents/opening_record/content")
    # then it is the document's canonical bytes with their hash
    document = documents.document_of(lot, "opening_record")
    assert response.status_code == 200 and response.content == document.content
    assert response["X-Content-SHA256"] == document.sha256


@pytest.mark.parametrize("who", ["anonymous", "bidder", "other_center_staff"])
def test_signature_endpoint_refuses_others_and_changes_nothing(world, pki, who):
    # given a published opening record and a valid signature by the lot's staff
    lot = _published(world)
    issued = _cert(pki, world.staff)
    der = sign_detached(documents.document_of(lot, "opening_record").content, cert_pem=issued.pem,
                        key_pem=issued.private_key_pem())
    client = Client()
    viewer = {"anonymous": None, "bidder": world.bidders[0], "other_center_staff": world.other_staff}[who]
    if viewer is not None:
        client.force_login(viewer)
    before = AuditEntry.objects.count()
    # when someone else posts it
    response = client.post(f"/api/v1/tendering/lots/{lot.pk}/documents/opening_record/signatures",
                           data={"signature": base64.b64encode(der).decode()}, content_type="application/json")
    # then it is refused and nothing changed
    assert response.status_code in (401, 403)
    assert Signature.objects.count() == 0 and AuditEntry.objects.count() == before


def test_staff_uploads_a_p7s_on_the_lot_page_and_sees_it_verified(world, pki, django_assert_max_num_queries):
    # given a published opening record and the staff's .p7s over its canonical bytes
    lot = _published(world)
    issued = _cert(pki, world.staff)
    der = sign_detached(documents.document_of(lot, "opening_record").content, cert_pem=issued.pem,
                        key_pem=issued.private_key_pem())
    client = Client()
    client.force_login(world.staff)
    # when the staff uploads it through the page
    response = client.post(f"/tendering/lots/{lot.pk}/act/sign_document/",
                           {"purpose": "opening_record", "signature": SimpleUploadedFile("record.p7s", der)})
    assert response.status_code == 302
    # then the lot page shows the signer, the certificate and that it verifies now
    with django_assert_max_num_queries(80):
        page = Client().get(f"/tendering/lots/{lot.pk}/").content.decode()
    assert "签章" in page and "验证通过" in page and issued.certificate.subject.rfc4514_string()[:10] in page
    assert Signature.objects.get().recorded_by == world.staff
