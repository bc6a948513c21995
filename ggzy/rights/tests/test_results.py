"""Results of a closed listing (issue 15 item 6): the deal confirmation both sides confirm once, the deposits —
refunded to the others by the template's working days, the winner's turned into payment — recorded by the center
with the bank reference (late ones marked), each reader seeing only what is theirs."""

from __future__ import annotations

import datetime as dt

import pytest

from ggzy.accounts.roles import Role
from ggzy.catalog.calendar import add_working_days
from ggzy.core import clock
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.rights import selectors
from ggzy.rights.choices import ListingOutcome, ListingState
from ggzy.rights.models import RightsConfirmation, RightsListing, RightsSettlement, SettlementKind
from ggzy.rights.services import bidding, listings, results

from .factories import SHANGHAI, admit, listing_make

pytestmark = pytest.mark.django_db
ENDS = dt.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI)


def _closed(make_user, centers, *, reserve=None, bids=("1000000", "1010000")):
    """A land listing with three admitted bidders; A (and B) bid; the listing closes through the timed round."""
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], listing_ends_at=ENDS, staff=staff)
    regs = [admit(make_user, listing, staff=staff) for _ in range(3)]
    if reserve:
        listings.reserve_set(actor=listing.grantor, listing_id=listing.pk, amount=reserve)
    clock.freeze(ENDS - dt.timedelta(hours=1))
    for i, amount in enumerate(bids):
        assert bidding.bid_place(actor=regs[i].bidder, listing_id=listing.pk, amount=amount, seen_sequence=i,
                                 idempotency_key=f"res-{listing.pk}-{i:04d}").accepted
    clock.freeze(ENDS + dt.timedelta(minutes=10))
    listings.listing_advance(listing_id=listing.pk)
    listing = RightsListing.objects.get(pk=listing.pk)
    assert listing.state == ListingState.CLOSED
    return listing, staff, regs


def test_a_sale_gives_a_confirmation_and_settles_every_deposit(make_user, centers):
    # given a listing sold to B at 1,010,000
    listing, staff, (a, b, c) = _closed(make_user, centers)
    assert listing.outcome == ListingOutcome.SOLD and listing.leading_id == b.pk
    # then the deposits: A and C (who never bid) get refunds due 5 working days after the close, B's goes to payment
    rows = {s.registration_id: s for s in RightsSettlement.objects.all()}
    due = add_working_days(ENDS.date(), 5).date
    assert rows[a.pk].kind == rows[c.pk].kind == SettlementKind.REFUND and rows[a.pk].due_on == due
    assert rows[b.pk].kind == SettlementKind.TO_PAYMENT and rows[b.pk].due_on is None
    assert all(s.amount == listing.deposit for s in rows.values())
    # and the confirmation names the winner and the price; it is prepared once however often the close is re-run
    listings.listing_advance(listing_id=listing.pk)
    assert RightsSettlement.objects.count() == 3 and RightsConfirmation.objects.count() == 1
    confirmation = RightsConfirmation.objects.get()
    assert "¥1,010,000.00" in confirmation.text and f"竞买号牌 {b.paddle}" in confirmation.text
    # when a loser or a stranger tries to confirm: refused, nothing changes
    with pytest.raises(NotAllowed):
        results.confirmation_confirm(actor=a.bidder, listing_id=listing.pk)
    # the winner and the grantor confirm, once each
    results.confirmation_confirm(actor=b.bidder, listing_id=listing.pk)
    with pytest.raises(Conflict, match="已确认"):
        results.confirmation_confirm(actor=b.bidder, listing_id=listing.pk)
    done = results.confirmation_confirm(actor=listing.grantor, listing_id=listing.pk)
    assert done.winner_confirmed_at and done.grantor_confirmed_at


