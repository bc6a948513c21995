"""Reads of control relationships (控制关系): for the entity page and API (scoped to the reader), and the plain
facts the supervision indicators use through tendering's lot facts (``control_facts``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from ggzy.accounts.roles import Role

from . import policies
from .models import EntityControl, MarketEntity


def can_view_controls(user: Any, entity: MarketEntity) -> bool:
    """The entity's users and staff (``can_update``), and supervisors; the public never (a controller may be a
    private person)."""
    return policies.can_update(user, entity) or getattr(user, "role", None) == Role.SUPERVISOR


def entity_controls_for_user(*, user: Any, entity: MarketEntity) -> QuerySet[EntityControl]:
    """Relationships in which ``entity`` is controlled or controls, newest first; none for readers who may not
    see them."""
    if not can_view_controls(user, entity):
        return EntityControl.objects.none()
    return (EntityControl.objects.filter(Q(controlled=entity) | Q(controller_entity=entity))
            .select_related("controlled", "controller_entity").order_by("-valid_from", "-id"))


def _in_force(on_date: dt.date) -> Q:
    return Q(valid_from__lte=on_date) & (Q(valid_until__isnull=True) | Q(valid_until__gte=on_date))


def control_facts(*, entity_ids: list[int], on_date: dt.date) -> dict[int, dict[str, Any]]:
    """For each entity: the entities it controls (``controls``, ids as str) and its controlling parties
    (``controllers``: ``{"key": "entity:<id>" | "person:<hash>", "name": str, "kind": str}``), in force on
    ``on_date``. Direct relationships only (a chain A→B→C is two rows)."""
    ids = set(entity_ids)
    out: dict[int, dict[str, Any]] = {i: {"controls": [], "controllers": []} for i in ids}
    rows = (EntityControl.objects.filter(_in_force(on_date))
            .filter(Q(controlled_id__in=ids) | Q(controller_entity_id__in=ids))
            .select_related("controller_entity").order_by("pk"))
    for row in rows:
        if row.controller_entity_id in ids:
            out[row.controller_entity_id]["controls"].append(str(row.controlled_id))
        if row.controlled_id in ids:
            name = row.controller_entity.name if row.controller_entity else row.controller_person_name
            out[row.controlled_id]["controllers"].append({"key": row.controller_key, "name": name,
                                                         "kind": row.kind})
    for facts in out.values():
        facts["controls"] = sorted(set(facts["controls"]))
        facts["controllers"] = sorted({c["key"]: c for c in facts["controllers"]}.values(), key=lambda c: c["key"])
    return out
