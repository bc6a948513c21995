"""What each audience sees of a lot at each stage — one declarative table (Prozorro's mask.py).

Rows: field → (stage after which the public sees it, audiences that see it earlier). Stages are checked by
``stage_reached``; every public serializer and page goes through ``visible``.
"""

from __future__ import annotations

from ggzy.accounts.roles import Role

from . import policies

# field: (public from stage, earlier audiences)
MASK: dict[str, tuple[str, frozenset[str]]] = {
    # Before the opening record is published nobody learns who bid or what they offered (sealed).
    "bidders": ("opening_published", frozenset()),
    "prices": ("opening_published", frozenset()),
    "bid_count": ("opening_published", frozenset()),
    # Committee members: confidential until the result is final, except to the center and the members themselves.
    "committee_names": ("result_final", frozenset({"center", "member"})),
    "scores": ("result_final", frozenset({"center", "member"})),
    "evaluation_ranking": ("candidates_published", frozenset({"center", "member", "owner"})),
}


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


def visible(field: str, lot, user) -> bool:
    public_from, early = MASK[field]
    if stage_reached(lot, public_from):
        return True
    return bool(early & audiences(user, lot))
