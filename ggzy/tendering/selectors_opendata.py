"""Reads for the open data (``ggzy.opendata``, OCDS): every published lot of every method as plain public facts.

Only what the platform has already made public, or will at a stage the one masking table names, is read: the
opening record (not the sealed bids), the published candidates, the award and the contract. Each fact carries the
stages the lot has reached (``masking.stages_reached``), and the open data applies the table (``ggzy.core.masking``)
to them again before anything leaves the platform.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from ggzy.core import masking as table
from ggzy.core.queries import any_moment_within

from . import masking
from .choices import BidState, LotState
from .models import Award, Bid, Candidate, Contract, Lot, OpeningRecord

PUBLIC_STATES = [s for s in LotState.values if s != LotState.DRAFT]


def _lots() -> QuerySet[Lot]:
    return (Lot.objects.filter(state__in=PUBLIC_STATES)
            .select_related("project__center", "project__region", "project__tenderer", "project__agency")
            .prefetch_related("clarifications", "documents"))


def lot_codes_changed(*, since: dt.datetime | None = None, until: dt.datetime | None = None) -> QuerySet[Lot]:
    """Published lots with any public step (publication, change, opening, candidates, result, contract) in
    [since, until), ordered by code; both ends optional."""
    qs = _lots()
    if since is None and until is None:
        return qs.order_by("code")
    window = any_moment_within(("documents_issued_at", "clarifications__published_at", "opening_record__published_at",
                                "candidates_published_at", "result_final_at", "award__issued_at",
                                "contract__recorded_at"), since, until)
    return qs.filter(window).distinct().order_by("code")


def lot_get_public(*, code: str) -> Lot | None:
    return _lots().filter(code=code).first()


def _entity(entity) -> dict[str, Any] | None:
    if entity is None:
        return None
    return {"name": entity.name, "credit_code": entity.credit_code, "address": entity.registered_address,
            "region_code": entity.region_id and entity.region.code, "contact_name": entity.contact_name,
            "contact_phone": entity.contact_phone}


def lot_open_facts(lot: Lot) -> dict[str, Any]:
    """The lot's public facts for the open data; what belongs to a stage not yet reached is left out here already."""
    project = lot.project
    stages = masking.stages_reached(lot)
    facts: dict[str, Any] = {
        "lot_id": lot.pk, "project_id": project.pk, "lot_code": lot.code, "tender_code": lot.tender_code,
        "project_code": project.code, "title": project.title, "lot_name": lot.name, "method": project.method,
        "method_label": project.get_method_display(), "category_code": project.category_code,
        "state": lot.state, "estimated_price": lot.estimated_price, "description": project.description,
        "center_name": project.center.name, "center_code": project.center.code, "region_code": project.region.code,
        "tenderer": _entity(project.tenderer), "agency": _entity(project.agency),
        "accepted_at": project.accepted_at, "documents_issued_at": lot.documents_issued_at,
        "documents_sale_end": lot.documents_sale_end, "bid_deadline": lot.bid_deadline,
        "failure_reason": lot.failure_reason, "opened_at": None, "candidates_published_at": None,
        "result_final_at": lot.result_final_at, "stages": stages,
        "clarifications": [{"published_at": c.published_at, "old_deadline": c.old_deadline,
                            "new_deadline": c.new_deadline}
                           for c in lot.clarifications.all()],
        "documents": [{"name": d.name, "sha256": d.sha256, "published_at": d.published_at, "kind": d.kind}
                      for d in lot.documents.all() if d.published_at is not None],
        "opening": None, "candidates": [], "award": None, "contract": None,
    }
    if table.OPENING_PUBLISHED in stages:
        record = OpeningRecord.objects.get(lot=lot)
        states = dict(Bid.objects.filter(lot=lot).exclude(state=BidState.WITHDRAWN).values_list("pk", "state"))
        facts["opened_at"] = record.opened_at
        facts["opening"] = {"published_at": record.published_at, "sha256": record.sha256, "rows": [
            {"bid_id": row.get("bid_id"), "bidder": row.get("bidder", ""), "credit_code": row.get("credit_code", ""),
             "price": row.get("price"), "state": states.get(row.get("bid_id"), "")}
            for row in record.rows]}
    if table.CANDIDATES_PUBLISHED in stages:
        facts["candidates_published_at"] = lot.candidates_published_at
        facts["candidates"] = [{"rank": c.rank, "bid_id": c.bid_id, "bidder": c.bidder_name}
                               for c in Candidate.objects.filter(lot=lot).order_by("rank")]
    award = Award.objects.filter(lot=lot).first()
    if award is not None:
        facts["award"] = {"bid_id": award.bid_id, "bidder": award.bidder_name, "amount": award.amount,
                          "issued_at": award.issued_at,
                          "supplier_code": award.supplier.credit_code if award.supplier is not None else ""}
    contract = Contract.objects.filter(lot=lot).first()
    if contract is not None:
        facts["contract"] = {"amount": contract.amount, "signed_on": contract.signed_on,
                             "recorded_at": contract.recorded_at}
    return facts
