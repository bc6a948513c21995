"""Reads of power lists, referrals and a lot's evidence timeline, scoped to who asks.

A referral is seen by the referring center's staff, the department it went to (and the next level up, which
receives its escalations), and the supervisors of its center (all centers for a provincial one)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from ggzy.core import clock
from ggzy.core.errors import NotFound
from ggzy.core.models import AuditEntry
from ggzy.core.roles import Role
from ggzy.ledger import selectors as ledger
from ggzy.tendering import selectors_supervision as lots

from .models import Alert, AlertState, Department, PowerItem, Referral, ReferralState, ReferralStep

OPEN_STATES = (ReferralState.REFERRED, ReferralState.ACCEPTED, ReferralState.INVESTIGATING)


def _authenticated(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def power_items_active(*, on: dt.date | None = None) -> QuerySet[PowerItem]:
    on = on or clock.today()
    return (PowerItem.objects.filter(effective_from__lte=on)
            .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=on))
            .select_related("department", "department__center"))


def power_items_for_lot(*, lot_id: int) -> list[PowerItem]:
    """The items the list offers for a lot: in force today, covering its trade (catalog category), of a department
    at the lot's center or at the province."""
    label = lots.lot_label(lot_id=lot_id)
    if label is None:
        return []
    return [p for p in power_items_active().filter(
                Q(department__center_id=label["center_id"]) | Q(department__center__isnull=True))
            if label.get("category_code") in (p.category_codes or [])]


def departments_of(user: Any) -> list[int]:
    if not _authenticated(user):
        return []
    return list(Department.objects.filter(members=user).values_list("pk", flat=True))


def is_department_member(user: Any, department_id: int) -> bool:
    return _authenticated(user) and Department.objects.filter(pk=department_id, members=user).exists()


def referrals_visible(*, user: Any) -> QuerySet[Referral]:
    """Referrals the user may read, overdue and nearest deadlines first."""
    if not _authenticated(user):
        return Referral.objects.none()
    qs = Referral.objects.select_related("department", "power_item", "center")
    mine = departments_of(user)
    scope = Q(department_id__in=mine) | Q(department__parent_id__in=mine)
    if user.role in (Role.SUPERVISOR, Role.ADMIN, Role.CENTER_STAFF):
        if user.is_provincial:
            return qs.order_by("due_on", "pk")
        scope |= Q(center_id=user.center_id)
    elif not mine:
        return Referral.objects.none()
    return qs.filter(scope).order_by("due_on", "pk")


def referral_get(*, user: Any, referral_id: int) -> Referral:
    referral = referrals_visible(user=user).filter(pk=referral_id).first()
    if referral is None:
        raise NotFound("移交案件不存在", field="referral_id")
    return referral


def is_overdue(referral: Referral, *, today: dt.date | None = None) -> bool:
    return referral.state in OPEN_STATES and referral.due_on < (today or clock.today())


def referrals_with_deadlines(*, user: Any, limit: int = 100) -> list[tuple[Referral, bool]]:
    """Open referrals first (overdue before the rest, then by deadline), then the finished ones."""
    today = clock.today()
    rows = [(r, is_overdue(r, today=today)) for r in referrals_visible(user=user)[:limit]]
    return sorted(rows, key=lambda rr: (not rr[1], rr[0].state not in OPEN_STATES, rr[0].due_on, rr[0].pk))


@dataclass(frozen=True)
class TimelineEvent:
    at: dt.datetime
    kind: str  # alert / decision / referral / log
    title: str
    detail: str
    ledger_index: int | None
    link: str


def lot_timeline(*, user: Any, lot_id: int) -> list[TimelineEvent] | None:
    """A lot's evidence in time order: alerts, the committee's decisions, referral steps, and the log entries about
    the lot, its alerts and referrals, each with its ledger entry. None when the user may not see the lot's
    alerts, or before its opening record is published (nothing about the bidders is shown before then)."""
    from .selectors import can_see_lot_alerts  # noqa: PLC0415 — alerts' own scope rule

    if not can_see_lot_alerts(user, lot_id) or not lots.lot_opening_published(lot_id=lot_id):
        return None
    alerts = list(Alert.objects.filter(lot_id=lot_id).order_by("created_at", "pk"))
    referrals = list(Referral.objects.filter(lot_id=lot_id).order_by("pk"))
    events: list[TimelineEvent] = []
    for a in alerts:
        index = ledger.entry_index_for_source(source_id=a.ledger_source_id) if a.ledger_source_id else None
        events.append(TimelineEvent(a.created_at, "alert", f"{a.get_level_display()} · {a.indicator}", a.summary,
                                    index, f"/supervision/alerts/{a.pk}/"))
        if a.decided_at:
            decided = AlertState.DISMISSED if a.state == AlertState.DISMISSED else AlertState.CONFIRMED
            events.append(TimelineEvent(a.decided_at, "decision", f"{decided.label} · #{a.pk}",
                                        a.decision_reason, None, f"/supervision/alerts/{a.pk}/"))
    for step in ReferralStep.objects.filter(referral__in=referrals).select_related("referral").order_by("at", "pk"):
        index = ledger.entry_index_for_source(source_id=step.ledger_source_id) if step.ledger_source_id else None
        events.append(TimelineEvent(step.at, "referral", f"{step.referral.number} · {step.get_to_state_display()}",
                                    step.note, index, f"/supervision/referrals/{step.referral_id}/"))
    objects = Q(object_type="tendering.lot", object_id=str(lot_id))
    objects |= Q(object_type="supervision.alertrun", object_id__in=[str(a.run_id) for a in alerts])
    for entry in AuditEntry.objects.filter(objects).order_by("at", "pk")[:500]:
        events.append(TimelineEvent(entry.at, "log", entry.action, entry.actor_label,
                                    ledger.entry_index_for_source(source_id=entry.pk), ""))
    return sorted(events, key=lambda e: (e.at, e.kind))
