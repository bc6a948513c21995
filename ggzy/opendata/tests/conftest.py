"""A lot played through every public stage by the services, pausing at each so the tests can look at it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from ggzy.core import clock
from ggzy.tendering import services
from ggzy.tendering.choices import BidState
from ggzy.tendering.services import bidding, evaluation, opening, result
from ggzy.tendering.tests.conftest import bond_arrive, lot_ready, seat_committee, world  # noqa: F401 — fixture

PRICES = ["7650000.00", "7480000.00", "7720000.00"]
# values that must never appear in public before their stage (prices are checked the way they are written)
SECRET_PHONE = "13905310077"


def _bid(world, lot, i, price):  # noqa: F811
    user = world.bidders[i]
    services.signup_create(actor=user, lot=lot)
    bond_arrive(world, lot, i)
    return bidding.bid_submit(actor=user, lot=lot, price_sheet={"total_price": price, "duration_days": 300},
                              files=[bidding.IncomingFile("技术标.pdf", [b"technical proposal"])],
                              fingerprint={"mac": f"00:11:22:33:44:{i:02d}", "public_ip": "1.2.3.4"})


def play(world) -> Iterator[tuple[str, object]]:  # noqa: F811
    """Yield (stage, lot) at: bids in (before the opening), opening record published, committee at work,
    candidates published, result final (award + contract)."""
    world.tenderer_entity.contact_phone = SECRET_PHONE
    world.tenderer_entity.save(update_fields=["contact_phone"])
    lot = lot_ready(world)
    for i, price in enumerate(PRICES):
        _bid(world, lot, i, price)
    yield "before_opening", lot
    clock.advance(dt.timedelta(days=21, minutes=1))
    lot = opening.lot_open(actor=world.staff, lot=lot)
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    yield "opening_decrypted", lot
    opening.opening_record_publish(actor=world.staff, lot=lot)
    lot = opening.opening_close(actor=world.staff, lot=lot)
    members = [(e, "expert_technical") for e in world.experts[:4]] + [(world.experts[4], "expert_economic")]
    seat_committee(world.staff, lot, members, chair=world.experts[0])
    yield "after_opening", lot
    for member, _ in members:
        for bid in lot.bids.filter(state=BidState.OPENED):
            evaluation.score_submit(actor=member, bid=bid, technical="50", commercial="10")
    evaluation.report_generate(actor=world.experts[0], lot=lot)
    for member, _ in members:
        evaluation.report_sign(actor=member, lot=lot)
    result.candidates_publish(actor=world.tenderer, lot=lot)
    lot.refresh_from_db()
    yield "candidates", lot
    clock.advance(dt.timedelta(days=3, minutes=1))
    result.award_issue(actor=world.tenderer, lot=lot)
    lot.refresh_from_db()
    result.contract_record(actor=world.tenderer, lot=lot, amount="7480000", signed_on=clock.today(),
                           content=b"contract pdf")
    lot.refresh_from_db()
    yield "result_final", lot


@pytest.fixture
def stages(world):  # noqa: F811
    return play(world)


def rights_demo_load() -> None:
    """The rights demo (``ggzy/rights/demo.py``: a listing in every stage and mode) with the demo users it needs."""
    from ggzy.accounts.services import user_create
    from ggzy.demo.logins import DEMO_USERS
    from ggzy.registry.models import Center
    from ggzy.rights.demo import demo_rights_load

    for username, role, center_code, name in DEMO_USERS:
        if username in {"jinan_staff", "zhaobiao", "toubiao", "toubiao2", "toubiao3"}:
            user_create(actor=None, username=username, password="pass-1234-ok", role=role,
                        center=Center.objects.get(code=center_code) if center_code else None, display_name=name)
    demo_rights_load()


def rights_demo_close_all() -> None:
    """Announce the suspended demo listing's resumption (when the demo has not), refuse the winner awaiting the check
    after winning (竞得无效), pay the sold one's balance, then move 60 days on (past the resumption) and close every
    listing."""
    from ggzy.accounts.models import User
    from ggzy.rights.models import RightsInstalment, RightsListing, RightsWinnerReview
    from ggzy.rights.services import contract, listings, postqualification, suspension

    staff = User.objects.get(username="jinan_staff")
    for listing in RightsListing.objects.filter(state="suspended", resume_at__isnull=True):
        suspension.listing_resumption_announce(actor=staff, listing_id=listing.pk,
                                               resume_at=clock.now() + dt.timedelta(days=6))
    for review in RightsWinnerReview.objects.filter(is_approved__isnull=True):  # 资格后审: the winner refused
        postqualification.winner_qualification_decide(actor=staff, listing_id=review.listing_id, approve=False,
                                                      reason="竞买人不符合出让公告规定的竞买资格（演示）")
    for instalment in RightsInstalment.objects.filter(paid_at__isnull=True):
        contract.instalment_pay(actor=staff, instalment_id=instalment.pk, reference=f"DEMO-PAY-{instalment.pk}")
    clock.freeze(clock.now() + dt.timedelta(days=60))
    for listing in RightsListing.objects.all():
        listings.listing_advance(listing_id=listing.pk)
