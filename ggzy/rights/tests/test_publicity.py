"""The portal's notices of a listing (issue 15 item 6): the announcement once its time has come (not before), the
result on the close — 成交公示 with the winner, the price and the publicity period, or 流拍公告 — each once, on the
portal by class and city, searchable; before the close no notice names a bidder or a count."""

from __future__ import annotations

import datetime as dt

import pytest

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.disclosure.models import Notice, NoticeType
from ggzy.rights.choices import ListingOutcome, ListingState
from ggzy.rights.models import RightsListing
from ggzy.rights.services import bidding, listings
from ggzy.rights.services.publicity import winner_name
from ggzy.rights.tasks import listings_advance_due

from .factories import SHANGHAI, admit, listing_make

pytestmark = pytest.mark.django_db
ENDS = dt.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI)


def _notices(listing: RightsListing):
    return Notice.objects.filter(project_code=listing.code).order_by("published_at", "pk")


def test_the_announcement_waits_for_its_time_then_is_published_once(make_user, centers):
    # given a listing created before its announcement time (announced 60 days before the end)
    clock.freeze(ENDS - dt.timedelta(days=70))
    listing = listing_make(make_user, centers["jinan"], listing_ends_at=ENDS)
    # then nothing is on the portal yet, and the chronograph publishes nothing early
    assert not _notices(listing).exists()
    listings_advance_due()
    assert not _notices(listing).exists()
    # when the announcement time passes, the chronograph publishes it, once however often it runs
    clock.freeze(ENDS - dt.timedelta(days=60) + dt.timedelta(minutes=1))
    listings_advance_due()
    listings_advance_due()
    listings.listing_advance(listing_id=listing.pk)
    notice = _notices(listing).get()
    assert notice.notice_type == NoticeType.LISTING and notice.category_code == "03"
    assert notice.region_id == centers["jinan"].region_id and notice.budget == listing.start_price
    assert notice.published_at == listing.announced_at and notice.deadline == listing.registration_closes_at
    assert "国有建设用地使用权挂牌出让公告" in notice.title and "¥1,000,000.00" in notice.body
    assert "限时竞价" in notice.body and "每轮5分钟" in notice.body
    assert {"kind": "hall", "url": f"/rights/{listing.pk}/"} in notice.links
    assert RightsListing.objects.get(pk=listing.pk).announcement_notice_id == notice.pk


def test_a_sale_publishes_the_deal_with_winner_price_and_no_bidder_before(make_user, centers):
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], listing_ends_at=ENDS, staff=staff)
    regs = [admit(make_user, listing, staff=staff) for _ in range(3)]
    clock.freeze(ENDS - dt.timedelta(hours=1))
    for i, amount in enumerate(("1000000", "1010000")):
        assert bidding.bid_place(actor=regs[i].bidder, listing_id=listing.pk, amount=amount, seen_sequence=i,
                                 idempotency_key=f"publicity-{listing.pk}-{i:04d}").accepted
    # before the close: only the announcement, and it names no bidder
    before = _notices(listing).get()
    for reg in regs:
        assert winner_name(reg) not in before.body and reg.bidder.username not in before.body
    # when the timed round runs out
    clock.freeze(ENDS + dt.timedelta(minutes=10))
    listings.listing_advance(listing_id=listing.pk)
    listings_advance_due()
    listing = RightsListing.objects.get(pk=listing.pk)
    assert listing.state == ListingState.CLOSED and listing.outcome == ListingOutcome.SOLD
    announcement, deal = _notices(listing)
    assert deal.notice_type == NoticeType.DEAL and deal.pk == listing.result_notice_id
    assert winner_name(regs[1]) in deal.body and "¥1,010,000.00" in deal.body and deal.budget == listing.current_price
    # the land template has no publicity period of its own; the state property one has (below)
    assert "结果公示" in deal.title and "公示期" not in deal.body
    assert {"kind": "listing_notice", "url": f"/notices/{announcement.pk}/"} in deal.links
    assert deal.published_at == listing.closed_at


