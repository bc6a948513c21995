"""Writes to the signature record: a signature is kept only after it verifies (签名验证通过后才登记)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record, snapshot
from ggzy.core.errors import Conflict, DomainError

from .models_signatures import Signature, SignaturePurpose
from .signing import verify_detached

_SNAPSHOT_EXCLUDE = ("certificate_pem", "signature_der")


def signature_attach(*, actor: Any, object_type: str, object_id: str | int, purpose: str, content: bytes,
                     signature_der: bytes, signer_label: str = "", center_id: int | None = None,
                     sealed: bool = False) -> Signature:
    """Verify ``signature_der`` over ``content`` (signature and signer's certificate, now) and record it against
    the object. Who may sign which document is the calling app's policy; this service guarantees that nothing
    is recorded that does not verify. ``sealed=True`` for a bidder's signature before the opening (the audit
    entry then names no actor, as for the bid itself)."""
    if purpose not in SignaturePurpose.values:
        raise DomainError("签署文件类型无效", field="purpose")
    if not object_type or object_id in (None, ""):
        raise DomainError("缺少被签署的对象", field="object_id")
    if not content:
        raise DomainError("被签署的原文为空", field="content")
    check = verify_detached(content, bytes(signature_der), at=clock.now())
    if not check.ok:
        raise DomainError(check.reason, field="signature")
    content_sha256 = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        duplicate = Signature.objects.filter(object_type=object_type, object_id=str(object_id), purpose=purpose,
                                             certificate_fingerprint=check.certificate_fingerprint,
                                             content_sha256=content_sha256)
        if duplicate.exists():
            raise Conflict("该证书已对同一文件签署并登记", field="signature")
        is_user = actor is not None and getattr(actor, "is_authenticated", False) and not sealed
        signature = Signature.objects.create(
            object_type=object_type, object_id=str(object_id), purpose=purpose,
            signer_label=(signer_label or check.signer_name)[:200],
            certificate_pem=check.certificate_pem, certificate_fingerprint=check.certificate_fingerprint,
            certificate_subject=check.signer_subject[:500],
            signer_credit_code=check.signer.credit_code if check.signer else "",
            algorithm=check.algorithm, signature_der=bytes(signature_der), content_sha256=content_sha256,
            signed_at=check.signing_time, recorded_at=clock.now(), recorded_by=actor if is_user else None,
        )
        audit_record(actor=actor, action="pki.signature_attach", obj=signature, center_id=center_id,
                     sealed=sealed, after=snapshot(signature, exclude=_SNAPSHOT_EXCLUDE))
    return signature
