"""Challenges (异议/质疑), complaints (投诉) and suspensions through the services: windows from the template,
working days over a holiday, standing, the sealed complainant, and suspension of the award."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.models import AuditEntry
from ggzy.tendering import selectors_complaints as sc
from ggzy.tendering.choices import ChallengeState, ComplaintState
from ggzy.tendering.models import Challenge, Complaint, LotSuspension
from ggzy.tendering.services import challenges, complaints, opening, result, suspensions
from ggzy.tendering.services import complaint_rules as cr

from .complaints_world import bid, lot_at_candidates
from .conftest import lot_ready, sign_up

SHANGHAI = ZoneInfo("Asia/Shanghai")
FACTS, REQUESTS = "评分与招标文件规定不符", "请复核评分"


@pytest.fixture(autouse=True)
def _supervisors(world, make_user, centers):
    """Jinan's supervision department (the lots' center) and Qingdao's."""
    world.supervisor = make_user(Role.SUPERVISOR, center=centers["jinan"])
    world.other_supervisor = make_user(Role.SUPERVISOR, center=centers["qingdao"])


def _file(world, lot, i, subject, **kw):
    return challenges.challenge_file(actor=world.bidders[i], lot=lot, subject=subject, facts=FACTS,
                                     requests=REQUESTS, **kw)


# --- windows --------------------------------------------------------------------------------------------------
def test_documents_objection_on_time_is_accepted_and_due_in_three_days(world):
    # given a published works lot (deadline in 21 days)
    lot = lot_ready(world)
    # when a potential bidder (not signed up: the law allows it for the documents) objects 11 days before
    clock.advance(dt.timedelta(days=10))
    c = _file(world, lot, 3, "documents")
    # then it is filed, as an objection, due 3 calendar days later (template objection_answer_within)
    assert c.kind == "objection" and c.state == ChallengeState.FILED
    assert c.answer_due == clock.now() + dt.timedelta(days=3)


@pytest.mark.parametrize(("days_before_deadline", "ok"), [("11", True), ("10", True), ("9", False)],
                         ids=["11-days-before", "exactly-10", "9-days-before-late"])
def test_documents_objection_window_is_ten_days_before_the_deadline(world, days_before_deadline, ok):
    # given a published lot
    lot = lot_ready(world)
    clock.freeze(lot.bid_deadline - dt.timedelta(days=int(days_before_deadline)))
    before = AuditEntry.objects.count()
    # when / then: late is refused naming filed_at and the legal basis, and nothing is written
    if ok:
        _file(world, lot, 0, "documents")
        return
    with pytest.raises(Conflict) as err:
        _file(world, lot, 0, "documents")
    assert "filed_at" in err.value.errors and "第二十二条" in str(err.value) and "10日" in str(err.value)
    assert Challenge.objects.count() == 0 and AuditEntry.objects.count() == before


def test_result_objection_late_after_the_publicity_is_refused(world, fake_draw):
    # given candidates published (3-day publicity)
    lot = lot_at_candidates(world)
    # when a bidder objects after the publicity
    clock.advance(dt.timedelta(days=3, minutes=1))
    with pytest.raises(Conflict) as err:
        _file(world, lot, 0, "evaluation_result")
    # then refused, naming the field, nothing suspended
    assert "filed_at" in err.value.errors and "公示期间" in str(err.value)
    assert not LotSuspension.objects.exists()


def test_works_objection_on_other_matters_is_refused_they_go_to_a_complaint(world):
    lot = lot_ready(world)
    sign_up(world, lot, [0])
    with pytest.raises(DomainError) as err:
        _file(world, lot, 0, "other", known_on=clock.today())
    assert "subject" in err.value.errors


