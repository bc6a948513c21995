"""Demo listings (``manage.py demo_load``): one listing in each stage, and a land listing whose timed round starts
live five minutes after the demo is loaded (three admitted bidders, a sealed reserve). Safe to run twice.

The closed listings are bid on with the platform clock set back to their listing period (then released), so their
history is real service calls, in sequence, with the times they would have had."""

from __future__ import annotations

import datetime as dt

from ggzy.accounts.models import User
from ggzy.catalog.calendar import office_moment
from ggzy.core import clock
from ggzy.registry.models import Center

from .choices import PROCEDURE_KINDS
from .models import RightsListing
from .services import bidding, contract, listings, quotes, registration, results, suspension

PREFIX = "DEMO-QL-"


def _listing(code, title, kind, ends, *, staff, grantor, center, start="12000000.00", increment="100000.00",
             quote_ceiling=None, announce_days=60, price_weight=None, factors=None, qualification_timing="before"):
    appraisal = start if PROCEDURE_KINDS[kind].category_code == "05" else None
    return listings.listing_create(
        actor=staff, center=center, grantor=grantor, kind=kind, code=PREFIX + code, title=title,
        announced_at=office_moment(ends - dt.timedelta(days=announce_days), dt.time(9, 0)),
        registration_opens_at=ends - dt.timedelta(days=40),
        registration_closes_at=ends - dt.timedelta(minutes=1) if ends - clock.now() < dt.timedelta(days=2)
        else office_moment(ends - dt.timedelta(days=2), dt.time(16, 0)), listing_starts_at=ends - dt.timedelta(days=21), listing_ends_at=ends,
        start_price=start, increment=increment, deposit="2000000.00", quote_ceiling=quote_ceiling,
        appraised_value=appraisal, price_weight=price_weight, factors=factors,
        qualification_timing=qualification_timing)


# 权重报价's announced factors in the demo: price 60%, then two quantified factors (higher is better)
WEIGHTED_TERMS = {"quote_ceiling": "15000000.00", "price_weight": "60", "factors": [
    {"name": "职工安置人数", "unit": "人", "weight": "25", "minimum": "0", "maximum": "300"},
    {"name": "承诺投资额", "unit": "万元", "weight": "15", "minimum": "0", "maximum": "5000"}]}


def _admit(listing, staff, bidders):
    regs = []
    for bidder in bidders:
        reg = registration.registration_apply(actor=bidder, listing_id=listing.pk)
        registration.registration_deposit_record(actor=staff, registration_id=reg.pk, amount=str(listing.deposit),
                                                 reference=f"DEMO-{listing.code}-{reg.pk}")
        regs.append(registration.registration_qualify(actor=staff, registration_id=reg.pk, approve=True))
    return regs


def _deposit_only(listing, staff, bidders):
    """资格后审: the deposit received admits at once (paddle, may bid); the qualification waits for the winner."""
    for bidder in bidders:
        reg = registration.registration_apply(actor=bidder, listing_id=listing.pk)
        registration.registration_deposit_record(actor=staff, registration_id=reg.pk, amount=str(listing.deposit),
                                                 reference=f"DEMO-{listing.code}-{reg.pk}")


def _bid(listing, bidder, amount, n):
    listing.refresh_from_db()
    return bidding.bid_place(actor=bidder, listing_id=listing.pk, amount=amount,
                             seen_sequence=listing.current_sequence, idempotency_key=f"demo-{listing.pk}-{n:04d}")