def test_a_failure_on_the_reserve_publishes_a_failed_listing_notice(make_user, centers):
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], listing_ends_at=ENDS, staff=staff)
    regs = [admit(make_user, listing, staff=staff) for _ in range(2)]
    listings.reserve_set(actor=listing.grantor, listing_id=listing.pk, amount="2000000")
    clock.freeze(ENDS - dt.timedelta(hours=1))
    assert bidding.bid_place(actor=regs[0].bidder, listing_id=listing.pk, amount="1000000", seen_sequence=0,
                             idempotency_key=f"failure-{listing.pk}-0001").accepted
    clock.freeze(ENDS + dt.timedelta(minutes=10))
    listings.listing_advance(listing_id=listing.pk)
    failure = RightsListing.objects.get(pk=listing.pk).result_notice
    assert failure is not None and failure.notice_type == NoticeType.FAILURE
    assert "流拍公告" in failure.title and "最高报价未达到底价" in failure.body and "¥2,000,000.00" in failure.body
    assert winner_name(regs[0]) not in failure.body and failure.budget is None


def test_a_state_property_deal_states_its_publicity_period(make_user, centers):
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], kind="property_transfer", listing_ends_at=ENDS, staff=staff)
    announcement = _notices(listing).get()
    assert announcement.category_code == "05" and "评估结果：¥1,000,000.00" in announcement.body
    regs = [admit(make_user, listing, staff=staff) for _ in range(2)]
    clock.freeze(ENDS - dt.timedelta(hours=1))
    assert bidding.bid_place(actor=regs[0].bidder, listing_id=listing.pk, amount="1000000", seen_sequence=0,
                             idempotency_key=f"property-{listing.pk}-0001").accepted
    clock.freeze(ENDS + dt.timedelta(minutes=10))
    listings.listing_advance(listing_id=listing.pk)
    deal = RightsListing.objects.get(pk=listing.pk).result_notice
    assert deal is not None and "公示期：自本公示发布之日起5个工作日（至2026-03-27）" in deal.body


def test_the_portal_lists_and_finds_rights_notices_by_class(client, make_user, centers):
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    listing = listing_make(make_user, centers["jinan"], listing_ends_at=ENDS)
    page = client.get("/notices/", {"category": "03"})
    assert page.status_code == 200 and listing.title in page.content.decode()
    found = client.get("/notices/", {"q": "挂牌出让公告"})
    assert listing.title in found.content.decode()
    detail = client.get(f"/notices/{listing.announcement_notice_id}/").content.decode()
    assert 'id="notice-link-hall"' in detail and "进入竞价大厅" in detail


def test_an_environmental_right_is_listed_under_its_top_level_class(make_user, centers):
    # 用水权 (64) sits under 环境资源权益交易 (06): the portal lists its notice under 06
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    listing = listing_make(make_user, centers["jinan"], kind="water_listing", listing_ends_at=ENDS,
                           increment="1000.00")
    notice = _notices(listing).get()
    assert notice.category_code == "06" and "用水权挂牌交易公告" in notice.title


def test_suspension_and_resumption_are_announced_on_the_portal(make_user, centers):
    from ggzy.rights.services import suspension

    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], listing_ends_at=ENDS, staff=staff)
    clock.freeze(ENDS - dt.timedelta(days=3))
    suspension.listing_suspend(actor=staff, listing_id=listing.pk, reason="权属资料补正")
    halted = _notices(listing).filter(notice_type=NoticeType.CHANGE).get()
    assert "中止公告" in halted.title and "中止原因：权属资料补正" in halted.body
    assert "恢复交易时间至少提前5日另行公告" in halted.body  # the land template's resumption_notice_min
    clock.freeze(ENDS - dt.timedelta(days=1))
    suspension.listing_resumption_announce(actor=staff, listing_id=listing.pk, resume_at="2026-03-24T10:00")
    resumed = _notices(listing).filter(notice_type=NoticeType.CHANGE).order_by("pk").last()
    assert "恢复交易公告" in resumed.title and "恢复交易时间：2026-03-24 10:00" in resumed.body
    assert "本阶段截止时间：2026-03-27 10:00" in resumed.body  # the 3 days the listing had left
    assert resumed.published_at == ENDS - dt.timedelta(days=1)  # at the announcement, 5 days before the time
