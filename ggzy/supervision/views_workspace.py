"""The supervisor's workspace (``/supervision/``): open alerts by level, referrals with their deadlines (overdue
first), open complaints with their due dates, and one lot's evidence timeline."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from ggzy.core.permissions import requires, roles
from ggzy.core.roles import Role
from ggzy.registry.models import MarketEntity
from ggzy.tendering import selectors_complaints
from ggzy.tendering import selectors_supervision as lots

from . import selectors, selectors_referral
from .models import AlertLevel, AlertState

SUPERVISORS = roles(Role.SUPERVISOR, Role.ADMIN)
OPEN_ALERTS_MAX = 50


@requires(SUPERVISORS)
def workspace_view(request):
    open_alerts = selectors.supervised_alerts(user=request.user, state=AlertState.OPEN)
    counts = {level: open_alerts.filter(level=level).count() for level in AlertLevel.values}
    alerts = list(open_alerts.order_by("level", "-score", "-pk")[:OPEN_ALERTS_MAX])  # red first
    labels = lots.lot_labels(lot_ids=sorted({a.lot_id for a in alerts}))
    ids = {int(s) for a in alerts for s in a.subjects if str(s).isdigit()}
    names = dict(MarketEntity.objects.filter(pk__in=ids).values_list("pk", "name"))
    return render(request, "supervision/pages/workspace.html", {
        "counts": [(value, label, counts[value]) for value, label in AlertLevel.choices],
        "alerts": [(a, labels.get(a.lot_id, {}), [(int(s), names.get(int(s), s)) for s in a.subjects
                                                  if str(s).isdigit()]) for a in alerts],
        "referrals": selectors_referral.referrals_with_deadlines(user=request.user, limit=50),
        "complaints": selectors_complaints.complaints_open_for_supervisor(request.user)})


@requires(roles(Role.SUPERVISOR, Role.ADMIN, Role.CENTER_STAFF))
def lot_timeline_view(request, lot_id: int):
    events = selectors_referral.lot_timeline(user=request.user, lot_id=lot_id)
    if events is None:
        raise Http404("标段不存在或尚未开标")
    return render(request, "supervision/pages/timeline.html", {
        "events": events, "lot": lots.lot_label(lot_id=lot_id) or {}, "lot_id": lot_id})
