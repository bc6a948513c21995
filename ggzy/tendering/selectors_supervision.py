"""Read-only facts about one lot for the supervision indicators (the only tendering module supervision imports).

Nothing is returned before the lot's opening record is published: until then who bid, how many and at what price
stay sealed, so the indicators have nothing to look at and no alert can exist."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F
from django.utils import timezone

from ggzy.registry.models import KeyPerson, MarketEntity, Qualification
from ggzy.registry.selectors_control import control_facts

from .choices import BidState
from .models import BankArrival, Bid, BidBond, CommitteeMember, Lot, OpeningRecord, RecusalDeclaration
from .selectors_key_persons import key_person_commitments, named_key_persons


def lot_opening_published(*, lot_id: int) -> bool:
    return OpeningRecord.objects.filter(lot_id=lot_id, published_at__isnull=False).exists()


def lots_opened_since(*, since: dt.datetime) -> list[int]:
    """Lots whose opening record was published at or after ``since`` (the nightly re-run)."""
    return sorted(OpeningRecord.objects.filter(published_at__gte=since).values_list("lot_id", flat=True))


def lot_facts(*, lot_id: int) -> dict[str, Any] | None:
    """The plain facts the lot indicators read (shape: ``supervision.indicators.lotfacts``), or None before the
    opening record is published."""
    record = OpeningRecord.objects.filter(lot_id=lot_id, published_at__isnull=False).first()
    if record is None:
        return None
    lot = Lot.objects.select_related("project").get(pk=lot_id)
    bids = list(Bid.objects.filter(lot_id=lot_id, bidder__isnull=False).exclude(state=BidState.WITHDRAWN)
                .order_by("bidder_id"))
    entity_ids = [b.bidder_id for b in bids]
    entities = {e.pk: e for e in MarketEntity.objects.filter(pk__in=entity_ids)}
    persons: dict[int, list[dict[str, str]]] = {}
    for p in KeyPerson.objects.filter(entity_id__in=entity_ids).order_by("id_number", "pk"):
        persons.setdefault(p.entity_id, []).append({"id_number": p.id_number, "name": p.name, "role": p.role})
    quals: dict[int, list[dict[str, str]]] = {}
    for q in Qualification.objects.filter(entity_id__in=entity_ids).order_by("qualification_type", "pk"):
        quals.setdefault(q.entity_id, []).append({"type": q.qualification_type, "number": q.certificate_number,
                                                  "valid_until": q.valid_until.isoformat()})
    accounts: dict[int, set[str]] = {}
    for bond in BidBond.objects.filter(signup__lot_id=lot_id, signup__bidder_id__in=entity_ids).select_related(
            "signup"):
        found = accounts.setdefault(bond.signup.bidder_id or 0, set())
        if bond.account_number:
            found.add(bond.account_number)
        found.update(a for a in BankArrival.objects.filter(bond=bond).values_list("payer_account", flat=True) if a)
    as_of = timezone.localdate(record.opened_at)
    controls = control_facts(entity_ids=[i for i in entity_ids if i is not None], on_date=as_of)
    named = named_key_persons(bids)
    commitments = key_person_commitments(id_numbers={p["id_number"] for ps in named.values() for p in ps},
                                         lot_id=lot_id, as_of=as_of)
    bidders = []
    for bid in bids:
        entity = entities[bid.bidder_id or 0]
        bidders.append({
            "entity_id": str(entity.pk), "name": entity.name,
            "price": None if bid.price is None else str(bid.price),
            "fingerprint": dict(sorted((bid.fingerprint or {}).items())),
            "legal_representative": entity.legal_representative, "contact_name": entity.contact_name,
            "contact_phone": entity.contact_phone, "key_persons": persons.get(entity.pk, []),
            "bond_accounts": sorted(accounts.get(entity.pk, set())), "qualifications": quals.get(entity.pk, []),
            "verified": entity.verified_at is not None, **controls[entity.pk],
            "named_key_persons": named.get(entity.pk, []),
            "key_person_commitments": [c for c in commitments
                                       if c["id_number"] in {p["id_number"] for p in named.get(entity.pk, [])}],
        })
    return {"lot_id": lot.pk, "lot_code": lot.code, "center_id": lot.project.center_id, "as_of": as_of.isoformat(),
            "bidders": bidders}


def lot_committee_member(*, user_id: int, lot_id: int) -> bool:
    """Whether the user sits on the lot's evaluation committee (and has not recused)."""
    return (CommitteeMember.objects.filter(lot_id=lot_id, user_id=user_id).exists()
            and not RecusalDeclaration.objects.filter(lot_id=lot_id, user_id=user_id, recused=True).exists())


def lot_label(*, lot_id: int) -> dict[str, Any] | None:
    """Code, name, center and catalog category of a lot (the alert list, the power items offered), or None."""
    row = Lot.objects.filter(pk=lot_id).values("code", "name", center_id=F("project__center_id"),
                                               category_code=F("project__category_code")).first()
    return dict(row) if row else None


def lot_labels(*, lot_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Code and name of several lots at once, by id."""
    return {pk: {"code": code, "name": name}
            for pk, code, name in Lot.objects.filter(pk__in=lot_ids).values_list("pk", "code", "name")}


def lot_bidder_names(*, lot_id: int) -> dict[int, str]:
    """The lot's bidders (entity id → name) once its opening record is published; empty before (sealed)."""
    if not lot_opening_published(lot_id=lot_id):
        return {}
    ids = set(Bid.objects.filter(lot_id=lot_id, bidder__isnull=False).exclude(state=BidState.WITHDRAWN)
              .values_list("bidder_id", flat=True))
    return dict(MarketEntity.objects.filter(pk__in=ids).order_by("name").values_list("pk", "name"))
