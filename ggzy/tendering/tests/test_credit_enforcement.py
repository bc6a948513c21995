"""Credit restrictions enforced where trading happens (issue 18, item 3): sign-up, submission and award refuse an
entity during its ban with the reason and accept it after; every check is logged, sealed before the opening."""

import base64
import datetime as dt
import json

import pytest

from ggzy.core import clock
from ggzy.core.errors import Conflict
from ggzy.core.models import AuditEntry
from ggzy.credit import services as credit_services
from ggzy.ledger.models import LogEntry, SealedEntry
from ggzy.tendering import sealing, services
from ggzy.tendering.choices import BidState, LotState
from ggzy.tendering.models import BidEvent, SignUp
from ggzy.tendering.services import bidding, evaluation, opening, result

from .conftest import bond_arrive, lot_ready, seat_committee


def _ban(entity, behaviours, *, days=10, title="串通投标"):
    today = clock.today()
    return credit_services.record_create(
        actor=None, subject_kind="entity", subject_key=entity.credit_code, subject_name=entity.name,
        source="supervision", kind="serious_breach", title=title, authority="济南市住房和城乡建设局",
        decision_no="济建罚〔2026〕7号", decided_on=today, valid_from=today,
        valid_until=today + dt.timedelta(days=365),
        restrictions=[{"behaviour": b, "ends_on": today + dt.timedelta(days=days)} for b in behaviours])


def _checks(lot):
    return list(AuditEntry.objects.filter(action="credit.check", object_id=str(lot.pk)).order_by("pk"))


def _submit(world, lot, i, price="7650000.00"):
    return bidding.bid_submit(actor=world.bidders[i], lot=lot,
                              price_sheet={"total_price": price, "duration_days": 300},
                              files=[bidding.IncomingFile("技术标.pdf", [b"technical proposal %d" % i])],
                              fingerprint={"mac": f"00:11:22:33:44:{i:02d}"})


def test_signup_refused_during_the_ban_with_the_reason_and_accepted_after(world):
    lot = lot_ready(world)
    entity = world.bidder_entities[0]
    record = _ban(entity, ["signup"], days=2)
    # during the ban: refused with the record's reason, no sign-up stored
    with pytest.raises(Conflict) as err:
        services.signup_create(actor=world.bidders[0], lot=lot)
    assert "串通投标" in str(err.value) and record.record_no in str(err.value) and "credit" in err.value.errors
    assert not SignUp.objects.filter(lot=lot).exists()
    # another firm is not affected
    services.signup_create(actor=world.bidders[1], lot=lot)
    # after the ban (three days later, still inside the sale period) the firm signs up
    clock.advance(dt.timedelta(days=3))
    services.signup_create(actor=world.bidders[0], lot=lot)
    assert SignUp.objects.filter(lot=lot).count() == 2
    results = [(e.after["behaviour"], e.after["result"]) for e in _checks(lot)]
    assert results == [("signup", "refused"), ("signup", "passed"), ("signup", "passed")]


def test_the_sealed_check_log_names_no_bidder_before_the_opening(world):
    lot = lot_ready(world)
    entity = world.bidder_entities[0]
    record = _ban(entity, ["signup"])
    with pytest.raises(Conflict):
        services.signup_create(actor=world.bidders[0], lot=lot)
    (entry,) = _checks(lot)
    # the audit entry: no actor, the lot only, the per-lot tag; no name, code, entity id or record number
    assert entry.actor_id is None and entry.actor_label == "投标人（密封）" and entry.actor_role == ""
    text = json.dumps(entry.after, ensure_ascii=False)
    for secret in (entity.name, entity.credit_code, record.record_no, world.bidders[0].username):
        assert secret not in text
    assert entry.after["bidder_tag"] == sealing.bidder_tag(lot_id=lot.pk, entity_id=entity.pk)
    assert entry.after["result"] == "refused" and entry.after["checked_at"]
    # … and who it was is kept encrypted to the lot's opening key (readable at the opening only)
    detail = sealing.unseal_small(lot, base64.b64decode(entry.after["detail_sealed"]))
    assert detail == {"entity_id": entity.pk, "record_no": record.record_no}
    # the ledger holds it sealed under the lot's seal key: the public leaf is a commitment only
    sealed = SealedEntry.objects.get(seal_key=sealing.seal_key(lot.pk), object_id=str(lot.pk))
    assert sealed.revealed_at is None
    public = json.loads(LogEntry.objects.get(index=sealed.index).body)
    assert set(public) == {"v", "index", "kind", "commitment"}


