"""Person certificates bound to accounts by fingerprint (个人证书绑定).

A market entity's certificate names its entity (the credit code) and maps to the entity's accounts; a person's
certificate names only a person, and names are not unique. So a person certificate signs in, and signs documents,
as an account only through a binding of its SHA-256 fingerprint:
* the holder binds it while signed in (password, and TOTP for staff), proving possession by signing a fresh
  challenge with the certificate's key (``person_certificate_bind``); or
* an administrator registers it for an account (``person_certificate_register``; marked as not proven).
A certificate is bound to at most one account at a time; a binding ends when its holder or an administrator
removes it. The certificate must be valid for digital signatures when bound; each use validates it again.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding
from django.db import IntegrityError, transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed

from . import certificates as certs
from .login import _challenge_consume, signature_decode, signature_valid
from .models import PersonCertificate
from .policies import can_manage_trust_store
from .validation import validate_certificate


def _person_certificate_check(*, user: Any, certificate_pem: str):
    certificate_pem = (certificate_pem or "").strip()
    if not certificate_pem:
        raise DomainError("请选择证书文件", field="certificate")
    result = validate_certificate(certificate_pem, at=clock.now(), usage="digital_signature")
    if not result.ok or result.subject is None:
        raise DomainError(f"证书不能绑定：{result.reason}", field="certificate")
    if result.subject.is_entity:
        raise DomainError("这是市场主体（单位）证书：单位证书按统一社会信用代码对应主体账户，无需绑定",
                          field="certificate")
    display = (getattr(user, "display_name", "") or "").strip()
    if display and display != result.subject.common_name:
        raise DomainError(f"证书持有人“{result.subject.common_name}”与账户姓名“{display}”不一致",
                          field="certificate")
    return certs.certificate_load(certificate_pem), result


def _create(*, actor: Any, user: Any, certificate, result, proven: bool) -> PersonCertificate:
    fingerprint = result.subject.fingerprint
    with transaction.atomic():
        existing = PersonCertificate.objects.select_for_update().filter(fingerprint=fingerprint,
                                                                        unbound_at__isnull=True).first()
        if existing is not None:
            if existing.user_id == user.pk:
                raise Conflict("该证书已绑定到本账户", field="certificate")
            raise Conflict("该证书已绑定其他账户；如需改绑，请先由原账户或管理员解除绑定", field="certificate")
        try:
            with transaction.atomic():
                binding = PersonCertificate.objects.create(
                    user=user, fingerprint=fingerprint, certificate_pem=certificate.public_bytes(Encoding.PEM).decode(),
                    subject=certificate.subject.rfc4514_string()[:500], common_name=result.subject.common_name[:200],
                    issuer_name=(result.chain[1].name if len(result.chain) > 1 else "")[:200],
                    not_after=certificate.not_valid_after_utc, proven=proven, bound_at=clock.now(),
                    bound_by=actor if getattr(actor, "pk", None) else None)
        except IntegrityError:
            raise Conflict("该证书已绑定其他账户", field="certificate") from None
        audit_record(actor=actor, action="pki.person_certificate_bind", obj=binding,
                     after={"user": user.pk, "fingerprint": fingerprint, "proven": proven})
    return binding


def person_certificate_bind(*, actor: Any, session: Any, certificate_pem: str, signature: str,
                            nonce: str) -> PersonCertificate:
    """The signed-in holder binds a person certificate to their own account, proving possession of its key by
    signing a challenge issued to this session (``login.certificate_challenge_issue``)."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed("请先登录")
    text = _challenge_consume(session, nonce)
    certificate, result = _person_certificate_check(user=actor, certificate_pem=certificate_pem)
    if not signature_valid(certificate, text.encode("utf-8"), signature_decode(signature)):
        raise DomainError("签名验证失败：签名不是用该证书的私钥对本次挑战码所做", field="signature")
    return _create(actor=actor, user=actor, certificate=certificate, result=result, proven=True)


def person_certificate_register(*, actor: Any, user: Any, certificate_pem: str) -> PersonCertificate:
    """An administrator (or the system, ``actor=None``) registers a person certificate for ``user``."""
    if not can_manage_trust_store(actor):
        raise NotAllowed("只有系统管理员可以为他人登记个人证书")
    certificate, result = _person_certificate_check(user=user, certificate_pem=certificate_pem)
    return _create(actor=actor, user=user, certificate=certificate, result=result, proven=False)


def person_certificate_unbind(*, actor: Any, binding: PersonCertificate) -> PersonCertificate:
    """End a binding: its holder, or an administrator."""
    if not (can_manage_trust_store(actor) or getattr(actor, "pk", None) == binding.user_id):
        raise NotAllowed("只能解除本人证书的绑定")
    with transaction.atomic():
        binding = PersonCertificate.objects.select_for_update().get(pk=binding.pk)
        if binding.unbound_at is not None:
            raise Conflict("该绑定已解除", field="binding")
        binding.unbound_at = clock.now()
        binding.save(update_fields=["unbound_at"])
        audit_record(actor=actor, action="pki.person_certificate_unbind", obj=binding,
                     after={"user": binding.user_id, "fingerprint": binding.fingerprint})
    return binding


def person_certificate_account(fingerprint: str) -> Any | None:
    """The active account a person certificate is bound to, or None."""
    binding = (PersonCertificate.objects.select_related("user", "user__center")
               .filter(fingerprint=fingerprint, unbound_at__isnull=True, user__is_active=True).first())
    return binding.user if binding is not None else None


def person_certificate_list_for(*, user: Any) -> list[PersonCertificate]:
    """A user's bindings, active first."""
    return list(PersonCertificate.objects.filter(user=user).defer("certificate_pem")
                .order_by("unbound_at", "-bound_at"))