# --- standing -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["bidder-not-signed-up", "tenderer", "expert"])
def test_without_standing_an_objection_to_the_result_is_refused(world, fake_draw, who):
    # given candidates published; bidder 3 never signed up for the lot
    lot = lot_at_candidates(world)
    actor = {"bidder-not-signed-up": world.bidders[3], "tenderer": world.tenderer, "expert": world.experts[0]}[who]
    before = AuditEntry.objects.count()
    # when it objects to the result
    with pytest.raises(NotAllowed):
        challenges.challenge_file(actor=actor, lot=lot, subject="evaluation_result", facts=FACTS, requests=REQUESTS)
    # then nothing is written and nothing suspended
    assert Challenge.objects.count() == 0 and AuditEntry.objects.count() == before
    assert not LotSuspension.objects.exists()


def test_gp_documents_challenge_needs_the_documents(world):
    # government procurement: only a supplier that obtained the documents (财政部令第94号 Art. 11)
    lot = lot_ready(world, method="gp_open_tender")
    with pytest.raises(NotAllowed):
        _file(world, lot, 0, "documents")
    sign_up(world, lot, [0])
    assert _file(world, lot, 0, "documents").kind == "challenge"


# --- sealed ---------------------------------------------------------------------------------------------------
def test_documents_challenge_before_the_opening_does_not_reveal_the_complainant(world):
    # given a published lot with bidders 0 and 1 signed up
    lot = lot_ready(world)
    sign_up(world, lot, [0, 1])
    # when bidder 0 objects to the documents
    c = _file(world, lot, 0, "documents")
    # then the row names nobody (tag and ciphertext only), and the filing's audit entry has no actor
    c.refresh_from_db()
    assert c.is_sealed and c.complainant_id is None and bytes(c.complainant_sealed)
    entry = AuditEntry.objects.filter(action="challenge.file").get()
    assert entry.actor_id is None and world.bidder_entities[0].name not in str(entry.after)
    # the tenderer sees the objection but not who filed it
    rows = sc.challenges_for_answerer(world.tenderer, lot)
    assert sc.complainant_names(rows) == {c.pk: sc.SEALED_LABEL}
    # the answer is published to every signed-up bidder, without the author; not to others
    challenges.challenge_answer(actor=world.tenderer, challenge=c, answer="招标文件第3.2条工期以280日历天为准")
    seen = sc.published_answers(world.bidders[1], lot)
    assert [a["answer"] for a in seen] == ["招标文件第3.2条工期以280日历天为准"]
    assert set(seen[0]) == {"id", "kind", "answer", "answered_on"}
    assert sc.published_answers(world.bidders[3], lot) == []
    # the complainant finds its own, with the answer; another bidder does not see it as its own
    assert [x.answer for x in sc.own_challenges(world.bidders[0], lot)] == ["招标文件第3.2条工期以280日历天为准"]
    assert sc.own_challenges(world.bidders[1], lot) == []


def test_after_the_opening_a_sealed_complainant_is_named_from_its_unsealed_sign_up(world, fake_draw):
    lot = lot_ready(world)
    sign_up(world, lot, [0])
    c = _file(world, lot, 0, "documents")
    # when the lot is opened (bidders 0–2 bid)
    sign_up(world, lot, [1, 2])
    for i, price in enumerate(["7650000.00", "7480000.00", "7720000.00"]):
        bid(world, lot, i, price)
    clock.freeze(lot.bid_deadline + dt.timedelta(minutes=1))
    opening.lot_open(actor=world.staff, lot=lot)
    # then the row is still sealed, but the supervisor's and answerers' lists name it from the unsealed sign-up
    c.refresh_from_db()
    assert c.complainant_id is None
    assert sc.complainant_names([c]) == {c.pk: world.bidder_entities[0].name}