def test_bid_refused_during_the_ban_and_accepted_after(world):
    lot = lot_ready(world)
    services.signup_create(actor=world.bidders[0], lot=lot)
    bond_arrive(world, lot, 0)
    _ban(world.bidder_entities[0], ["bid"], days=4, title="提供虚假材料")
    with pytest.raises(Conflict, match="提供虚假材料"):
        _submit(world, lot, 0)
    assert not lot.bids.exists()
    assert BidEvent.objects.filter(lot=lot, kind="refused_other", detail="信用限制").count() == 1
    clock.advance(dt.timedelta(days=5))
    assert _submit(world, lot, 0).state == BidState.SUBMITTED
    assert [(e.after["behaviour"], e.after["result"]) for e in _checks(lot)] == [
        ("signup", "passed"), ("bid", "refused"), ("bid", "passed")]
    assert all(e.actor_id is None for e in _checks(lot))


def _to_candidates(world):
    lot = lot_ready(world)
    for i, price in enumerate(["7650000.00", "7480000.00", "7720000.00"]):
        services.signup_create(actor=world.bidders[i], lot=lot)
        bond_arrive(world, lot, i)
        _submit(world, lot, i, price)
    clock.advance(dt.timedelta(days=21, minutes=1))
    lot = opening.lot_open(actor=world.staff, lot=lot)
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    opening.opening_record_publish(actor=world.staff, lot=lot)
    lot = opening.opening_close(actor=world.staff, lot=lot)
    members = [(e, "expert_technical") for e in world.experts[:4]] + [(world.experts[4], "expert_economic")]
    seat_committee(world.staff, lot, members, chair=world.experts[0])
    for member, _ in members:
        for bid in lot.bids.filter(state=BidState.OPENED):
            evaluation.score_submit(actor=member, bid=bid, technical="50", commercial="10")
    evaluation.report_generate(actor=world.experts[0], lot=lot)
    for member, _ in members:
        evaluation.report_sign(actor=member, lot=lot)
    result.candidates_publish(actor=world.tenderer, lot=lot)
    lot.refresh_from_db()
    return lot


def test_award_refused_during_the_ban_moves_to_the_next_candidate(world):
    lot = _to_candidates(world)
    winner = world.bidder_entities[1]  # the lowest price
    second = lot.candidates.order_by("rank")[1]
    clock.advance(dt.timedelta(days=3, minutes=1))  # the publicity period is over
    record = _ban(winner, ["award"], days=2, title="严重违法失信")
    award = result.award_issue(actor=world.tenderer, lot=lot)
    # the banned winner is refused, why is kept on its candidate row, and the next candidate in order is awarded
    first = lot.candidates.get(rank=1)
    assert first.bid.bidder == winner and first.refused_at == clock.now()
    assert "严重违法失信" in first.refused_reason and record.record_no in first.refused_reason
    assert award.bid_id == second.bid_id and award.bid.bidder != winner
    lot.refresh_from_db()
    assert lot.state == LotState.AWARDED
    awards = [e for e in _checks(lot) if e.after["behaviour"] == "award"]
    checks = [(e.after["credit_code"], e.after["result"]) for e in awards]
    assert checks == [(winner.credit_code, "refused"), (second.bid.bidder.credit_code, "passed")]
    assert awards[0].actor_id == world.tenderer.pk  # after the opening the check is logged in the open
    refusal = AuditEntry.objects.get(action="result.candidate_refuse")
    assert refusal.after["rank"] == 1 and refusal.after["next_offered"] is True


