"""Hand-made lot facts: each lot indicator fires on its case and stays quiet on the neighbouring innocent one."""

from __future__ import annotations

from typing import Any

from ggzy.supervision.indicators import base
from ggzy.supervision.indicators.collusion import (
    check_same_bond_account,
    check_same_contact,
    check_same_fingerprint,
    check_same_key_person,
    check_same_legal_rep,
)
from ggzy.supervision.indicators.fraud import check_qualifications
from ggzy.supervision.indicators.lotfacts import mask
from ggzy.supervision.indicators.price import check_price_screens


def _bidder(i: int, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "entity_id": str(i), "name": f"公司{i}", "price": None, "fingerprint": {"mac": f"00-11-22-33-44-{i:02d}"},
        "legal_representative": f"法人{i}", "contact_name": f"联系人{i}", "contact_phone": f"1380000000{i}",
        "key_persons": [{"id_number": f"11010119900101000{i}", "name": f"经理{i}", "role": "项目经理"}],
        "bond_accounts": [f"62220000000{i}"], "qualifications": [], "verified": True, "controls": [],
    }
    row.update(over)
    return row


def _facts(*bidders: dict[str, Any]) -> dict[str, Any]:
    return {"lot_id": 7, "lot_code": "L7", "as_of": "2026-06-01", "bidders": list(bidders)}


def test_same_mac_across_two_bidders_fires_red_with_the_value_masked():
    # given two bidders whose bids were made on the same network card
    facts = _facts(_bidder(1, fingerprint={"mac": "AA-BB-CC-DD-EE-FF"}), _bidder(2, fingerprint={"mac": "aa-bb-cc-dd-ee-ff"}),
                   _bidder(3))
    # when
    signals = check_same_fingerprint(facts)
    # then one red signal names the field and the two bidders, and never shows the whole value
    assert len(signals) == 1
    assert signals[0].level == "red" and signals[0].subjects == ("1", "2")
    assert signals[0].data["field"] == "fingerprint.mac"
    assert "aa-bb-cc-dd-ee-ff" not in str(signals[0].data) and "ee-ff" not in signals[0].summary_zh
    assert signals[0].lot_id == 7


def test_different_fingerprints_stay_quiet():
    # given three bidders on three machines
    facts = _facts(_bidder(1), _bidder(2), _bidder(3))
    # when / then
    assert check_same_fingerprint(facts) == []


def test_same_public_ip_and_file_creator_each_fire():
    # given two bidders sharing an IP and a file-creator ID but not a MAC
    facts = _facts(_bidder(1, fingerprint={"public_ip": "1.2.3.4", "file_creator_id": "X9"}),
                   _bidder(2, fingerprint={"public_ip": "1.2.3.4", "file_creator_id": "X9"}))
    # when
    fields = sorted(s.data["field"] for s in check_same_fingerprint(facts))
    # then
    assert fields == ["fingerprint.file_creator_id", "fingerprint.public_ip"]


def test_mask_hides_the_middle():
    # given / when / then
    assert mask("AA-BB-CC") == "AA****CC"
    assert mask("abc") == "a**"


def test_same_contact_phone_fires_red_and_same_contact_name_yellow():
    # given
    facts = _facts(_bidder(1, contact_phone="13900000000", contact_name="王五"),
                   _bidder(2, contact_phone="13900000000", contact_name="王五"))
    # when
    levels = sorted((s.data["field"], s.level) for s in check_same_contact(facts))
    # then
    assert levels == [("contact_name", "yellow"), ("contact_phone", "red")]


def test_distinct_contacts_stay_quiet():
    # given / when / then
    assert check_same_contact(_facts(_bidder(1), _bidder(2))) == []


def test_one_person_named_by_two_bidders_fires():
    # given the same ID number among both bidders' key persons
    shared = {"id_number": "110101199001011234", "name": "张三", "role": "项目经理"}
    facts = _facts(_bidder(1, key_persons=[shared]), _bidder(2, key_persons=[dict(shared, role="技术负责人")]))
    # when
    signals = check_same_key_person(facts)
    # then the full ID number is not in the evidence
    assert [s.subjects for s in signals] == [("1", "2")]
    assert "110101199001011234" not in str(signals[0].data) + signals[0].summary_zh


def test_same_name_different_id_number_stays_quiet():
    # given two different people both called 张三
    facts = _facts(_bidder(1, key_persons=[{"id_number": "1", "name": "张三", "role": "经理"}]),
                   _bidder(2, key_persons=[{"id_number": "2", "name": "张三", "role": "经理"}]))
    # when / then
    assert check_same_key_person(facts) == []


def test_bonds_from_one_account_fire_and_distinct_accounts_stay_quiet():
    # given
    fired = _facts(_bidder(1, bond_accounts=["6222"]), _bidder(2, bond_accounts=["6222"]))
    quiet = _facts(_bidder(1), _bidder(2))
    # when / then
    assert [s.level for s in check_same_bond_account(fired)] == ["red"]
    assert check_same_bond_account(quiet) == []


def test_same_legal_representative_or_control_fires():
    # given one legal rep shared by 1 and 2, and 3 controlling 4
    facts = _facts(_bidder(1, legal_representative="李四"), _bidder(2, legal_representative="李四"),
                   _bidder(3, controls=["4"]), _bidder(4))
    # when
    fields = sorted((s.data["field"], s.subjects) for s in check_same_legal_rep(facts))
    # then
    assert fields == [("controls", ("3", "4")), ("legal_representative", ("1", "2"))]


