"""What the document screens read of a lot's decrypted bids: their profiles (never the text), for supervision.

Only bids that were opened (decrypted) have a profile, so nothing here can show a sealed bid: before the opening
the answer is empty.
"""

from __future__ import annotations

from typing import Any

from .choices import BidState
from .models import BidDocumentProfile


def lot_document_profiles(*, lot_id: int) -> list[dict[str, Any]]:
    """One dict per opened bid of the lot with a profile: bidder (entity id as str), signature and unusual tokens
    (ints), own_shingles, authors, files (extraction status); ordered by bidder."""
    rows = (BidDocumentProfile.objects.filter(bid__lot_id=lot_id, bid__state=BidState.OPENED)
            .select_related("bid").order_by("bid__bidder_id", "bid_id"))
    return [{
        "bidder": str(p.bid.bidder_id or ""),
        "signature": [int(v, 16) for v in p.signature],
        "own_shingles": p.own_shingles,
        "unusual": [int(v, 16) for v in p.unusual],
        "authors": dict(p.authors),
        "files": list(p.files),
    } for p in rows]