def test_refunds_recorded_by_the_center_late_ones_marked(make_user, centers):
    listing, staff, (a, b, c) = _closed(make_user, centers)
    refund_a = RightsSettlement.objects.get(registration=a)
    refund_c = RightsSettlement.objects.get(registration=c)
    # a bidder may not record, nor may the center leave out the bank reference
    with pytest.raises(NotAllowed):
        results.settlement_record(actor=a.bidder, settlement_id=refund_a.pk, reference="X1")
    with pytest.raises(DomainError) as blank:
        results.settlement_record(actor=staff, settlement_id=refund_a.pk, reference="  ")
    assert "reference" in blank.value.errors
    # in time: not late; recorded once only
    clock.freeze(ENDS + dt.timedelta(days=2))
    done = results.settlement_record(actor=staff, settlement_id=refund_a.pk, reference="BANK-REFUND-001")
    assert done.settled_at and not results.is_late(done)
    with pytest.raises(Conflict, match="已办理"):
        results.settlement_record(actor=staff, settlement_id=refund_a.pk, reference="BANK-REFUND-002")
    # C's refund is still open after its due day: marked late in the center's view, and when recorded
    clock.freeze(dt.datetime.combine(refund_c.due_on + dt.timedelta(days=1), dt.time(10), tzinfo=SHANGHAI))
    view = selectors.results_for(user=staff, listing=listing)
    assert {row["id"]: row["late"] for row in view["settlements"]}[refund_c.pk] is True
    assert results.is_late(results.settlement_record(actor=staff, settlement_id=refund_c.pk, reference="BANK-9"))


def test_each_reader_sees_only_what_is_theirs(make_user, centers):
    listing, staff, (a, b, _c) = _closed(make_user, centers)
    public = selectors.results_for(user=None, listing=listing)
    assert public["settlements"] == [] and public["confirmation"]["text"] is None
    own = selectors.results_for(user=a.bidder, listing=listing)
    assert [row["paddle"] for row in own["settlements"]] == [a.paddle] and own["confirmation"]["text"] is None
    winner = selectors.results_for(user=b.bidder, listing=listing)
    assert winner["confirmation"]["can_confirm"] and "成交确认书" in winner["confirmation"]["text"]
    assert len(selectors.results_for(user=staff, listing=listing)["settlements"]) == 3


def test_a_failed_listing_refunds_everyone_and_has_no_confirmation(make_user, centers):
    listing, _staff, regs = _closed(make_user, centers, reserve="1100000")
    assert listing.outcome == ListingOutcome.FAILED
    assert sorted(s.kind for s in RightsSettlement.objects.all()) == [SettlementKind.REFUND] * 3
    assert not RightsConfirmation.objects.exists()
    with pytest.raises(Conflict, match="没有成交确认书"):
        results.confirmation_confirm(actor=regs[1].bidder, listing_id=listing.pk)


def test_results_through_the_api_and_the_page(client, make_user, centers):
    listing, staff, (a, b, _c) = _closed(make_user, centers)
    url = f"/api/v1/rights/listings/{listing.pk}"
    assert client.post(f"{url}/confirmation").status_code == 401
    client.force_login(a.bidder)
    assert client.post(f"{url}/confirmation").status_code == 403
    client.force_login(b.bidder)
    assert client.post(f"{url}/confirmation").json()["winner_confirmed_at"]
    settlement = RightsSettlement.objects.get(registration=a)
    assert client.post(f"/api/v1/rights/settlements/{settlement.pk}", {"reference": "B1"},
                       content_type="application/json").status_code == 403
    client.force_login(staff)
    bad = client.post(f"/api/v1/rights/settlements/{settlement.pk}", "{oops", content_type="application/json")
    assert bad.status_code == 400
    answer = client.post(f"/api/v1/rights/settlements/{settlement.pk}", {"reference": "BANK-77"},
                         content_type="application/json").json()
    assert answer["reference"] == "BANK-77" and answer["late"] is False
    assert len(client.get(f"{url}/results").json()["settlements"]) == 3
    page = client.get(f"/rights/{listing.pk}/").content.decode()
    assert "成交确认书" in page and "BANK-77" in page and "记录已办理" in page
    client.logout()
    public = client.get(f"/rights/{listing.pk}/").content.decode()
    assert "BANK-77" not in public and "id=\"settlements\"" not in public