# --- suspension -----------------------------------------------------------------------------------------------
def test_result_objection_suspends_the_award_until_answered(world, fake_draw):
    # given candidates published and an objection to the result by bidder 2
    lot = lot_at_candidates(world)
    c = _file(world, lot, 2, "evaluation_result")
    assert c.complainant == world.bidder_entities[2] and not c.is_sealed
    # when the publicity is over but the objection is unanswered
    clock.advance(dt.timedelta(days=3, minutes=1))
    with pytest.raises(Conflict) as err:
        result.award_issue(actor=world.tenderer, lot=lot)
    # then the award is refused with the suspension's reason
    assert str(err.value).startswith("本标段因异议/投诉暂停：") and "state" in err.value.errors
    assert not hasattr(lot, "award") or lot.award is None
    # when the tenderer answers, the suspension lifts and the award goes out
    challenges.challenge_answer(actor=world.tenderer, challenge=c, answer="经复核，评分无误")
    assert LotSuspension.objects.get().lifted_at == clock.now()
    assert result.award_issue(actor=world.tenderer, lot=lot).amount
    actions = list(AuditEntry.objects.filter(action__in=["challenge.file", "lot.suspend", "challenge.answer",
                                                         "lot.resume"]).values_list("action", flat=True))
    assert sorted(actions) == sorted(["challenge.file", "lot.suspend", "challenge.answer", "lot.resume"])


def test_department_suspension_blocks_the_contract_until_decided(world, fake_draw):
    # given an awarded lot and a complaint accepted with a suspension order
    lot = lot_at_candidates(world)
    c = _file(world, lot, 2, "evaluation_result")
    challenges.challenge_answer(actor=world.tenderer, challenge=c, answer="经复核，评分无误")
    clock.advance(dt.timedelta(days=3, minutes=1))
    award = result.award_issue(actor=world.tenderer, lot=lot)
    complaint = complaints.complaint_file(actor=world.bidders[2], lot=lot, subject="evaluation_result",
                                          challenge=c, facts=FACTS, requests=REQUESTS)
    complaints.complaint_accept(actor=world.supervisor, complaint=complaint, suspend=True)
    lot.refresh_from_db()
    with pytest.raises(Conflict, match="本标段因异议/投诉暂停"):
        result.contract_record(actor=world.tenderer, lot=lot, amount=award.amount, signed_on=clock.today(),
                               content=b"contract")
    # when the department decides, the contract may be recorded
    complaints.complaint_decide(actor=world.supervisor, complaint=complaint, outcome="dismissed",
                                decision="投诉缺乏事实根据，驳回")
    assert result.contract_record(actor=world.tenderer, lot=lot, amount=award.amount, signed_on=clock.today(),
                                  content=b"contract").amount == award.amount


# --- complaints: state machine, deadlines ---------------------------------------------------------------------
def test_complaint_on_the_result_needs_the_objection_first(world, fake_draw):
    lot = lot_at_candidates(world)
    with pytest.raises(Conflict) as err:
        complaints.complaint_file(actor=world.bidders[2], lot=lot, subject="evaluation_result", facts=FACTS,
                                  requests=REQUESTS)
    assert "challenge" in err.value.errors and "先提出异议" in str(err.value)
    c = _file(world, lot, 2, "evaluation_result")
    with pytest.raises(Conflict, match="答复期限未满"):  # not answered and not yet due
        complaints.complaint_file(actor=world.bidders[2], lot=lot, subject="evaluation_result", challenge=c,
                                  facts=FACTS, requests=REQUESTS)
    challenges.challenge_answer(actor=world.tenderer, challenge=c, answer="经复核，评分无误")
    # another bidder cannot complain on this bidder's objection
    with pytest.raises(DomainError) as err:
        complaints.complaint_file(actor=world.bidders[1], lot=lot, subject="evaluation_result", challenge=c,
                                  facts=FACTS, requests=REQUESTS)
    assert "challenge" in err.value.errors
    # 10 days after the answer: on time; 10 days and a minute: late
    clock.advance(dt.timedelta(days=10, minutes=1))
    with pytest.raises(Conflict) as err:
        complaints.complaint_file(actor=world.bidders[2], lot=lot, subject="evaluation_result", challenge=c,
                                  facts=FACTS, requests=REQUESTS)
    assert "filed_at" in err.value.errors and "第六十条" in str(err.value)
    assert Complaint.objects.count() == 0


