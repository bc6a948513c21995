"""What every GP method shares in the evaluation: bids of the same core-product brand count as one supplier and only
the best of them is ranked (政府采购货物和服务招标投标管理办法 Art. 31); a small or micro enterprise's declared price is
reduced by the template's percentage for ranking and the price score (促进中小企业发展管理办法 Art. 9, 待核实)."""

import datetime as dt
from decimal import Decimal

import pytest

from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.tendering import scoring
from ggzy.tendering.choices import BidState
from ggzy.tendering.price_sheet import price_sheet_clean
from ggzy.tendering.services import bidding, evaluation, opening

from .conftest import lot_ready, seat_committee, sign_up


def _bid(bid_id, price, *, brand="", sme=False, qualified=True):
    return scoring.BidScores(bid_id=bid_id, bidder=f"供应商{bid_id}", price=Decimal(price), arrived_order=bid_id,
                             technical=[Decimal(40)], commercial=[Decimal(10)], qualified_votes=[qualified],
                             brand=brand, sme=sme)


def test_sme_deduction_decides_the_lowest_price_ranking():
    bids = [_bid(1, "1000000"), _bid(2, "1080000", sme=True), _bid(3, "1200000", sme=True)]
    rows = scoring.rank(bids, method="lowest_price", price_weight=Decimal(30), tie_break="lower_price",
                        sme_deduction_percent=Decimal(10))
    # 1,080,000 less 10% = 972,000 ranks before 1,000,000; the price itself (what is awarded) is unchanged
    assert [r["bid_id"] for r in rows] == [2, 1, 3]
    assert rows[0]["price"] == "1080000" and rows[0]["evaluation_price"] == "972000.00" and rows[0]["sme"] is True
    assert "evaluation_price" not in rows[1]
    # without the template's deduction the declaration changes nothing
    plain = scoring.rank(bids, method="lowest_price", price_weight=Decimal(30), tie_break="lower_price")
    assert [r["bid_id"] for r in plain] == [1, 2, 3]


def test_sme_deduction_enters_the_price_score():
    bids = [_bid(1, "1000000"), _bid(2, "1000000", sme=True)]
    rows = scoring.rank(bids, method="comprehensive", price_weight=Decimal(30), tie_break="lower_price",
                        sme_deduction_percent=Decimal(20))
    by_id = {r["bid_id"]: r for r in rows}
    # base is the lowest evaluation price 800,000: the SME scores the full 30, the other 800000/1000000×30 = 24
    assert by_id[2]["price_score"] == "30.00" and by_id[1]["price_score"] == "24.00"
    assert rows[0]["bid_id"] == 2


def test_same_brand_counts_as_one_supplier_and_only_its_best_is_ranked():
    bids = [_bid(1, "900000", brand="戴尔 Dell"), _bid(2, "850000", brand="戴尔dell "), _bid(3, "950000", brand="联想"),
            _bid(4, "800000", brand="戴尔 DELL", qualified=False), _bid(5, "990000")]
    rows = scoring.rank(bids, method="lowest_price", price_weight=Decimal(30), tie_break="lower_price",
                        same_brand_as_one=True)
    assert [(r["bid_id"], r["rank"]) for r in rows] == [(2, 1), (3, 2), (5, 3)]
    assert rows[0]["same_brand_bids"] == [1]  # the unqualified bid 4 is not counted at all
    assert scoring.suppliers_counted(bids, same_brand_as_one=True) == 3
    assert scoring.suppliers_counted(bids, same_brand_as_one=False) == 4
    # the rule off (works tendering templates have no key): every qualified bid is ranked
    assert len(scoring.rank(bids, method="lowest_price", price_weight=Decimal(30), tie_break="lower_price")) == 4


def test_price_sheet_takes_brand_and_sme_and_names_bad_values():
    sheet = price_sheet_clean({"total_price": "100", "brand": "  华为 ", "sme": True})
    assert sheet["brand"] == "华为" and sheet["sme"] is True
    assert "brand" not in price_sheet_clean({"total_price": "100"})
    with pytest.raises(DomainError) as refused:
        price_sheet_clean({"total_price": "100", "brand": "x" * 101, "sme": "yes"})
    assert set(refused.value.errors) == {"price_sheet.brand", "price_sheet.sme"}
    assert "品牌" in refused.value.errors["price_sheet.brand"][0]


SHEETS = [  # bidder index → price sheet
    {"total_price": "7650000.00", "brand": "海尔"},
    {"total_price": "7480000.00", "brand": "海尔"},
    {"total_price": "7720000.00", "brand": "格力", "sme": True},
    {"total_price": "7700000.00", "brand": "美的"},
]


def _evaluated(world, sheets):
    lot = lot_ready(world, method="gp_open_tender")
    sign_up(world, lot, range(len(sheets)))
    for i, sheet in enumerate(sheets):
        bidding.bid_submit(actor=world.bidders[i], lot=lot, price_sheet=sheet,
                           files=[bidding.IncomingFile("响应文件.pdf", [b"technical proposal"])],
                           fingerprint={"mac": f"00:11:22:33:44:{i:02d}", "public_ip": f"1.2.3.{i}"})
    clock.freeze(lot.bid_deadline + dt.timedelta(minutes=1))
    lot = opening.lot_open(actor=world.staff, lot=lot)
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    opening.opening_record_publish(actor=world.staff, lot=lot)
    opening.opening_close(actor=world.staff, lot=lot)
    members = [(e, "expert_technical") for e in world.experts[:4]] + [(world.experts[4], "expert_economic")]
    seat_committee(world.staff, lot, members, chair=world.experts[0])
    for member, _ in members:
        for b in lot.bids.filter(state=BidState.OPENED):
            evaluation.score_submit(actor=member, bid=b, technical="50", commercial="10")
    return evaluation.report_generate(actor=world.experts[0], lot=lot)


@pytest.mark.django_db
def test_gp_evaluation_applies_brand_and_sme_from_the_template(world):
    # given four GP bids, two of brand 海尔, an SME declaring 格力 at 7,720,000 (10% off: 6,948,000)
    report = _evaluated(world, SHEETS)
    ranked = [(r["bidder"], r.get("brand"), r.get("evaluation_price")) for r in report.ranking]
    names = [b.name for b in world.bidder_entities]
    # then the SME ranks first on its deducted price, only the cheaper 海尔 bid is ranked, 美的 last
    assert ranked == [(names[2], "格力", "6948000.00"), (names[1], "海尔", None), (names[3], "美的", None)]
    assert len(report.ranking[1]["same_brand_bids"]) == 1


@pytest.mark.django_db
def test_same_brand_below_the_minimum_leaves_nothing_to_recommend(world):
    # given three bids of which two offer the same brand: two suppliers as the law counts them (minimum 3)
    report = _evaluated(world, SHEETS[:3])
    assert report.ranking == []
