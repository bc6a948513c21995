"""History records for supervision's history indicators (the one door supervision uses into tendering's bids for
the whole history; tests/test_layers.py).

One plain row per bid of a lot **whose opening record is published** (开标记录已公布) — never a bid of a lot
before that, so nothing sealed leaves here. Rows come ordered by lot then bid, streamed with
``iterator(chunk_size=…)``: a province's history never sits in memory at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Exists, OuterRef

from ggzy.core import clock

from .choices import BidState
from .models import Award, Bid

# The bids that were opened at the opening: decrypted (opened), later rejected by the committee (否决), or deemed
# revoked/withdrawn because they could not be decrypted. Withdrawn bids never took part; "submitted" ones are sealed.
COUNTED_STATES = (BidState.OPENED, BidState.REJECTED, BidState.DEEMED_REVOKED, BidState.DEEMED_WITHDRAWN)
# The OCDS procurementMethod of each tendering method (Cardinal's R003 looks at open ones only).
OCDS_METHOD = {"works_open_tender": "open", "gp_open_tender": "open", "gp_negotiation": "selective", "gp_consultation": "selective",
               "gp_inquiry": "selective"}
DISQUALIFIED_STATES = {BidState.REJECTED, BidState.DEEMED_REVOKED, BidState.DEEMED_WITHDRAWN}


def _iso(value: dt.datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def history_records(*, since: dt.datetime | None = None, until: dt.datetime | None = None,
                    center_id: int | None = None, lot_ids: list[int] | None = None,
                    chunk_size: int = 2000) -> Iterator[dict[str, Any]]:
    """Plain history rows (dicts) of lots opened in ``[since, until)`` whose opening is published by now; one center's
    lots when ``center_id`` is given (a center's supervisor), the province's otherwise (the nightly run); only the
    given lots when ``lot_ids`` is given (a firm's neighbourhood)."""
    now = clock.now()
    qs = Bid.objects.filter(
        state__in=COUNTED_STATES,
        bidder__isnull=False,
        lot__opening_record__published_at__isnull=False,
        lot__opening_record__published_at__lte=now,
    )
    if since is not None:
        qs = qs.filter(lot__opening_record__opened_at__gte=since)
    if until is not None:
        qs = qs.filter(lot__opening_record__opened_at__lt=until)
    if center_id is not None:
        qs = qs.filter(lot__project__center_id=center_id)
    if lot_ids is not None:
        qs = qs.filter(lot_id__in=lot_ids)
    qs = qs.annotate(won=Exists(Award.objects.filter(bid_id=OuterRef("pk")))).order_by("lot_id", "pk")
    fields = ("lot_id", "lot__project__tenderer_id", "lot__project__category_code", "lot__opening_record__opened_at",
              "lot__estimated_price", "bidder_id", "price", "won", "state", "lot__documents_issued_at",
              "lot__bid_deadline", "arrived_at", "lot__project__method")
    for (lot_id, buyer_id, category, opened_at, estimate, bidder_id, price, won, state, issued, deadline,
         arrived, method) in qs.values_list(*fields).iterator(chunk_size=chunk_size):
        yield {
            "lot_id": str(lot_id),
            "buyer_id": str(buyer_id),
            "category": category,
            "opened": opened_at.date().isoformat(),
            "estimate": estimate,
            "bidder_id": str(bidder_id),
            "price": price,
            "is_winner": bool(won),
            "disqualified": state in DISQUALIFIED_STATES,
            "reason": state if state in DISQUALIFIED_STATES else "",
            "tender_start": _iso(issued),
            "deadline": _iso(deadline),
            "submitted": _iso(arrived),
            "method": OCDS_METHOD.get(method, "open"),
        }


def lots_of_firm(*, entity_id: int, center_id: int | None = None, limit: int = 500) -> list[int]:
    """The ids of the (latest ``limit``) lots, opening published, in which the firm's bid was opened."""
    qs = Bid.objects.filter(bidder_id=entity_id, state__in=COUNTED_STATES,
                            lot__opening_record__published_at__isnull=False,
                            lot__opening_record__published_at__lte=clock.now())
    if center_id is not None:
        qs = qs.filter(lot__project__center_id=center_id)
    return list(qs.order_by("-lot_id").values_list("lot_id", flat=True)[:limit])