def test_working_day_deadlines_skip_the_labour_day_holiday(world):
    # given a signed-up bidder of a works lot, on Thursday 2026-04-30 (1–5 May are holidays)
    lot = lot_ready(world)
    sign_up(world, lot, [0])
    clock.freeze(dt.datetime(2026, 4, 30, 10, 0, tzinfo=SHANGHAI))
    # when it complains directly about another matter it learnt of yesterday
    complaint = complaints.complaint_file(actor=world.bidders[0], lot=lot, subject="other", facts=FACTS,
                                          requests=REQUESTS, known_on=dt.date(2026, 4, 29))
    # then acceptance is due 3 working days later: Friday 8 May (not Tuesday 5 May)
    assert complaint.acceptance_due == dt.datetime(2026, 5, 8, 10, 0, tzinfo=SHANGHAI)
    # accepted on Wednesday 6 May: the decision is due 30 working days from then — Tuesday 16 June, because
    # Saturday 9 May is a make-up working day (counting weekdays only would give 17 June)
    clock.freeze(dt.datetime(2026, 5, 6, 9, 0, tzinfo=SHANGHAI))
    complaint = complaints.complaint_accept(actor=world.supervisor, complaint=complaint)
    assert complaint.decision_due == dt.datetime(2026, 6, 16, 9, 0, tzinfo=SHANGHAI)


def test_gp_challenge_answer_is_due_in_seven_working_days_over_the_holiday(world):
    lot = lot_ready(world, method="gp_open_tender")
    sign_up(world, lot, [0])
    clock.freeze(dt.datetime(2026, 4, 30, 10, 0, tzinfo=SHANGHAI))
    c = _file(world, lot, 0, "other", known_on=dt.date(2026, 4, 29))
    # 6, 7, 8, 9 (make-up Saturday), 11, 12, 13 May
    assert c.answer_due == dt.datetime(2026, 5, 13, 10, 0, tzinfo=SHANGHAI)


def test_gp_complaint_window_is_fifteen_working_days_after_the_answer_period(world):
    # given a GP challenge that was never answered
    lot = lot_ready(world, method="gp_open_tender")
    sign_up(world, lot, [0])
    c = _file(world, lot, 0, "other", known_on=clock.today())
    # when the supplier complains 15 working days after the answer period: on time; the next day: late
    last = cr.rules.after(lot.project, "complaint_within", c.answer_due)
    clock.freeze(last)
    ok = complaints.complaint_file(actor=world.bidders[0], lot=lot, subject="other", challenge=c, facts=FACTS,
                                   requests=REQUESTS)
    # government procurement: the decision counts from the receipt (政府采购法 Art. 56)
    assert ok.decision_due == cr.rules.after(lot.project, "complaint_decision_within", ok.filed_at)
    clock.freeze(last + dt.timedelta(days=1))
    with pytest.raises(Conflict) as err:
        complaints.complaint_file(actor=world.bidders[0], lot=lot, subject="other", challenge=c, facts=FACTS,
                                  requests=REQUESTS)
    assert "filed_at" in err.value.errors and "第五十五条" in str(err.value)


def test_complaint_transitions_follow_the_table_and_are_audited(world):
    lot = lot_ready(world)
    sign_up(world, lot, [0])
    complaint = complaints.complaint_file(actor=world.bidders[0], lot=lot, subject="other", facts=FACTS,
                                          requests=REQUESTS, known_on=clock.today())
    # a supervisor of another center may not touch it
    with pytest.raises(NotAllowed):
        complaints.complaint_refuse(actor=world.other_supervisor, complaint=complaint, reason="不属于本部门")
    complaints.complaint_refuse(actor=world.supervisor, complaint=complaint, reason="不属于本部门受理范围")
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.REFUSED
    # refused → decided / accepted / withdrawn are not in the table
    for attempt in (lambda: complaints.complaint_accept(actor=world.supervisor, complaint=complaint),
                    lambda: complaints.complaint_decide(actor=world.supervisor, complaint=complaint,
                                                        outcome="upheld", decision="成立"),
                    lambda: complaints.complaint_withdraw(actor=world.bidders[0], complaint=complaint)):
        with pytest.raises(Conflict) as err:
            attempt()
        assert "state" in err.value.errors
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.REFUSED
    assert list(AuditEntry.objects.filter(object_type="tendering.complaint").order_by("id")
                .values_list("action", flat=True)) == ["complaint.file", "complaint.refuse"]
    assert (ComplaintState.REFUSED, ComplaintState.DECIDED) not in cr.COMPLAINT_TRANSITIONS


