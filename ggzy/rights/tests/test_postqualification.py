"""Qualification after winning (资格后审, issue 15 item 2): under a land listing whose announcement states it, the
deposit alone admits (paddle, may bid, 资格待审); at the close the winner's check by the listing's center comes before
the deal confirmation. Approval → the normal path; refusal (reason required) → 竞得无效: the winner's deposit kept,
the others refunded, the 竞得无效公告 published once. One decision, by the listing's own center; bad input changes
nothing. Under 资格前审 nothing changed."""

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
from ggzy.opendata import national, ocds_rights
from ggzy.rights import selectors, selectors_opendata
from ggzy.rights.choices import ListingOutcome, ListingState, RegistrationState
from ggzy.rights.models import (
    RightsListing,
    RightsRegistration,
    RightsSettlement,
    RightsWinnerReview,
    SettlementKind,
)
from ggzy.rights.services import (
    bidding,
    contract,
    deposits,
    listings,
    postqualification,
    registration,
    results,
)

from .factories import SHANGHAI, admit_on_deposit, listing_make

pytestmark = pytest.mark.django_db
ENDS = dt.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI)
REASON = "竞得人不符合出让公告规定的竞买资格（联合竞买协议未提交）"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _after(make_user, centers, kind="land_listing"):
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], kind=kind, listing_ends_at=ENDS, staff=staff,
                           qualification_timing="after")
    return listing, staff


def _closed_after(make_user, centers):
    """A land listing under 资格后审, three bidders admitted on the deposit; B outbids A in the listing period and the
    listing closes through the timed round: sold to B, B's check pending."""
    listing, staff = _after(make_user, centers)
    regs = [admit_on_deposit(make_user, listing, staff=staff) for _ in range(3)]
    clock.freeze(ENDS - dt.timedelta(hours=1))
    for i, amount in enumerate(("1000000", "1010000")):
        assert bidding.bid_place(actor=regs[i].bidder, listing_id=listing.pk, amount=amount, seen_sequence=i,
                                 idempotency_key=f"pq-{listing.pk}-{i:04d}").accepted
    clock.freeze(ENDS + dt.timedelta(minutes=10))
    listings.listing_advance(listing_id=listing.pk)
    listing = RightsListing.objects.get(pk=listing.pk)
    assert (listing.state, listing.outcome, listing.leading_id) == (ListingState.CLOSED, ListingOutcome.SOLD,
                                                                    regs[1].pk)
    return listing, staff, regs


def _snapshot(listing: RightsListing) -> tuple:
    listing.refresh_from_db()
    review = RightsWinnerReview.objects.filter(listing=listing).values_list("is_approved", "reason", "decided_at")
    return (listing.outcome, list(review), sorted(RightsSettlement.objects.values_list("registration_id", "kind")),
            Notice.objects.count(), AuditEntry.objects.count(),
            list(RightsRegistration.objects.order_by("pk").values_list("qualified_at", "refusal_reason")))


def test_under_after_the_deposit_admits_at_once_with_a_paddle_and_no_prior_check(make_user, centers):
    # given a land listing whose announcement states 资格后审
    listing, staff = _after(make_user, centers)
    assert listing.is_qualified_after_winning
    # when a bidder applies and the deposit is recorded, with no qualification decided
    reg = admit_on_deposit(make_user, listing, staff=staff)
    # then admitted at once with a paddle, the qualification pending (资格待审)
    assert reg.state == RegistrationState.ADMITTED and 101 <= reg.paddle <= 999 and reg.qualified_at is None
    me = selectors.hall_state(user=reg.bidder, listing=listing, now=clock.now())["me"]
    assert me["admitted"] and me["qualification_pending"]
    assert "资格待审（竞得后审查）" in login(reg.bidder).get(f"/rights/{listing.pk}/").content.decode()
    # and the pre-bidding check is refused under 资格后审, naming the field, nothing changed
    other = registration.registration_apply(actor=make_user(Role.BIDDER), listing_id=listing.pk)
    with pytest.raises(Conflict) as refused:
        registration.registration_qualify(actor=staff, registration_id=other.pk, approve=True)
    assert "approve" in refused.value.errors
    other.refresh_from_db()
    assert other.state == RegistrationState.APPLIED and other.qualified_at is None
    # and the announcement on the portal states the timing
    assert "资格审查方式：资格后审" in Notice.objects.get(pk=listing.announcement_notice_id).body


