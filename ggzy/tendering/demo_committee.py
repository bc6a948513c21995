"""The demo's committees: each member signs the recusal declaration with a person certificate of the test PKI (as
a member does on the lot page through the certificate agent), over the exact statement text."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ggzy.pki.models import Algorithm
from ggzy.pki.services import ca_register, crl_import
from ggzy.pki.testpki import ca_new

from .services import committee

# user name → (certificate PEM, private key) for the demo members' declarations, set by ``declaration_keys``
_KEYS: dict[str, tuple[str, ec.EllipticCurvePrivateKey]] = {}


def fresh_ca(*, not_before: dt.datetime, days: int):
    """An ECDSA root for the declarations when var/pki is younger than the archived lot's steps: registered in the
    trust store with an empty CRL valid for ``days``. Returns (certificate, key) like the demo CA."""
    ca = ca_new(name="GGZY演示评标专家CA", algorithm=Algorithm.ECDSA, not_before=not_before)
    ca_register(actor=None, certificate=ca.issued.pem)
    crl_import(actor=None, crl=ca.crl(this_update=not_before, next_update=not_before + dt.timedelta(days=days)))
    return ca.issued.certificate, ca.issued.private_key


def declaration_keys(users, *, ca, issue, directory: Path) -> None:
    """Person certificates (issued by ``issue(ca_certificate, ca_key, user, directory)``, valid from a day before
    the platform clock) for every demo member who declares."""
    ca_certificate, ca_key = ca
    for user in users:
        pem, key_pem = issue(ca_certificate, ca_key, user, directory)
        private_key = serialization.load_pem_private_key(key_pem, password=None)
        assert isinstance(private_key, ec.EllipticCurvePrivateKey)
        x509.load_pem_x509_certificate(pem)  # readable
        _KEYS[user.username] = (pem.decode(), private_key)


def declare(user, lot, *, recuse: bool = False, reason: str = ""):
    """The member signs the statement (naming the bidders) with their certificate and declares."""
    pem, key = _KEYS[user.username]
    text = committee.recusal_statement_text(lot, user, recuse=recuse, reason=reason)
    signature = base64.b64encode(key.sign(text.encode("utf-8"), ec.ECDSA(hashes.SHA256()))).decode()
    return committee.recusal_declare(actor=user, lot=lot, confirm=True, recuse=recuse, reason=reason,
                                     certificate_pem=pem, signature=signature)


def signing_ready(started: dt.datetime, ca_certificate) -> bool:
    """Whether the demo CA was valid a day before ``started`` (else a fresh CA signs the declarations)."""
    return ca_certificate.not_valid_before_utc <= started - dt.timedelta(days=2)