def test_bidders_with_the_same_controller_fire_red_naming_the_controller_masked_when_a_person():
    # given bidders 1 and 2 controlled by the same person, 3 and 4 by the same parent firm (which did not bid)
    person = {"key": "person:abc", "name": "王小五", "kind": "actual_controller"}
    firm = {"key": "entity:99", "name": "母公司", "kind": "shareholding"}
    facts = _facts(_bidder(1, controllers=[person]), _bidder(2, controllers=[person]),
                   _bidder(3, controllers=[firm]), _bidder(4, controllers=[firm]), _bidder(5))
    # when
    signals = check_same_legal_rep(facts)
    # then two red findings, version 2, the person's name masked, the firm's name shown
    found = sorted((s.data["field"], s.subjects, s.data["controller"]) for s in signals)
    assert found == [("same_controller", ("1", "2"), "王**"), ("same_controller", ("3", "4"), "母公司")]
    assert {s.level for s in signals} == {"red"} and {s.version for s in signals} == {2}


def test_different_controllers_and_a_lone_controlled_bidder_stay_quiet():
    # given 1 and 2 controlled by different people, 3 controlled by a bidder outside the lot
    facts = _facts(_bidder(1, controllers=[{"key": "person:a", "name": "甲"}]),
                   _bidder(2, controllers=[{"key": "person:b", "name": "乙"}]),
                   _bidder(3, controllers=[{"key": "entity:9", "name": "外部公司"}]))
    # when / then
    assert check_same_legal_rep(facts) == []


def test_a_bidder_controlling_two_others_is_reported_pair_by_pair_not_twice():
    # given bidder 1 controls 2 and 3 (so 2 and 3 share controller entity:1)
    parent = {"key": "entity:1", "name": "公司1"}
    facts = _facts(_bidder(1, controls=["2", "3"]), _bidder(2, controllers=[parent]), _bidder(3, controllers=[parent]))
    # when
    found = sorted((s.data["field"], s.subjects) for s in check_same_legal_rep(facts))
    # then
    assert found == [("controls", ("1", "2")), ("controls", ("1", "3"))]


def test_control_of_an_entity_outside_the_lot_stays_quiet():
    # given bidder 1 controls entity 9, which did not bid
    facts = _facts(_bidder(1, controls=["9"]), _bidder(2))
    # when / then
    assert check_same_legal_rep(facts) == []


def test_identical_prices_are_red_with_the_screens_evidence():
    # given three bidders, two at the same price
    facts = _facts(_bidder(1, price="1000000.00"), _bidder(2, price="1000000.00"), _bidder(3, price="950000.00"))
    # when
    signals = check_price_screens(facts)
    # then
    assert len(signals) == 1 and signals[0].level == "red"
    assert any(s["code"] == "IDENT" and s["fired"] for s in signals[0].data["screens"]["screens"])


def test_arithmetic_progression_is_yellow():
    # given prices at a constant step
    facts = _facts(_bidder(1, price="1000000.00"), _bidder(2, price="1010000.00"), _bidder(3, price="1020000.00"),
                   _bidder(4, price="1030000.00"))
    # when
    signals = check_price_screens(facts)
    # then
    assert [s.level for s in signals] == ["yellow"]


def test_irregular_prices_stay_quiet_and_a_hostile_price_is_marked_not_fatal():
    # given irregular prices and one unreadable record
    facts = _facts(_bidder(1, price="1000000.00"), _bidder(2, price="1073512.00"), _bidder(3, price="961203.00"),
                   _bidder(4, price="1e400"), _bidder(5, price="NaN"))
    # when / then nothing fires and nothing crashes
    assert check_price_screens(facts) == []


def test_a_hostile_price_is_listed_as_unreadable_when_the_others_fire():
    # given two identical prices and one 1e20
    facts = _facts(_bidder(1, price="500.00"), _bidder(2, price="500.00"), _bidder(3, price="1e20"))
    # when
    signals = check_price_screens(facts)
    # then
    assert signals[0].data["unreadable"] == ["3"] and signals[0].subjects == ("1", "2")


def test_expired_qualification_or_unverified_entity_fires_yellow():
    # given bidder 1's licence expired before the opening, bidder 2 never verified
    facts = _facts(_bidder(1, qualifications=[{"type": "建筑工程施工总承包", "number": "D1", "valid_until": "2026-05-31"}]),
                   _bidder(2, verified=False), _bidder(3, qualifications=[{"type": "X", "number": "D3",
                                                                            "valid_until": "2026-06-01"}]))
    # when
    signals = check_qualifications(facts)
    # then bidder 3, valid on the day of the opening, stays quiet
    assert [(s.subjects, s.level) for s in signals] == [(("1",), "yellow"), (("2",), "yellow")]
    assert signals[1].data["unverified"] is True


def test_every_lot_indicator_is_registered_with_a_basis():
    # given the lot indicators imported
    import ggzy.supervision.indicators.lot  # noqa: F401, PLC0415

    # when
    codes = {s.code: s for s in base.registered("lot")}
    # then
    for code in ("collusion.same_fingerprint", "collusion.same_agent_or_contact", "collusion.same_key_person",
                 "collusion.same_bond_account", "collusion.same_legal_rep_or_control", "price.screens",
                 "fraud.qualification_expired_or_unverified"):
        assert code in codes and codes[code].basis