def test_under_after_the_bank_statement_match_admits_too(make_user, centers):
    # given a 资格后审 listing and an application (its own virtual sub-account)
    import csv
    import io

    from ggzy.core.statements import STATEMENT_COLUMNS

    listing, staff = _after(make_user, centers)
    reg = registration.registration_apply(actor=make_user(Role.BIDDER), listing_id=listing.pk)
    out = io.StringIO()
    csv.writer(out).writerows([STATEMENT_COLUMNS, ["PQ-0001", "2026-03-02 10:00:00", "某某置业有限公司",
                                                   "6222020200001234567", "中国工商银行济南分行", reg.subaccount,
                                                   str(listing.deposit)]])
    # when the statement with the full deposit on that sub-account is imported
    deposits.deposit_statement_import(actor=staff, center=centers["jinan"], data=out.getvalue().encode())
    # then the match admits with a paddle, nobody having checked the qualification
    reg.refresh_from_db()
    assert reg.state == RegistrationState.ADMITTED and reg.paddle and reg.qualified_at is None


def test_under_before_the_deposit_alone_still_does_not_admit(make_user, centers):
    # given a land listing under the default 资格前审
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], listing_ends_at=ENDS, staff=staff)
    assert listing.qualification_timing == "before" and not listing.is_qualified_after_winning
    # when only the deposit is recorded
    reg = admit_on_deposit(make_user, listing, staff=staff)
    # then not admitted until qualified; qualified → admitted
    assert reg.state == RegistrationState.APPLIED and reg.paddle is None
    reg = registration.registration_qualify(actor=staff, registration_id=reg.pk, approve=True)
    assert reg.state == RegistrationState.ADMITTED and reg.paddle


@pytest.mark.parametrize(("kind", "timing", "message"), [
    pytest.param("mining_listing", "after", "不允许资格后审", id="template-without-the-row"),
    pytest.param("property_transfer", "after", "不允许资格后审", id="state-property"),
    pytest.param("land_listing", "sometimes", "资格审查方式无效", id="unknown-timing"),
])
def test_listing_creation_refuses_a_timing_the_template_does_not_allow(make_user, centers, kind, timing, message):
    # given the clock and the center's staff
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    # when a listing is published with a timing its template does not allow / then refused naming the field
    with pytest.raises(DomainError) as refused:
        listing_make(make_user, centers["jinan"], kind=kind, listing_ends_at=ENDS, staff=staff,
                     qualification_timing=timing)
    assert message in refused.value.errors["qualification_timing"][0]
    assert not RightsListing.objects.exists()


def test_land_auction_allows_after_winning_too(make_user, centers):
    listing, staff = _after(make_user, centers, kind="land_auction")
    reg = admit_on_deposit(make_user, listing, staff=staff)
    assert listing.qualification_timing == "after" and reg.state == RegistrationState.ADMITTED


def test_at_the_close_the_confirmation_exists_but_waits_for_the_winners_check(make_user, centers):
    # given a 资格后审 listing sold to B
    listing, staff, (a, b, c) = _closed_after(make_user, centers)
    # then the confirmation exists, the check is pending, the others' deposits are refunded as after any close and
    # the winner's waits for the check
    assert listing.confirmation and RightsWinnerReview.objects.get(listing=listing).is_pending
    assert "资格后审" in listing.confirmation.text
    rows = dict(RightsSettlement.objects.values_list("registration_id", "kind"))
    assert rows == {a.pk: SettlementKind.REFUND, c.pk: SettlementKind.REFUND}
    # when the winner or the grantor tries to confirm
    before = _snapshot(listing)
    for who in (b.bidder, listing.grantor):
        with pytest.raises(Conflict) as refused:
            results.confirmation_confirm(actor=who, listing_id=listing.pk)
        # then refused, naming the field, nothing changed
        assert "尚未通过竞得后资格审查" in refused.value.errors["winner_qualification"][0]
    assert _snapshot(listing) == before
    listing.confirmation.refresh_from_db()
    assert listing.confirmation.winner_confirmed_at is None and listing.confirmation.grantor_confirmed_at is None
    # and the hall offers no confirm button, shows the pending check, and its form to the center only
    assert selectors.results_for(user=b.bidder, listing=listing)["confirmation"]["can_confirm"] is False
    assert selectors.hall_state(user=None, listing=listing, now=clock.now())["result"]["outcome_label"] == \
        "成交（竞得人资格待审）"
    assert 'id="winner-review-form"' in login(staff).get(f"/rights/{listing.pk}/").content.decode()
    assert 'id="winner-review-form"' not in login(b.bidder).get(f"/rights/{listing.pk}/").content.decode()
    # and the close re-run prepares nothing twice
    listings.listing_advance(listing_id=listing.pk)
    assert RightsWinnerReview.objects.count() == 1 and RightsSettlement.objects.count() == 2


