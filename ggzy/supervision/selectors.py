"""Reads of alerts, scoped to who asks: the lot's evaluation committee, and supervisors of the lot's center (a
provincial supervisor sees every center). Alerts exist only after the opening, so nothing here can reveal a bid."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from ggzy.core.errors import NotFound
from ggzy.core.roles import Role
from ggzy.ledger import selectors as ledger
from ggzy.tendering import selectors_supervision as lots

from .models import Alert
from .services import evidence_sha256


def can_see_lot_alerts(user: Any, lot_id: int) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role in (Role.SUPERVISOR, Role.ADMIN):
        if user.is_provincial:
            return True
        label = lots.lot_label(lot_id=lot_id) or {}
        return label.get("center_id") == user.center_id
    return lots.lot_committee_member(user_id=user.pk, lot_id=lot_id)


def lot_alerts(*, user: Any, lot_id: int) -> list[Alert]:
    """The lot's alerts for its committee or its supervisors (empty for anyone else)."""
    if not can_see_lot_alerts(user, lot_id):
        return []
    return list(Alert.objects.filter(lot_id=lot_id).order_by("level", "-score", "pk"))  # red before yellow


def supervised_alerts(*, user: Any, level: str = "", state: str = "") -> QuerySet[Alert]:
    """Alerts of the lots a supervisor supervises (their center's; all for a provincial one), filtered."""
    if user is None or not getattr(user, "is_authenticated", False) or user.role not in (Role.SUPERVISOR, Role.ADMIN):
        return Alert.objects.none()
    qs = Alert.objects.all() if user.is_provincial else Alert.objects.filter(center_id=user.center_id)
    if level:
        qs = qs.filter(level=level)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-pk")


def alert_get(*, user: Any, alert_id: int) -> Alert:
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None or not can_see_lot_alerts(user, alert.lot_id):
        raise NotFound("预警不存在", field="alert_id")
    return alert


@dataclass(frozen=True)
class EvidenceCheck:
    ok: bool
    stored_sha256: str
    computed_sha256: str
    ledger_index: int | None
    reason_zh: str
    reason_en: str


def alert_evidence_check(*, alert: Alert) -> EvidenceCheck:
    """Recompute the evidence package's hash and find it among the document hashes of its ledger entry."""
    computed = evidence_sha256(alert.evidence)
    index = (ledger.entry_index_for_source(source_id=alert.ledger_source_id)
             if alert.ledger_source_id is not None else None)

    def result(ok: bool, zh: str, en: str) -> EvidenceCheck:
        return EvidenceCheck(ok, alert.evidence_sha256, computed, index, zh, en)

    if computed != alert.evidence_sha256:
        return result(False, "证据包已被改动：摘要与记录不符", "Evidence changed: its hash differs from the record")
    if index is None:
        return result(False, "尚未找到存证记录", "No ledger entry found yet")
    try:
        body = json.loads(ledger.entry_get(index=index).body)
    except (NotFound, ValueError):
        return result(False, "存证记录不可读", "Ledger entry unreadable")
    if computed not in body.get("documents", []):
        return result(False, "存证记录中没有该证据包摘要", "The ledger entry does not hold this evidence hash")
    return result(True, f"证据包未被改动（存证序号 {index}）", f"Evidence unchanged (ledger entry {index})")
