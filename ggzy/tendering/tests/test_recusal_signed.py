"""The recusal declaration is signed with the member's certificate over the exact statement text (which names the
bidders): a good signature is kept; another text, another member's certificate, a revoked certificate or no
signature at all is refused in Chinese and nothing is stored. The API gives the text to sign and takes a raw
signature with its certificate or a detached CMS SignedData."""

from __future__ import annotations

import base64
import json

import pytest

from ggzy.accounts.roles import Role
from ggzy.core.errors import DomainError
from ggzy.pki.login import signature_valid
from ggzy.tendering import bidclient
from ggzy.tendering.models import CommitteeMember, RecusalDeclaration
from ggzy.tendering.services import committee

from .conftest import seat_committee
from .recusal_signing import certificate_of, sign_text, trust
from .test_committee import _opened


@pytest.fixture
def seated(world):
    """A lot after the opening, with a committee of five experts who have not declared yet."""
    lot = _opened(world)
    seat_committee(world.staff, lot, [(e, "expert_technical") for e in world.experts[:5]], chair=world.experts[0],
                   declare=False)
    return lot


def _declare(user, lot, *, text: str, issued, recuse=False, reason=""):
    return committee.recusal_declare(actor=user, lot=lot, confirm=True, recuse=recuse, reason=reason,
                                     certificate_pem=issued.pem.decode(), signature=sign_text(issued, text))


def test_a_good_signature_over_the_statement_is_kept(world, seated):
    # given an expert with a bound person certificate and the statement that names the bidders
    expert = world.experts[1]
    issued = certificate_of(expert)
    text = committee.recusal_statement_text(seated, expert)
    assert world.bidder_entities[0].name in text
    # when they sign it and declare
    declaration = _declare(expert, seated, text=text, issued=issued)
    # then the declaration keeps the text, the certificate and the signature
    assert declaration.statement == text
    assert declaration.certificate_pem == issued.pem.decode().strip()
    assert signature_valid(issued.certificate, text.encode(), bytes(declaration.signature))
    assert declaration.certificate_fingerprint and declaration.signature_format == "raw"


@pytest.mark.parametrize("case", ["other_text", "other_certificate", "revoked", "unsigned", "garbage"])
def test_a_wrong_signature_is_refused_and_nothing_is_stored(world, seated, case):
    # given an expert, their certificate, and one way of getting the signature wrong
    expert, other = world.experts[1], world.experts[2]
    issued = certificate_of(expert)
    text = committee.recusal_statement_text(seated, expert)
    kwargs = {"certificate_pem": issued.pem.decode(), "signature": sign_text(issued, text)}
    if case == "other_text":  # signed "no conflict" but declares a recusal
        kwargs["signature"] = sign_text(issued, text)
        kwargs |= {"recuse": True, "reason": "近亲属在投标人处任职"}
    elif case == "other_certificate":  # another member's certificate and key
        theirs = certificate_of(other)
        kwargs = {"certificate_pem": theirs.pem.decode(), "signature": sign_text(theirs, text)}
    elif case == "revoked":
        trust(revoked=(issued.certificate.serial_number,))
    elif case == "unsigned":
        kwargs = {"certificate_pem": "", "signature": ""}
    else:
        kwargs["signature"] = "不是签名"
    # when they declare with it
    with pytest.raises(DomainError) as refused:
        committee.recusal_declare(actor=expert, lot=seated, confirm=True, **kwargs)
    # then the refusal is in Chinese and names the field; nothing is stored, the member keeps their seat
    assert set(refused.value.errors) & {"signature", "certificate"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)
    if case == "revoked":
        assert "吊销" in refused.value.message
    assert not RecusalDeclaration.objects.filter(lot=seated).exists()
    assert CommitteeMember.objects.filter(lot=seated, user=expert).exists()