def test_approval_leads_to_the_normal_path(make_user, centers):
    # given a 资格后审 listing sold to B, B's check pending
    listing, staff, (a, b, c) = _closed_after(make_user, centers)
    # when the center approves
    review = postqualification.winner_qualification_decide(actor=staff, listing_id=listing.pk, approve=True)
    # then B is qualified, B's deposit turns into payment, the outcome stays 成交, and both sides may confirm
    b.refresh_from_db()
    assert review.is_approved and b.qualified_at == clock.now()
    assert RightsSettlement.objects.get(registration=b).kind == SettlementKind.TO_PAYMENT
    listing.refresh_from_db()
    assert listing.outcome == ListingOutcome.SOLD
    assert AuditEntry.objects.filter(action="rights.winner_qualification_decided").count() == 1
    results.confirmation_confirm(actor=b.bidder, listing_id=listing.pk)
    results.confirmation_confirm(actor=listing.grantor, listing_id=listing.pk)
    # and the contract is recorded with the winner's deposit credited
    price, credited = contract.price_and_credit(listing)
    recorded = contract.contract_record(actor=staff, listing_id=listing.pk, number="HT-PQ-1", signed_on=clock.today(),
                                        instalments=[{"due_on": clock.today(), "amount": str(price - credited)}])
    assert recorded.deposit_credited == listing.deposit
    assert not Notice.objects.filter(notice_type=NoticeType.TERMINATION).exists()


def test_refusal_voids_the_sale_keeps_the_winners_deposit_and_publishes_the_notice_once(make_user, centers):
    # given a 资格后审 listing sold to B
    listing, staff, (a, b, c) = _closed_after(make_user, centers)
    result_notice = listing.result_notice_id
    # when the center refuses B with the reason
    review = postqualification.winner_qualification_decide(actor=staff, listing_id=listing.pk, approve=False,
                                                           reason=f"  {REASON} ")
    # then the sale is void (竞得无效), the reason kept, B's deposit not refunded, A's and C's refunded as before
    listing.refresh_from_db()
    assert listing.outcome == ListingOutcome.VOID and listing.state == ListingState.CLOSED
    assert review.is_approved is False and review.reason == REASON and review.decided_by == staff
    rows = dict(RightsSettlement.objects.values_list("registration_id", "kind"))
    assert rows == {a.pk: SettlementKind.REFUND, b.pk: SettlementKind.FORFEIT, c.pk: SettlementKind.REFUND}
    assert RightsSettlement.objects.get(registration=b).due_on is None
    # and the 竞得无效公告 is on the portal once, naming the winner refused and the reason, linking the result
    void = Notice.objects.get(notice_type=NoticeType.TERMINATION, project_code=listing.code)
    assert void.title.startswith("国有建设用地使用权挂牌出让竞得无效公告") and REASON in void.body
    assert b.bidder.username in void.body and a.bidder.username not in void.body
    assert listing.result_notice_id == result_notice and review.void_notice_id == void.pk
    listings.listing_advance(listing_id=listing.pk)
    from ggzy.rights.services.publicity import void_publish

    void_publish(listing, RightsWinnerReview.objects.get(pk=review.pk))
    assert Notice.objects.filter(notice_type=NoticeType.TERMINATION).count() == 1
    # and nothing can follow: neither confirmation nor contract
    with pytest.raises(Conflict) as refused:
        results.confirmation_confirm(actor=b.bidder, listing_id=listing.pk)
    assert "竞得无效" in refused.value.errors["winner_qualification"][0]
    with pytest.raises(Conflict):
        contract.contract_record(actor=staff, listing_id=listing.pk, number="HT-PQ-2", signed_on=clock.today(),
                                 instalments=[])
    # and the hall shows it: 竞得无效, no winner, B told why
    hall = selectors.hall_state(user=b.bidder, listing=listing, now=clock.now())
    assert hall["result"]["outcome_label"] == "竞得无效" and hall["result"]["winner_paddle"] is None
    assert hall["me"]["status"] == "void"
    page = Client().get(f"/rights/{listing.pk}/").content.decode()
    assert "审查未通过，竞得无效" in page and REASON in page


