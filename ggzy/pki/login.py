"""Certificate login (证书登录): a server challenge signed with the certificate's key, checked against the trust store.

The challenge lives in the session (no table): ``certificate_challenge_issue`` stores a random nonce with its text
and expiry; ``certificate_login`` takes it out again before anything else (one use, whatever the outcome), checks
the certificate with ``validate_certificate(usage="digital_signature")`` at ``clock.now()``, verifies the signature
(ECDSA / RSA PKCS#1 v1.5 through pyca ``cryptography``; SM2 with SM3 and the default user ID through ``pki.sm``)
and maps the certificate to an account. A certificate from any registered, enabled CA works at every center.

Mapping rule:
* an entity certificate (a valid credit code in the subject) → an active bidder / tenderer / agency account linked
  to that market entity; with several, the one named by ``username`` when given, otherwise the first linked
  (earliest ``linked_at``). pki knows no entities: the registry registers the function that lists those accounts
  (``register_account_resolver``);
* a person certificate → the active account it is bound to by its SHA-256 fingerprint (``pki.bindings``: bound by
  its holder with a signed challenge, or registered by an administrator). Names are not unique, so a person
  certificate with no binding signs in as nobody, whatever name it carries.
The certificate replaces the password, not the second factor: staff, supervisors and administrators still enter
their TOTP code afterwards.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.utils import timezone

from ggzy.core import clock
from ggzy.core.errors import DomainError

from . import certificates as certs
from . import sm, sm2x509
from .validation import validate_certificate

CHALLENGE_TTL = dt.timedelta(minutes=5)
CHALLENGES_KEY = "ggzy_cert_challenges"
USED_KEY = "ggzy_cert_challenges_used"
MAX_PENDING = 5
MAX_USED = 20
CHALLENGE_TITLE = "山东省公共资源交易平台证书登录"

# Called as hook(user=…, subject=…) once a certificate login has been checked. Apps above pki register here (the
# registry verifies the account's market entity when the subject carries its credit code): pki imports none of them.
_after_login: list[Callable[..., Any]] = []


def register_after_login(hook: Callable[..., Any]) -> None:
    """Let an app above pki act on each successful certificate login (keyword arguments ``user`` and ``subject``)."""
    if hook not in _after_login:
        _after_login.append(hook)


# Called as resolver(subject) for an entity certificate: the active accounts acting for the market entity whose
# credit code the subject carries, in the order they were linked (the first is the default). The registry registers
# it at startup (RegistryConfig.ready); pki imports neither the registry nor accounts.
_account_resolvers: list[Callable[[certs.SubjectInfo], Sequence[Any]]] = []


def register_account_resolver(resolver: Callable[[certs.SubjectInfo], Sequence[Any]]) -> None:
    """Let an app above pki say which accounts an entity certificate may sign in as (see ``_account_resolvers``)."""
    if resolver not in _account_resolvers:
        _account_resolvers.append(resolver)


def entity_certificate_accounts(subject: certs.SubjectInfo) -> list[Any]:
    """The accounts the registered resolvers give for an entity certificate, in order, without repeats."""
    accounts: list[Any] = []
    for resolver in _account_resolvers:
        accounts.extend(user for user in resolver(subject) if user not in accounts)
    return accounts


@dataclass(frozen=True)
class Challenge:
    """A nonce to sign, the exact text the client signs, and when it stops being accepted."""

    nonce: str
    text: str
    expires_at: dt.datetime


def challenge_text(*, nonce: str, origin: str, at: dt.datetime) -> str:
    """The signed text: a title, the site origin, the nonce and the time, one per line (UTF-8 when signed)."""
    when = timezone.localtime(at).isoformat(timespec="seconds")
    return f"{CHALLENGE_TITLE}\norigin: {origin}\nnonce: {nonce}\ntime: {when}"


def certificate_challenge_issue(*, session: Any, origin: str) -> Challenge:
    """A fresh challenge, kept in ``session`` (a few pending at once, for several open tabs)."""
    now = clock.now()
    nonce = secrets.token_hex(16)
    challenge = Challenge(nonce=nonce, text=challenge_text(nonce=nonce, origin=origin, at=now),
                          expires_at=now + CHALLENGE_TTL)
    pending = dict(session.get(CHALLENGES_KEY) or {})
    pending[nonce] = {"text": challenge.text, "expires_at": challenge.expires_at.isoformat()}
    newest = sorted(pending.items(), key=lambda item: item[1]["expires_at"])[-MAX_PENDING:]
    session[CHALLENGES_KEY] = dict(newest)
    return challenge


def _challenge_consume(session: Any, nonce: str) -> str:
    """The challenge text for ``nonce``, removed from the session; refuses an unknown, used or expired nonce."""
    nonce = (nonce or "").strip()
    pending = dict(session.get(CHALLENGES_KEY) or {})
    used = list(session.get(USED_KEY) or [])
    entry = pending.pop(nonce, None) if nonce else None
    if entry is not None:
        session[CHALLENGES_KEY] = pending
        session[USED_KEY] = (used + [nonce])[-MAX_USED:]
    if entry is None:
        if nonce and nonce in used:
            raise DomainError("挑战码已使用过（每个挑战码只能用于一次登录），请刷新页面后重新签名", field="nonce")
        raise DomainError("挑战码无效或不属于本次会话，请刷新页面后重新签名", field="nonce")
    if dt.datetime.fromisoformat(entry["expires_at"]) < clock.now():
        raise DomainError("挑战码已过期（有效期5分钟），请刷新页面后重新签名", field="nonce")
    return entry["text"]


def signature_decode(value: str) -> bytes:
    """Base64 (standard or URL-safe, padding optional) or hex."""
    text = "".join((value or "").split())
    if not text:
        raise DomainError("请提供签名值", field="signature")
    try:
        if all(c in "0123456789abcdefABCDEF" for c in text) and len(text) % 2 == 0 and len(text) >= 128:
            return bytes.fromhex(text)
        text = text.replace("-", "+").replace("_", "/")
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise DomainError("签名值格式错误（应为Base64编码）", field="signature") from None


_CURVE_HASH: dict[int, type[hashes.HashAlgorithm]] = {256: hashes.SHA256, 384: hashes.SHA384, 521: hashes.SHA512}


def signature_valid(certificate: x509.Certificate, message: bytes, signature: bytes) -> bool:
    """Whether the certificate's key signed ``message``. ECDSA accepts DER or raw r‖s (WebCrypto's form), hashed
    with SHA-256/384/512 by curve size; RSA is PKCS#1 v1.5 with SHA-256; SM2 is SM3 with the default user ID."""
    sm2_key = sm2x509.sm2_public_key_of(certificate)
    if sm2_key is not None:
        return sm.sm2_verify(sm2_key, message, signature, user_id=sm.DEFAULT_USER_ID)
    try:
        key = certificate.public_key()
        if isinstance(key, ec.EllipticCurvePublicKey):
            size = (key.curve.key_size + 7) // 8
            if len(signature) == 2 * size:
                signature = encode_dss_signature(int.from_bytes(signature[:size], "big"),
                                                 int.from_bytes(signature[size:], "big"))
            key.verify(signature, message, ec.ECDSA(_CURVE_HASH.get(key.curve.key_size, hashes.SHA256)()))
            return True
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
            return True
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return False


