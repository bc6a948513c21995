"""What each audience sees of a lot at each stage: the ``lot.*`` rows of the one masking table (``ggzy.core.masking``).

This module knows a lot's stages (``stage_reached``) and its audiences (``audiences``); which field is secret until
which stage is declared only in the table. Every public serializer and page goes through ``visible``; the open data
(OCDS) asks ``stages_reached`` and the table directly.
"""

from __future__ import annotations

from ggzy.accounts.roles import Role
from ggzy.core import masking as table

from . import policies


def stage_reached(lot, stage: str) -> bool:
    if stage == "opening_published":
        record = getattr(lot, "opening_record", None)
        return record is not None and record.published_at is not None
    if stage == "candidates_published":
        return lot.candidates_published_at is not None
    if stage == "result_final":
        return lot.result_final_at is not None
    raise ValueError(stage)


def audiences(user, lot) -> set[str]:
    found: set[str] = set()
    if policies.can_publish_lot(user, lot) or getattr(user, "role", None) == Role.SUPERVISOR:
        found.add("center")
    if policies.is_project_owner(user, lot.project):
        found.add("owner")
    if getattr(user, "is_authenticated", False) and lot.committee.filter(user=user).exists():
        found.add("member")
    return found


def stages_reached(lot) -> frozenset[str]:
    return frozenset(stage for stage in table.STAGES if stage_reached(lot, stage))


def visible(field: str, lot, user) -> bool:
    row = table.TABLE[f"lot.{field}"]
    if row.public_from is not None and stage_reached(lot, row.public_from):
        return True
    return table.is_shown(f"lot.{field}", audiences=frozenset(audiences(user, lot) or {table.PUBLIC}))