def test_supervisor_list_shows_due_dates_and_marks_overdue(world):
    lot = lot_ready(world)
    sign_up(world, lot, [0])
    complaint = complaints.complaint_file(actor=world.bidders[0], lot=lot, subject="other", facts=FACTS,
                                          requests=REQUESTS, known_on=clock.today())
    [row] = sc.complaints_open_for_supervisor(world.supervisor)
    assert row.id == complaint.pk and row.due == complaint.acceptance_due and not row.is_overdue
    assert row.complainant == sc.SEALED_LABEL  # before the opening
    assert sc.complaints_open_for_supervisor(world.other_supervisor) == []
    assert sc.complaints_open_for_supervisor(world.staff) == []
    clock.freeze(complaint.acceptance_due + dt.timedelta(minutes=1))
    assert sc.complaints_open_for_supervisor(world.supervisor)[0].is_overdue


def test_blank_text_is_refused_naming_the_field(world):
    lot = lot_ready(world)
    with pytest.raises(DomainError) as err:
        challenges.challenge_file(actor=world.bidders[0], lot=lot, subject="documents", facts="  ",
                                  requests=REQUESTS)
    assert "facts" in err.value.errors
    with pytest.raises(DomainError) as err:
        challenges.challenge_file(actor=world.bidders[0], lot=lot, subject="nonsense", facts=FACTS,
                                  requests=REQUESTS)
    assert "subject" in err.value.errors
    assert Challenge.objects.count() == 0


def test_withdrawing_the_result_objection_lifts_the_suspension(world, fake_draw):
    # given an objection to the result suspending the lot
    lot = lot_at_candidates(world)
    c = _file(world, lot, 2, "evaluation_result")
    # another bidder may not withdraw it
    with pytest.raises(NotAllowed):
        challenges.challenge_withdraw(actor=world.bidders[1], challenge=c)
    assert LotSuspension.objects.get().lifted_at is None
    # when its author withdraws it, the suspension lifts; a second withdrawal is not in the table
    challenges.challenge_withdraw(actor=world.bidders[2], challenge=c)
    c.refresh_from_db()
    assert c.state == ChallengeState.WITHDRAWN and LotSuspension.objects.get().lifted_at is not None
    with pytest.raises(Conflict) as err:
        challenges.challenge_withdraw(actor=world.bidders[2], challenge=c)
    assert "state" in err.value.errors


def test_gp_department_suspension_ends_at_its_statutory_maximum(world):
    # given a GP challenge left unanswered past its period, and the supplier's complaint
    lot = lot_ready(world, method="gp_open_tender")
    sign_up(world, lot, [0])
    c = _file(world, lot, 0, "other", known_on=clock.today())
    clock.freeze(c.answer_due + dt.timedelta(hours=1))
    complaint = complaints.complaint_file(actor=world.bidders[0], lot=lot, subject="other", challenge=c,
                                          facts=FACTS, requests=REQUESTS)
    # when the finance department accepts it and orders a suspension
    complaints.complaint_accept(actor=world.supervisor, complaint=complaint, suspend=True)
    # then the lot is suspended for at most 30 days (政府采购法 Art. 57, template complaint_suspension_max)
    suspension = LotSuspension.objects.get()
    assert suspension.ends_at == clock.now() + dt.timedelta(days=30)
    with pytest.raises(Conflict, match="本标段因异议/投诉暂停"):
        suspensions.require_not_suspended(lot, "发出中标通知书")
    clock.advance(dt.timedelta(days=30, minutes=1))
    suspensions.require_not_suspended(lot, "发出中标通知书")  # no longer in force