def test_award_accepted_after_the_ban(world):
    lot = _to_candidates(world)
    winner = world.bidder_entities[1]
    _ban(winner, ["award"], days=2, title="严重违法失信")  # ends two days from now, before the publicity ends
    clock.advance(dt.timedelta(days=3, minutes=1))
    award = result.award_issue(actor=world.tenderer, lot=lot)
    assert award.bid.bidder == winner and not lot.candidates.filter(refused_at__isnull=False).exists()
    assert _checks(lot)[-1].after["result"] == "passed"


def test_award_fails_the_lot_where_the_template_offers_no_next_candidate(world):
    from ggzy.catalog.models import TemplatePeriod

    lot = _to_candidates(world)
    TemplatePeriod.objects.filter(key="award_next_candidate_on_refusal").update(value="0")
    winner = world.bidder_entities[1]
    clock.advance(dt.timedelta(days=3, minutes=1))
    _ban(winner, ["award"], days=2, title="严重违法失信")
    with pytest.raises(Conflict, match="严重违法失信.*流标"):
        result.award_issue(actor=world.tenderer, lot=lot)
    lot.refresh_from_db()
    assert lot.state == LotState.FAILED and not hasattr(lot, "award")
    assert "不符合中标条件" in lot.failure_reason and winner.name in lot.failure_reason
    assert lot.candidates.filter(refused_at__isnull=False).count() == 1


def test_award_fails_the_lot_when_every_candidate_is_banned(world):
    lot = _to_candidates(world)
    clock.advance(dt.timedelta(days=3, minutes=1))
    for candidate in lot.candidates.all():
        _ban(candidate.bid.bidder, ["award"], days=30, title="严重违法失信")
    with pytest.raises(Conflict, match="流标"):
        result.award_issue(actor=world.tenderer, lot=lot)
    lot.refresh_from_db()
    assert lot.state == LotState.FAILED and "无其他中标候选人" in lot.failure_reason
    assert not lot.candidates.filter(refused_at__isnull=True).exists()


def test_gp_committee_sees_each_suppliers_timestamped_list_screening(world, client):
    from ggzy.credit import imports

    lot = lot_ready(world, method="gp_open_tender")
    for i, price in enumerate(["7650000.00", "7480000.00", "7720000.00"]):
        services.signup_create(actor=world.bidders[i], lot=lot)
        bond_arrive(world, lot, i)
        _submit(world, lot, i, price)
    listed = world.bidder_entities[2]
    csv = ("统一社会信用代码,名称,事由,认定机关,决定日期,来源业务编号\n"
           f"{listed.credit_code},{listed.name},提供虚假材料谋取中标,财政部,{clock.today().isoformat()},GP-1\n").encode()
    report = imports.credit_import(actor=world.staff, file_name="gp.csv", content=csv, national_list="gp_violation")
    assert report.added == 1
    clock.advance(dt.timedelta(days=21, minutes=1))
    lot = opening.lot_open(actor=world.staff, lot=lot)
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    opening.opening_record_publish(actor=world.staff, lot=lot)
    lot = opening.opening_close(actor=world.staff, lot=lot)
    members = [(e, "expert_technical") for e in world.experts[:4]] + [(world.experts[4], "expert_economic")]
    seat_committee(world.staff, lot, members, chair=world.experts[0])
    client.force_login(world.experts[1])
    page = client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    panel = page[page.index('id="screening-panel"'):]
    assert "提供虚假材料谋取中标" in panel and "政府采购严重违法失信行为记录名单" in panel
    assert world.bidder_entities[0].name in panel and "未列入" in panel
    assert clock.now().astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M") in panel
    # a works lot has no such panel
    assert 'id="screening-panel"' not in client.get(f"/tendering/lots/{lot_ready(world).pk}/").content.decode()
