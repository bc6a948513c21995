"""Price-pattern indicator on one opened lot: the published screens (``supervision.screens.price``) on the prices
read out at the opening. 实施条例 第四十条第（四）项 不同投标人的投标文件异常一致或者投标报价呈规律性差异."""

from __future__ import annotations

from decimal import Decimal

from ggzy.core.money import stored_amount

from ..screens.price import score_tender
from .base import IndicatorSpec, Level, Signal, register
from .lotfacts import Facts, load

CODE = "price.screens"
VERSION = 1
# the pattern screens and the level each gives: identical prices are "abnormally identical" bids (Art. 40(4)),
# a progression or constant ratio is a "regular difference" worth the committee's look
PATTERNS = {"IDENT": "red", "ARITH": "yellow", "RATIO": "yellow"}
WORDS = {"IDENT": ("投标报价完全相同", "identical prices"), "ARITH": ("报价呈等差数列", "prices in arithmetic progression"),
         "RATIO": ("报价呈固定比例", "prices at a constant ratio")}


def check_price_screens(facts: Facts) -> list[Signal]:
    amounts: list[Decimal] = []
    ids: list[str] = []
    unreadable: list[str] = []
    for bidder in sorted(facts.get("bidders", ()), key=lambda b: str(b["entity_id"])):
        if bidder.get("price") in (None, ""):
            continue
        amount = stored_amount(bidder["price"])
        if amount is None or amount <= 0:
            unreadable.append(str(bidder["entity_id"]))  # one odd record is marked; the others are screened
            continue
        amounts.append(amount)
        ids.append(str(bidder["entity_id"]))
    if len(amounts) < 2:
        return []
    result = score_tender(str(facts.get("lot_code", facts.get("lot_id"))), amounts, ids)
    fired = [f for f in result.fired if f.rule.code in PATTERNS]
    if not fired:
        return []
    level: Level = "red" if any(PATTERNS[f.rule.code] == "red" for f in fired) else "yellow"
    zh = "、".join(WORDS[f.rule.code][0] for f in fired)
    en = ", ".join(WORDS[f.rule.code][1] for f in fired)
    data = {"bidders": ids, "unreadable": unreadable, "screens": result.evidence()}
    return [Signal(indicator=CODE, version=VERSION, level=level, score=float(result.score or 0.0),
                   summary_zh=f"{len(amounts)}家投标人的报价：{zh}", summary_en=f"Prices of {len(amounts)} bidders: {en}",
                   data=data, lot_id=facts.get("lot_id"), subjects=tuple(ids))]


register(IndicatorSpec(
    code=CODE, version=VERSION, scope="lot", title_zh="报价规律性筛查", title_en="Price pattern screens",
    explanation_zh="对开标报价运行公开的价格筛查：报价完全相同为红色（投标文件异常一致），等差、固定比例为黄色"
                   "（报价呈规律性差异，实施条例第四十条第四项）。",
    explanation_en="Runs the published price screens on the opened prices: identical prices are red (abnormally "
                   "identical bids), an arithmetic progression or constant ratio is yellow (Regulation Art. 40(4)).",
    run=lambda *, lot_id: check_price_screens(load(lot_id) or {}), basis="招标投标法实施条例 第四十条第（四）项"))
