"""Credit on the lot page: government procurement's screening of the three national lists, shown to the
evaluation committee with its time (issue 18, item 3)."""

from __future__ import annotations

from ggzy.credit import screening

from .models import Lot
from .procedures import procedure_for


def lot_screening_context(*, user, lot: Lot) -> list | None:
    """The screening of each opened bid's supplier (run once, when the committee first sees the lot after the
    opening; kept with its time). None when the lot is not government procurement or has no opened bids."""
    if procedure_for(lot).result_notice_form != "government":
        return None
    bidders = [b.bidder for b in lot.bids.filter(state="opened").select_related("bidder") if b.bidder is not None]
    if not bidders:
        return None
    return screening.screening_run(actor=user, context=f"lot:{lot.pk}",
                                   suppliers=[(e.credit_code, e.name) for e in bidders])
