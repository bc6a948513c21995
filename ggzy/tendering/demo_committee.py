"""The demo's committees: each member signs the recusal declaration with a person certificate of the test PKI (as
a member does on the lot page through the certificate agent), over the exact statement text."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ggzy.core import clock
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


# 实施条例 第四十七条: the one demo lot whose committee is appointed directly shows why a draw could not serve.
DEMO_DIRECT_REASON = ("本项目采用管道非开挖修复专利工艺，技术复杂、专业性强，随机抽取的专家难以胜任，"
                      "依招标投标法实施条例第四十七条由招标人直接确定评标专家（演示数据）")
# four technical seats for 施工, one economic seat for 工程造价, drawn in Jinan (see experts.demo)
DEMO_NEEDS = [("A08", 4, "technical"), ("A06", 1, "economic")]
DEMO_DRAW_REGIONS = ["370100"]


def committee_by_draw(staff, witness, lot):
    """The center requests the draw, the ledger's next checkpoint fixes the beacon, the draw runs with the witness,
    the drawn experts confirm, the committee is formed from the draw and every member declares (signed). Returns the
    chair (the first expert drawn)."""
    from ggzy.ledger.services import checkpoint_issue

    from .expert_draws import gateway
    from .models import CommitteeMember

    formation = committee.committee_draw_request(
        actor=staff, lot=lot, needs=DEMO_NEEDS, size=5, regions_include=DEMO_DRAW_REGIONS,
        scheduled_at=clock.now() + dt.timedelta(hours=1))
    request_id = formation.draw_request_id or 0
    checkpoint_issue()
    draw = gateway()
    draw.run(actor=staff, request_id=request_id, witness=witness)
    for invitation in draw.invitations(request_id):
        draw.answer(actor=invitation.user, drawn=invitation.drawn, accept=True)
    committee.committee_form_from_draw(actor=staff, lot=lot)
    members = list(CommitteeMember.objects.filter(lot=lot).select_related("user").order_by("pk"))
    for member in members:
        declare(member.user, lot)
    return next(m.user for m in members if m.is_chair)


def committee_direct(staff, lot, experts):
    """The direct appointment (with its reason): five experts, the first chairs; each declares (signed)."""
    committee.committee_appoint_direct(actor=staff, lot=lot, reason=DEMO_DIRECT_REASON,
                                       members=[(e, "expert_technical") for e in experts[:4]]
                                       + [(experts[4], "expert_economic")], chair=experts[0])
    for expert in experts[:5]:
        declare(expert, lot)
    return experts[0]
