"""A drawn member who recuses at sign-in: the seat is redrawn (补抽) from the same draw request — never that expert
again, nor anyone who refused — the new expert confirms, joins the committee and declares, and only then may the
committee score. The published draw document shows the recusal and the redraw."""

from __future__ import annotations

import datetime as dt

import pytest

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.errors import DomainError, NotAllowed
from ggzy.experts import services as expert_services
from ggzy.experts.models import DrawnExpert, DrawnState, DrawRequest
from ggzy.experts.selectors import draw_published_document
from ggzy.experts.tests.factories import ExpertFactory
from ggzy.ledger.services import checkpoint_issue
from ggzy.tendering.choices import BidState
from ggzy.tendering.models import CommitteeMember
from ggzy.tendering.services import committee, evaluation

from .recusal_signing import declare
from .test_committee import _opened


@pytest.fixture
def drawn_lot(world, make_user, django_capture_on_commit_callbacks):
    """Six drawable experts; a committee of 4 drawn experts + the tenderer's representative; one of the first four
    drawn refuses (so the fifth comes in) before the others confirm; the committee is formed from the draw."""
    for u in world.experts[:6]:
        ExpertFactory(classifications=["A0101"], user=u, employer=None)
    lot = _opened(world)
    formation = committee.committee_draw_request(
        actor=world.staff, lot=lot, needs=[("A0101", 4, "technical")], size=5, tenderer_rep=world.tenderer,
        scheduled_at=clock.now() + dt.timedelta(hours=3))
    checkpoint_issue()
    witness = make_user(Role.CENTER_STAFF, center=world.center)
    with django_capture_on_commit_callbacks(execute=True):
        request = expert_services.draw_run(actor=world.staff, request=DrawRequest.objects.get(
            pk=formation.draw_request_id), witness=witness)
    first = list(request.drawn.select_related("expert__user").order_by("order"))
    refusing = first[0]
    expert_services.draw_answer(actor=refusing.expert.user, drawn=refusing, accept=False)
    for d in DrawnExpert.objects.filter(request=request, state=DrawnState.NOTIFIED).select_related("expert__user"):
        expert_services.draw_answer(actor=d.expert.user, drawn=d, accept=True)
    committee.committee_form_from_draw(actor=world.staff, lot=lot)
    return lot, request, refusing


def _seated_drawn(lot):
    return list(CommitteeMember.objects.filter(lot=lot, source="draw").select_related("user"))


def test_recusal_redraws_the_seat_and_scoring_waits_for_the_new_members_declaration(world, drawn_lot):
    # given a committee formed by draw, everyone but one expert has declared no conflict
    lot, request, refusing = drawn_lot
    members = _seated_drawn(lot)
    recusing = members[0]
    for m in members[1:]:
        declare(m.user, lot)
    declare(world.tenderer, lot)
    # when that expert recuses
    declare(recusing.user, lot, recuse=True, reason="近亲属在投标人处任职")
    # then their slot is released and a redraw notifies the one expert left — neither the recused nor the refusing one
    assert DrawnExpert.objects.get(request=request, expert_id=recusing.expert_ref).state == DrawnState.RECUSED
    new = DrawnExpert.objects.select_related("expert__user").get(request=request, state=DrawnState.NOTIFIED)
    assert new.expert_id not in {recusing.expert_ref, refusing.expert_id}
    assert "回避后待补抽" in (committee.scoring_blocker(lot) or "")
    # when the new expert confirms and the center fills the seat from the draw
    expert_services.draw_answer(actor=new.expert.user, drawn=new, accept=True)
    committee.committee_form_from_draw(actor=world.staff, lot=lot)
    # then the new expert is seated, and scoring waits for their declaration
    assert CommitteeMember.objects.filter(lot=lot, user=new.expert.user, source="draw").exists()
    assert not CommitteeMember.objects.filter(lot=lot, user=recusing.user).exists()
    assert "未签署回避声明" in (committee.scoring_blocker(lot) or "")
    bid = lot.bids.filter(state=BidState.OPENED).first()
    with pytest.raises(DomainError):
        evaluation.score_submit(actor=new.expert.user, bid=bid, technical="50", commercial="10")
    # when the new expert declares
    declare(new.expert.user, lot)
    # then scoring is open
    assert committee.scoring_blocker(lot) is None
    evaluation.score_submit(actor=new.expert.user, bid=bid, technical="50", commercial="10")


