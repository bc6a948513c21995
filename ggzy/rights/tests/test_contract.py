"""The contract after a sale and its payment schedule (issue 15 item 6): recorded by the center after both sides
confirmed the deal; the balance is the price less the winner's deposit; instalments only where the template says
how (state property: at least 30 % down, within one year); payments recorded once, late ones marked."""

from __future__ import annotations

import datetime as dt

import pytest

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.rights import selectors
from ggzy.rights.models import RightsContract, RightsInstalment, RightsListing
from ggzy.rights.services import bidding, contract, listings, results

from .factories import SHANGHAI, admit, listing_make

pytestmark = pytest.mark.django_db
ENDS = dt.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI)
SIGNED = dt.date(2026, 3, 25)


def _sold(make_user, centers, *, kind="property_transfer", confirm=True):
    """Sold at 1,010,000 to B, whose 200,000 deposit is credited; both sides confirm unless told not to."""
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], kind=kind, listing_ends_at=ENDS, staff=staff)
    a, b = admit(make_user, listing, staff=staff), admit(make_user, listing, staff=staff)
    clock.freeze(ENDS - dt.timedelta(hours=1))
    for i, (reg, amount) in enumerate(((a, "1000000"), (b, "1010000"))):
        assert bidding.bid_place(actor=reg.bidder, listing_id=listing.pk, amount=amount, seen_sequence=i,
                                 idempotency_key=f"contract-{listing.pk}-{i:04d}").accepted
    clock.freeze(ENDS + dt.timedelta(minutes=10))
    listings.listing_advance(listing_id=listing.pk)
    listing = RightsListing.objects.get(pk=listing.pk)
    if confirm:
        results.confirmation_confirm(actor=b.bidder, listing_id=listing.pk)
        results.confirmation_confirm(actor=listing.grantor, listing_id=listing.pk)
    clock.freeze(dt.datetime(2026, 3, 26, 10, 0, tzinfo=SHANGHAI))
    return listing, staff, b


def _record(staff, listing, rows, **kwargs):
    return contract.contract_record(actor=staff, listing_id=listing.pk, number=kwargs.get("number", "HT-2026-001"),
                                    signed_on=kwargs.get("signed_on", SIGNED), instalments=rows)


def test_instalments_within_the_state_property_rules_then_payments_recorded(make_user, centers):
    listing, staff, winner = _sold(make_user, centers)
    # when the center records 110,000 now (with the 200,000 deposit: 31% down) and the rest within the year
    rows = [{"due_on": "2026-03-31", "amount": "110000"}, {"due_on": "2026-09-30", "amount": "350000"},
            {"due_on": "2027-03-25", "amount": "350000"}]
    recorded = _record(staff, listing, rows)
    # then the contract keeps the price, the credited deposit and three instalments
    assert recorded.price == 1010000 and recorded.deposit_credited == 200000
    assert [i.amount for i in recorded.instalments.order_by("number")] == [110000, 350000, 350000]
    # and it is recorded once
    with pytest.raises(Conflict, match="已登记合同"):
        _record(staff, listing, rows)
    # the winner sees the schedule; a stranger sees none of it
    assert selectors.results_for(user=winner.bidder, listing=listing)["contract"]["number"] == "HT-2026-001"
    assert selectors.results_for(user=make_user(Role.BIDDER), listing=listing)["contract"] is None
    # a payment recorded on time, once; one recorded after its due day is marked late
    first, second, _ = recorded.instalments.order_by("number")
    paid = contract.instalment_pay(actor=staff, instalment_id=first.pk, reference="BANK-1")
    assert paid.paid_at is not None and not contract.instalment_late(paid)
    with pytest.raises(Conflict):
        contract.instalment_pay(actor=staff, instalment_id=first.pk, reference="BANK-1b")
    clock.freeze(dt.datetime(2026, 10, 9, 10, 0, tzinfo=SHANGHAI))
    assert contract.instalment_late(RightsInstalment.objects.get(pk=second.pk))  # overdue, unpaid
    late = contract.instalment_pay(actor=staff, instalment_id=second.pk, reference="BANK-2")
    assert contract.instalment_late(late)


