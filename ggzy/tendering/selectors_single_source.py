"""What each role sees of a single-source procurement: everyone the publicity (reasons, supplier, period) and the
result; the purchaser also the objections with their authors' answers. Objectors are never named in public."""

from __future__ import annotations

from . import policies
from .models import Lot


def single_source_view(*, user, lot: Lot) -> dict | None:
    publicity = getattr(lot, "single_source", None)
    is_owner = policies.can_prepare_lot(user, lot) if getattr(user, "is_authenticated", False) else False
    if publicity is None and not is_owner:
        return None
    objections = list(lot.single_source_objections.order_by("raised_at", "pk"))
    deal = getattr(lot, "single_source_deal", None)
    view: dict = {
        "state": lot.state, "is_owner": is_owner,
        "publicity": None if publicity is None else {
            "supplier": publicity.supplier.name, "supplier_code": publicity.supplier.credit_code,
            "reasons": publicity.reasons, "published_at": publicity.published_at, "ends_at": publicity.ends_at,
            "notice_id": publicity.notice_id},
        # the public sees how objections were answered, never who raised them
        "objections": [{"id": o.pk, "text": o.text, "raised_at": o.raised_at, "answer": o.answer,
                        "is_upheld": o.is_upheld, "answered_at": o.answered_at} for o in objections],
        "deal": None if deal is None else {"price": deal.price, "price_basis": deal.price_basis,
                                           "minutes": deal.minutes if is_owner else None,
                                           "concluded_at": deal.concluded_at},
    }
    return view