def test_the_recused_expert_never_comes_back_and_direct_appointment_needs_a_reason(world, drawn_lot):
    # given the drawn committee, with the one spare expert already used by a first recusal's redraw
    lot, request, refusing = drawn_lot
    members = _seated_drawn(lot)
    declare(members[0].user, lot, recuse=True, reason="曾在投标人处任职")
    new = DrawnExpert.objects.select_related("expert__user").get(request=request, state=DrawnState.NOTIFIED)
    expert_services.draw_answer(actor=new.expert.user, drawn=new, accept=True)
    committee.committee_form_from_draw(actor=world.staff, lot=lot)
    # when a second expert recuses and the pool has nobody left
    declare(members[1].user, lot, recuse=True, reason="与投标人有经济往来")
    # then nobody is notified again: neither recused expert nor the refusing one, and the request records the shortfall
    request.refresh_from_db()
    assert not DrawnExpert.objects.filter(request=request, state=DrawnState.NOTIFIED).exists()
    recused = set(DrawnExpert.objects.filter(request=request, state=DrawnState.RECUSED).values_list("expert_id",
                                                                                                     flat=True))
    assert recused == {members[0].expert_ref, members[1].expert_ref}
    assert request.failure_reason
    # and the seat is filled directly only with a reason (实施条例 第四十七条); a recused member cannot come back
    with pytest.raises(DomainError, match="第四十七条"):
        committee.committee_appoint_direct(actor=world.staff, lot=lot,
                                           members=[(world.experts[6], "expert_technical")], reason="")
    with pytest.raises(DomainError, match="已申请回避"):
        committee.committee_appoint_direct(actor=world.staff, lot=lot, members=[(members[0].user, "expert_technical")],
                                           reason="专家库无人可补抽")
    committee.committee_appoint_direct(actor=world.staff, lot=lot, members=[(world.experts[6], "expert_technical")],
                                       reason="专家库无人可补抽，依第四十七条直接确定")
    assert CommitteeMember.objects.filter(lot=lot).count() == 5


def test_the_published_draw_document_shows_the_recusal_and_the_redraw(world, drawn_lot, client):
    # given a recusal and its redraw, confirmed
    lot, request, refusing = drawn_lot
    recusing = _seated_drawn(lot)[0]
    declare(recusing.user, lot, recuse=True, reason="近亲属在投标人处任职")
    new = DrawnExpert.objects.select_related("expert__user").get(request=request, state=DrawnState.NOTIFIED)
    expert_services.draw_answer(actor=new.expert.user, drawn=new, accept=True)
    recused = DrawnExpert.objects.get(request=request, state=DrawnState.RECUSED)
    # when the result is final and the draw is published
    request = expert_services.draw_publish(request)
    doc = draw_published_document(request)
    # then the document lists the refusal and the recusal in order, marks the recusal, and the result holds the new one
    assert doc is not None
    assert doc["refusals"] == [refusing.pseudonym, recused.pseudonym]
    assert doc["recusals"] == [recused.pseudonym]
    assert new.pseudonym in {r["id"] for r in doc["result"]}
    assert recused.pseudonym not in {r["id"] for r in doc["result"]}
    page = client.get(f"/experts/draws/{request.pk}/public/").content.decode()
    assert "签到时申请回避" in page and recused.pseudonym in page
    english = client.get(f"/experts/draws/{request.pk}/public/?lang=en").content.decode()
    assert "Recused at sign-in" in english and "Refused or did not answer in time" in english
    assert "签到时申请回避" not in english


def test_only_a_confirmed_slot_can_be_released_by_a_recusal(world, drawn_lot):
    # given the refusing expert's slot (already released) of the drawn committee
    lot, request, refusing = drawn_lot
    refusing.refresh_from_db()
    held = DrawnExpert.objects.filter(request=request).count()
    # when the center asks for a recusal redraw of it
    with pytest.raises(DomainError, match="已确认参加"):
        expert_services.draw_recusal_redraw(actor=world.staff, request=request, drawn=refusing)
    # then nothing changed: no new invitation, the refusal stays a refusal
    refusing.refresh_from_db()
    assert refusing.state == DrawnState.REFUSED
    assert DrawnExpert.objects.filter(request=request).count() == held


def test_a_stranger_cannot_recuse_someone_elses_draw_slot(world, drawn_lot):
    # given a confirmed drawn expert and another expert of the pool
    lot, request, refusing = drawn_lot
    member = _seated_drawn(lot)[0]
    drawn = DrawnExpert.objects.get(request=request, expert_id=member.expert_ref)
    # when the other expert asks the experts app to redraw that slot
    with pytest.raises(NotAllowed):
        expert_services.draw_recusal_redraw(actor=refusing.expert.user, request=request, drawn=drawn)
    # then nothing changed
    drawn.refresh_from_db()
    assert drawn.state == DrawnState.CONFIRMED
    assert not DrawnExpert.objects.filter(request=request, state=DrawnState.NOTIFIED).exists()
