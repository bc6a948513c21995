"""What each role sees of a negotiation: the panel and the center the rounds, records and changes; a supplier the
changes it was notified of and its own final quotation. Before the panel opens them, nothing shows a final
quotation or who gave one (not even a count) to anyone but the supplier that gave it."""

from __future__ import annotations

from . import policies
from .choices import BidState, LotState
from .models import CommitteeMember, FinalQuotation, Lot
from .services.bidding import bid_of

VISIBLE_STATES = (LotState.NEGOTIATING, LotState.FINAL_QUOTING, LotState.EVALUATING, LotState.CANDIDATES,
                  LotState.SUSPENDED, LotState.AWARDED, LotState.CONTRACTED, LotState.ARCHIVED, LotState.FAILED)


def negotiation_audience(user, lot: Lot) -> str:
    """panel / chair / staff / owner / supplier / none."""
    if not getattr(user, "is_authenticated", False):
        return "none"
    member = CommitteeMember.objects.filter(lot=lot, user=user).first()
    if member is not None:
        return "chair" if member.is_chair else "panel"
    if policies.can_publish_lot(user, lot):
        return "staff"
    if policies.can_prepare_lot(user, lot):
        return "owner"
    if policies.can_bid(user) and bid_of(actor=user, lot=lot) is not None:
        return "supplier"
    return "none"


def negotiation_view(*, user, lot: Lot) -> dict | None:
    """The negotiation as ``user`` may see it (None: nothing to show)."""
    if lot.state not in VISIBLE_STATES or not lot.negotiation_rounds.exists() and lot.state != LotState.NEGOTIATING:
        return None
    audience = negotiation_audience(user, lot)
    if audience == "none":
        return None
    opened = lot.final_quotations.filter(opened_at__isnull=False).exists()
    changes = [{"id": c.pk, "round": c.round.number, "text": c.text, "issued_at": c.issued_at,
                "notified": len(c.notified)} for c in lot.requirement_changes.select_related("round")]
    view: dict = {"audience": audience, "state": lot.state, "final_quote_deadline": lot.final_quote_deadline,
                  "final_opened": opened}
    if audience == "supplier":
        bid = bid_of(actor=user, lot=lot)
        in_negotiation = bid is not None and bid.state == BidState.OPENED
        # a supplier sees the changes it was notified of (every one made while it was in the negotiation)
        notified = {c.pk for c in lot.requirement_changes.all() if bid is not None and bid.pk in c.notified}
        view["changes"] = [c for c in changes if c["id"] in notified]
        own = FinalQuotation.objects.filter(bid=bid).first() if bid is not None else None
        view["in_negotiation"] = in_negotiation
        view["own_final"] = None if own is None else {"arrived_at": own.arrived_at, "price": own.price}
        return view
    suppliers = list(lot.bids.filter(state__in=[BidState.OPENED, BidState.DEEMED_WITHDRAWN])
                     .select_related("bidder").order_by("arrived_at", "pk"))
    rounds = []
    for row in lot.negotiation_rounds.prefetch_related("records").order_by("number"):
        recorded = {r.bid_id: r for r in row.records.all()}
        rounds.append({"number": row.number, "opened_at": row.opened_at, "closed_at": row.closed_at,
                       "records": [{"bid_id": b.pk, "supplier": b.bidder.name if b.bidder else "",
                                    "minutes": recorded[b.pk].minutes if b.pk in recorded else None}
                                   for b in suppliers]})
    view["rounds"] = rounds
    view["changes"] = changes
    view["suppliers"] = [{"bid_id": b.pk, "name": b.bidder.name if b.bidder else "", "state": b.state}
                         for b in suppliers]
    view["final_quotations"] = ([{"bid_id": q.bid_id, "supplier": q.bid.bidder.name if q.bid.bidder else "",
                                  "first_price": q.first_price, "price": q.price}
                                 for q in lot.final_quotations.select_related("bid__bidder").order_by("price")]
                                if opened else None)
    return view
