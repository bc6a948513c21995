"""Plain facts about one opened lot, and the helpers the lot indicators share (Django-free).

The facts come from ``ggzy.tendering.selectors_supervision.lot_facts`` (a plain dict, only after the opening
record is published). Shape::

    {"lot_id": int, "lot_code": str, "as_of": "YYYY-MM-DD",
     "bidders": [{"entity_id": str, "name": str, "price": str | None, "fingerprint": {field: value},
                  "legal_representative": str, "contact_name": str, "contact_phone": str,
                  "key_persons": [{"id_number": str, "name": str, "role": str}],
                  "bond_accounts": [str], "qualifications": [{"type": str, "number": str, "valid_until": str}],
                  "verified": bool, "controls": [entity_id, ...],
                  "controllers": [{"key": "entity:<id>" | "person:<hash>", "name": str, "kind": str}],
                  "named_key_persons": [{"id_number": str, "name": str, "role": str}],   # named in this bid
                  "key_person_commitments": [{"id_number": str, "lot_id": int, "lot_code": str, "winner": str,
                                              "role": str, "busy_from": "YYYY-MM-DD", "busy_until": "YYYY-MM-DD",
                                              "basis": "bid_duration" | "template_default"}]}]}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

Facts = Mapping[str, Any]


def mask(value: str) -> str:
    """Show enough of a matched value to recognise it, never all of it: the first and last two characters."""
    value = str(value)
    if len(value) <= 4:
        return value[:1] + "*" * (len(value) - 1)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


def shared_values(bidders: Iterable[Mapping[str, Any]], values: Callable[[Mapping[str, Any]], Iterable[str]]
                  ) -> list[tuple[str, list[str]]]:
    """(value, sorted entity ids) for every normalised value that two or more different bidders share."""
    owners: dict[str, set[str]] = defaultdict(set)
    for bidder in bidders:
        for value in values(bidder):
            key = str(value).strip().lower()
            if key:
                owners[key].add(str(bidder["entity_id"]))
    return sorted((value, sorted(who)) for value, who in owners.items() if len(who) > 1)


def names_of(facts: Facts, ids: Iterable[str]) -> list[str]:
    by_id = {str(b["entity_id"]): str(b.get("name", "")) for b in facts.get("bidders", ())}
    return [by_id.get(i, i) for i in ids]


def load(lot_id: int) -> Facts | None:
    """The lot's facts through tendering's supervision selector (imported here so the rules stay Django-free)."""
    from ggzy.tendering.selectors_supervision import lot_facts  # noqa: PLC0415 — Django only when running for real

    return lot_facts(lot_id=lot_id)