def test_a_second_decision_is_refused_and_changes_nothing(make_user, centers):
    # given a decided check (approved)
    listing, staff, _ = _closed_after(make_user, centers)
    postqualification.winner_qualification_decide(actor=staff, listing_id=listing.pk, approve=True)
    before = _snapshot(listing)
    # when the center decides again (either way) / then refused naming the field, nothing changed
    for approve, reason in ((False, REASON), (True, "")):
        with pytest.raises(Conflict) as refused:
            postqualification.winner_qualification_decide(actor=staff, listing_id=listing.pk, approve=approve,
                                                          reason=reason)
        assert "已审查" in refused.value.errors["approve"][0]
    assert _snapshot(listing) == before


@pytest.mark.parametrize("who", ["other_center_staff", "bidder", "grantor", "anonymous"])
def test_only_the_listings_own_center_decides(make_user, centers, who):
    # given a pending check
    listing, staff, (a, b, c) = _closed_after(make_user, centers)
    stranger = make_user(Role.CENTER_STAFF, center=centers["qingdao"])
    actor = {"other_center_staff": stranger, "bidder": b.bidder, "grantor": listing.grantor, "anonymous": None}[who]
    before = _snapshot(listing)
    # when someone else decides / then refused, nothing changed, no audit entry
    with pytest.raises(NotAllowed):
        postqualification.winner_qualification_decide(actor=actor, listing_id=listing.pk, approve=False,
                                                      reason=REASON)
    assert _snapshot(listing) == before


@pytest.mark.parametrize(("approve", "reason", "field"), [
    pytest.param(False, "", "reason", id="refusal-without-reason"),
    pytest.param(False, "   ", "reason", id="refusal-with-blank-reason"),
    pytest.param(False, "理" * 201, "reason", id="reason-too-long"),
    pytest.param("yes", REASON, "approve", id="approve-not-a-boolean"),
])
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(make_user, centers, approve, reason, field):
    listing, staff, _ = _closed_after(make_user, centers)
    before = _snapshot(listing)
    with pytest.raises(DomainError) as refused:
        postqualification.winner_qualification_decide(actor=staff, listing_id=listing.pk, approve=approve,
                                                      reason=reason)
    assert field in refused.value.errors
    assert _snapshot(listing) == before
    assert RightsWinnerReview.objects.get(listing=listing).is_pending


def test_a_listing_under_before_has_no_check_to_decide(make_user, centers):
    # given a 资格前审 listing sold (qualified before bidding)
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], listing_ends_at=ENDS, staff=staff)
    from .factories import admit

    a = admit(make_user, listing, staff=staff)
    clock.freeze(ENDS - dt.timedelta(hours=1))
    assert bidding.bid_place(actor=a.bidder, listing_id=listing.pk, amount="1000000", seen_sequence=0,
                             idempotency_key="pq-before-0001").accepted
    clock.freeze(ENDS + dt.timedelta(minutes=10))
    listings.listing_advance(listing_id=listing.pk)
    listing.refresh_from_db()
    assert listing.outcome == ListingOutcome.SOLD and not RightsWinnerReview.objects.exists()
    assert RightsSettlement.objects.get(registration=a).kind == SettlementKind.TO_PAYMENT
    # when staff try to decide / then refused: nothing to decide, nothing changed
    with pytest.raises(Conflict):
        postqualification.winner_qualification_decide(actor=staff, listing_id=listing.pk, approve=False,
                                                      reason=REASON)
    listing.refresh_from_db()
    assert listing.outcome == ListingOutcome.SOLD
    results.confirmation_confirm(actor=a.bidder, listing_id=listing.pk)  # the confirmation as before


def test_the_api_endpoint_answers_each_role(make_user, centers):
    # given a pending check
    listing, staff, (a, b, c) = _closed_after(make_user, centers)
    url = f"/api/v1/rights/listings/{listing.pk}/winner-qualification"

    def post(client: Client, body: dict):
        return client.post(url, json.dumps(body), content_type="application/json")

    refusal = {"approve": False, "reason": REASON}
    stranger = make_user(Role.CENTER_STAFF, center=centers["qingdao"])
    before = _snapshot(listing)
    # anonymous, a bidder, another center's staff: refused, nothing changed
    assert post(Client(), refusal).status_code in (401, 403)
    assert post(login(b.bidder), refusal).status_code == 403
    assert post(login(stranger), refusal).status_code == 403
    # a refusal without a reason: 400 naming the field
    answer = post(login(staff), {"approve": False})
    assert answer.status_code == 400 and "reason" in json.dumps(answer.json(), ensure_ascii=False)
    assert _snapshot(listing) == before
    # the listing's own center: decided, 竞得无效 with the notice; a second call 409
    answer = post(login(staff), refusal)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["approved"] is False and body["outcome"] == "void" and body["void_notice_id"]
    assert post(login(staff), {"approve": True}).status_code == 409