def demo_rights_load(stdout=None) -> None:
    if RightsListing.objects.filter(code__startswith=PREFIX).exists():
        return
    center = Center.objects.get(code="370100")
    staff = User.objects.get(username="jinan_staff")
    grantor = User.objects.get(username="zhaobiao")
    bidders = [User.objects.get(username=name) for name in ("toubiao", "toubiao2", "toubiao3")]
    real_now = clock.now().replace(second=0, microsecond=0)
    common = {"staff": staff, "grantor": grantor, "center": center}
    try:
        # closed, sold: bid during its listing period (clock set back, then released)
        sold_end = office_moment(real_now - dt.timedelta(days=3), dt.time(10, 0))  # its result notice in office hours
        clock.freeze(sold_end - dt.timedelta(days=30))
        sold = _listing("2026-001", "济南市历城区唐冶片区A-3地块国有建设用地使用权", "land_listing", sold_end, **common)
        failed = _listing("2026-002", "平阴县某建筑用石料矿采矿权", "mining_listing", sold_end,
                          start="3000000.00", increment="50000.00", **common)
        clock.freeze(sold_end - dt.timedelta(days=25))
        _admit(sold, staff, bidders[:2])
        _admit(failed, staff, bidders[2:])
        listings.reserve_set(actor=grantor, listing_id=failed.pk, amount="3500000")
        clock.freeze(sold_end - dt.timedelta(days=5))
        _bid(sold, bidders[0], "12000000", 1)
        _bid(failed, bidders[2], "3000000", 1)
        clock.freeze(sold_end + dt.timedelta(minutes=2))
        _bid(sold, bidders[1], "12100000", 2)
        clock.freeze(sold_end + dt.timedelta(minutes=4))
        _bid(sold, bidders[0], "12300000", 3)
        clock.freeze(sold_end + dt.timedelta(minutes=10))
        listings.listing_advance(listing_id=sold.pk)
        listings.listing_advance(listing_id=failed.pk)
        # the sale goes on: both sides confirm the deal, the center records the contract (balance in one payment)
        results.confirmation_confirm(actor=bidders[0], listing_id=sold.pk)
        results.confirmation_confirm(actor=grantor, listing_id=sold.pk)
        sold.refresh_from_db()
        price, credited = contract.price_and_credit(sold)
        signed_on = clock.today()
        contract.contract_record(actor=staff, listing_id=sold.pk, number="DEMO-HT-2026-001", signed_on=signed_on,
                                 instalments=[{"due_on": signed_on + dt.timedelta(days=30),
                                               "amount": price - credited}])
        # closed, sold by English auction 拍卖 (live ascending round at the auction time)
        clock.freeze(sold_end - dt.timedelta(days=30))
        auction = _listing("2026-003", "市中区七贤片区E-5地块国有建设用地使用权（拍卖）", "land_auction", sold_end,
                           **common)
        clock.freeze(sold_end - dt.timedelta(days=25))
        _admit(auction, staff, bidders)
        clock.freeze(sold_end + dt.timedelta(minutes=1))
        _bid(auction, bidders[2], "12000000", 1)
        clock.freeze(sold_end + dt.timedelta(minutes=3))
        _bid(auction, bidders[0], "12200000", 2)
        clock.freeze(sold_end + dt.timedelta(minutes=5))
        _bid(auction, bidders[2], "12400000", 3)
        clock.freeze(sold_end + dt.timedelta(minutes=20))
        listings.listing_advance(listing_id=auction.pk)
        # closed, sold by weighted quote 权重报价: the lowest price wins on the other factors
        # (toubiao 77.38, toubiao2 96.00, toubiao3 85.64 — the score table shows on the hall after the close)
        clock.freeze(sold_end - dt.timedelta(days=30))
        weighted = _listing("2026-110", "济南某国有企业所持机械公司80%股权（权重报价）", "property_weighted_quote",
                            sold_end, **WEIGHTED_TERMS, **common)
        clock.freeze(sold_end - dt.timedelta(days=25))
        _admit(weighted, staff, bidders)
        listings.reserve_set(actor=grantor, listing_id=weighted.pk, amount="12500000")
        clock.freeze(sold_end - dt.timedelta(days=5))
        for n, (amount, staff_kept, investment) in enumerate((("13500000", "120", "2000"),
                                                              ("12600000", "280", "4500"),
                                                              ("13000000", "200", "3000"))):
            clock.freeze(sold_end - dt.timedelta(days=5) + dt.timedelta(minutes=n * 7))
            quotes.quote_submit(actor=bidders[n], listing_id=weighted.pk, amount=amount,
                                factors={"1": staff_kept, "2": investment})
        clock.freeze(sold_end + dt.timedelta(minutes=1))
        listings.listing_advance(listing_id=weighted.pk)
        # closed, sold under 资格后审: admitted on the deposit alone, the winner's qualification awaits the center's
        # check after winning (the hall's form) before the deal confirmation can be confirmed
        clock.freeze(sold_end - dt.timedelta(days=30))
        postqual = _listing("2026-004", "高新区舜华路G-4地块国有建设用地使用权（资格后审，竞得人资格待审）",
                            "land_listing", sold_end, qualification_timing="after", **common)
        clock.freeze(sold_end - dt.timedelta(days=25))
        _deposit_only(postqual, staff, bidders[1:])
        clock.freeze(sold_end - dt.timedelta(days=5))
        _bid(postqual, bidders[1], "12000000", 1)
        clock.freeze(sold_end + dt.timedelta(minutes=1))
        _bid(postqual, bidders[2], "12100000", 2)
        clock.freeze(sold_end + dt.timedelta(minutes=10))
        listings.listing_advance(listing_id=postqual.pk)
    finally:
        clock.unfreeze()
    # announced (registration opens in 5 days), registration open, listing open
    _listing("2026-101", "章丘区明水街道B-7地块国有建设用地使用权", "land_listing", real_now + dt.timedelta(days=50),
             **common)
    registering = _listing("2026-102", "济南某国有企业所持子公司40%股权", "property_transfer",
                           real_now + dt.timedelta(days=25), **common)
    registration.registration_apply(actor=bidders[0], listing_id=registering.pk)
    open_listing = _listing("2026-103", "天桥区北园大街C-1地块国有建设用地使用权", "land_listing",
                            real_now + dt.timedelta(days=10), **common)
    _admit(open_listing, staff, bidders[:2])
    _bid(open_listing, bidders[1], "12000000", 1)
    # 一次报价 (sealed single quote) in its quoting period: one sealed quote in
    quoting = _listing("2026-105", "济南某国有企业所持物流公司100%股权（一次报价）", "property_single_quote",
                       real_now + dt.timedelta(days=10), quote_ceiling="20000000.00", **common)
    _admit(quoting, staff, bidders[:2])
    quotes.quote_submit(actor=bidders[0], listing_id=quoting.pk, amount="15600000")
    # 权重报价 in its quoting period: one sealed quote of the price and both factors in
    weighing = _listing("2026-111", "济南某国有企业所持酒店公司100%股权（权重报价）", "property_weighted_quote",
                        real_now + dt.timedelta(days=10), **WEIGHTED_TERMS, **common)
    _admit(weighing, staff, bidders[1:])
    quotes.quote_submit(actor=bidders[1], listing_id=weighing.pk, amount="12800000", factors={"1": "150", "2": "2500"})
    # suspended (中止) during its listing period, with the announced reason
    halted = _listing("2026-106", "槐荫区西客站片区F-2地块国有建设用地使用权（已中止）", "land_listing",
                      real_now + dt.timedelta(days=12), **common)
    _admit(halted, staff, bidders[1:])
    _bid(halted, bidders[1], "12000000", 1)
    suspension.listing_suspend(actor=staff, listing_id=halted.pk, reason="权属资料补正，待核实后恢复")
    # its resumption announced ahead (land: at least 5 days), at 9:00 on a working day 6+ days on; it resumes then
    suspension.listing_resumption_announce(
        actor=staff, listing_id=halted.pk,
        resume_at=office_moment(real_now + dt.timedelta(days=6), dt.time(9, 0), forward=True))
    # issue 15's kinds: a mining-rights auction waiting for its auction time (three bidders admitted, the template's
    # minimum), a water-rights listing open for bids, a capital increase disclosed for 40+ working days
    mining = _listing("2026-107", "沂源县某铁矿采矿权（拍卖）", "mining_auction", real_now + dt.timedelta(days=8),
                      start="8000000.00", increment="100000.00", **common)
    _admit(mining, staff, bidders)
    water = _listing("2026-108", "某灌区节余用水权（年取水量50万立方米，期限5年）", "water_listing",
                     real_now + dt.timedelta(days=10), start="600000.00", increment="10000.00", **common)
    _admit(water, staff, bidders[:2])
    _bid(water, bidders[0], "600000", 1)
    _listing("2026-109", "济南某国有控股科技公司增资扩股（网络竞价择优选择投资方）", "capital_increase",
             real_now + dt.timedelta(days=30), start="30000000.00", increment="200000.00", announce_days=80,
             **common)
    # the live one: its timed round starts five minutes after the demo is loaded
    live = _listing("2026-104", "历下区经十路D-2地块国有建设用地使用权（演示：加载后5分钟进入限时竞价）",
                    "land_listing", real_now + dt.timedelta(minutes=6), **common)
    _admit(live, staff, bidders)
    listings.reserve_set(actor=grantor, listing_id=live.pk, amount="12500000")
    _bid(live, bidders[0], "12000000", 1)
    _bid(live, bidders[1], "12100000", 2)
    if stdout is not None:
        stdout.write("产权挂牌演示数据已加载（含一个加载后约5分钟进入限时竞价的地块）")
