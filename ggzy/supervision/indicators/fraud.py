"""Fraud indicators on one opened lot (招标投标法实施条例 第四十二条 弄虚作假): qualifications expired at the opening
or the bidder never verified."""

from __future__ import annotations

from .base import IndicatorSpec, Signal, register
from .lotfacts import Facts, load, mask

CODE = "fraud.qualification_expired_or_unverified"
VERSION = 1


def check_qualifications(facts: Facts) -> list[Signal]:
    as_of = str(facts.get("as_of", ""))
    out = []
    for bidder in sorted(facts.get("bidders", ()), key=lambda b: str(b["entity_id"])):
        who, name = str(bidder["entity_id"]), str(bidder.get("name", ""))
        expired = sorted((q.get("type", ""), q.get("number", ""), q.get("valid_until", ""))
                         for q in bidder.get("qualifications", ()) if str(q.get("valid_until", "")) < as_of)
        unverified = not bidder.get("verified", False)
        if not expired and not unverified:
            continue
        parts_zh, parts_en = [], []
        if expired:
            parts_zh.append("资质证书已过期：" + "、".join(f"{t}（至{u}）" for t, _, u in expired))
            parts_en.append("expired qualification: " + ", ".join(f"{t} (until {u})" for t, _, u in expired))
        if unverified:
            parts_zh.append("主体未经核验")
            parts_en.append("entity not verified")
        out.append(Signal(indicator=CODE, version=VERSION, level="yellow", score=0.5,
                          summary_zh=f"{name}：{'；'.join(parts_zh)}", summary_en=f"{name}: {'; '.join(parts_en)}",
                          data={"bidder": who, "name": name, "as_of": as_of, "unverified": unverified,
                                "expired": [{"type": t, "number": n, "valid_until": u} for t, n, u in expired]},
                          lot_id=facts.get("lot_id"), subjects=(who,)))
    return out


register(IndicatorSpec(
    code=CODE, version=VERSION, scope="lot", title_zh="资质过期或主体未核验", title_en="Expired or unverified",
    explanation_zh="开标日投标人的资质证书已过有效期，或主体未经核验：可能以他人名义投标或弄虚作假（实施条例第四十二条）。",
    explanation_en="At the opening a bidder's qualification had expired, or the bidder was never verified: possible "
                   "bidding in another's name or fraud (Regulation Art. 42).",
    run=lambda *, lot_id: check_qualifications(load(lot_id) or {}), basis="招标投标法实施条例 第四十二条"))


# --- key person busy on another live project ----------------------------------------------------------------------
KEY_PERSON_BUSY = "fraud.key_person_busy"
KEY_PERSON_BUSY_VERSION = 1


def check_key_person_busy(facts: Facts) -> list[Signal]:
    """A person this bid names as key staff (project manager…) is named in the winning bid of another lot whose
    project is still running on the opening day (注册建造师执业管理办法 第二十一条: one project at a time). Red when
    the other project's end comes from its own stated duration, yellow when from the template's default period."""
    as_of = str(facts.get("as_of", ""))
    out = []
    for bidder in sorted(facts.get("bidders", ()), key=lambda b: str(b["entity_id"])):
        named = {str(p.get("id_number", "")): p for p in bidder.get("named_key_persons", ())}
        busy = sorted((c for c in bidder.get("key_person_commitments", ()) if str(c.get("id_number", "")) in named),
                      key=lambda c: (str(c["id_number"]), str(c.get("lot_code", ""))))
        if not busy:
            continue
        who, name = str(bidder["entity_id"]), str(bidder.get("name", ""))
        strong = any(c.get("basis") == "bid_duration" for c in busy)
        zh = "；".join(f"{named[c['id_number']].get('name', '')}（{mask(c['id_number'])}）在标段{c.get('lot_code', '')}"
                      f"任{c.get('role', '')}，在岗至{c.get('busy_until', '')}" for c in busy)
        en = "; ".join(f"{named[c['id_number']].get('name', '')} ({mask(c['id_number'])}) is {c.get('role', '')} on "
                       f"lot {c.get('lot_code', '')} until {c.get('busy_until', '')}" for c in busy)
        out.append(Signal(
            indicator=KEY_PERSON_BUSY, version=KEY_PERSON_BUSY_VERSION, level="red" if strong else "yellow",
            score=0.9 if strong else 0.6, summary_zh=f"{name}拟派的主要人员正在其他在建项目任职：{zh}",
            summary_en=f"{name} names key staff busy on another live project: {en}",
            data={"bidder": who, "name": name, "as_of": as_of,
                  "busy": [{"person": named[c["id_number"]].get("name", ""), "id_number_masked": mask(c["id_number"]),
                            "lot_code": c.get("lot_code", ""), "winner": c.get("winner", ""),
                            "role": c.get("role", ""), "busy_from": c.get("busy_from", ""),
                            "busy_until": c.get("busy_until", ""), "basis": c.get("basis", "")} for c in busy]},
            lot_id=facts.get("lot_id"), subjects=(who,)))
    return out


register(IndicatorSpec(
    code=KEY_PERSON_BUSY, version=KEY_PERSON_BUSY_VERSION, scope="lot", title_zh="拟派主要人员有在建项目",
    title_en="Key person busy on another live project",
    explanation_zh="投标文件拟派的项目经理等主要人员（按身份证号），在开标日正担任另一标段中标投标文件所列主要人员，且该项目"
                   "尚未完工（自合同签订起按中标工期计算；未载明工期的按流程模板的在岗期限，此时为黄色）。同一注册建造师不得"
                   "同时担任两个及以上建设工程施工项目负责人；以在建人员投标可能构成弄虚作假（实施条例第四十二条）。",
    explanation_en="A key person this bid names (project manager etc., matched by ID number) is, on the opening day, "
                   "key staff of another lot's winning bid whose project is still running (from the contract's "
                   "signing for the winning bid's stated duration; when none is stated, for the template's default "
                   "period — then yellow). A registered constructor may lead one project at a time; bidding with "
                   "busy staff may be fraud (Regulation Art. 42).",
    run=lambda *, lot_id: check_key_person_busy(load(lot_id) or {}),
    basis="《注册建造师执业管理办法（试行）》第二十一条；招标投标法实施条例 第四十二条"))