def test_the_hall_form_decides_and_shows_every_refusal(make_user, centers):
    listing, staff, _ = _closed_after(make_user, centers)
    url = f"/rights/{listing.pk}/winner-qualification/"
    # a refusal without reason: back to the hall with the reason's message, nothing changed
    page = login(staff).post(url, {"decision": "refuse", "reason": ""}, follow=True).content.decode()
    assert "请填写未通过原因" in page and RightsWinnerReview.objects.get().is_pending
    # the approval through the form
    page = login(staff).post(url, {"decision": "approve"}, follow=True).content.decode()
    assert "竞得人资格审查通过" in page and RightsWinnerReview.objects.get().is_approved
    # a bidder cannot post it
    assert login(make_user(Role.BIDDER)).post(url, {"decision": "refuse", "reason": REASON}).status_code == 403


def test_a_voided_listing_exports_as_a_cancelled_award(make_user, centers):
    # given a 资格后审 listing sold, then voided
    listing, staff, (a, b, c) = _closed_after(make_user, centers)
    postqualification.winner_qualification_decide(actor=staff, listing_id=listing.pk, approve=False, reason=REASON)
    listing.refresh_from_db()
    # when its open facts become OCDS releases and national records
    facts = selectors_opendata.listing_open_facts(listing)
    releases = ocds_rights.releases_of(facts)
    # then: announcement, the award at the close (winner named, as the result notice did), then its cancellation
    assert [r["tag"][0] for r in releases] == ["tender", "award", "awardCancellation"]
    last = releases[-1]
    assert last["awards"][0]["status"] == "cancelled" and REASON in last["awards"][0]["description"]
    assert last["tender"]["status"] == "unsuccessful" and "contracts" not in last
    record = national.record_of_release(last)
    assert record["DATA_SET"] == "RIGHTS_VOID" and REASON in record["VOID_REASON"]
    # and the listing is among those changed at the decision's time
    since = clock.now() - dt.timedelta(seconds=1)
    assert listing in selectors_opendata.listing_codes_changed(since=since, until=clock.now() + dt.timedelta(1))


@pytest.mark.django_db(transaction=True)
def test_two_staff_deciding_at_once_make_exactly_one_decision(make_user, centers):
    """Real race on PostgreSQL (the listing row lock serialises the two); SQLite's shared cache: in turns."""
    import threading

    from django.db import connection, connections

    # given a pending check and two of the center's staff
    listing, staff, (a, b, c) = _closed_after(make_user, centers)
    second = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    start = threading.Barrier(2)
    in_turn = threading.Lock() if connection.vendor == "sqlite" else None
    outcomes: list[object] = []
    guard = threading.Lock()

    def run(actor, approve: bool) -> None:
        try:
            start.wait(timeout=30)
            if in_turn:
                in_turn.acquire()
            try:
                postqualification.winner_qualification_decide(actor=actor, listing_id=listing.pk, approve=approve,
                                                              reason="" if approve else REASON)
                result: object = "approve" if approve else "refuse"
            finally:
                if in_turn:
                    in_turn.release()
        except Conflict as exc:
            result = exc
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            result = repr(exc)
        finally:
            connections["default"].close()
        with guard:
            outcomes.append(result)

    # when one approves and the other refuses at the same moment
    threads = [threading.Thread(target=run, args=(staff, True)), threading.Thread(target=run, args=(second, False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # then exactly one decision stands, the other refused as a second decision, and the state matches the winner
    done = [o for o in outcomes if o in ("approve", "refuse")]
    assert len(done) == 1 and len([o for o in outcomes if isinstance(o, Conflict)]) == 1, outcomes
    review = RightsWinnerReview.objects.get(listing=listing)
    listing.refresh_from_db()
    kinds = dict(RightsSettlement.objects.values_list("registration_id", "kind"))
    if done[0] == "approve":
        assert review.is_approved and listing.outcome == ListingOutcome.SOLD
        assert kinds[b.pk] == SettlementKind.TO_PAYMENT and not Notice.objects.filter(
            notice_type=NoticeType.TERMINATION).exists()
    else:
        assert review.is_approved is False and listing.outcome == ListingOutcome.VOID
        assert kinds[b.pk] == SettlementKind.FORFEIT
        assert Notice.objects.filter(notice_type=NoticeType.TERMINATION).count() == 1
    assert AuditEntry.objects.filter(action="rights.winner_qualification_decided").count() == 1
