"""The doors that change alerts: run the lot indicators on an opened lot (after the opening, nightly, or by hand),
and record the evaluation committee's decision on one alert.

Each new alert's evidence package — canonical JSON of {indicator, version, data, lot, run} — is hashed (SHA-256)
and the hash enters the ledger through the alert's audit entry (``evidence_sha256`` becomes one of the entry's
document hashes), so ``selectors.alert_evidence_check`` can later prove the stored evidence unchanged. A re-run
with the same data and indicator versions finds the same signal keys and creates nothing new."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from typing import Any

from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.ledger.canonical import canonical_json
from ggzy.tendering import selectors_supervision as lots

from .indicators import base
from .indicators import lot as _lot_indicators  # noqa: F401 — registers the lot indicators
from .models import Alert, AlertRun, AlertState, AlertTrigger

logger = logging.getLogger(__name__)

DECISIONS = {"confirmed": AlertState.CONFIRMED, "dismissed": AlertState.DISMISSED}
REASON_MAX = 2000


def _plain(value: Any) -> Any:
    """The signal's data as plain JSON values (tuples → lists), exactly as it will be stored."""
    return json.loads(json.dumps(value, ensure_ascii=False, sort_keys=True))


def signal_key(*, lot_id: int, indicator: str, version: int, data: Any) -> str:
    return hashlib.sha256(canonical_json({"indicator": indicator, "version": version, "lot": lot_id,
                                          "data": _plain(data)})).hexdigest()


def evidence_sha256(evidence: Any) -> str:
    return hashlib.sha256(canonical_json(evidence)).hexdigest()


def alerts_run(*, actor: Any = None, lot_id: int, trigger: str = AlertTrigger.MANUAL) -> AlertRun | None:
    """Run every lot indicator on one lot. Before its opening record is published this does nothing at all (no
    run, no alert, no log line): who bid stays sealed. One indicator that raises is logged by its code and skipped."""
    if trigger not in AlertTrigger.values:
        raise DomainError("触发方式不正确", field="trigger")
    if not lots.lot_opening_published(lot_id=lot_id):
        return None
    specs = base.registered("lot")
    found: list[base.Signal] = []
    for spec in specs:
        try:
            found.extend(spec.run(lot_id=lot_id))
        except Exception:  # noqa: BLE001 — one faulty rule must not hide the others' findings
            logger.exception("预警指标运行失败：%s v%s，标段 id=%s", spec.code, spec.version, lot_id)
    label = lots.lot_label(lot_id=lot_id) or {}
    center_id = label.get("center_id")
    now = clock.now()
    with transaction.atomic():
        run = AlertRun.objects.create(lot_id=lot_id, center_id=center_id, at=now, trigger=trigger,
                                      versions={s.code: s.version for s in specs}, signals=len(found))
        existing = set(Alert.objects.filter(lot_id=lot_id).values_list("key", flat=True))
        created = 0
        for signal in sorted(found, key=lambda s: (s.indicator, s.summary_zh)):
            key = signal_key(lot_id=lot_id, indicator=signal.indicator, version=signal.version, data=signal.data)
            if key in existing:
                continue
            existing.add(key)
            evidence = {"indicator": signal.indicator, "version": signal.version, "data": _plain(signal.data),
                        "lot": lot_id, "run": run.pk}
            digest = evidence_sha256(evidence)
            alert = Alert.objects.create(
                lot_id=lot_id, center_id=center_id, run=run, indicator=signal.indicator, version=signal.version,
                key=key, level=signal.level, score=float(signal.score), summary_zh=signal.summary_zh,
                summary_en=signal.summary_en, subjects=list(signal.subjects), evidence=evidence,
                evidence_sha256=digest, created_at=now)
            entry = audit_record(actor=actor, action="supervision.alert_raise", obj=alert, center_id=center_id,
                                 after={"indicator": signal.indicator, "version": signal.version,
                                        "level": signal.level, "lot": lot_id, "evidence_sha256": digest})
            Alert.objects.filter(pk=alert.pk).update(ledger_source_id=entry.pk)
            created += 1
        run.created = created
        run.save(update_fields=["created"])
        audit_record(actor=actor, action="supervision.alert_run", obj=run, center_id=center_id,
                     after={"lot": lot_id, "trigger": trigger, "signals": len(found), "created": created,
                            "versions": run.versions})
    return run


def alerts_run_recent(*, days: int = 7, trigger: str = AlertTrigger.NIGHTLY) -> int:
    """Re-run the lot indicators on every lot opened in the last ``days`` days; returns how many lots ran."""
    count = 0
    for lot_id in lots.lots_opened_since(since=clock.now() - dt.timedelta(days=days)):
        try:
            alerts_run(lot_id=lot_id, trigger=trigger)
        except Exception:  # noqa: BLE001 — one lot must not stop the others; the next night retries it
            logger.exception("夜间预警复核失败：标段 id=%s", lot_id)
            continue
        count += 1
    return count


def alert_decide(*, actor: Any, alert: Alert, decision: str, reason: str) -> Alert:
    """The evaluation committee's decision on one alert (认定 / 不认定) with its reason; recorded and logged."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not lots.lot_committee_member(
            user_id=actor.pk, lot_id=alert.lot_id):
        raise NotAllowed("只有本标段评标委员会成员可以认定预警")
    state = DECISIONS.get(str(decision))
    if state is None:
        raise DomainError("认定结论只能是“认定”或“不认定”", field="decision")
    reason = str(reason or "").strip()
    if not reason:
        raise DomainError("请填写认定理由", field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(f"认定理由不能超过{REASON_MAX}字", field="reason")
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.state != AlertState.OPEN:
            raise Conflict("该预警已认定", field="state")
        before = {"state": alert.state}
        alert.state, alert.decision_reason = state, reason
        alert.decided_by, alert.decided_at = actor, clock.now()
        alert.save(update_fields=["state", "decision_reason", "decided_by", "decided_at"])
        audit_record(actor=actor, action="supervision.alert_decide", obj=alert, center_id=alert.center_id,
                     before=before, after={"state": state, "reason": reason})
    return alert
