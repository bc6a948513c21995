"""Pieces of the OCDS mapping and of the one masking table, without a database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ggzy.core import masking as table
from ggzy.opendata import ocds


@pytest.mark.parametrize(("amount", "expected"), [
    (Decimal("7480000.00"), {"amount": 7480000.0, "currency": "CNY"}),
    ("7650000.00", {"amount": 7650000.0, "currency": "CNY"}),
    ("¥120.5", {"amount": 120.5, "currency": "CNY"}),
    ("1e20", None), ("NaN", None), ("1e400", None), ("-5", None), ("一百万", None), (None, None),
    (Decimal("NaN"), None), (float("inf"), None),
], ids=["decimal", "text", "yuan-sign", "exponent", "nan", "huge", "negative", "chinese", "none", "dec-nan", "inf"])
def test_hostile_amounts_are_left_out_never_guessed(amount, expected):
    assert ocds._value(amount) == expected


@pytest.mark.parametrize(("key", "reached", "audiences", "shown"), [
    ("lot.bidders", set(), {"public"}, False),
    ("lot.bidders", {"opening_published"}, {"public"}, True),
    ("lot.bidders", set(), {"center"}, False),  # sealed even for the center until the opening
    ("lot.committee_names", {"opening_published", "candidates_published"}, {"public"}, False),
    ("lot.committee_names", set(), {"member"}, True),
    ("lot.committee_names", {"result_final"}, {"public"}, True),
    ("lot.evaluation_ranking", set(), {"owner"}, True),
    ("person.phone", set(table.STAGES), {"public"}, False),
    ("person.id_number", set(table.STAGES), {"public", "owner", "staff"}, False),
    ("entity.contact_phone", set(), {"public"}, True),
    ("entity.bank_accounts", set(table.STAGES), {"public"}, False),
    ("lot.title", set(), {"public"}, True),  # not in the table: public
], ids=lambda v: str(sorted(v)) if isinstance(v, set) else str(v))
def test_the_table_answers_by_stage_and_audience(key, reached, audiences, shown):
    assert table.is_shown(key, reached=frozenset(reached), audiences=frozenset(audiences)) is shown


def test_a_public_phone_is_masked_and_an_id_number_never_leaves_whole():
    assert table.form("entity.contact_phone", audiences=frozenset({"public"}))("13905310077") == "139****0077"
    assert table.form("key_person.id_number", audiences=frozenset({"owner"}))("370102198503150077") == \
        "3701**********0077"
    assert table.form("key_person.id_number", audiences=frozenset({"public"})) is None


def test_ocid_round_trip():
    assert ocds.lot_code_of(ocds.ocid_for("370100202601000001001001")) == "370100202601000001001001"
    assert ocds.lot_code_of("ocds-other-1") is None
