"""Every price screen on hand-made tenders: a case that must fire and one that must stay quiet."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ggzy.supervision.screens import price
from ggzy.supervision.screens.price import RULES, RULES_BY_CODE, score_tender


def d(*values: str | int | float) -> list[Decimal]:
    return [Decimal(str(v)) for v in values]


def fired(amounts: list[Decimal], bidders: list[str] | None = None) -> set[str]:
    return {f.rule.code for f in score_tender("T", amounts, bidders).fired}


@pytest.mark.parametrize(
    ("code", "loud", "quiet"),
    [
        ("CV", d(100000, 101000, 102000), d(100000, 150000, 200000)),
        ("SPD", d(100000, 104000, 108000), d(100000, 150000, 200000)),
        ("DIFFP", d(100000, 110000, 111000), d(100000, 101000, 130000)),
        ("RD", d(100000, 110000, 110500, 111000), d(100000, 101000, 120000, 140000)),
        ("SKEW", d(100000, 150000, 151000, 152000, 153000), d(100000, 101000, 102000, 103000, 150000)),
        (
            "KURT",
            d(100000, 150000, 150100, 150200, 150300, 200000),
            d(100000, 110000, 120000, 130000, 140000, 150000),
        ),
        ("KSTEST", d(100000, *range(190000, 199000, 1000)), d(*range(100000, 200000, 10000))),
        ("IDENT", d("123456.78", "123456.78", "130000.00"), d(14, 14, 15)),
        ("ARITH", d(100000, 105000, 110000), d("0.14", "0.15", "0.16")),
        ("RATIO", d(100000, 110000, 121000), d(100000, 110000, 125000)),
    ],
)
def test_each_screen_fires_on_its_pattern_and_stays_quiet_otherwise(code, loud, quiet):
    # given a tender built to show the screen's pattern, and one that does not
    # when both are screened
    # then the screen fires on the first only
    assert code in fired(loud)
    assert code not in fired(quiet)


def test_every_rule_is_named_versioned_explained_and_sourced():
    codes = [rule.code for rule in RULES]
    assert len(codes) == len(set(codes)) == 10
    for rule in RULES:
        assert rule.version >= 1 and rule.name and rule.explanation and rule.source
        assert rule.fires in {"le", "ge", "pattern"}


def test_identical_prices_need_different_bidders():
    # the same bidder's price twice (a duplicated row) is not two bidders agreeing
    assert "IDENT" not in fired(d("123456.78", "123456.78", "130000.00"), ["a", "a", "b"])
    assert "IDENT" in fired(d("123456.78", "123456.78", "130000.00"), ["a", "b", "c"])


def test_statistics_match_known_values():
    # the spreadsheet definitions (adjusted Fisher-Pearson skewness, sample excess kurtosis)
    xs = [3, 4, 5, 2, 3, 4, 5, 6, 4, 7]
    assert price.skewness(xs) == pytest.approx(0.359543, abs=1e-6)
    assert price.excess_kurtosis(xs) == pytest.approx(-0.151800, abs=1e-6)
    assert price.coefficient_of_variation([1, 2, 3]) == pytest.approx(0.5)
    assert price.spread([100, 150]) == pytest.approx(0.5)
    assert price.diffp([120, 100, 130]) == pytest.approx(0.2)
    # RD: gap of the two lowest over the sd of the losing bids
    assert price.relative_distance([100, 110, 112, 114]) == pytest.approx(10 / 2)
    # KS: two bids at the ends of the range are 1/2 away from the uniform distribution
    assert price.ks_uniform([1, 2]) == pytest.approx(0.5)


def test_score_is_the_mean_of_the_variance_screens_mapped_around_their_thresholds():
    # given a tight tender of three bids (no pattern; KURT needs four bids)
    result = score_tender("T", d(100000, 101000, 102500))
    assert not {"IDENT", "ARITH", "RATIO"} & {f.rule.code for f in result.fired}
    values = {f.rule.code: f.value for f in result.findings}
    # then the score is the mean of t/(t+x) over CV (t = 0.05) and SPD (t = 0.10)
    expected = (0.05 / (0.05 + values["CV"]) + 0.10 / (0.10 + values["SPD"])) / 2
    assert result.score == pytest.approx(expected)
    assert "KURT" not in {f.rule.code for f in result.findings}
    assert {"CV", "SPD"} <= {f.rule.code for f in result.fired}


def test_score_is_one_half_at_the_thresholds_and_a_pattern_moves_it_halfway_to_one():
    # given findings with CV and SPD exactly at their thresholds
    cv, spd, arith = RULES_BY_CODE["CV"], RULES_BY_CODE["SPD"], RULES_BY_CODE["ARITH"]
    at = [price.Finding(cv, 0.05, True), price.Finding(spd, 0.10, True)]
    # then the composite is 0.5; with an arithmetic run fired it is 0.75; an unfired pattern changes nothing
    assert price.combined_score(at) == pytest.approx(0.5)
    assert price.combined_score([*at, price.Finding(arith, 3, True)]) == pytest.approx(0.75)
    assert price.combined_score([*at, price.Finding(arith, None, False)]) == pytest.approx(0.5)


def test_score_ranks_tenders_by_dispersion_where_the_share_of_screens_tied():
    # given two tenders where the same screens fire (CV, SPD) but one is far tighter
    tight = score_tender("T", d(100000, 100100, 100200, 100250))
    looser = score_tender("T", d(100000, 102000, 104000, 104500))
    assert {f.rule.code for f in tight.fired} >= {"CV", "SPD"} and {f.rule.code for f in looser.fired} >= {"CV", "SPD"}
    # then the tighter one scores higher
    assert tight.score is not None and looser.score is not None and tight.score > looser.score


def test_a_single_bid_has_no_score_and_a_wide_competitive_tender_scores_low():
    assert score_tender("T", d(100000)).score is None
    wide = score_tender("T", d("100321.17", "131877.42", "158004.90", "179411.03", "204118.66"))
    tight = score_tender("T", d("100000.00", "104001.00", "104102.00", "104203.00", "104304.00"))
    assert wide.score is not None and tight.score is not None
    assert tight.score > wide.score


def test_undefined_statistics_do_not_fire_or_count():
    # identical losing bids: RD is undefined (division by zero), so it neither fires nor counts as applicable
    result = score_tender("T", d(100000, 120000, 120000))
    rd = next(f for f in result.findings if f.rule.code == "RD")
    assert rd.value is None and not rd.fired
    assert RULES_BY_CODE["RD"].min_bids == 3


def test_score_does_not_depend_on_bid_order():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=12), st.randoms())
    def check(cents, rnd):
        amounts = [Decimal(c).scaleb(-2) for c in cents]
        bidders = [f"b{i}" for i in range(len(amounts))]
        shuffled = list(zip(amounts, bidders, strict=True))
        rnd.shuffle(shuffled)
        a = score_tender("T", amounts, bidders)
        b = score_tender("T", [x for x, _ in shuffled], [y for _, y in shuffled])
        assert a.score == pytest.approx(b.score) if a.score is not None else b.score is None
        assert {f.rule.code for f in a.fired} == {f.rule.code for f in b.fired}

    check()


def test_evidence_names_rule_versions_and_data_and_is_reproducible():
    import json

    amounts = d("100000.00", "101000.00", "102000.00")
    first = score_tender("T9", amounts, ["a", "b", "c"]).evidence()
    again = score_tender("T9", list(amounts), ["a", "b", "c"]).evidence()
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    assert first["amounts"] == ["100000.00", "101000.00", "102000.00"]
    assert first["score_rule"] == price.SCORE_RULE
    cv = next(s for s in first["screens"] if s["code"] == "CV")
    assert cv == {
        "code": "CV",
        "version": 1,
        "value": pytest.approx(0.0099, abs=1e-4),
        "fired": True,
        "threshold": 0.05,
        "source": RULES_BY_CODE["CV"].source,
    }
