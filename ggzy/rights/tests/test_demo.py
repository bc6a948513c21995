"""The demo listings: one in each stage, and a live one whose timed round starts minutes after loading."""

import datetime as dt
from decimal import Decimal

import pytest

from ggzy.accounts.services import user_create
from ggzy.core import clock
from ggzy.demo.logins import DEMO_USERS
from ggzy.disclosure.models import Notice
from ggzy.registry.models import Center
from ggzy.rights.choices import ListingOutcome, ListingState
from ggzy.rights.demo import demo_rights_load
from ggzy.rights.models import RightsListing
from ggzy.rights.services.listings import listing_advance
from ggzy.rights.weighting import listing_scores


@pytest.mark.django_db
def test_demo_has_every_stage_and_a_live_round():
    for username, role, center_code, name in DEMO_USERS:
        if username in {"jinan_staff", "zhaobiao", "toubiao", "toubiao2", "toubiao3"}:
            user_create(actor=None, username=username, password="pass-1234-ok", role=role,
                        center=Center.objects.get(code=center_code) if center_code else None, display_name=name)
    demo_rights_load()
    demo_rights_load()  # safe to run twice
    listings = {x.code[-3:]: x for x in RightsListing.objects.all()}
    assert len(listings) == 15
    postqual = listings["004"]  # 资格后审: sold, the winner's check pending, nobody qualified before bidding
    assert (postqual.state, postqual.outcome, postqual.qualification_timing) == (
        ListingState.CLOSED, ListingOutcome.SOLD, "after")
    assert postqual.winner_review.is_pending and not postqual.registrations.filter(qualified_at__isnull=False).exists()
    assert (listings["107"].kind, listings["107"].registrations.count()) == ("mining_auction", 3)
    assert (listings["108"].kind, listings["108"].current_sequence) == ("water_listing", 1)
    assert listings["109"].kind == "capital_increase" and listings["109"].appraised_value == 30000000
    assert (listings["001"].state, listings["001"].outcome) == (ListingState.CLOSED, ListingOutcome.SOLD)
    assert (listings["002"].state, listings["002"].outcome) == (ListingState.CLOSED, ListingOutcome.FAILED)
    assert listings["001"].current_sequence == 3
    assert (listings["003"].kind, listings["003"].outcome, listings["003"].current_price) == (
        "land_auction", ListingOutcome.SOLD, 12400000)
    assert listings["105"].quotes.count() == 1 and listings["105"].current_price is None  # sealed
    weighted = listings["110"]  # 权重报价, closed: the lowest price won on the other factors
    assert (weighted.state, weighted.outcome, weighted.current_price) == (
        ListingState.CLOSED, ListingOutcome.SOLD, 12600000)
    assert [row.total for row in listing_scores(weighted)] == [Decimal("96.00"), Decimal("85.64"), Decimal("77.38")]
    assert listings["111"].quotes.count() == 1 and listings["111"].current_price is None
    assert listings["106"].state == ListingState.SUSPENDED and listings["106"].suspensions.count() == 1
    halted = listings["106"]
    assert halted.resume_at - clock.now() >= dt.timedelta(days=5)  # announced ahead; resumes when it comes
    assert Notice.objects.filter(project_code=halted.code, title__contains="恢复交易公告").count() == 1
    live = listings["104"]
    assert live.listing_ends_at - clock.now() <= dt.timedelta(minutes=6) and live.current_sequence == 2
    clock.freeze(live.listing_ends_at + dt.timedelta(seconds=1))
    listing_advance(listing_id=live.pk)
    live.refresh_from_db()
    assert live.state == ListingState.TIMED_ROUND
    for code, state in (("101", ListingState.ANNOUNCED), ("102", ListingState.REGISTRATION),
                        ("103", ListingState.LISTING), ("105", ListingState.QUOTING),
                        ("111", ListingState.QUOTING),
                        ("107", ListingState.REGISTRATION), ("108", ListingState.LISTING),
                        ("109", ListingState.REGISTRATION)):
        clock.unfreeze()
        listing_advance(listing_id=listings[code].pk)
        listings[code].refresh_from_db()
        assert listings[code].state == state
