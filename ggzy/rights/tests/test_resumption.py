"""Resumption announced ahead (issue 15; DOMAIN.md, land and mining rights: "resumption announced ≥ 5 days
ahead"): staff announce the resumption time, at least the template's ``resumption_notice_min`` after the
announcement; the 恢复交易公告 goes on the portal at once; the listing resumes when the time comes — by the
chronograph, or by whoever touches it first — from the last committed high with at least the time it lost."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.audit import AuditEntry
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.disclosure.models import Notice, NoticeType
from ggzy.rights import selectors
from ggzy.rights.choices import BidRefusal, ListingOutcome, ListingState
from ggzy.rights.models import RightsListing, RightsSuspension
from ggzy.rights.services import bidding, suspension
from ggzy.rights.tasks import listings_advance_due

from .factories import SHANGHAI, admit, listing_make

pytestmark = pytest.mark.django_db
ENDS = dt.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI)
NOTICE = dt.timedelta(days=5)


def bid(reg, amount, seen, key):
    return bidding.bid_place(actor=reg.bidder, listing_id=reg.listing_id, amount=amount, seen_sequence=seen,
                             idempotency_key=key)


def fresh(listing) -> RightsListing:
    return RightsListing.objects.get(pk=listing.pk)


def resumption_notices(listing):
    return Notice.objects.filter(project_code=listing.code, notice_type=NoticeType.CHANGE,
                                 title__contains="恢复交易公告")


@pytest.fixture
def in_round(make_user, centers):
    """A land listing's timed round suspended one minute in (240 s left), the high 1 000 000 by bidder a."""
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], listing_ends_at=ENDS, staff=staff)
    a, b = admit(make_user, listing, staff=staff), admit(make_user, listing, staff=staff)
    clock.freeze(ENDS - dt.timedelta(days=3))
    assert bid(a, "1000000", 0, "res-bid-001").accepted
    clock.freeze(ENDS + dt.timedelta(minutes=1))
    suspension.listing_suspend(actor=staff, listing_id=listing.pk, reason="系统故障")
    clock.advance(dt.timedelta(hours=1))
    return {"listing": listing, "staff": staff, "a": a, "b": b}


@pytest.mark.parametrize(("resume_at", "needle"), [
    (None, "请填写恢复交易时间"),                                   # the template requires a notice period
    ("next week", "格式不正确"),
    (lambda: clock.now() + NOTICE - dt.timedelta(minutes=1), "resumption_notice_min"),  # one minute short
    (lambda: clock.now() - dt.timedelta(days=1), "5日"),            # in the past
], ids=["missing", "unparsable", "one-minute-short", "past"])
def test_resumption_time_before_the_notice_period_is_refused_and_nothing_changes(in_round, resume_at, needle):
    # given a suspended land listing (template: resumption_notice_min = 5 calendar days)
    listing, staff = in_round["listing"], in_round["staff"]
    audits = AuditEntry.objects.count()
    # when staff announce a resumption time that is missing, malformed or too soon
    with pytest.raises(DomainError) as err:
        suspension.listing_resumption_announce(actor=staff, listing_id=listing.pk,
                                               resume_at=resume_at() if callable(resume_at) else resume_at)
    # then a Chinese error names the field, and nothing changed
    assert err.value.errors.keys() == {"resume_at"} and needle in str(err.value)
    stored = fresh(listing)
    assert stored.state == ListingState.SUSPENDED and stored.resume_at is None
    assert RightsSuspension.objects.get(listing=listing).resume_at is None
    assert not resumption_notices(listing).exists() and AuditEntry.objects.count() == audits


def test_only_center_staff_announce_and_only_once(in_round):
    listing, staff, a = in_round["listing"], in_round["staff"], in_round["a"]
    with pytest.raises(NotAllowed):
        suspension.listing_resumption_announce(actor=a.bidder, listing_id=listing.pk,
                                               resume_at=clock.now() + NOTICE)
    assert fresh(listing).resume_at is None and not resumption_notices(listing).exists()
    first = clock.now() + NOTICE
    suspension.listing_resumption_announce(actor=staff, listing_id=listing.pk, resume_at=first)
    with pytest.raises(Conflict) as twice:
        suspension.listing_resumption_announce(actor=staff, listing_id=listing.pk, resume_at=first + NOTICE)
    assert twice.value.errors.keys() == {"resume_at"} and "不能重复公告" in str(twice.value)
    assert fresh(listing).resume_at == first and resumption_notices(listing).count() == 1


