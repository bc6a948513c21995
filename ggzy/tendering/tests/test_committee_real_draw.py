"""The committee by the real draw of the experts app: tendering requests it (with the lot's bidders as conflict
inputs), the center runs it with a witness after the ledger checkpoint, the drawn experts confirm, and the confirmed
experts plus the tenderer's representative become the committee — an expert employed by a bidder is never drawn."""

from __future__ import annotations

import datetime as dt

import pytest

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.errors import Conflict
from ggzy.experts import services as expert_services
from ggzy.experts.models import DrawRequest
from ggzy.experts.tests.factories import ExpertFactory
from ggzy.ledger.services import checkpoint_issue
from ggzy.tendering.choices import BidState
from ggzy.tendering.models import CommitteeMember
from ggzy.tendering.services import committee, evaluation

from .recusal_signing import declare
from .test_committee import _opened


@pytest.fixture
def pool(world):
    """Four drawable experts with accounts, and one more employed by the first bidder (to be avoided)."""
    experts = [ExpertFactory(classifications=["A0101"], user=u, employer=None) for u in world.experts[:4]]
    conflicted = ExpertFactory(classifications=["A0101"], user=world.experts[6], employer=world.bidder_entities[0])
    return experts, conflicted


def test_committee_by_the_real_draw(world, pool, make_user, django_capture_on_commit_callbacks):
    experts, conflicted = pool
    lot = _opened(world)
    formation = committee.committee_draw_request(
        actor=world.staff, lot=lot, needs=[("A0101", 4, "technical")], size=5, tenderer_rep=world.tenderer,
        scheduled_at=clock.now() + dt.timedelta(hours=3))
    request = DrawRequest.objects.get(pk=formation.draw_request_id)
    assert world.bidder_entities[0].pk in request.conflicts["bidder_entity_ids"]
    # the center runs the draw with a witness once the checkpoint after the commitment exists
    checkpoint_issue()
    witness = make_user(Role.CENTER_STAFF, center=world.center)
    with django_capture_on_commit_callbacks(execute=True):
        request = expert_services.draw_run(actor=world.staff, request=request, witness=witness)
    drawn = list(request.drawn.select_related("expert__user"))
    assert len(drawn) == 4 and conflicted.pk not in {d.expert_id for d in drawn}
    # not complete until every drawn expert confirms
    with pytest.raises(Conflict, match="抽取尚未完成"):
        committee.committee_form_from_draw(actor=world.staff, lot=lot)
    for d in drawn:
        expert_services.draw_answer(actor=d.expert.user, drawn=d, accept=True)
    committee.committee_form_from_draw(actor=world.staff, lot=lot)
    members = CommitteeMember.objects.filter(lot=lot)
    assert {m.user_id for m in members} == {*(e.user_id for e in experts), world.tenderer.pk}
    assert {m.expert_ref for m in members if m.source == "draw"} == {e.pk for e in experts}
    # a recusal: the redraw finds nobody left in this small pool, so the seat is filled directly with a reason
    for user in [*world.experts[1:4], world.tenderer]:
        declare(user, lot)
    declare(world.experts[0], lot, recuse=True, reason="近亲属在投标人处任职")
    committee.committee_appoint_direct(actor=world.staff, lot=lot, members=[(world.experts[5], "expert_technical")],
                                       reason="回避后专家库无法补抽，依第四十七条直接确定")
    declare(world.experts[5], lot)
    bid = lot.bids.filter(state=BidState.OPENED).first()
    evaluation.score_submit(actor=world.experts[5], bid=bid, technical="50", commercial="10")
