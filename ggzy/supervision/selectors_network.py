"""Supervision reads for the co-bidding network page, scoped to the user."""

from __future__ import annotations

from typing import Any

from ggzy.core.roles import Role
from ggzy.registry.models import MarketEntity
from ggzy.tendering import selectors_history

from .indicators.history import platform_records
from .screens.network import Graph, neighbourhood

NETWORK_MAX_LOTS = 500  # the firm's latest lots drawn (a page, not a nightly run)


def supervision_center_scope(*, user: Any) -> tuple[bool, int | None]:
    """(may see, center id or None for the whole province): supervisors and administrators of the provincial center
    see the province; a city's supervisors their center's lots; anyone else nothing."""
    if getattr(user, "role", None) not in (Role.SUPERVISOR, Role.ADMIN):
        return False, None
    if user.is_provincial:
        return True, None
    if user.center_id is None:
        return False, None
    return True, user.center_id


def firm_network(*, user: Any, entity_id: int) -> tuple[MarketEntity, Graph, dict[str, str]] | None:
    """A firm's co-bidding neighbourhood over the lots (opening published) the user's scope covers, with the
    neighbours' names; None when the firm does not exist or the user may not look."""
    allowed, center_id = supervision_center_scope(user=user)
    entity = MarketEntity.objects.filter(pk=entity_id).first() if allowed else None
    if entity is None:
        return None
    lot_ids = selectors_history.lots_of_firm(entity_id=entity.pk, center_id=center_id, limit=NETWORK_MAX_LOTS)
    graph = neighbourhood(platform_records(lot_ids=lot_ids, center_id=center_id), str(entity.pk)) if lot_ids \
        else Graph(focus=str(entity.pk))
    ids = [int(n.id) for n in graph.nodes]
    names = {str(pk): name for pk, name in MarketEntity.objects.filter(pk__in=ids).values_list("pk", "name")}
    return entity, graph, names
