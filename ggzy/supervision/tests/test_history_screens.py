"""History indicators (pure, ggzy/supervision/screens/history.py) and Cardinal on records built from the
platform's history (screens/ocds.py): hand-made histories that must fire and near misses that must stay quiet."""

from __future__ import annotations

from ggzy.supervision.screens.history import HistoryRecord, run_history
from ggzy.supervision.screens.ocds import compiled_release, lot_id_of, run_cardinal_on


def lot(lot_id: str, bidders: list[str], winner: str | None = None, *, disq: tuple[str, ...] = (),
        buyer: str = "BUY", prices: list[float] | None = None) -> list[HistoryRecord]:
    prices = prices or [100_000.0 + 1000 * i for i in range(len(bidders))]
    return [HistoryRecord(lot_id=lot_id, buyer_id=buyer, category="01", opened="2026-01-01", estimate=200_000.0,
                          bidder_id=b, price=p, is_winner=b == winner, disqualified=b in disq,
                          reason="rejected" if b in disq else "")
            for b, p in zip(bidders, prices, strict=True)]


def background(count: int, start: int = 0) -> list[HistoryRecord]:
    """A competitive market: each lot three different firms out of a large pool, the cheapest wins."""
    rows: list[HistoryRecord] = []
    for i in range(start, start + count):
        firms = [f"F{(i * 7 + k * 13) % 97:02d}" for k in range(3)]
        rows += lot(f"L{i:04d}", firms, firms[i % 3], buyer=f"BUY{i % 10}")
    return rows


def codes(findings: list, code: str) -> list[tuple[str, ...]]:
    return [f.subjects for f in findings if f.code == code]


def test_cobidding_pair_that_meets_far_more_than_activity_predicts_fires():
    # given A and B bid together in 6 lots and nowhere else, in a market of 40 other lots
    rows = background(40)
    for i in range(6):
        rows += lot(f"P{i}", ["A", "B"], "A")
    # when
    found = run_history(rows)
    # then
    assert ("A", "B") in codes(found, "history.cobidding")
    pair = next(f for f in found if f.code == "history.cobidding" and f.subjects == ("A", "B"))
    assert pair.data["lots_together"] == 6 and pair.data["jaccard"] == 1.0


def test_cobidding_stays_quiet_below_support_and_for_busy_firms():
    # given A and B met only 4 times; C and D met 6 times but each bid in 30 lots (Jaccard 6/54)
    rows = background(40)
    for i in range(4):
        rows += lot(f"P{i}", ["A", "B"], "A")
    for i in range(6):
        rows += lot(f"Q{i}", ["C", "D"], "C")
    for i in range(24):
        rows += lot(f"R{i}", ["C", f"X{i}"], "C") + lot(f"S{i}", ["D", f"Y{i}"], "D")
    # when
    found = run_history(rows)
    # then
    assert codes(found, "history.cobidding") == []


def rotating_group(winners: list[str]) -> list[HistoryRecord]:
    rows: list[HistoryRecord] = []
    for i, w in enumerate(winners):
        rows += lot(f"G{i:02d}", ["A", "B", "C"], w)
    return rows


def test_rotation_within_a_stable_group_fires_and_the_cover_bidder_fires():
    # given A, B, C always bid together and take turns; D bids with them 12 times and never wins
    rows = background(60)
    for i in range(12):
        rows += lot(f"G{i:02d}", ["A", "B", "C", "D"], "ABC"[i % 3])
    # when
    found = run_history(rows)
    # then
    assert codes(found, "history.rotation") == [("A", "B", "C", "D")]
    assert codes(found, "history.cover_bidder") == [("D",)]


def test_rotation_stays_quiet_when_one_member_wins_most():
    # given the same group but A wins 10 of 12 lots (a dominant firm, not a rotation); D wins once
    rows = background(60)
    winners = ["A"] * 10 + ["B", "D"]
    for i, w in enumerate(winners):
        rows += lot(f"G{i:02d}", ["A", "B", "C", "D"], w)
    # when
    found = run_history(rows)
    # then
    assert codes(found, "history.rotation") == []
    assert codes(found, "history.cover_bidder") == [("C",)]  # C still always loses to its partners


def test_cover_bidder_stays_quiet_with_fewer_than_ten_bids():
    # given C bids 9 times with A and B and never wins
    rows = background(60)
    for i in range(9):
        rows += lot(f"G{i:02d}", ["A", "B", "C"], "AB"[i % 2])
    # when
    found = run_history(rows)
    # then
    assert codes(found, "history.cover_bidder") == []


