"""The supervisor's pages: a firm's co-bidding network, and the alert pages: the list of the supervised lots' alerts (filters by level and state) and one
alert with its evidence and its ledger proof status."""

from __future__ import annotations

import json

from django.http import Http404
from django.shortcuts import render

from ggzy.core.errors import NotFound
from ggzy.core.permissions import requires, roles
from ggzy.core.roles import Role
from ggzy.tendering import selectors_supervision as lots

from . import selectors, selectors_network
from .indicators import base
from .models import AlertLevel, AlertState

SUPERVISORS = roles(Role.SUPERVISOR, Role.ADMIN)
PAGE_MAX = 200


@requires(SUPERVISORS)
def alert_list_view(request):
    level = request.GET.get("level", "")
    state = request.GET.get("state", "")
    level = level if level in AlertLevel.values else ""
    state = state if state in AlertState.values else ""
    alerts = list(selectors.supervised_alerts(user=request.user, level=level, state=state)[:PAGE_MAX])
    labels = lots.lot_labels(lot_ids=sorted({a.lot_id for a in alerts}))
    rows = [(a, labels.get(a.lot_id, {})) for a in alerts]
    return render(request, "supervision/pages/alerts.html", {
        "rows": rows, "level": level, "state": state, "levels": AlertLevel.choices, "states": AlertState.choices})


@requires(SUPERVISORS)
def alert_detail_view(request, alert_id: int):
    try:
        alert = selectors.alert_get(user=request.user, alert_id=alert_id)
    except NotFound:
        raise Http404("预警不存在") from None
    spec = base.get(alert.indicator)
    return render(request, "supervision/pages/alert.html", {
        "alert": alert, "spec": spec, "lot": lots.lot_label(lot_id=alert.lot_id) or {},
        "check": selectors.alert_evidence_check(alert=alert),
        "evidence_text": json.dumps(alert.evidence, ensure_ascii=False, indent=2, sort_keys=True)})


@requires(roles(Role.SUPERVISOR))
def firm_network_view(request, entity_id: int):
    found = selectors_network.firm_network(user=request.user, entity_id=entity_id)
    if found is None:
        raise Http404("市场主体不存在")
    entity, graph, names = found
    nodes = [{"node": n, "name": names.get(n.id, n.id), "label": str(i + 1)} for i, n in enumerate(graph.nodes)]
    return render(request, "supervision/firm_network.html", {
        "entity": entity, "graph": graph, "nodes": nodes, "neighbours": nodes[1:],
    })