def test_notice_published_at_announcement_listing_resumes_lazily_at_the_time(in_round):
    # given a suspended timed round with 240 s left
    listing, staff, a, b = in_round["listing"], in_round["staff"], in_round["a"], in_round["b"]
    resume_at = clock.now() + NOTICE + dt.timedelta(hours=2)
    # when staff announce the resumption
    announced = suspension.listing_resumption_announce(actor=staff, listing_id=listing.pk, resume_at=resume_at)
    # then the 恢复交易公告 is on the portal now, stating the time; the listing is still suspended
    notice = resumption_notices(listing).get()
    assert notice.published_at == clock.now()
    assert "恢复交易时间：2026-03-25 13:01" in notice.body and "恢复后本阶段截止时间：2026-03-25 13:06" in notice.body
    assert announced.resume_at == resume_at and announced.resumed_until == resume_at + dt.timedelta(minutes=5)
    clock.freeze(resume_at - dt.timedelta(seconds=1))
    early = bid(b, "1010000", 1, "res-bid-002")
    assert early.refusal == BidRefusal.NOT_OPEN and fresh(listing).state == ListingState.SUSPENDED
    shown = selectors.hall_state(user=b.bidder, listing=fresh(listing), now=clock.now())["clock"]
    assert shown["phase"] == ListingState.SUSPENDED and shown["deadline"] == shown["resume_at"] != ""
    # when nobody runs the chronograph and a bid arrives two minutes after the time
    clock.freeze(resume_at + dt.timedelta(minutes=2))
    assert selectors.hall_state(user=b.bidder, listing=fresh(listing), now=clock.now())["clock"]["phase"] == (
        ListingState.TIMED_ROUND)
    answer = bid(b, "1010000", 1, "res-bid-003")
    # then the listing resumed at its announced time (the round counted from then, the full countdown at least),
    # from the last committed high, and the bid is accepted and restarts the countdown
    assert answer.accepted and answer.sequence == 2
    live = fresh(listing)
    assert live.state == ListingState.TIMED_ROUND and live.leading_id == b.pk and live.resume_at is None
    assert live.round_ends_at == clock.now() + dt.timedelta(minutes=5)
    record = RightsSuspension.objects.get(listing=listing)
    assert record.resumed_at == resume_at
    assert AuditEntry.objects.filter(action="rights.listing_resumed").count() == 1
    assert bid(a, "1020000", 2, "res-bid-004").accepted


def test_chronograph_resumes_at_the_time_idempotently_and_a_late_run_applies_the_deadlines(in_round):
    listing, staff = in_round["listing"], in_round["staff"]
    resume_at = clock.now() + NOTICE
    suspension.listing_resumption_announce(actor=staff, listing_id=listing.pk, resume_at=resume_at)
    clock.freeze(resume_at - dt.timedelta(seconds=1))
    listings_advance_due()
    assert fresh(listing).state == ListingState.SUSPENDED
    clock.freeze(resume_at)
    listings_advance_due()
    live = fresh(listing)
    assert live.state == ListingState.TIMED_ROUND and live.round_ends_at == resume_at + dt.timedelta(minutes=5)
    assert live.current_price == 1000000 and live.leading_id == in_round["a"].pk
    listings_advance_due()  # a second run changes nothing
    assert fresh(listing).round_ends_at == live.round_ends_at
    assert AuditEntry.objects.filter(action="rights.listing_resumed").count() == 1
    assert RightsSuspension.objects.get(listing=listing).resumed_at == resume_at


def test_a_late_chronograph_resumes_and_closes_at_their_own_times(in_round):
    listing, staff = in_round["listing"], in_round["staff"]
    resume_at = clock.now() + NOTICE
    suspension.listing_resumption_announce(actor=staff, listing_id=listing.pk, resume_at=resume_at)
    clock.freeze(resume_at + dt.timedelta(hours=1))  # the scheduler was down past the resumed round
    listings_advance_due()
    closed = fresh(listing)
    assert closed.state == ListingState.CLOSED and closed.outcome == ListingOutcome.SOLD
    assert closed.closed_at == resume_at + dt.timedelta(minutes=5)
    assert RightsSuspension.objects.get(listing=listing).resumed_at == resume_at


