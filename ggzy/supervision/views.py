"""Supervisor pages: a firm's co-bidding network (issue 14)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from ggzy.core.permissions import requires, roles
from ggzy.core.roles import Role

from . import selectors

SUPERVISORS = roles(Role.SUPERVISOR)


@requires(SUPERVISORS)
def firm_network_view(request, entity_id: int):
    found = selectors.firm_network(user=request.user, entity_id=entity_id)
    if found is None:
        raise Http404("市场主体不存在")
    entity, graph, names = found
    nodes = [{"node": n, "name": names.get(n.id, n.id), "label": str(i + 1)} for i, n in enumerate(graph.nodes)]
    return render(request, "supervision/firm_network.html", {
        "entity": entity, "graph": graph, "nodes": nodes, "neighbours": nodes[1:],
    })
