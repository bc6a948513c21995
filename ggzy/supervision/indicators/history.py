"""History indicators registered for the alert runner: the pure rules of ``screens.history`` and Cardinal's red flags
(``screens.cardinal`` over ``screens.ocds`` releases), fed from ``tendering.selectors_history`` (lots whose opening
is published; nothing sealed). Each spec's ``run(since=, until=)`` reads the history of lots opened in
``[since, until)`` (all of it when both are None) and returns ``Signal`` objects; all history signals are yellow:
patterns worth a supervisor's look, never a finding of collusion by themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any

from ggzy.core.money import stored_amount
from ggzy.tendering import selectors_history

from ..screens import history as rules
from ..screens.cardinal import ALL_INDICATORS, Cardinal, Settings
from ..screens.ocds import CURRENCY, compiled_release, lot_id_of, run_cardinal_on
from .base import IndicatorSpec, Signal, register


def _number(value: object) -> float | None:
    amount = stored_amount(value) if value is not None else None
    return float(amount) if amount is not None else None


def platform_records(*, since: dt.datetime | None = None, until: dt.datetime | None = None,
                     lot_ids: list[int] | None = None, center_id: int | None = None) -> Iterator[rules.HistoryRecord]:
    for row in selectors_history.history_records(since=since, until=until, lot_ids=lot_ids, center_id=center_id):
        row["price"] = _number(row["price"])
        row["estimate"] = _number(row["estimate"])
        yield rules.HistoryRecord(**row)


# code → (title zh, title en, explanation zh, explanation en, summary zh, summary en, basis)
HISTORY_TEXTS: dict[str, tuple[str, str, str, str, str, str, str]] = {
    "history.cobidding": (
        "异常共同投标", "Unusual co-bidding",
        "两家企业共同投标不少于5个标段，共同投标次数是按各自投标活跃度推算的3倍以上（提升度≥3），且两者投过的标段中"
        "至少一半是一起投的（Jaccard≥0.5）。经常结伴出现是串通投标团伙的特征。",
        "Two firms bid together in at least 5 lots, at least 3 times as often as their activity predicts (lift ≥ 3), "
        "and in at least half of the lots either of them bid in (Jaccard ≥ 0.5): firms that always appear together "
        "are the footprint of a bidding ring.",
        "{a} 与 {b} 共同投标 {n} 次，提升度 {lift}，Jaccard {jaccard}",
        "{a} and {b} bid together {n} times, lift {lift}, Jaccard {jaccard}",
        "Wachs & Kertész (2019) Sci. Rep. 9:10818; Agrawal et al. (1993); OECD (2009)",
    ),
    "history.rotation": (
        "中标轮换", "Rotation of winners",
        "由异常共同投标关系连成的3至12家企业，在其中至少两家同时投标的标段（不少于6个）中拿下80%以上，"
        "至少3家轮流中标且任何一家不超过一半：轮流坐庄。",
        "A group of 3–12 firms linked by unusual co-bidding wins at least 80 % of the (at least 6) lots where two or "
        "more of them bid, with at least 3 different winners and none winning more than half: they take turns.",
        "{firms} 组内轮流中标：{wins}/{met} 个标段",
        "{firms} take turns winning: {wins} of {met} lots",
        "OECD (2009) Guidelines for Fighting Bid Rigging; Ishii (2009) Int. J. Ind. Org. 27:137-144",
    ),
    "history.cover_bidder": (
        "陪标企业", "Cover bidder",
        "企业投标不少于10次从未中标，且至少一半投标所在标段由与其异常共同投标的企业中标：典型的陪标。",
        "A firm that bid at least 10 times and never won, at least half of them in lots won by a firm it co-bids "
        "with unusually often: the classic cover bidder.",
        "{firm} 投标 {bids} 次从未中标，其中 {share} 为其伙伴中标",
        "{firm} bid {bids} times and never won; {share} of them were won by its partners",
        "OECD (2009) Guidelines for Fighting Bid Rigging",
    ),
    "history.single_bid_buyer": (
        "招标人单一有效投标", "Buyer's single-bid lots",
        "招标人至少5个标段中，只有一个有效投标的标段不少于3个且占50%以上。",
        "A buyer with at least 5 lots of which at least 3 and at least half had exactly one valid bid.",
        "招标人 {buyer} 的 {lots} 个标段中 {single} 个只有一个有效投标",
        "Buyer {buyer}: {single} of {lots} lots had a single valid bid",
        "Fazekas, Tóth & King (2016) Eur. J. Crim. Policy Res. 22:369-397; Cardinal R018",
    ),
    "history.disqualified_together": (
        "共同被否决", "Disqualified together",
        "两家企业在同一标段同时被否决不少于3次，且占其共同投标标段的一半以上：故意不响应的陪标形态。",
        "Two firms disqualified in the same lot at least 3 times and in at least half of the lots they bid in "
        "together: deliberately non-compliant cover bids.",
        "{a} 与 {b} 同时被否决 {n} 次（共同投标 {met} 次）",
        "{a} and {b} disqualified together {n} times (of {met} lots together)",
        "OECD (2009); Cardinal R035/R038",
    ),
}

CARDINAL_TEXTS: dict[str, tuple[str, str]] = {
    "R003": ("投标期过短", "Short submission period"),
    "R018": ("单一投标人", "Single bid received"),
    "R024": ("中标价与次低价差距异常小", "Price close to winning bid"),
    "R025": ("投标多中标少", "Excessive unsuccessful bids"),
    "R028": ("报价相同", "Identical bid prices"),
    "R030": ("中标投标逾期", "Late bid won"),
    "R035": ("除中标人外全部被否决", "All except winning bid disqualified"),
    "R036": ("最低价被否决", "Lowest bid disqualified"),
    "R038": ("否决率过高", "Excessive disqualified bids"),
    "R048": ("经营范围异常宽泛", "Heterogeneous supplier"),
    "R058": ("中标价远低于次低价", "Heavily discounted bid"),
}


def _summary(code: str, f: rules.Finding) -> tuple[str, str]:
    d = f.data
    zh, en = HISTORY_TEXTS[code][4], HISTORY_TEXTS[code][5]
    values: dict[str, object] = {}
    if code in ("history.cobidding", "history.disqualified_together"):
        values = {"a": f.subjects[0], "b": f.subjects[1], "n": d.get("lots_together") if code ==
                  "history.cobidding" else d.get("disqualified_together"), "met": d.get("lots_together"),
                  "lift": d.get("lift"), "jaccard": d.get("jaccard")}
    elif code == "history.rotation":
        values = {"firms": "、".join(f.subjects), "wins": d["group_wins"], "met": d["lots_met"]}
    elif code == "history.cover_bidder":
        values = {"firm": d["firm"], "bids": d["bids"], "share": f"{d['share']:.0%}"}
    elif code == "history.single_bid_buyer":
        values = {"buyer": d["buyer"], "lots": d["lots"], "single": d["single_bid_lots"]}
    en_values = dict(values, firms=", ".join(f.subjects)) if "firms" in values else values
    return zh.format(**values), en.format(**en_values)


def _history_signals(findings: list[rules.Finding], codes: set[str]) -> list[Signal]:
    signals = []
    for finding in findings:
        if finding.code not in codes:
            continue
        zh, en = _summary(finding.code, finding)
        signals.append(Signal(indicator=finding.code, version=rules.VERSION, level="yellow",
                              score=round(finding.score, 4), summary_zh=zh, summary_en=en, data=finding.data,
                              subjects=finding.subjects))
    return signals


def _cardinal_signals(out: dict[str, Any], flags: Iterable[str]) -> list[Signal]:
    signals = []
    for flag in flags:
        code, (zh_title, en_title) = f"cardinal.{flag}", CARDINAL_TEXTS[flag]
        meta = out.get("Meta", {}).get(flag, {})
        for group in ("OCID", "Buyer", "ProcuringEntity", "Tenderer"):
            for key, flagged in out.get(group, {}).items():
                if flag not in flagged:
                    continue
                value = flagged[flag]
                lot = lot_id_of(key) if group == "OCID" else None
                data = {"flag": flag, "group": group, "id": lot or key, "value": round(value, 6), "meta": meta}
                where_zh = f"标段 {lot}" if lot else f"{key}"
                signals.append(Signal(
                    indicator=code, version=1, level="yellow", score=1.0,
                    summary_zh=f"Cardinal {flag}（{zh_title}）：{where_zh}，值 {round(value, 4)}",
                    summary_en=f"Cardinal {flag} ({en_title}): {'lot ' + lot if lot else key}, "
                               f"value {round(value, 4)}",
                    data=data, lot_id=int(lot) if lot and lot.isdigit() else None,
                    subjects=() if lot else (key,)))
    return signals


def run_history_rule(code: str, *, since: dt.datetime | None = None, until: dt.datetime | None = None,
                     records: Callable[..., Iterator[rules.HistoryRecord]] = platform_records) -> list[Signal]:
    return _history_signals(rules.run_history(records(since=since, until=until)), {code})


def run_cardinal_flag(flag: str, *, since: dt.datetime | None = None, until: dt.datetime | None = None,
                      records: Callable[..., Iterator[rules.HistoryRecord]] = platform_records) -> list[Signal]:
    return _cardinal_signals(run_cardinal_on(records(since=since, until=until), [flag]), [flag])


def history_signals_all(*, since: dt.datetime | None = None, until: dt.datetime | None = None,
                        records: Callable[..., Iterator[rules.HistoryRecord]] = platform_records) -> list[Signal]:
    """Every history rule and every Cardinal flag in ONE pass over the history (what the 16 registered specs give
    one by one, in the registry's order): for a nightly run over a province, instead of 16 reads."""
    engine = rules.HistoryEngine()
    cardinal = Cardinal(Settings(enabled=set(ALL_INDICATORS), currency=CURRENCY))
    for rows in rules.by_lot(records(since=since, until=until)):
        engine.fold_lot(rows)
        cardinal.fold(compiled_release(rows))
    found = _cardinal_signals(cardinal.finish(), ALL_INDICATORS)
    return found + [s for code in sorted(HISTORY_TEXTS) for s in _history_signals(engine.finish(), {code})]


for _code, (_tz, _te, _ez, _ee, _sz, _se, _basis) in HISTORY_TEXTS.items():
    register(IndicatorSpec(code=_code, version=rules.VERSION, scope="history", title_zh=_tz, title_en=_te,
                           explanation_zh=_ez, explanation_en=_ee, run=partial(run_history_rule, _code),
                           basis=_basis))

for _flag in ALL_INDICATORS:
    _zh, _en = CARDINAL_TEXTS[_flag]
    register(IndicatorSpec(
        code=f"cardinal.{_flag}", version=1, scope="history", title_zh=f"Cardinal {_flag}：{_zh}",
        title_en=f"Cardinal {_flag}: {_en}",
        explanation_zh=f"开放合同伙伴关系（Open Contracting Partnership）Cardinal 红旗指标 {_flag}（{_zh}），"
                       "按其公开定义和默认设置，在本平台已公布开标记录的标段上计算（OCDS 汇编发布）。",
        explanation_en=f"The Open Contracting Partnership's Cardinal red flag {_flag} ({_en}), with its published "
                       "definition and default settings, computed over the platform's lots whose opening is "
                       "published (as OCDS compiled releases).",
        run=partial(run_cardinal_flag, _flag), basis=f"Open Contracting Partnership, Cardinal {_flag}"))
