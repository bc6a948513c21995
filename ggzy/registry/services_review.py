"""Writes of the registry's review (services.py's second half): verifying an entity (主体核验) and deciding on a
requested change of name.

A self-registered entity may not act until it is verified, either by its user signing in with a certificate
whose subject carries the entity's unified social credit code (pki calls ``entity_verify_by_certificate`` after a
certificate login, through the hook the registry registers in ``apps.py``) or by the staff of its home center
(or provincial staff) after checking its papers. Each decision bumps the entity's version and is audited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.labels import record_label

from . import policies
from .choices import NameChangeState, VerificationMethod, VersionAction
from .credit_code import credit_code_normalize
from .models import EntityNameChange, MarketEntity, MarketEntityAccount
from .pinyin import name_sort_key
from .services import _version_record

if TYPE_CHECKING:
    from ggzy.pki.certificates import SubjectInfo


def _verify(*, actor: Any, entity: MarketEntity, method: VerificationMethod, detail: dict[str, Any]) -> None:
    """Mark the (locked, unverified) entity verified and record the new version."""
    entity.verified_at = clock.now()
    entity.verification_method = method
    entity.verified_by = actor if getattr(actor, "is_authenticated", False) else None
    entity.save(update_fields=["verified_at", "verification_method", "verified_by"])
    _version_record(entity=entity, actor=actor, action=VersionAction.VERIFY,
                    changes={"verification": [None, record_label(method.label)], **detail})


def entity_verify(*, actor: Any, entity: MarketEntity) -> MarketEntity:
    """The center's review: staff of the entity's home center (or provincial staff) verify it."""
    if not policies.can_verify(actor, entity):
        raise NotAllowed("仅该主体注册地交易中心或省级交易中心的工作人员可以核验主体", field="verification")
    with transaction.atomic():
        locked = MarketEntity.objects.select_for_update().get(pk=entity.pk)
        if locked.is_verified:
            raise Conflict("该主体已核验", field="verification")
        _verify(actor=actor, entity=locked, method=VerificationMethod.REVIEW, detail={})
    entity.refresh_from_db()
    return entity


def entity_verify_by_certificate(*, user: Any, subject: SubjectInfo) -> MarketEntity | None:
    """After ``user`` signed in with a validated certificate: verify the entity the user acts for when the
    certificate's subject carries that entity's credit code. Returns the entity it verified, otherwise None
    (no entity, already verified, a person certificate, or another entity's code) and changes nothing."""
    code = credit_code_normalize(getattr(subject, "credit_code", "") or "")
    if not code or getattr(user, "pk", None) is None:
        return None
    link = MarketEntityAccount.objects.filter(user_id=user.pk).first()
    if link is None:
        return None
    with transaction.atomic():
        locked = MarketEntity.objects.select_for_update().get(pk=link.entity_id)
        if locked.is_verified or locked.credit_code != code:
            return None
        _verify(actor=user, entity=locked, method=VerificationMethod.CERTIFICATE,
                detail={"certificate": f"{subject.issuer} · 序列号 {subject.certificate_serial}"})
    return locked


def _decision_locked(*, actor: Any, change: EntityNameChange) -> tuple[EntityNameChange, MarketEntity]:
    """The request and its entity, locked, after the permission and state checks."""
    if not policies.can_review_name_change(actor, change.entity):
        raise NotAllowed("仅该主体注册地交易中心或省级交易中心的工作人员可以审核名称变更", field="name")
    entity = MarketEntity.objects.select_for_update().get(pk=change.entity_id)
    locked = EntityNameChange.objects.select_for_update().get(pk=change.pk)
    if locked.state != NameChangeState.PENDING:
        raise Conflict(f"该名称变更申请已{locked.get_state_display()}", field="name")
    return locked, entity


def name_change_approve(*, actor: Any, change: EntityNameChange) -> EntityNameChange:
    """Approve a requested name: the entity takes it from now on. Names already recorded on bids, opening
    records, candidates and awards are stored copies and keep the old name."""
    with transaction.atomic():
        locked, entity = _decision_locked(actor=actor, change=change)
        now = clock.now()
        old_name = entity.name
        entity.name = locked.new_name
        entity.name_sort = name_sort_key(entity.name)
        entity.save(update_fields=["name", "name_sort"])
        locked.state, locked.decided_at, locked.decided_by = NameChangeState.APPROVED, now, actor
        locked.save(update_fields=["state", "decided_at", "decided_by"])
        _version_record(entity=entity, actor=actor, action=VersionAction.NAME_CHANGE,
                        changes={"name": [old_name, locked.new_name]})
    return locked


def name_change_refuse(*, actor: Any, change: EntityNameChange, reason: str) -> EntityNameChange:
    """Refuse a requested name, saying why; the entity keeps its name."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked, entity = _decision_locked(actor=actor, change=change)
        if not reason:
            raise DomainError("请填写不予通过的理由", field="reason")
        if len(reason) > 255:
            raise DomainError("理由不能超过255个字符", field="reason")
        locked.state, locked.decided_at, locked.decided_by = NameChangeState.REFUSED, clock.now(), actor
        locked.reason = reason
        locked.save(update_fields=["state", "decided_at", "decided_by", "reason"])
        audit_record(actor=actor, action="entity.name_change_refuse", obj=entity,
                     before={"requested_name": locked.new_name}, after={"reason": reason})
    return locked
