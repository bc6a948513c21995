"""Suspension of a lot by a challenge or complaint (暂停招标投标/采购活动): one check, ``require_not_suspended``,
called by every service that takes the lot past the candidates' publicity (result, award, contract).

An objection on the evaluation result suspends until answered (招标投标法实施条例 Art. 54); a department may order a
suspension while handling a complaint (Art. 62; 政府采购法 Art. 57, at most the template's days)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict

from ..models import Lot, LotSuspension


def suspensions_active(lot: Lot, *, now: dt.datetime | None = None) -> list[LotSuspension]:
    """The lot's suspensions in force now (not lifted, and not past their statutory maximum)."""
    now = now or clock.now()
    return list(LotSuspension.objects.filter(lot_id=lot.pk, lifted_at__isnull=True)
                .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now)).order_by("started_at", "id"))


def require_not_suspended(lot: Lot, action: str) -> None:
    """Refuse ``action`` while a challenge or complaint suspends the lot (Conflict naming ``state``)."""
    active = suspensions_active(lot)
    if active:
        reasons = "；".join(s.reason for s in active)
        raise Conflict(f"本标段因异议/投诉暂停：{reasons}。暂停期间不能{action}", field="state")


def suspension_start(*, actor, lot: Lot, reason: str, challenge=None, complaint=None,
                     ends_at: dt.datetime | None = None) -> LotSuspension:
    """Record a suspension (inside the caller's transaction) and audit it on the lot."""
    row = LotSuspension.objects.create(lot=lot, challenge=challenge, complaint=complaint, reason=reason[:255],
                                       started_at=clock.now(), ends_at=ends_at)
    audit_record(actor=actor, action="lot.suspend", obj=lot, center_id=lot.project.center_id,
                 after={"suspension": row.pk, "reason": row.reason, "ends_at": ends_at})
    return row


def suspensions_lift(*, actor, lot: Lot, challenge=None, complaint=None, reason: str) -> int:
    """Lift the suspensions ``challenge`` or ``complaint`` caused (inside the caller's transaction)."""
    rows = LotSuspension.objects.filter(lot=lot, lifted_at__isnull=True)
    rows = rows.filter(challenge=challenge) if challenge is not None else rows.filter(complaint=complaint)
    ids = list(rows.values_list("pk", flat=True))
    if ids:
        LotSuspension.objects.filter(pk__in=ids).update(lifted_at=clock.now())
        audit_record(actor=actor, action="lot.resume", obj=lot, center_id=lot.project.center_id,
                     after={"suspensions": ids, "reason": reason})
    return len(ids)
