"""Reads of the signature record, each signature re-verified at read time (“whether it verifies now”)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from ggzy.core import clock

from .models_signatures import Signature
from .signing import SignatureCheck, signature_check


@dataclass(frozen=True)
class SignatureView:
    """A recorded signature and today's verdict on it (a certificate revoked since signing shows here)."""

    record: Signature
    check: SignatureCheck

    @property
    def verifies_now(self) -> bool:
        return self.check.ok


def signature_recheck(record: Signature, *, at: dt.datetime | None = None,
                      content: bytes | None = None) -> SignatureCheck:
    """Re-verify one record. Without ``content`` the binding to the content rests on the recorded SHA-256 (the
    signature over its attributes and the certificate are still checked); with it, the content must be the
    very document that was signed."""
    at = at or clock.now()
    if content is not None and hashlib.sha256(content).hexdigest() != record.content_sha256:
        return SignatureCheck(ok=False, code="content_changed", reason="文件内容与签署时不一致：签署后文件被改动",
                              certificate_fingerprint=record.certificate_fingerprint, algorithm=record.algorithm)
    check = signature_check(bytes(record.signature_der), at=at, content=content)
    if check.certificate_fingerprint and check.certificate_fingerprint != record.certificate_fingerprint:
        return SignatureCheck(ok=False, code="record_mismatch", reason="签名记录与签名值中的证书不一致",
                              certificate_fingerprint=record.certificate_fingerprint, algorithm=record.algorithm)
    return check


def signatures_for(object_type: str, object_id: str | int, *, purpose: str | None = None,
                   content: bytes | None = None, at: dt.datetime | None = None) -> list[SignatureView]:
    """The object's signatures in the order they were recorded, each with its verdict at ``at`` (default now).
    Visibility of the object itself is the calling app's selector's concern."""
    records = Signature.objects.filter(object_type=object_type, object_id=str(object_id))
    if purpose is not None:
        records = records.filter(purpose=purpose)
    at = at or clock.now()
    return [SignatureView(record, signature_recheck(record, at=at, content=content))
            for record in records.order_by("recorded_at", "id")]
