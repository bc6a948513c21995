"""Lots at the stages challenges and complaints are about, through the real services."""

from __future__ import annotations

import datetime as dt

from ggzy.core import clock
from ggzy.tendering.choices import BidState
from ggzy.tendering.services import bidding, evaluation, opening, result

from .conftest import lot_ready, seat_committee, sign_up

PRICES = ["7650000.00", "7480000.00", "7720000.00"]


def bid(world, lot, i, price):
    return bidding.bid_submit(actor=world.bidders[i], lot=lot, price_sheet={"total_price": price,
                                                                            "duration_days": 300},
                              files=[bidding.IncomingFile("技术标.pdf", [b"technical proposal"])],
                              fingerprint={"mac": f"00:11:22:33:44:{i:02d}", "public_ip": "1.2.3.4"})


def lot_opened(world, *, method="works_open_tender"):
    """Bidders 0–2 signed up and bid; the lot opened, decrypted and its record published (bidder 3 did not bid)."""
    lot = lot_ready(world, method=method)
    sign_up(world, lot, range(3))
    for i, price in enumerate(PRICES):
        bid(world, lot, i, price)
    clock.freeze(lot.bid_deadline + dt.timedelta(minutes=1))
    lot = opening.lot_open(actor=world.staff, lot=lot)
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    opening.opening_record_publish(actor=world.staff, lot=lot)
    return lot


def lot_at_candidates(world, *, method="works_open_tender"):
    """Opened, evaluated by five experts and the candidates published (the clock at the publication)."""
    lot = lot_opened(world, method=method)
    opening.opening_close(actor=world.staff, lot=lot)
    members = [(e, "expert_technical") for e in world.experts[:4]] + [(world.experts[4], "expert_economic")]
    seat_committee(world.staff, lot, members, chair=world.experts[0])
    for member, _ in members:
        for b in lot.bids.filter(state=BidState.OPENED):
            evaluation.score_submit(actor=member, bid=b, technical="50", commercial="10")
    evaluation.report_generate(actor=world.experts[0], lot=lot)
    for member, _ in members:
        evaluation.report_sign(actor=member, lot=lot)
    result.candidates_publish(actor=world.tenderer, lot=lot)
    lot.refresh_from_db()
    return lot