def account_for_certificate(subject: certs.SubjectInfo, *, username: str = "") -> Any:
    """The account a validated certificate signs in as (see the module docstring for the rule)."""
    username = (username or "").strip()
    if subject.is_entity:
        users = entity_certificate_accounts(subject)
        if not users:
            raise DomainError(f"证书所属市场主体（统一社会信用代码 {subject.credit_code}）在平台上没有可用的账户，"
                              "请先完成主体注册并关联账户", field="certificate")
        if username:
            chosen = next((user for user in users if user.username == username), None)
            if chosen is None:
                raise DomainError("所选账户不属于该证书的市场主体", field="username")
            return chosen
        return users[0]
    from .bindings import person_certificate_account

    user = person_certificate_account(subject.fingerprint)
    if user is None:
        raise DomainError(f"个人证书“{subject.common_name}”尚未绑定平台账户：请先用密码登录，在“我的证书”中绑定"
                          "（或请管理员登记）", field="certificate")
    if username and user.username != username:
        raise DomainError("所选账户与该证书绑定的账户不一致", field="username")
    return user


def throttle_key(certificate_pem: str) -> str:
    """The name failed attempts are counted under: the certificate's fingerprint (or the raw text's start)."""
    try:
        return "cert:" + certs.fingerprint(certs.certificate_load(certificate_pem))
    except (certs.CertificateFormatError, ValueError):
        return "cert:unreadable"


def certificate_login(*, session: Any, certificate_pem: str, signature: str, nonce: str, address: str | None,
                      username: str = "") -> Any:
    """Check a signed challenge and return the account to sign in. Refuses (DomainError, in Chinese, saying why)
    when the challenge is unknown, used or expired, when the certificate is not valid for digital signatures now,
    when the signature does not verify, or when no account matches. Throttling and recording attempts belong to
    the caller (``accounts.services.certificate_sign_in``, keyed by ``throttle_key``): pki knows no accounts."""
    certificate_pem = (certificate_pem or "").strip()
    if not certificate_pem:
        raise DomainError("请选择证书文件", field="certificate")
    text = _challenge_consume(session, nonce)
    result = validate_certificate(certificate_pem, at=clock.now(), usage="digital_signature")
    if not result.ok:
        raise DomainError(f"证书不能用于登录：{result.reason}", field="certificate")
    raw = signature_decode(signature)
    if not signature_valid(certs.certificate_load(certificate_pem), text.encode("utf-8"), raw):
        raise DomainError("签名验证失败：签名不是用该证书的私钥对本次挑战码所做（私钥与证书不匹配，或内容被改动）",
                          field="signature")
    if result.subject is None:
        raise DomainError("证书主体无法识别", field="certificate")
    subject = result.subject
    user = account_for_certificate(subject, username=username)
    for hook in _after_login:
        hook(user=user, subject=subject)
    return user