@pytest.mark.parametrize(("rows", "field", "message"), [
    # 100,000 + 200,000 deposit = 29.7% down
    ([{"due_on": "2026-03-31", "amount": "100000"}, {"due_on": "2026-09-30", "amount": "710000"}],
     "instalments.0.amount", "不得低于成交价款的30%"),
    # the last payment a day beyond the year
    ([{"due_on": "2026-03-31", "amount": "110000"}, {"due_on": "2027-03-26", "amount": "700000"}],
     "instalments.1.due_on", "不得超过1年"),
    # the sum is not the balance of 810,000
    ([{"due_on": "2026-03-31", "amount": "800000"}], "instalments", "应等于"),
    # hostile and malformed rows name their row
    ([{"due_on": "2026-03-31", "amount": "1e20"}], "instalments.0.amount", ""),
    ([{"due_on": "31/03/2026", "amount": "810000"}], "instalments.0.due_on", "格式"),
    ([{"due_on": "2026-03-20", "amount": "810000"}], "instalments.0.due_on", "不得早于合同签订日期"),
    ([{"due_on": "2026-06-30", "amount": "410000"}, {"due_on": "2026-04-30", "amount": "400000"}],
     "instalments.1.due_on", "不得早于上一期"),
    (["810000"], "instalments.0", "应付日期和金额"),
])
def test_a_bad_schedule_is_refused_naming_the_row_and_nothing_is_kept(make_user, centers, rows, field, message):
    listing, staff, _ = _sold(make_user, centers)
    with pytest.raises(DomainError) as refused:
        _record(staff, listing, rows)
    assert field in refused.value.errors and message in "；".join(refused.value.errors[field])
    assert not RightsContract.objects.exists() and not RightsInstalment.objects.exists()


def test_land_has_no_instalment_rule_so_the_balance_is_paid_at_once(make_user, centers):
    listing, staff, _ = _sold(make_user, centers, kind="land_listing")
    with pytest.raises(DomainError, match="一次付清") as refused:
        _record(staff, listing, [{"due_on": "2026-03-31", "amount": "410000"},
                                 {"due_on": "2026-04-30", "amount": "400000"}])
    assert "instalments" in refused.value.errors
    one = _record(staff, listing, [{"due_on": "2026-04-24", "amount": "810000"}])
    assert one.instalments.count() == 1


def test_only_the_center_after_both_confirmations(make_user, centers):
    listing, staff, winner = _sold(make_user, centers, confirm=False)
    rows = [{"due_on": "2026-03-31", "amount": "810000"}]
    with pytest.raises(Conflict, match="双方确认"):
        _record(staff, listing, rows)
    results.confirmation_confirm(actor=winner.bidder, listing_id=listing.pk)
    results.confirmation_confirm(actor=listing.grantor, listing_id=listing.pk)
    with pytest.raises(NotAllowed):
        _record(winner.bidder, listing, rows)
    with pytest.raises(NotAllowed):
        _record(make_user(Role.CENTER_STAFF, center=centers["qingdao"]), listing, rows)
    with pytest.raises(DomainError) as early:
        _record(staff, listing, rows, signed_on="2026-03-19")
    assert "signed_on" in early.value.errors
    assert _record(staff, listing, rows).number == "HT-2026-001"


def test_the_hall_page_form_and_the_api(client, make_user, centers):
    listing, staff, winner = _sold(make_user, centers)
    client.force_login(staff)
    page = client.get(f"/rights/{listing.pk}/").content.decode()
    assert 'id="contract-form"' in page and "¥810,000.00" in page and "百分之30" in page
    # a bad row through the page: a message naming it, nothing kept
    answer = client.post(f"/rights/{listing.pk}/contract/", {"number": "HT-1", "signed_on": "2026-03-25",
                                                              "due_on_0": "2026-03-31", "amount_0": "abc"},
                         follow=True)
    assert "第1期金额" in answer.content.decode() and not RightsContract.objects.exists()
    # the API records it (201) and a payment
    created = client.post(f"/api/v1/rights/listings/{listing.pk}/contract", content_type="application/json",
                          data={"number": "HT-2", "signed_on": "2026-03-25",
                                "instalments": [{"due_on": "2026-03-31", "amount": "810000"}]})
    assert created.status_code == 201, created.content
    instalment = created.json()["instalments"][0]["id"]
    paid = client.post(f"/api/v1/rights/instalments/{instalment}/payment", content_type="application/json",
                       data={"reference": "BANK-9"})
    assert paid.status_code == 200 and paid.json()["late"] is False
    shown = client.get(f"/rights/{listing.pk}/").content.decode()
    assert 'id="instalments"' in shown and "BANK-9" in shown
    # a bidder may not use the API
    client.force_login(winner.bidder)
    refused = client.post(f"/api/v1/rights/instalments/{instalment}/payment", content_type="application/json",
                          data={"reference": "X"})
    assert refused.status_code == 403
