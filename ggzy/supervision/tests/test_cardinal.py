"""Cardinal's red flags on hand-made compiled releases (each must fire, and a near miss must stay quiet), and on
Armenia's real releases (../shared/testdata/ocds/armeps_am_2018)."""

from __future__ import annotations

import io
import json

import pytest

from ggzy.core.testing import shared_data_path
from ggzy.supervision.screens.cardinal import (
    ALL_INDICATORS,
    CardinalInputError,
    Settings,
    load_settings,
    run_cardinal,
)


def bid(tenderer: str, amount: float | None = None, status: str = "valid", date: str | None = None) -> dict:
    out: dict = {"status": status, "tenderers": [{"id": tenderer}]}
    if amount is not None:
        out["value"] = {"amount": amount, "currency": "CNY"}
    if date:
        out["date"] = date
    return out


def release(
    ocid: str,
    bids: list[dict] | None = None,
    winner: str | None = None,
    *,
    method: str = "open",
    buyer: str = "B1",
    start: str = "2024-01-01T00:00:00Z",
    end: str = "2024-02-01T00:00:00Z",
    items: list[str] | None = None,
    award_status: str = "active",
) -> dict:
    out: dict = {
        "ocid": ocid,
        "buyer": {"id": buyer},
        "tender": {
            "procurementMethod": method,
            "procuringEntity": {"id": buyer},
            "tenderPeriod": {"startDate": start, "endDate": end},
        },
    }
    if bids is not None:
        out["bids"] = {"details": bids}
    if winner:
        out["awards"] = [
            {
                "id": "1",
                "status": award_status,
                "suppliers": [{"id": winner}],
                "items": [{"id": str(i), "classification": {"id": c}} for i, c in enumerate(items or [])],
            }
        ]
    return out


def run(releases: list[dict], ini: str | None = None, tmp_path=None, meta: bool = False) -> dict:
    settings = Settings()
    if ini is not None:
        path = tmp_path / "settings.ini"
        path.write_text(ini, encoding="utf-8")
        settings = load_settings(str(path))
    lines = io.StringIO("".join(json.dumps(r) + "\n" for r in releases))
    return json.loads(run_cardinal(lines, settings, meta=meta))


def flags(result: dict, group: str = "OCID") -> dict[str, set[str]]:
    return {key: set(codes) for key, codes in result.get(group, {}).items()}


def test_r003_short_submission_period_in_open_procedures_only():
    result = run(
        [
            release("short", start="2024-01-01T00:00:00Z", end="2024-01-10T00:00:00Z"),
            release("long", start="2024-01-01T00:00:00Z", end="2024-01-20T00:00:00Z"),
            release("direct", method="direct", start="2024-01-01T00:00:00Z", end="2024-01-02T00:00:00Z"),
        ]
    )
    assert flags(result) == {"short": {"R003"}}


def test_r003_threshold_from_settings(tmp_path):
    result = run(
        [release("short", start="2024-01-01T00:00:00Z", end="2024-01-10T00:00:00Z")],
        "[R003]\nthreshold = 5\n",
        tmp_path,
    )
    assert result == {}


def test_r018_single_bid_in_a_competitive_procedure():
    # Cardinal counts /tender/numberOfTenderers, in open and selective procedures by default
    releases = [
        release("one", [bid("A", 100)]),
        release("two", [bid("A", 100), bid("B", 110)]),
        release("direct", [bid("A", 100)], method="direct"),
        release("sel", [bid("A", 100)], method="selective"),
    ]
    for r, number in zip(releases, [1, 2, 1, 1], strict=True):
        r["tender"]["numberOfTenderers"] = number
    result = run(releases)
    assert {k for k, v in flags(result).items() if "R018" in v} == {"one", "sel"}


def test_r024_and_r058_outliers_of_the_winner_to_second_gap():
    # given ten processes where the second bid is 10 % above the winner, one 0.1 % above, one 300 % above
    normal = [release(f"n{i}", [bid("A", 100), bid("B", 110 + i * 0.1)], "A") for i in range(10)]
    close = release("close", [bid("A", 100), bid("B", 100.1)], "A")
    far = release("far", [bid("A", 100), bid("B", 400)], "A")
    # and one where the winner is not the lowest (excluded)
    not_lowest = release("nl", [bid("A", 100), bid("B", 90)], "A")
    result = run([*normal, close, far, not_lowest], meta=True)
    assert result["OCID"]["close"]["R024"] == pytest.approx(0.001)
    assert result["OCID"]["far"]["R058"] == pytest.approx(3.0)
    assert not any("R024" in v or "R058" in v for k, v in flags(result).items() if k.startswith("n"))
    assert set(result["Meta"]["R024"]) == {"q1", "q3", "lower_fence"}


def test_r025_top_tenderer_that_rarely_wins():
    # given five tenderers that each bid twice and win once, and a cover bidder that bids 8 times and never wins
    releases = []
    for i in range(10):
        winner, other = f"W{i % 5}", f"W{(i + 1) % 5}"
        releases.append(
            release(
                f"p{i}", [bid(winner, 100), bid(other, 120), *([bid("COVER", 130)] if i < 8 else [])], winner
            )
        )
    result = run(releases)
    assert result["Tenderer"]["COVER"]["R025"] == 0.0
    assert all("R025" not in result["Tenderer"].get(f"W{i}", {}) for i in range(5))


def test_r028_identical_prices_flag_the_process_and_the_tenderers():
    result = run(
        [
            release("same", [bid("A", 100), bid("B", 100), bid("C", 120)]),
            release("diff", [bid("A", 100), bid("B", 101)]),
        ]
    )
    assert "R028" in result["OCID"]["same"] and "diff" not in result.get("OCID", {})
    assert set(result["Tenderer"]) == {"A", "B"}


