"""fraud.key_person_busy: hand-made facts that fire and stay quiet, and the real path — a project manager named in
the winning bid of one lot, named again by a bid in a later lot, raises the alert after that lot's opening."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ggzy.core import clock
from ggzy.registry.models import KeyPerson
from ggzy.registry.tests.factories import new_id_number
from ggzy.supervision import services
from ggzy.supervision.indicators.fraud import KEY_PERSON_BUSY, check_key_person_busy
from ggzy.supervision.models import Alert
from ggzy.tendering import services as tendering
from ggzy.tendering.models import Award, Bid
from ggzy.tendering.services import bidding, opening
from ggzy.tendering.tests.conftest import bond_arrive, lot_ready, seat_committee, world  # noqa: F401

PM = {"id_number": "110101199001010011", "name": "张经理", "role": "项目经理"}


def _commitment(**over: Any) -> dict[str, Any]:
    return {"id_number": PM["id_number"], "lot_id": 3, "lot_code": "L3", "winner": "某公司", "role": "项目经理",
            "busy_from": "2026-01-01", "busy_until": "2026-12-31", "basis": "bid_duration", **over}


def _facts(**bidder: Any) -> dict[str, Any]:
    row = {"entity_id": "1", "name": "公司1", "named_key_persons": [PM], "key_person_commitments": [], **bidder}
    return {"lot_id": 7, "lot_code": "L7", "as_of": "2026-06-01", "bidders": [row, {"entity_id": "2", "name": "公司2"}]}


def test_a_named_project_manager_busy_on_a_live_project_fires_red_with_the_id_masked():
    # when
    signals = check_key_person_busy(_facts(key_person_commitments=[_commitment()]))
    # then
    assert [(s.level, s.subjects, s.version) for s in signals] == [("red", ("1",), 1)]
    assert PM["id_number"] not in str(signals[0].data) and "L3" in signals[0].summary_zh
    assert signals[0].data["busy"][0]["busy_until"] == "2026-12-31"


def test_a_commitment_estimated_from_the_template_default_is_yellow():
    signals = check_key_person_busy(_facts(key_person_commitments=[_commitment(basis="template_default")]))
    assert [s.level for s in signals] == ["yellow"]


def test_no_commitment_or_a_person_not_named_in_this_bid_stays_quiet():
    assert check_key_person_busy(_facts()) == []
    other = _commitment(id_number="110101199001010038")
    assert check_key_person_busy(_facts(key_person_commitments=[other])) == []
    assert check_key_person_busy(_facts(named_key_persons=[], key_person_commitments=[_commitment()])) == []


def _bid(world, lot, i, *, persons=(), duration=300):  # noqa: F811
    tendering.signup_create(actor=world.bidders[i], lot=lot)
    bond_arrive(world, lot, i)
    sheet: dict[str, Any] = {"total_price": f"{7_500_000 + i * 10_000}.00", "duration_days": duration}
    if persons:
        sheet["key_persons"] = list(persons)
    bidding.bid_submit(actor=world.bidders[i], lot=lot, price_sheet=sheet,
                       files=[bidding.IncomingFile("技术标.pdf", [b"proposal %d" % i])],
                       fingerprint={"mac": f"AA:BB:CC:DD:EE:0{i}"})


def _open(world, lot):  # noqa: F811
    clock.advance(dt.timedelta(days=21, minutes=1))
    lot = opening.lot_open(actor=world.staff, lot=lot)
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    opening.opening_record_publish(actor=world.staff, lot=lot)
    return lot


def _person(entity, serial: int) -> KeyPerson:
    return KeyPerson.objects.create(entity=entity, name="张经理", role="项目经理", id_number=new_id_number(serial))


def _won_with(world, person: KeyPerson, *, duration=300):  # noqa: F811
    """Lot A: bidder 0 names ``person`` and wins (the award is set up directly: this test is about lot B)."""
    lot = lot_ready(world)
    _bid(world, lot, 0, persons=[person.pk], duration=duration)
    _bid(world, lot, 1)
    _bid(world, lot, 2)
    lot = _open(world, lot)
    bid = Bid.objects.get(lot=lot, bidder=world.bidder_entities[0])
    assert bid.price_sheet["key_persons"] == [person.pk]
    Award.objects.create(lot=lot, bid=bid, bidder_name=world.bidder_entities[0].name, amount=bid.price,
                         issued_at=clock.now(), contract_due=clock.now().date() + dt.timedelta(days=30))
    return lot


def test_the_same_person_named_by_another_bidder_in_a_later_lot_raises_the_alert(world):  # noqa: F811
    # given lot A won by bidder 0 with 张经理 as project manager (300 days from the award)
    busy = _person(world.bidder_entities[0], 21)
    won = _won_with(world, busy)
    # and bidder 3 registers the same person (same ID number) and names them in lot B three weeks later
    same = KeyPerson.objects.create(entity=world.bidder_entities[3], name="张经理", role="项目经理",
                                    id_number=busy.id_number)
    lot_b = lot_ready(world)
    _bid(world, lot_b, 3, persons=[same.pk])
    _bid(world, lot_b, 1)
    _bid(world, lot_b, 2)
    lot_b = _open(world, lot_b)
    # when the indicators run on lot B
    services.alerts_run(lot_id=lot_b.pk, trigger="opening")
    # then one red alert on bidder 3 naming lot A, the ID number masked
    alert = Alert.objects.get(indicator=KEY_PERSON_BUSY)
    assert alert.lot_id == lot_b.pk and alert.level == "red"
    assert alert.subjects == [str(world.bidder_entities[3].pk)]
    assert alert.evidence["data"]["busy"][0]["lot_code"] == won.code
    assert busy.id_number not in str(alert.evidence)


def test_a_person_whose_project_ended_or_who_was_not_named_stays_quiet(world):  # noqa: F811
    # given lot A won with 张经理 for a 10-day duration, and bidder 0 in lot B naming another person
    busy = _person(world.bidder_entities[0], 22)
    _won_with(world, busy, duration=10)
    same = KeyPerson.objects.create(entity=world.bidder_entities[3], name="张经理", role="项目经理",
                                    id_number=busy.id_number)
    lot_b = lot_ready(world)
    _bid(world, lot_b, 3, persons=[same.pk])  # 21 days later: the 10-day project is over
    _bid(world, lot_b, 1, persons=[busy.pk])  # bidder 1 names bidder 0's person: not its own, ignored
    _bid(world, lot_b, 2)
    lot_b = _open(world, lot_b)
    # when
    services.alerts_run(lot_id=lot_b.pk, trigger="opening")
    # then
    assert not Alert.objects.filter(indicator=KEY_PERSON_BUSY).exists()


def test_the_price_sheet_refuses_malformed_key_person_lists_in_chinese():
    import pytest

    from ggzy.core.errors import DomainError
    from ggzy.tendering.price_sheet import price_sheet_clean

    for bad in ["3", [True], [0], [1.5], ["7"], list(range(1, 30)), [2**70]]:
        with pytest.raises(DomainError) as caught:
            price_sheet_clean({"total_price": "100.00", "key_persons": bad})
        assert "拟派主要人员" in caught.value.errors["price_sheet.key_persons"][0]
    assert price_sheet_clean({"total_price": "100.00", "key_persons": [9, 3, 9]})["key_persons"] == [3, 9]
    assert "key_persons" not in price_sheet_clean({"total_price": "100.00"})