def test_single_bid_buyer_fires_and_a_buyer_with_competition_stays_quiet():
    # given SOLO ran 5 lots, 3 with one bid; MIXED ran 6 lots, 2 with one bid
    rows = background(20)
    for i in range(5):
        rows += lot(f"S{i}", ["Z1"] if i < 3 else ["Z1", "Z2"], "Z1", buyer="SOLO")
    for i in range(6):
        rows += lot(f"M{i}", ["Z3"] if i < 2 else ["Z3", "Z4"], "Z3", buyer="MIXED")
    # when
    found = run_history(rows)
    # then
    assert codes(found, "history.single_bid_buyer") == [("SOLO",)]


def test_single_bid_counts_a_lot_whose_other_bids_were_disqualified():
    # given 3 of 5 lots of SOLO had two bids of which one was disqualified
    rows = []
    for i in range(5):
        rows += lot(f"S{i}", ["Z1", "Z2"], "Z1", disq=("Z2",) if i < 3 else (), buyer="SOLO")
    # when / then
    assert codes(run_history(rows), "history.single_bid_buyer") == [("SOLO",)]


def test_disqualified_together_fires_and_a_lone_disqualification_stays_quiet():
    # given P and Q disqualified together in 3 of 4 lots they met; R disqualified 5 times, each time alone
    rows = background(20)
    for i in range(4):
        rows += lot(f"D{i}", ["P", "Q", "W"], "W", disq=("P", "Q") if i < 3 else ())
    for i in range(5):
        rows += lot(f"E{i}", ["R", f"V{i}", f"U{i}"], f"V{i}", disq=("R",))
    # when
    found = run_history(rows)
    # then
    assert codes(found, "history.disqualified_together") == [("P", "Q")]


def test_disqualified_together_stays_quiet_twice_only():
    # given P and Q disqualified together twice
    rows = []
    for i in range(4):
        rows += lot(f"D{i}", ["P", "Q", "W"], "W", disq=("P", "Q") if i < 2 else ())
    # when / then
    assert codes(run_history(rows), "history.disqualified_together") == []


def test_history_findings_are_deterministic():
    # given the same rows twice
    rows = background(60) + rotating_group(["A", "B", "C"] * 3)
    # when / then
    assert run_history(rows) == run_history(list(rows))


def test_compiled_release_has_the_fields_cardinal_reads():
    # given a lot of two bids, one disqualified, A wins
    rows = lot("7", ["A", "B"], "A", disq=("B",), buyer="T1")
    # when
    release = compiled_release(rows)
    # then
    assert release["ocid"] == "ocds-ggzy-7" and lot_id_of(release["ocid"]) == "7"
    assert release["tender"]["numberOfTenderers"] == 2
    assert [b["status"] for b in release["bids"]["details"]] == ["valid", "disqualified"]
    assert release["awards"][0]["suppliers"] == [{"id": "A"}]
    assert release["awards"][0]["items"][0]["classification"] == {"id": "01"}


def test_cardinal_on_platform_records_flags_single_bid_and_disqualified_lowest():
    # given lot 1 with one bidder; lot 2 whose lowest bid was disqualified; lot 3 competitive
    rows = lot("1", ["A"], "A") + lot("2", ["A", "B"], "A", disq=("B",), prices=[120.0, 100.0]) \
        + lot("3", ["A", "B"], "A", prices=[100.0, 120.0])
    # when
    out = run_cardinal_on(rows)
    # then
    assert out["OCID"]["ocds-ggzy-1"]["R018"] == 1.0
    assert out["OCID"]["ocds-ggzy-2"]["R036"] == 1.0
    assert "ocds-ggzy-3" not in out["OCID"]


def test_an_inquiry_lot_is_a_selective_process_so_r003_ignores_it():
    # given two lots with a 10-day submission period, one open, one an inquiry (selective)
    rows = []
    for lot_id, method in (("1", "open"), ("2", "selective")):
        rows += [HistoryRecord(lot_id=lot_id, buyer_id="T", category="02", opened="2026-01-11", estimate=None,
                               bidder_id=b, price=100.0 + i, is_winner=i == 0, disqualified=False,
                               tender_start="2026-01-01T09:00:00+08:00", deadline="2026-01-11T09:00:00+08:00",
                               method=method) for i, b in enumerate(("A", "B", "C"))]
    # when
    out = run_cardinal_on(rows, ["R003"])
    # then
    assert compiled_release(rows[3:])["tender"]["procurementMethod"] == "selective"
    assert list(out["OCID"]) == ["ocds-ggzy-1"]