def test_r030_late_bid_won():
    late = release("late", [bid("A", 100, date="2024-02-02T00:00:00Z"), bid("B", 110)], "A")
    on_time = release("ok", [bid("A", 100, date="2024-01-30T00:00:00Z"), bid("B", 110)], "A")
    late_loser = release("ll", [bid("A", 100), bid("B", 110, date="2024-02-03T00:00:00Z")], "A")
    result = run([late, on_time, late_loser])
    assert {k for k, v in flags(result).items() if "R030" in v} == {"late"}


def test_r035_all_except_winner_disqualified(tmp_path):
    hit = release("hit", [bid("A", 100), bid("B", 90, "disqualified"), bid("C", 95, "disqualified")], "A")
    miss = release("miss", [bid("A", 100), bid("B", 110), bid("C", 95, "disqualified")], "A")
    result = run([hit, miss])
    assert result["OCID"]["hit"]["R035"] == 2.0
    assert "R035" not in result["OCID"].get("miss", {})
    assert run([hit], "[R035]\nthreshold = 3\n", tmp_path) == {}


def test_r036_lowest_bid_disqualified():
    hit = release("hit", [bid("A", 100), bid("B", 90, "disqualified")], "A")
    miss = release("miss", [bid("A", 90), bid("B", 100, "disqualified")], "A")
    no_award = release("na", [bid("A", 100), bid("B", 90, "disqualified")])
    result = run([hit, miss, no_award])
    assert {k for k, v in flags(result).items() if "R036" in v} == {"hit"}


def test_r038_buyer_that_disqualifies_far_more_than_others():
    releases = []
    for b in range(6):
        for p in range(2):
            status = "disqualified" if b == 0 else "valid"
            releases.append(
                release(f"b{b}p{p}", [bid("A", 100), bid(f"X{b}{p}", 110, status)], "A", buyer=f"BUY{b}")
            )
    result = run(releases)
    assert result["Buyer"] == {"BUY0": {"R038": 0.5}}
    assert result["ProcuringEntity"] == {"BUY0": {"R038": 0.5}}


def test_r048_heterogeneous_supplier():
    releases = [release(f"s{i}", [bid(f"S{i}", 100)], f"S{i}", items=["45000000"]) for i in range(6)]
    releases.append(
        release(
            "wide",
            [bid("WIDE", 100)],
            "WIDE",
            items=["45000000", "30000000", "33000000", "15000000", "72000000"],
        )
    )
    result = run(releases)
    assert result["Tenderer"]["WIDE"]["R048"] == 5.0
    assert all("R048" not in v for k, v in result["Tenderer"].items() if k != "WIDE")


def test_only_enabled_indicators_run_and_statuses_can_be_mapped(tmp_path):
    hit = release("hit", [bid("A", 100, "qualified"), bid("B", 100, "qualified")], "A")
    ini = "[codelists.bid_status]\nqualified = valid\n\n[R028]\n"
    result = run([hit], ini, tmp_path)
    assert flags(result) == {"hit": {"R028"}}
    # unmapped, the bids are not submitted (Cardinal's statuses: pending, valid, disqualified)
    assert run([hit], "[R028]\n", tmp_path) == {}


def test_price_comparison_exclusion_and_main_currency(tmp_path):
    same = release("same", [bid("A", 100), bid("B", 100)])
    same["tender"]["procurementMethodDetails"] = "Random Selection"
    assert run([same], "no_price_comparison_procurement_methods = Random Selection\n[R028]\n", tmp_path) == {}
    other = release("usd", [bid("A", 100), bid("B", 100)])
    for b in other["bids"]["details"]:
        b["value"]["currency"] = "USD"
    assert run([other], "currency = CNY\n[R028]\n", tmp_path) == {}


def test_bad_lines_and_settings_are_reported_in_chinese(tmp_path):
    errors: list[str] = []
    out = run_cardinal(io.StringIO('{"ocid": "x"}\nnot json\n[1]\n'), Settings(), on_error=errors.append)
    assert json.loads(out) == {}
    assert errors[0].startswith("第2行") and errors[1].startswith("第3行")
    path = tmp_path / "bad.ini"
    path.write_text("[R024]\nthreshold = lots\n", encoding="utf-8")
    with pytest.raises(CardinalInputError, match=r"\[R024\] threshold"):
        load_settings(str(path))


def test_armenia_real_releases(tmp_path):
    package = shared_data_path("ocds", "armeps_am_2018", "release_package_6.json")
    releases = json.loads(package.read_text(encoding="utf-8"))["releases"]
    ini = "[codelists.bid_status]\nqualified = valid\nnot-qualified = disqualified\n" + "".join(
        f"[{code}]\n" for code in ALL_INDICATORS
    )
    result = run(releases, ini, tmp_path, meta=True)
    ocids = {r["ocid"] for r in releases}
    # then the output has Cardinal's groups only, keys are real ocids, and values are decimals
    assert set(result) <= {"OCID", "Buyer", "ProcuringEntity", "Tenderer", "Meta"}
    assert set(result["OCID"]) <= ocids
    assert all(isinstance(v, float) for codes in result["OCID"].values() for v in codes.values())
    # the one open procedure, with a 9-day period, is R003, the selective single-bid ones R018
    assert result["OCID"]["AM-PPS-e5da72b80ff4fdfdff594c6dcc1ba3be"] == {"R003": 1.0}
    assert sum("R018" in codes for codes in result["OCID"].values()) == 2