def test_template_without_a_notice_period_resumes_at_once_and_still_announces(make_user, centers):
    # given state property (its templates carry no resumption_notice_min), suspended in its listing period
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], kind="property_transfer", listing_ends_at=ENDS, staff=staff)
    clock.freeze(ENDS - dt.timedelta(days=3))
    suspension.listing_suspend(actor=staff, listing_id=listing.pk, reason="系统故障")
    clock.advance(dt.timedelta(days=1))
    with pytest.raises(DomainError) as past:
        suspension.listing_resumption_announce(actor=staff, listing_id=listing.pk,
                                               resume_at=clock.now() - dt.timedelta(minutes=1))
    assert past.value.errors.keys() == {"resume_at"} and fresh(listing).state == ListingState.SUSPENDED
    # when staff announce without a time
    record = suspension.listing_resumption_announce(actor=staff, listing_id=listing.pk)
    # then it resumes now with the three days it had left, and the notice is published
    live = fresh(listing)
    assert live.state == ListingState.LISTING and live.listing_ends_at == clock.now() + dt.timedelta(days=3)
    assert record.resumed_at == record.resume_at == clock.now() and live.resume_at is None
    assert resumption_notices(listing).count() == 1


# ---- the API and the hall page ----

def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_api_suspend_and_announce_resumption_by_role(in_round, make_user, centers):
    listing, staff = in_round["listing"], in_round["staff"]
    url = f"/api/v1/rights/listings/{listing.pk}/resumption"
    when = (clock.now() + NOTICE).isoformat()
    payload, kind = json.dumps({"resume_at": when}), "application/json"
    stranger = make_user(Role.CENTER_STAFF, center=centers["qingdao"])
    audits = AuditEntry.objects.count()
    # given anonymous, a bidder and another center's staff: refused, nothing changes
    assert Client().post(url, payload, content_type=kind).status_code == 401
    assert login(in_round["a"].bidder).post(url, payload, content_type=kind).status_code == 403
    other = login(stranger).post(url, payload, content_type=kind)
    assert other.status_code == 403 and "本中心" in other.json()["detail"]
    assert fresh(listing).resume_at is None and AuditEntry.objects.count() == audits
    # when too early: 400 naming the field
    early = login(staff).post(url, json.dumps({"resume_at": (clock.now() + dt.timedelta(days=4)).isoformat()}),
                              content_type=kind)
    assert early.status_code == 400 and "resume_at" in json.dumps(early.json()["errors"])
    assert fresh(listing).resume_at is None and not resumption_notices(listing).exists()
    # when in time: announced, not yet resumed
    done = login(staff).post(url, payload, content_type=kind)
    assert done.status_code == 200
    body = done.json()
    assert dt.datetime.fromisoformat(body["resume_at"]) == clock.now() + NOTICE and body["resumed_at"] is None
    assert fresh(listing).state == ListingState.SUSPENDED and resumption_notices(listing).count() == 1


def test_api_suspend_endpoint(make_user, centers):
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], listing_ends_at=ENDS, staff=staff)
    clock.freeze(ENDS - dt.timedelta(days=3))
    url = f"/api/v1/rights/listings/{listing.pk}/suspension"
    empty = login(staff).post(url, json.dumps({"reason": " "}), content_type="application/json")
    assert empty.status_code == 400 and "reason" in json.dumps(empty.json()["errors"])
    done = login(staff).post(url, json.dumps({"reason": "系统故障"}), content_type="application/json")
    assert done.status_code == 201 and done.json()["from_state"] == ListingState.LISTING
    assert fresh(listing).state == ListingState.SUSPENDED


def test_hall_page_staff_suspend_then_announce_resumption(make_user, centers):
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], listing_ends_at=ENDS, staff=staff)
    clock.freeze(ENDS - dt.timedelta(days=3))
    page = login(staff).get(f"/rights/{listing.pk}/").content.decode()
    assert 'id="suspend-form"' in page
    assert 'id="rights-suspension"' not in Client().get(f"/rights/{listing.pk}/").content.decode()
    login(staff).post(f"/rights/{listing.pk}/suspend/", {"reason": "系统故障"})
    page = login(staff).get(f"/rights/{listing.pk}/").content.decode()
    assert 'id="resumption-form"' in page and 'min="2026-03-22T10:00"' in page  # now + 5 days
    refused = login(staff).post(f"/rights/{listing.pk}/resumption/", {"resume_at": "2026-03-21T10:00"}, follow=True)
    assert "resumption_notice_min" in refused.content.decode() and fresh(listing).resume_at is None
    login(staff).post(f"/rights/{listing.pk}/resumption/", {"resume_at": "2026-03-22T10:00"})
    assert fresh(listing).resume_at == dt.datetime(2026, 3, 22, 10, 0, tzinfo=SHANGHAI)
    public = Client().get(f"/rights/{listing.pk}/").content.decode()
    assert 'id="rights-resume"' in public and "2026-03-22 10:00" in public
    assert 'id="resumption-announced"' in login(staff).get(f"/rights/{listing.pk}/").content.decode()
