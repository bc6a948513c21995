"""A lot with three opened bids (published opening or not), for the supervision tests that need the platform's
history."""

from __future__ import annotations

import datetime as dt

from ggzy.core import clock
from ggzy.tendering import services
from ggzy.tendering.services import bidding, opening
from ggzy.tendering.tests.conftest import bond_arrive, lot_ready

PRICES = ["7650000.00", "7480000.00", "7720000.00"]


def opened_lot(world, *, publish: bool, bidders=(0, 1, 2)):
    lot = lot_ready(world)
    for i, price in zip(bidders, PRICES, strict=True):
        services.signup_create(actor=world.bidders[i], lot=lot)
        bond_arrive(world, lot, i)
        bidding.bid_submit(actor=world.bidders[i], lot=lot, price_sheet={"total_price": price, "duration_days": 300},
                           files=[bidding.IncomingFile("技术标.pdf", [b"proposal"])], fingerprint={"mac": f"m{i}"})
    clock.advance(dt.timedelta(days=21, minutes=1))
    lot = opening.lot_open(actor=world.staff, lot=lot)
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    if publish:
        opening.opening_record_publish(actor=world.staff, lot=lot)
    return lot
