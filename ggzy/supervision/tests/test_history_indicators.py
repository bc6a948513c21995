"""The history selector (tendering.selectors_history: only lots whose opening is published) and the registered
history indicators (supervision.indicators.history) fed from it."""

from __future__ import annotations

import datetime as dt

from ggzy.core import clock
from ggzy.supervision.indicators.base import registered
from ggzy.supervision.indicators.history import (
    history_signals_all,
    platform_records,
    run_cardinal_flag,
    run_history_rule,
)
from ggzy.supervision.screens.history import HistoryRecord
from ggzy.tendering import selectors_history
from ggzy.tendering.tests.conftest import world  # noqa: F401  (the world fixture)

from .history_world import PRICES, opened_lot


def test_history_records_stay_empty_before_the_opening_is_published(world):  # noqa: F811
    # given a lot whose bids are decrypted but whose opening record is not published
    opened_lot(world, publish=False)
    # when
    rows = list(selectors_history.history_records())
    # then nothing about its bids leaves tendering
    assert rows == []


def test_history_records_stream_each_bid_after_the_opening_is_published(world):  # noqa: F811
    # given a published opening of three bids
    lot = opened_lot(world, publish=True)
    # when
    rows = list(selectors_history.history_records(chunk_size=2))
    # then
    assert [r["lot_id"] for r in rows] == [str(lot.pk)] * 3
    assert sorted(str(r["price"]) for r in rows) == sorted(PRICES)
    assert {r["bidder_id"] for r in rows} == {str(e.pk) for e in world.bidder_entities[:3]}
    assert {r["buyer_id"] for r in rows} == {str(world.tenderer_entity.pk)}
    assert not any(r["is_winner"] or r["disqualified"] for r in rows)
    assert {r["method"] for r in rows} == {"open"} and all(r["submitted"] < r["deadline"] for r in rows)
    # and a window that ends before the opening holds nothing
    assert list(selectors_history.history_records(until=clock.now() - dt.timedelta(days=1))) == []
    assert list(selectors_history.history_records(center_id=world.center.pk + 999)) == []


def test_platform_records_are_history_records_with_numbers(world):  # noqa: F811
    # given a published opening
    opened_lot(world, publish=True)
    # when
    records = list(platform_records())
    # then
    assert all(isinstance(r, HistoryRecord) for r in records)
    assert sorted(r.price for r in records) == sorted(float(p) for p in PRICES)


def test_the_registered_history_indicators_run_quietly_on_a_competitive_lot(world):  # noqa: F811
    # given one competitive lot with a published opening
    opened_lot(world, publish=True)
    specs = [s for s in registered("history") if s.code.split(".")[0] in ("history", "cardinal")]
    # when
    signals = [s for spec in specs for s in spec.run(since=None, until=None)]
    # then every history rule and all 11 Cardinal flags are registered, and none fires on it
    assert {s.code for s in specs} >= {"history.cobidding", "history.rotation", "history.cover_bidder",
                                        "history.single_bid_buyer", "history.disqualified_together",
                                        *(f"cardinal.R0{n}" for n in ("03", "18", "24", "25", "28", "30", "35",
                                                                       "36", "38", "48", "58"))}
    assert all(s.title_zh and s.title_en and s.explanation_zh and s.explanation_en for s in specs)
    assert signals == []


def _ring(**_kw):
    for i in range(12):
        for firm in ("A", "B", "C", "D"):
            yield HistoryRecord(lot_id=str(i), buyer_id="T", category="01", opened="2026-01-01", estimate=None,
                                bidder_id=firm, price=100.0 + ord(firm), is_winner=firm == "ABC"[i % 3],
                                disqualified=False)
    for i in range(12, 80):
        for k in range(3):
            yield HistoryRecord(lot_id=str(i), buyer_id="T", category="01", opened="2026-01-01", estimate=None,
                                bidder_id=f"F{(i * 7 + k * 13) % 97}", price=100.0 + k, is_winner=k == 0,
                                disqualified=False)


def test_history_rules_give_yellow_signals_with_both_languages():
    # given a rotating ring A, B, C with the cover bidder D
    # when
    rotation = run_history_rule("history.rotation", records=_ring)
    cover = run_history_rule("history.cover_bidder", records=_ring)
    # then
    assert [s.subjects for s in rotation] == [("A", "B", "C", "D")]
    assert rotation[0].level == "yellow" and "轮流中标" in rotation[0].summary_zh
    assert "take turns" in rotation[0].summary_en
    assert [s.subjects for s in cover] == [("D",)] and "从未中标" in cover[0].summary_zh


def _single(**_kw):
    yield from _ring()
    yield HistoryRecord(lot_id="900", buyer_id="T", category="01", opened="2026-01-01", estimate=None,
                        bidder_id="A", price=100.0, is_winner=True, disqualified=False)


def test_cardinal_flag_signal_names_the_lot():
    # given the ring's history plus lot 900 with a single bid
    # when R018 (single bid received) runs
    signals = run_cardinal_flag("R018", records=_single)
    # then only lot 900 is flagged, as a lot
    assert [(s.indicator, s.lot_id, s.level) for s in signals] == [("cardinal.R018", 900, "yellow")]
    assert "900" in signals[0].summary_zh and "lot 900" in signals[0].summary_en


def test_one_pass_gives_what_the_registered_specs_give_one_by_one():
    # given the ring's history plus a single-bid lot
    specs = [s for s in registered("history") if s.code.split(".")[0] in ("history", "cardinal")]
    # when
    one_by_one = [s for spec in specs for s in spec.run.func(*spec.run.args, records=_single)]
    together = history_signals_all(records=_single)
    # then the same signals (the registry orders by code: cardinal.* before history.*)
    assert together == one_by_one and together
