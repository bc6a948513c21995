"""Key persons named in bids (拟派主要人员) and their commitments on live projects, for the lot facts of the fraud
indicators (``selectors_supervision.lot_facts``).

A bid names its key staff in the sealed price sheet (``price_sheet.key_persons``: ids of the bidder's own registry
``KeyPerson`` rows), so nothing of it is known before the opening. A person is *committed* to another lot when a
winning bid of that lot (its ``Award``) named a key person with the same ID number, from the award until the end of
the project: the contract's signing date (the award's date while none is recorded) plus the duration the winning
bid stated (工期), or, when it stated none, the template's ``key_person_commitment_default_days``. The platform
records no completion of works, so the project's end is this estimate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from ggzy.catalog.selectors import PeriodMissing
from ggzy.registry.models import KeyPerson

from . import rules
from .models import Award, Bid

DEFAULT_KEY = "key_person_commitment_default_days"


def _named_ids(bid: Bid) -> list[int]:
    ids = (bid.price_sheet or {}).get("key_persons") or []
    return [i for i in ids if isinstance(i, int) and not isinstance(i, bool)]


def named_key_persons(bids: list[Bid]) -> dict[int, list[dict[str, str]]]:
    """bidder entity id → the persons its bid names (only the bidder's own registry rows count)."""
    wanted = {i for bid in bids for i in _named_ids(bid)}
    rows = {p.pk: p for p in KeyPerson.objects.filter(pk__in=wanted)}
    out: dict[int, list[dict[str, str]]] = {}
    for bid in bids:
        persons = [rows[i] for i in _named_ids(bid) if i in rows and rows[i].entity_id == bid.bidder_id]
        out[bid.bidder_id or 0] = sorted(({"id_number": p.id_number, "name": p.name, "role": p.role}
                                          for p in persons), key=lambda p: p["id_number"])
    return out


def _busy_window(award: Award) -> tuple[dt.date, dt.date, str]:
    start = timezone.localdate(award.issued_at)
    contract = getattr(award.lot, "contract", None)
    from_day = contract.signed_on if contract is not None else start
    days = ((award.bid.price_sheet if award.bid is not None else None) or {}).get("duration_days")
    if isinstance(days, int) and not isinstance(days, bool) and days > 0:
        return start, from_day + dt.timedelta(days=days), "bid_duration"
    try:
        default = rules.period_int(award.lot.project, DEFAULT_KEY)
    except PeriodMissing:
        default = 0  # a template without the key: only the stated duration can make a person busy
    return start, from_day + dt.timedelta(days=default), "template_default"


def key_person_commitments(*, id_numbers: set[str], lot_id: int, as_of: dt.date) -> list[dict[str, Any]]:
    """Every commitment, on ``as_of``, of a person (by ID number) named in a winning bid of a lot other than
    ``lot_id``: ``{"id_number", "lot_id", "lot_code", "winner", "role", "busy_from", "busy_until", "basis"}``."""
    if not id_numbers:
        return []
    persons = list(KeyPerson.objects.filter(id_number__in=id_numbers))
    by_pk = {p.pk: p for p in persons}
    awards = (Award.objects.filter(bid__bidder_id__in={p.entity_id for p in persons})
              .exclude(lot_id=lot_id).select_related("bid__bidder", "lot__project", "lot__contract")
              .order_by("lot_id"))
    out = []
    for award in awards:
        if award.bid is None:  # single source: no bid names key persons
            continue
        named = [by_pk[i] for i in _named_ids(award.bid) if i in by_pk and by_pk[i].entity_id == award.bid.bidder_id]
        if not named:
            continue
        start, until, basis = _busy_window(award)
        if not start <= as_of <= until:
            continue
        for person in named:
            out.append({"id_number": person.id_number, "lot_id": award.lot_id, "lot_code": award.lot.code,
                        "winner": award.bidder_name or (award.bid.bidder.name if award.bid.bidder else ""), "role": person.role,
                        "busy_from": start.isoformat(), "busy_until": until.isoformat(), "basis": basis})
    return sorted(out, key=lambda c: (c["id_number"], c["lot_code"]))
