"""Collusion indicators on one opened lot (招标投标法实施条例 第三十四条、第四十条; DOMAIN.md "deemed collusion").

Each ``check_*`` is a pure function of the lot's plain facts (see ``lotfacts``); ``run`` loads the facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .base import IndicatorSpec, Signal, register
from .lotfacts import Facts, load, mask, names_of, shared_values

FINGERPRINT_LABELS = {
    "public_ip": ("公网IP", "public IP"), "mac": ("网卡MAC地址", "MAC address"),
    "cpu_serial": ("CPU序列号", "CPU serial"), "disk_serial": ("硬盘序列号", "disk serial"),
    "file_creator_id": ("投标文件制作工具标识", "file-creator ID"), "dongle": ("计价软件加密锁号", "dongle"),
}


def _signal(code: str, version: int, facts: Facts, *, level: Any, score: float, zh: str, en: str,
            data: Mapping[str, Any], subjects: Iterable[str]) -> Signal:
    return Signal(indicator=code, version=version, level=level, score=score, summary_zh=zh, summary_en=en,
                  data=data, lot_id=facts.get("lot_id"), subjects=tuple(sorted(set(subjects))))


def _pairs_signals(code: str, version: int, facts: Facts, field: str, label_zh: str, label_en: str,
                   values: Any, *, level: Any = "red", score: float = 1.0) -> list[Signal]:
    out = []
    for value, ids in shared_values(facts.get("bidders", ()), values):
        names = names_of(facts, ids)
        out.append(_signal(code, version, facts, level=level, score=score,
                           zh=f"{'、'.join(names)}的{label_zh}相同（{mask(value)}）",
                           en=f"{', '.join(names)} share the same {label_en} ({mask(value)})",
                           data={"field": field, "value_masked": mask(value), "bidders": ids, "names": names},
                           subjects=ids))
    return out


# --- same fingerprint -------------------------------------------------------------------------------------------
SAME_FINGERPRINT = "collusion.same_fingerprint"


def check_same_fingerprint(facts: Facts) -> list[Signal]:
    """实施条例 第四十条第（一）项 不同投标人的投标文件由同一单位或者个人编制 — in practice the same machine code."""
    out: list[Signal] = []
    for field, (zh, en) in FINGERPRINT_LABELS.items():
        out += _pairs_signals(SAME_FINGERPRINT, 1, facts, f"fingerprint.{field}", zh, en,
                              lambda b, f=field: [v] if (v := (b.get("fingerprint") or {}).get(f)) else [])
    return out


register(IndicatorSpec(
    code=SAME_FINGERPRINT, version=1, scope="lot", title_zh="投标文件制作机器特征相同", title_en="Same machine fingerprint",
    explanation_zh="不同投标人的投标文件由同一台计算机制作（MAC、CPU、硬盘序列号、公网IP、文件制作工具标识或加密锁相同），"
                   "视为由同一单位或者个人编制（实施条例第四十条第一项）。",
    explanation_en="Bids of different bidders made on the same computer (same MAC / CPU / disk serial, public IP, "
                   "file-creator ID or dongle) are deemed prepared by the same unit (Regulation Art. 40(1)).",
    run=lambda *, lot_id: check_same_fingerprint(load(lot_id) or {}), basis="招标投标法实施条例 第四十条第（一）项"))

# --- same agent / contact ---------------------------------------------------------------------------------------
SAME_CONTACT = "collusion.same_agent_or_contact"


def check_same_contact(facts: Facts) -> list[Signal]:
    """实施条例 第四十条第（二）项 同一单位或者个人办理投标事宜; 政府采购 同一联系人."""
    return (_pairs_signals(SAME_CONTACT, 1, facts, "contact_phone", "联系电话", "contact phone",
                           lambda b: [b.get("contact_phone") or ""])
            + _pairs_signals(SAME_CONTACT, 1, facts, "contact_name", "联系人", "contact person",
                             lambda b: [b.get("contact_name") or ""], level="yellow", score=0.6))


register(IndicatorSpec(
    code=SAME_CONTACT, version=1, scope="lot", title_zh="同一人办理投标事宜", title_en="Same agent or contact",
    explanation_zh="不同投标人登记的联系电话相同（红色）或联系人姓名相同（黄色），视为委托同一单位或者个人办理投标事宜"
                   "（实施条例第四十条第二项）。",
    explanation_en="Different bidders give the same contact phone (red) or contact name (yellow): the same person "
                   "handles their bids (Regulation Art. 40(2)).",
    run=lambda *, lot_id: check_same_contact(load(lot_id) or {}), basis="招标投标法实施条例 第四十条第（二）项"))

# --- same key person --------------------------------------------------------------------------------------------
SAME_KEY_PERSON = "collusion.same_key_person"


def check_same_key_person(facts: Facts) -> list[Signal]:
    """实施条例 第四十条第（三）项 不同投标人的投标文件载明的项目管理成员为同一人 (matched by ID number)."""
    return _pairs_signals(SAME_KEY_PERSON, 1, facts, "key_person.id_number", "主要人员（身份证号）",
                          "key person (ID number)",
                          lambda b: [p.get("id_number", "") for p in b.get("key_persons", ())])


register(IndicatorSpec(
    code=SAME_KEY_PERSON, version=1, scope="lot", title_zh="项目管理成员为同一人", title_en="Same key person",
    explanation_zh="同一人（身份证号相同）被两个以上投标人列为主要人员（实施条例第四十条第三项）。",
    explanation_en="One person (same ID number) is named as key staff by two or more bidders (Regulation Art. 40(3)).",
    run=lambda *, lot_id: check_same_key_person(load(lot_id) or {}), basis="招标投标法实施条例 第四十条第（三）项"))

# --- same bond account ------------------------------------------------------------------------------------------
SAME_BOND_ACCOUNT = "collusion.same_bond_account"


def check_same_bond_account(facts: Facts) -> list[Signal]:
    """实施条例 第四十条第（六）项 不同投标人的投标保证金从同一单位或者个人的账户转出."""
    return _pairs_signals(SAME_BOND_ACCOUNT, 1, facts, "bond_account", "投标保证金付款账户", "bond payer account",
                          lambda b: list(b.get("bond_accounts", ())))


register(IndicatorSpec(
    code=SAME_BOND_ACCOUNT, version=1, scope="lot", title_zh="保证金从同一账户转出", title_en="Bonds from one account",
    explanation_zh="不同投标人的投标保证金从同一账户转出（实施条例第四十条第六项）。",
    explanation_en="Bonds of different bidders were paid from the same account (Regulation Art. 40(6)).",
    run=lambda *, lot_id: check_same_bond_account(load(lot_id) or {}), basis="招标投标法实施条例 第四十条第（六）项"))

# --- same legal representative / control --------------------------------------------------------------------------
SAME_LEGAL_REP = "collusion.same_legal_rep_or_control"
SAME_LEGAL_REP_VERSION = 2  # v2: control relationships from the registry (one controls another, same controller)


def _control_signal(facts: Facts, pair: list[str], *, zh: str, en: str, data: Mapping[str, Any]) -> Signal:
    return _signal(SAME_LEGAL_REP, SAME_LEGAL_REP_VERSION, facts, level="red", score=1.0, zh=zh, en=en,
                   data={**data, "bidders": pair, "names": names_of(facts, pair)}, subjects=pair)


def check_control(facts: Facts) -> list[Signal]:
    """实施条例 第三十四条第二款 存在控股、管理关系的不同单位: one bidder controls another, or two bidders have the same
    controlling party (an entity or a person, matched by the registry's ``controller`` key)."""
    bidders = sorted(facts.get("bidders", ()), key=lambda b: str(b["entity_id"]))
    ids = {str(b["entity_id"]) for b in bidders}
    out: list[Signal] = []
    for bidder in bidders:
        me = str(bidder["entity_id"])
        for other in sorted({str(c) for c in bidder.get("controls", ())} & ids - {me}):
            a, b = names_of(facts, [me, other])
            out.append(_control_signal(facts, [me, other], zh=f"{a}控股或管理{b}，二者参加同一标段投标",
                                       en=f"{a} controls {b}; both bid in this lot", data={"field": "controls"}))
    controlled_by: dict[str, dict[str, Any]] = {}
    for bidder in bidders:
        for controller in bidder.get("controllers", ()):
            entry = controlled_by.setdefault(str(controller["key"]), {"name": str(controller.get("name", "")),
                                                                      "ids": set()})
            entry["ids"].add(str(bidder["entity_id"]))
    for key, entry in sorted(controlled_by.items()):
        if key.startswith("entity:") and key.removeprefix("entity:") in ids:
            continue  # a bidder controlling other bidders is reported above, pair by pair
        if len(entry["ids"]) < 2:
            continue
        pair = sorted(entry["ids"])
        names = names_of(facts, pair)
        who = entry["name"] if key.startswith("entity:") else mask(entry["name"])
        out.append(_control_signal(
            facts, pair, zh=f"{'、'.join(names)}受同一方（{who}）控制，参加同一标段投标",
            en=f"{', '.join(names)} are controlled by the same party ({who}) and bid in this lot",
            data={"field": "same_controller", "controller": who,
                  "controller_type": "entity" if key.startswith("entity:") else "person"}))
    return out


def check_same_legal_rep(facts: Facts) -> list[Signal]:
    """实施条例 第三十四条 单位负责人为同一人或者存在控股、管理关系的不同单位，不得参加同一标段投标."""
    return _pairs_signals(SAME_LEGAL_REP, SAME_LEGAL_REP_VERSION, facts, "legal_representative", "法定代表人",
                          "legal representative", lambda b: [b.get("legal_representative") or ""]) + check_control(facts)


register(IndicatorSpec(
    code=SAME_LEGAL_REP, version=SAME_LEGAL_REP_VERSION, scope="lot", title_zh="法定代表人相同或存在控制关系",
    title_en="Same legal representative or control",
    explanation_zh="法定代表人为同一人的投标人，或存在控制关系的投标人（一方控股、实际控制或管理另一方，或二者受同一单位或"
                   "自然人控制；控制关系取自主体登记中开标日有效的记录）参加同一标段投标（实施条例第三十四条）。",
    explanation_en="Bidders with the same legal representative, or in a control relationship (one holds a "
                   "controlling share in, actually controls or manages the other, or both are controlled by the same "
                   "entity or person; relationships in force on the opening day, from the registry) bid in one lot "
                   "(Regulation Art. 34).",
    run=lambda *, lot_id: check_same_legal_rep(load(lot_id) or {}), basis="招标投标法实施条例 第三十四条"))
