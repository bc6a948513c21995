"""Issue 13 item 4: committees by draw, direct appointment only with a recorded reason, recusal at sign-in.

The experts app is reached through ``expert_draws.gateway()``; these tests install ``FakeExpertsDraw`` (conftest) — a
clearly named stand-in that records what tendering sends and answers with the experts the test confirms.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.audit import AuditEntry
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.registry.models import Region
from ggzy.tendering.choices import BidState
from ggzy.tendering.expert_draws import Confirmed
from ggzy.tendering.models import CommitteeFormation, CommitteeMember, RecusalDeclaration
from ggzy.tendering.services import committee, evaluation, opening

from .conftest import TEST_DIRECT_REASON, lot_ready
from .recusal_signing import declare, signed_fields
from .test_services_flow import PRICES, _bid

NEEDS = [("A01", 3, "technical"), ("A0201", 1, "economic")]


def LATER():  # noqa: N802 — the evaluation time of a draw: two hours from now
    return clock.now() + dt.timedelta(hours=2)


def _opened(world):
    """A lot with three bids, opened, its record published, in evaluation."""
    lot = lot_ready(world)
    for i, price in enumerate(PRICES):
        _bid(world, lot, i, price)
    clock.advance(dt.timedelta(days=21, minutes=1))
    lot = opening.lot_open(actor=world.staff, lot=lot)
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    opening.opening_record_publish(actor=world.staff, lot=lot)
    return opening.opening_close(actor=world.staff, lot=lot)


def _confirm(fake, experts, codes=("A01", "A01", "A01", "A0201")):
    fake.confirmed_rows = [Confirmed(expert_id=100 + e.pk, user=e, classification=c)
                           for e, c in zip(experts, codes, strict=True)]
    fake.complete = True


def _drawn_committee(world, fake):
    lot = _opened(world)
    committee.committee_draw_request(actor=world.staff, lot=lot, needs=NEEDS, size=5, tenderer_rep=world.tenderer,
                                     regions_include=["370100"], regions_exclude=["370200"],
                                     scheduled_at=clock.now() + dt.timedelta(hours=2))
    _confirm(fake, world.experts[:4])
    committee.committee_form_from_draw(actor=world.staff, lot=lot)
    return lot


def test_committee_by_draw_end_to_end(world, fake_draw, client):
    lot = _opened(world)
    # when the center asks for a draw of four experts plus the tenderer's representative
    formation = committee.committee_draw_request(actor=world.staff, lot=lot, needs=NEEDS, size=5,
                                                 tenderer_rep=world.tenderer, regions_include=["370100"],
                                                 scheduled_at=LATER())
    # then the experts app got the needs by classification and the conflict inputs, passed in by tendering
    sent = fake_draw.requests[0]
    assert [(n.code, n.count) for n in sent["needs"]] == [("A01", 3), ("A0201", 1)]
    bidders = {e.pk for e in world.bidder_entities[:3]}
    assert set(sent["conflicts"].bidder_entity_ids) == bidders
    assert sent["conflicts"].tenderer_entity_id == world.tenderer_entity.pk
    assert formation.draw_request_id == 701 and formation.method == "draw"
    assert sent["regions_include"] == [Region.objects.get(code="370100").pk]  # the experts app takes region ids
    # and the log carries only a digest of the conflict inputs: no bidder id, no count of bidders
    entry = AuditEntry.objects.filter(action="committee.draw_request").get()
    assert "bidder" not in str(entry.after) and set(entry.after) == {"size", "needs", "draw_request",
                                                                      "conflicts_sha256"}
    # the committee cannot be formed while experts still have to confirm
    with pytest.raises(Conflict, match="抽取尚未完成"):
        committee.committee_form_from_draw(actor=world.staff, lot=lot)
    assert not CommitteeMember.objects.filter(lot=lot).exists()
    # when the four confirm, they and the tenderer's representative become the committee
    _confirm(fake_draw, world.experts[:4])
    committee.committee_form_from_draw(actor=world.staff, lot=lot)
    members = {m.user_id: m for m in CommitteeMember.objects.filter(lot=lot)}
    assert len(members) == 5
    assert members[world.tenderer.pk].seat == "tenderer_rep" and members[world.tenderer.pk].source == "tenderer"
    assert members[world.experts[3].pk].seat == "expert_economic"  # A0201 was asked as an economic expert
    assert members[world.experts[0].pk].is_chair and members[world.experts[0].pk].expert_ref == 100 + world.experts[0].pk
    # scoring waits for the declarations, then the committee scores
    bid = lot.bids.filter(state=BidState.OPENED).first()
    with pytest.raises(Conflict, match="未签署回避声明"):
        evaluation.score_submit(actor=world.experts[0], bid=bid, technical="50", commercial="10")
    for user in world.experts[:4]:
        declare(user, lot)
    # the tenderer's representative declares on the lot page like the experts
    client.force_login(world.tenderer)
    assert 'id="recusal-form"' in client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    client.post(f"/tendering/lots/{lot.pk}/act/recusal/", {"confirm": "on", "decision": "none"})
    assert not RecusalDeclaration.objects.filter(lot=lot, user=world.tenderer).exists()  # unsigned: refused
    client.post(f"/tendering/lots/{lot.pk}/act/recusal/", {"confirm": "on", "decision": "none",
                                                           **signed_fields(world.tenderer, lot)})
    assert RecusalDeclaration.objects.filter(lot=lot, user=world.tenderer, recused=False).exists()
    evaluation.score_submit(actor=world.experts[0], bid=bid, technical="50", commercial="10")


def test_draw_request_breaking_the_rules_is_refused(world, fake_draw):
    lot = _opened(world)
    with pytest.raises(DomainError, match="5人以上单数") as caught:
        committee.committee_draw_request(actor=world.staff, lot=lot, needs=[("A01", 4, "technical")], size=4)
    assert "size" in caught.value.errors and "依据：《招标投标法》第三十七条" in str(caught.value)
    with pytest.raises(DomainError, match="专业需求人数合计应为4人") as caught:
        committee.committee_draw_request(actor=world.staff, lot=lot, needs=[("A01", 3, "technical")], size=5,
                                         tenderer_rep=world.tenderer)
    assert "needs" in caught.value.errors
    with pytest.raises(DomainError, match="不是本项目招标人的代表"):
        committee.committee_draw_request(actor=world.staff, lot=lot, needs=[("A01", 4, "technical")], size=5,
                                         tenderer_rep=world.bidders[0])
    with pytest.raises(NotAllowed):
        committee.committee_draw_request(actor=world.other_staff, lot=lot, needs=[("A01", 5, "technical")])
    with pytest.raises(DomainError, match="行政区划代码不存在：999999") as caught:
        committee.committee_draw_request(actor=world.staff, lot=lot, needs=[("A01", 5, "technical")],
                                         regions_include=["999999"], scheduled_at=LATER())
    assert "regions_include" in caught.value.errors
    assert not fake_draw.requests and not CommitteeFormation.objects.exists()
    # a drawn "expert" whose account is not an expert's breaks the committee rules: nothing is formed
    with pytest.raises(DomainError, match="请填写评标时间"):
        committee.committee_draw_request(actor=world.staff, lot=lot, needs=[("A01", 5, "technical")])
    committee.committee_draw_request(actor=world.staff, lot=lot, needs=[("A01", 5, "technical")], scheduled_at=LATER())
    fake_draw.confirmed_rows = [Confirmed(expert_id=i, user=u, classification="A01")
                                for i, u in enumerate([*world.experts[:4], world.bidders[3]])]
    fake_draw.complete = True
    with pytest.raises(DomainError, match="不是评标专家"):
        committee.committee_form_from_draw(actor=world.staff, lot=lot)
    assert not CommitteeMember.objects.filter(lot=lot).exists()


def test_direct_appointment_needs_a_reason_that_the_supervisor_reads(world, client, make_user):
    lot = _opened(world)
    members = [(e, "expert_technical") for e in world.experts[:5]]
    # without a reason: refused, naming the law, and nothing is written
    with pytest.raises(DomainError, match="第四十七条") as caught:
        committee.committee_appoint_direct(actor=world.staff, lot=lot, members=members, reason="  ")
    assert "reason" in caught.value.errors
    assert not CommitteeMember.objects.filter(lot=lot).exists() and not CommitteeFormation.objects.exists()
    # a bidder may not appoint
    with pytest.raises(NotAllowed):
        committee.committee_appoint_direct(actor=world.bidders[0], lot=lot, members=members, reason="理由")
    # with the reason, by the tenderer: appointed, the reason recorded in the log
    committee.committee_appoint_direct(actor=world.tenderer, lot=lot, members=members, reason=TEST_DIRECT_REASON,
                                       chair=world.experts[0])
    assert CommitteeMember.objects.filter(lot=lot, source="direct").count() == 5
    entry = AuditEntry.objects.get(action="committee.appoint_direct")
    assert entry.after["reason"] == TEST_DIRECT_REASON
    # and the supervisor reads it on the lot page
    supervisor = make_user(Role.SUPERVISOR, center=world.center)
    client.force_login(supervisor)
    page = client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    assert 'id="direct-reasons"' in page and TEST_DIRECT_REASON in page
    # the public does not, and sees no member's name
    client.logout()
    public = client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    assert TEST_DIRECT_REASON not in public and "committee-panel" not in public
    assert not any(e.display_name in public for e in world.experts[:5])


def test_direct_appointment_by_the_page_without_reason_changes_nothing(world, client):
    lot = _opened(world)
    client.force_login(world.staff)
    client.post(f"/tendering/lots/{lot.pk}/act/committee/", {"experts": [e.username for e in world.experts[:5]]})
    assert not CommitteeMember.objects.filter(lot=lot).exists()
    client.post(f"/tendering/lots/{lot.pk}/act/committee/", {"experts": [e.username for e in world.experts[:5]],
                                                             "reason": TEST_DIRECT_REASON})
    assert CommitteeMember.objects.filter(lot=lot).count() == 5


def test_recusal_blocks_scoring_until_declared_and_the_seat_is_redrawn(world, fake_draw, client):
    lot = _drawn_committee(world, fake_draw)
    bid = lot.bids.filter(state=BidState.OPENED).first()
    # a member reads the bidders' names on the lot page before declaring
    client.force_login(world.experts[1])
    page = client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    assert 'id="recusal-form"' in page and world.bidder_entities[0].name in page
    assert 'id="scoring-blocked"' in page and 'id="score-form"' not in page
    # recusal without a reason is refused; without the confirmation too
    with pytest.raises(DomainError, match="理由"):
        committee.recusal_declare(actor=world.experts[1], lot=lot, confirm=True, recuse=True)
    with pytest.raises(DomainError, match="确认"):
        committee.recusal_declare(actor=world.experts[1], lot=lot, confirm=False)
    # the others declare; expert 1 recuses through the page: it leaves, the seat is redrawn
    for user in [world.experts[0], *world.experts[2:4], world.tenderer]:
        declare(user, lot)
    reason = "本人配偶在第一名投标人处任职"
    client.post(f"/tendering/lots/{lot.pk}/act/recusal/", {"confirm": "on", "decision": "recuse", "reason": reason,
                                                           **signed_fields(world.experts[1], lot, recuse=True,
                                                                           reason=reason)})
    declaration = RecusalDeclaration.objects.get(lot=lot, user=world.experts[1])
    assert declaration.recused and world.bidder_entities[0].name in declaration.statement
    assert not CommitteeMember.objects.filter(lot=lot, user=world.experts[1]).exists()
    assert fake_draw.redraws == [{"request_id": 701, "expert_id": 100 + world.experts[1].pk,
                                  "reason": "本人配偶在第一名投标人处任职"}]
    with pytest.raises(Conflict, match="尚缺1名成员"):
        evaluation.score_submit(actor=world.experts[0], bid=bid, technical="50", commercial="10")
    # the redraw brings expert 5; the committee is filled; still blocked until the newcomer declares
    _confirm(fake_draw, [world.experts[0], world.experts[5], *world.experts[2:4]])
    committee.committee_form_from_draw(actor=world.staff, lot=lot)
    assert CommitteeMember.objects.filter(lot=lot).count() == 5
    with pytest.raises(Conflict, match="尚有1名"):
        evaluation.score_submit(actor=world.experts[0], bid=bid, technical="50", commercial="10")
    declare(world.experts[5], lot)
    evaluation.score_submit(actor=world.experts[0], bid=bid, technical="50", commercial="10")
    with pytest.raises(Conflict, match="已签署"):
        declare(world.experts[5], lot)


def test_recused_chair_hands_over_and_a_direct_replacement_needs_a_reason(world):
    lot = _opened(world)
    committee.committee_appoint_direct(actor=world.staff, lot=lot, members=[(e, "expert_technical")
                                                                           for e in world.experts[:5]],
                                       reason=TEST_DIRECT_REASON, chair=world.experts[0])
    declare(world.experts[0], lot, recuse=True, reason="曾在投标人处任职")
    assert CommitteeMember.objects.get(lot=lot, is_chair=True).user == world.experts[1]
    with pytest.raises(DomainError, match="已申请回避"):
        committee.committee_appoint_direct(actor=world.staff, lot=lot, members=[(world.experts[0], "expert_technical")],
                                           reason="补充")
    with pytest.raises(DomainError, match="第四十七条"):
        committee.committee_appoint_direct(actor=world.staff, lot=lot, members=[(world.experts[5], "expert_technical")],
                                           reason="")
    committee.committee_appoint_direct(actor=world.staff, lot=lot, members=[(world.experts[5], "expert_technical")],
                                       reason="原委员回避，补充确定")
    assert CommitteeMember.objects.filter(lot=lot).count() == 5
    assert [a["reason"] for a in CommitteeFormation.objects.get(lot=lot).appointments] == [
        TEST_DIRECT_REASON, "原委员回避，补充确定"]


def test_names_are_not_public_before_the_result_is_final(world, fake_draw, client):
    lot = _drawn_committee(world, fake_draw)
    names = [e.display_name for e in world.experts[:4]]
    for path in (f"/tendering/lots/{lot.pk}/", f"/api/v1/tendering/lots/{lot.pk}"):
        body = client.get(path).content.decode("unicode_escape" if "api" in path else "utf-8")
        assert not any(n in body for n in names), path
    client.force_login(world.bidders[0])
    assert not any(n in client.get(f"/tendering/lots/{lot.pk}/").content.decode() for n in names)
    client.force_login(world.staff)  # the center sees the committee
    assert all(n in client.get(f"/tendering/lots/{lot.pk}/").content.decode() for n in names)


def test_without_the_experts_draw_the_request_is_refused_and_nothing_is_written(world, monkeypatch):
    from ggzy.tendering import expert_draws

    real = expert_draws.importlib.import_module

    def missing(name, *args):
        if name.startswith("ggzy.experts"):
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(expert_draws.importlib, "import_module", missing)
    lot = _opened(world)
    with pytest.raises(Conflict, match="专家库尚未启用"):
        committee.committee_draw_request(actor=world.staff, lot=lot, needs=[("A01", 5, "technical")],
                                         scheduled_at=LATER())
    assert not CommitteeFormation.objects.exists() and not AuditEntry.objects.filter(action__startswith="committee")


def test_the_draw_is_published_when_the_result_is_final_and_names_become_public(world, fake_draw, client):
    from ggzy.tendering.services import result

    lot = _drawn_committee(world, fake_draw)
    members = [*world.experts[:4], world.tenderer]
    for user in members:
        declare(user, lot)
    for user in members:
        for bid in lot.bids.filter(state=BidState.OPENED):
            evaluation.score_submit(actor=user, bid=bid, technical="50", commercial="10")
    evaluation.report_generate(actor=world.experts[0], lot=lot)
    for user in members:
        evaluation.report_sign(actor=user, lot=lot)
    result.candidates_publish(actor=world.tenderer, lot=lot)
    clock.advance(dt.timedelta(days=3, minutes=1))
    assert fake_draw.published == []
    assert world.experts[0].display_name not in client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    result.award_issue(actor=world.tenderer, lot=lot)
    assert fake_draw.published == [701]
    assert world.experts[0].display_name in client.get(f"/tendering/lots/{lot.pk}/").content.decode()


def test_the_formation_api_shows_the_reason_to_the_supervisor_and_nobody_else(world, client, make_user):
    lot = _opened(world)
    committee.committee_appoint_direct(actor=world.staff, lot=lot, reason=TEST_DIRECT_REASON,
                                       members=[(e, "expert_technical") for e in world.experts[:5]])
    url = f"/api/v1/tendering/lots/{lot.pk}/committee/formation"
    client.force_login(make_user(Role.SUPERVISOR, center=world.center))
    body = client.get(url).json()
    assert body["method"] == "direct" and body["appointments"][0]["reason"] == TEST_DIRECT_REASON
    assert not any(e.display_name in str(body) for e in world.experts)  # no member's name
    client.force_login(world.bidders[0])
    assert client.get(url).status_code == 403
    client.force_login(world.experts[0])
    assert client.get(url).status_code == 403