def test_a_recusal_signed_over_its_reason_is_kept(world, seated):
    # given the text of a recusal with its reason
    expert = world.experts[1]
    issued = certificate_of(expert)
    text = committee.recusal_statement_text(seated, expert, recuse=True, reason="近亲属在投标人处任职")
    # when signed and declared
    declaration = _declare(expert, seated, text=text, issued=issued, recuse=True, reason="近亲属在投标人处任职")
    # then the recusal is kept and the member leaves the committee
    assert declaration.recused and "近亲属在投标人处任职" in declaration.statement
    assert not CommitteeMember.objects.filter(lot=seated, user=expert).exists()


def _statement(client, url, body=None):
    return client.post(url, json.dumps(body or {}, ensure_ascii=False), content_type="application/json")


def test_statement_api_answers_members_only(world, seated, client, make_user):
    url = f"/api/v1/tendering/lots/{seated.pk}/recusal/statement"
    # given anonymous → refused
    assert _statement(client, url).status_code in (401, 403)
    # given a bidder (wrong role) → refused
    client.force_login(world.bidders[0])
    assert _statement(client, url).status_code == 403
    # given an expert who is not on this committee → refused
    client.force_login(make_user(Role.EXPERT))
    assert _statement(client, url).status_code == 403
    # given a member → the exact text to sign, with the decision and reason taken from the POST body
    client.force_login(world.experts[1])
    answer = _statement(client, url, {"recuse": True, "reason": "曾在投标人处任职"}).json()
    assert answer["statement"] == committee.recusal_statement_text(seated, world.experts[1], recuse=True,
                                                                   reason="曾在投标人处任职")


def test_statement_reason_travels_in_the_body_never_in_the_url(world, seated, client):
    url = f"/api/v1/tendering/lots/{seated.pk}/recusal/statement"
    client.force_login(world.experts[1])
    # when the reason is put in the URL query (the former GET), it is not an accepted way to ask
    assert client.get(url, {"recuse": "true", "reason": "曾在投标人处任职"}).status_code == 405
    # a query string on the POST is ignored: the statement is built from the body only
    posted = client.post(f"{url}?recuse=true&reason=URL理由", "{}", content_type="application/json").json()
    assert "URL理由" not in posted["statement"]
    assert posted["statement"] == committee.recusal_statement_text(seated, world.experts[1], recuse=False, reason="")
    # malformed JSON and an over-long reason answer in Chinese, naming the field
    bad = client.post(url, "{not json", content_type="application/json")
    assert bad.status_code == 400 and any("\u4e00" <= ch <= "\u9fff" for ch in json.dumps(bad.json(), ensure_ascii=False))
    long = _statement(client, url, {"recuse": True, "reason": "理" * 100_001})
    assert long.status_code in (400, 422) and "reason" in json.dumps(long.json(), ensure_ascii=False)


def test_statement_api_checks_csrf_for_a_session(world, seated):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.experts[1])
    url = f"/api/v1/tendering/lots/{seated.pk}/recusal/statement"
    # without the page's CSRF token the session's POST is refused
    assert _statement(browser, url, {"recuse": True, "reason": "x"}).status_code == 403


def test_api_takes_a_detached_cms_signature(world, seated, client):
    # given a member who signs the statement with a CMS tool (ggzy-bid's signing)
    expert = world.experts[1]
    issued = certificate_of(expert)
    client.force_login(expert)
    text = _statement(client, f"/api/v1/tendering/lots/{seated.pk}/recusal/statement").json()["statement"]
    certificate, private_key = bidclient.load_credentials_pem(issued.pem, issued.private_key_pem())
    cms = bidclient.sign_content(text.encode(), certificate=certificate, private_key=private_key)
    url = f"/api/v1/tendering/lots/{seated.pk}/recusal"
    # when posting it unsigned first, then signed
    unsigned = client.post(url, json.dumps({"confirm": True}), content_type="application/json")
    signed = client.post(url, json.dumps({"confirm": True, "signature": base64.b64encode(cms).decode()}),
                         content_type="application/json")
    # then the unsigned one is refused naming the field, the signed one is kept as CMS
    assert unsigned.status_code == 400 and "signature" in unsigned.json()["errors"]
    assert signed.status_code == 201, signed.content.decode()
    assert RecusalDeclaration.objects.get(lot=seated, user=expert).signature_format == "cms"
