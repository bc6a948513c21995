"""Test helper: members sign their recusal declaration with a person certificate of a small test CA (ECDSA, made
once per run), trusted and bound to their account in the test's database on first use."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from ggzy.core import clock
from ggzy.core.errors import Conflict
from ggzy.pki import certificates as certs
from ggzy.pki.bindings import person_certificate_account, person_certificate_register
from ggzy.pki.models import Algorithm, TrustedCA
from ggzy.pki.services import ca_register, crl_import
from ggzy.pki.testpki import O_CN, O_COUNTRY, O_SERIAL, O_UNIT, SIGN_USAGES, Issued, TestCA, ca_new

_START = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
_STATE: dict = {}


def test_ca() -> TestCA:
    if "ca" not in _STATE:
        _STATE["ca"] = ca_new(name="回避声明测试CA", algorithm=Algorithm.ECDSA, not_before=_START, years=40)
    return _STATE["ca"]


def trust(*, revoked: tuple[int, ...] = ()) -> None:
    """The test CA in the trust store, with a CRL (revoking ``revoked`` serials) current at the platform clock."""
    ca = test_ca()
    if not TrustedCA.objects.filter(fingerprint=certs.fingerprint(ca.issued.certificate)).exists():
        ca_register(actor=None, certificate=ca.issued.pem)
    now = clock.now()
    _STATE["crl"] = _STATE.get("crl", 0) + 1
    # each CRL a little newer than the one before, so the latest one is the one in force
    crl = ca.crl(this_update=now - dt.timedelta(hours=1) + dt.timedelta(seconds=_STATE["crl"]), next_update=now + dt.timedelta(days=365),
                 revoked=[(s, now - dt.timedelta(minutes=30)) for s in revoked], number=_STATE["crl"])
    with contextlib.suppress(Conflict):
        crl_import(actor=None, crl=crl)


def certificate_of(user) -> Issued:
    """The user's person signing certificate, bound to the account (issued once per user name and run)."""
    issued = _STATE.setdefault("users", {}).get(user.username)
    if issued is None:
        subject = [(O_COUNTRY, "CN"), (O_UNIT, "个人"), (O_SERIAL, user.username), (O_CN, user.display_name or user.username)]
        issued = test_ca().issue(label=user.username, subject=subject, usages=SIGN_USAGES, not_before=_START,
                                 not_after=_START + dt.timedelta(days=365 * 30))
        _STATE["users"][user.username] = issued
    if not TrustedCA.objects.filter(fingerprint=certs.fingerprint(test_ca().issued.certificate)).exists():
        trust()
    if person_certificate_account(certs.fingerprint(issued.certificate)) is None:
        person_certificate_register(actor=None, user=user, certificate_pem=issued.pem.decode())
    return issued


def sign_text(issued: Issued, text: str) -> str:
    """A raw ECDSA-SHA256 signature (DER, base64) over the UTF-8 text — what the certificate agent returns."""
    return base64.b64encode(issued.private_key.sign(text.encode("utf-8"), ec.ECDSA(hashes.SHA256()))).decode()


def declare(user, lot, *, recuse: bool = False, reason: str = ""):
    """The member reads the statement, signs it with their certificate and declares."""
    from ggzy.tendering.services import committee

    issued = certificate_of(user)
    text = committee.recusal_statement_text(lot, user, recuse=recuse, reason=reason)
    return committee.recusal_declare(actor=user, lot=lot, confirm=True, recuse=recuse, reason=reason,
                                     certificate_pem=issued.pem.decode(), signature=sign_text(issued, text))


def signed_fields(user, lot, *, recuse: bool = False, reason: str = "") -> dict[str, str]:
    """The hidden fields the lot page's script fills before posting the declaration form."""
    from ggzy.tendering.services import committee

    issued = certificate_of(user)
    text = committee.recusal_statement_text(lot, user, recuse=recuse, reason=reason)
    return {"certificate": issued.pem.decode(), "signature": sign_text(issued, text)}


def sign_with_key_file(page, user, directory) -> None:
    """No certificate agent on the test machine: the member opens the warned key-file choice, picks their
    certificate and key, and signs; the page fetches the statement, signs it and posts the form."""
    issued = certificate_of(user)
    cert, key = directory / f"{user.username}.pem", directory / f"{user.username}.key"
    cert.write_bytes(issued.pem)
    key.write_bytes(issued.private_key_pem())
    page.click("details.keyfile-fallback summary")
    page.set_input_files("#cert-file", str(cert))
    page.set_input_files("#key-file", str(key))
    with page.expect_navigation():
        page.click("#recusal-button")
    errors = page.locator("li.msg-error")
    assert errors.count() == 0, errors.first.inner_text()
