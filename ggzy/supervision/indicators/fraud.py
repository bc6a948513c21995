"""Fraud indicators on one opened lot (招标投标法实施条例 第四十二条 弄虚作假): qualifications expired at the opening
or the bidder never verified."""

from __future__ import annotations

from .base import IndicatorSpec, Signal, register
from .lotfacts import Facts, load

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
