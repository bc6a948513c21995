"""The online opening hall (不见面开标): a bidder of the lot signs in at the opening by signing a challenge with its
certificate, and the chronograph decrypts platform-sealed bids of opened lots without a human.

The challenge lives in the session like the certificate login's (``pki.login``) but names the lot and the account,
so a login challenge cannot be replayed as a sign-in nor one lot's sign-in as another's. The certificate must be
valid for digital signatures now (trust store, CRL) and map to the signed-in account by the certificate login's own
rule (an entity certificate → an account of that entity; a person certificate → the account it is bound to).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.pki import certificates as certs
from ggzy.pki.login import (
    CHALLENGE_TTL,
    Challenge,
    account_for_certificate,
    signature_decode,
    signature_valid,
)
from ggzy.pki.validation import validate_certificate

from .. import policies, sealing
from ..choices import BidState, LotState
from ..models import Bid, HallSignIn, Lot
from ..procedures import lot_fresh
from .opening import opening_decrypt_all

HALL_CHALLENGES_KEY = "ggzy_hall_challenges"
MAX_PENDING = 5
CHALLENGE_TITLE = "山东省公共资源交易平台不见面开标签到"
SIGN_IN_STATES = (LotState.PUBLISHED, LotState.OPENING)  # published: only once its deadline has passed


def hall_bidder(*, user, lot: Lot):
    """The market entity ``user`` acts for when it has a bid (not withdrawn) in ``lot``, else None. Found by the
    entity's per-lot tag, so it works before the opening while identities are sealed."""
    if getattr(user, "role", None) != "bidder":
        return None
    entity = policies.acting_entity(user)
    if entity is None:
        return None
    tag = sealing.bidder_tag(lot_id=lot.pk, entity_id=entity.pk)
    has_bid = Bid.objects.filter(lot=lot, bidder_tag=tag).exclude(state=BidState.WITHDRAWN).exists()
    return entity if has_bid else None


def _challenge_text(*, lot: Lot, user, origin: str, nonce: str, at: dt.datetime) -> str:
    when = timezone.localtime(at).isoformat(timespec="seconds")
    return (f"{CHALLENGE_TITLE}\norigin: {origin}\nlot: {lot.code}\naccount: {user.username}\nnonce: {nonce}\n"
            f"time: {when}")


def hall_challenge_issue(*, actor, session: Any, lot: Lot, origin: str) -> Challenge:
    """A fresh sign-in challenge for ``actor`` in ``lot``, kept in the session (a few pending at once)."""
    if hall_bidder(user=actor, lot=lot) is None:
        raise NotAllowed("只有本标段的投标人可以签到")
    now = clock.now()
    nonce = secrets.token_hex(16)
    challenge = Challenge(nonce=nonce, text=_challenge_text(lot=lot, user=actor, origin=origin, nonce=nonce, at=now),
                          expires_at=now + CHALLENGE_TTL)
    pending = dict(session.get(HALL_CHALLENGES_KEY) or {})
    pending[nonce] = {"lot": lot.pk, "text": challenge.text, "expires_at": challenge.expires_at.isoformat()}
    session[HALL_CHALLENGES_KEY] = dict(sorted(pending.items(), key=lambda item: item[1]["expires_at"])[-MAX_PENDING:])
    return challenge


def _challenge_consume(session: Any, *, nonce: str, lot: Lot) -> str:
    pending = dict(session.get(HALL_CHALLENGES_KEY) or {})
    entry = pending.pop((nonce or "").strip(), None) if nonce else None
    session[HALL_CHALLENGES_KEY] = pending
    if entry is None or entry["lot"] != lot.pk:
        raise DomainError("签到挑战码无效或已使用，请刷新页面后重新签名", field="nonce")
    if dt.datetime.fromisoformat(entry["expires_at"]) < clock.now():
        raise DomainError("签到挑战码已过期（有效期5分钟），请刷新页面后重新签名", field="nonce")
    return entry["text"]


def hall_sign_in(*, actor, session: Any, lot: Lot, certificate_pem: str, signature: str, nonce: str) -> HallSignIn:
    """签到: check the signed challenge and record the bidder's sign-in (once per bidder and lot)."""
    lot = lot_fresh(lot)
    entity = hall_bidder(user=actor, lot=lot)
    if entity is None:
        raise NotAllowed("只有本标段的投标人可以签到")
    now = clock.now()
    if lot.bid_deadline is None or now < lot.bid_deadline:
        raise Conflict("投标截止（开标）时间到达后方可签到", field="state")
    if lot.state not in SIGN_IN_STATES:
        raise Conflict("开标已结束，不能再签到", field="state")
    if HallSignIn.objects.filter(lot=lot, bidder=entity).exists():
        raise Conflict("本单位已签到", field="state")
    certificate_pem = (certificate_pem or "").strip()
    if not certificate_pem:
        raise DomainError("请选择证书文件", field="certificate")
    text = _challenge_consume(session, nonce=nonce, lot=lot)
    checked = validate_certificate(certificate_pem, at=now, usage="digital_signature")
    if not checked.ok or checked.subject is None:
        raise DomainError(f"证书不能用于签到：{checked.reason or '证书主体无法识别'}", field="certificate")
    raw = signature_decode(signature)
    if not signature_valid(certs.certificate_load(certificate_pem), text.encode("utf-8"), raw):
        raise DomainError("签名验证失败：签名不是用该证书的私钥对本次签到挑战码所做", field="signature")
    if account_for_certificate(checked.subject, username=actor.username) != actor:
        raise DomainError("该证书不属于当前登录的账户", field="certificate")
    try:
        with transaction.atomic():
            sign_in = HallSignIn.objects.create(
                lot=lot, bidder=entity, user=actor, signed_in_at=now,
                certificate_subject=(checked.subject.common_name or "")[:255],
                certificate_fingerprint=checked.subject.fingerprint, certificate_pem=certificate_pem,
                challenge=text, signature=raw)
            audit_record(actor=actor, action="opening.hall_sign_in", obj=sign_in, center_id=lot.project.center_id,
                         after={"lot": lot.code, "certificate": checked.subject.fingerprint})
    except IntegrityError:
        raise Conflict("本单位已签到", field="state") from None
    return sign_in


def openings_decrypt_due() -> int:
    """The chronograph's second step: decrypt the platform-sealed bids of every lot being opened (each bid in its
    own transaction, so the hall shows them one by one). Bids sealed by their bidder wait for the bidder."""
    count = 0
    pending = (Lot.objects.filter(state=LotState.OPENING, bids__state=BidState.SUBMITTED, bids__sealed_by="platform")
               .distinct())
    for lot in pending:
        count += len(opening_decrypt_all(actor=None, lot=lot))
    return count
