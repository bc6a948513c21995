"""The national data exchange format beside OCDS (issue 17 item 2): one flat record per public step of a lot, as
the national public resource trading service platform collects them from the provinces — 招标公告, 变更公告,
开标记录, 中标候选人公示, 中标结果, 合同, 流标 — each carrying the unified transaction identifier (统一交易标识码),
the producing systems' IDs (trading system and public service platform), the producing system's own record IDs
and the data timestamp.

Rights listings (land, mining, state property, environmental rights) get their own records — 出让（转让）公告,
中止（恢复交易）公告, 成交公示, 流拍公告, 成交合同, 价款支付 — from their releases (``ocds_rights.py``).

The records are a projection of the lot's OCDS releases (``ocds.releases_of``), never of the database: whatever the
one masking table withholds from a release at a stage (bidders, prices, counts before the opening) is absent here
too, by construction.

Field names follow our reading of 《公共资源交易平台系统数据规范（V2.0）》 (发改办法规〔2018〕1156号) — upper-case
element names such as ``TENDER_PROJECT_CODE``, ``BID_SECTION_CODE``, ``PLATFORM_CODE``,
``PUB_SERVICE_PLAT_CODE``, ``DATA_TIMESTAMP``. The specification's own text was not available when this was
written: the names and the set of records are to be checked against it (待核实) before a real exchange; the
mapping lives in this one module.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

DATA_SETS = {
    "TENDER_ANNOUNCEMENT": "招标（采购）公告", "ANNOUNCEMENT_CHANGE": "变更（澄清）公告", "BID_OPENING": "开标记录",
    "WIN_CANDIDATE": "中标（成交）候选人公示", "WIN_RESULT": "中标（成交）结果公告", "CONTRACT": "合同信息",
    "TENDER_FAILURE": "流标（终止）公告",
    # rights listings (land, mining, state property, environmental rights: ocds_rights.py)
    "RIGHTS_ANNOUNCEMENT": "出让（转让）公告", "RIGHTS_CHANGE": "中止（恢复交易）公告", "RIGHTS_DEAL": "成交公示",
    "RIGHTS_FAILURE": "流拍公告", "RIGHTS_CONTRACT": "成交合同", "RIGHTS_PAYMENT": "价款支付",
    "RIGHTS_VOID": "竞得无效公告",
}


def _timestamp(value: str | None) -> str:
    """``YYYYMMDDHHMMSS`` in Beijing time (the national format's dates), from an OCDS ISO date."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return timezone.localtime(moment).strftime("%Y%m%d%H%M%S")


def _party(release: dict[str, Any], ref: dict[str, Any] | None) -> tuple[str, str]:
    """(name, 统一社会信用代码) of a party referenced in the release."""
    if not ref:
        return "", ""
    for party in release.get("parties", []):
        if party["id"] == ref["id"]:
            return party["name"], party.get("identifier", {}).get("id", "")
    return ref.get("name", ""), ""


def _amount(value: dict[str, Any] | None) -> str:
    return f"{value['amount']:.2f}" if value and "amount" in value else ""


def _common(release: dict[str, Any], data_set: str) -> dict[str, Any]:
    tender = release["tender"]
    systems = release.get("producingSystems", {})
    source = release.get("sourceIds", {})
    return {
        "DATA_SET": data_set, "DATA_SET_NAME": DATA_SETS[data_set],
        "UNIFIED_DEAL_CODE": release.get("unifiedTransactionCode", ""),
        "TENDER_PROJECT_CODE": source.get("tenderCode", ""), "BID_SECTION_CODE": tender["id"],
        "BID_SECTION_NAME": tender.get("title", ""),
        "PLATFORM_CODE": systems.get("tradingSystemId", ""),
        "PUB_SERVICE_PLAT_CODE": systems.get("serviceSystemId", ""),
        "SOURCE_RECORD_ID": release["id"], "SOURCE_PROJECT_ID": source.get("projectId", ""),
        "SOURCE_SECTION_ID": source.get("lotId", ""), "CENTER_CODE": source.get("centerCode", ""),
        "DATA_TIMESTAMP": _timestamp(release.get("date")),
    }


def _announcement(release: dict[str, Any], data_set: str) -> dict[str, Any]:
    tender = release["tender"]
    record = _common(release, data_set)
    buyer, buyer_code = _party(release, release.get("buyer"))
    agency, agency_code = _party(release, tender.get("procuringEntity"))
    period = tender.get("tenderPeriod", {})
    record |= {"TENDER_MODE": tender.get("procurementMethodDetails", ""), "TENDERER_NAME": buyer,
               "TENDERER_CODE": buyer_code, "TENDER_AGENCY_NAME": agency if agency != buyer else "",
               "TENDER_AGENCY_CODE": agency_code if agency != buyer else "",
               "CONTRACT_RECKON_PRICE": _amount(tender.get("value")),
               "DOC_GET_START_TIME": _timestamp(period.get("startDate")),
               "BID_DOC_REFER_END_TIME": _timestamp(period.get("endDate")),
               "NOTICE_SEND_TIME": _timestamp(release.get("date"))}
    return record


def _opening(release: dict[str, Any]) -> dict[str, Any]:
    record = _common(release, "BID_OPENING")
    bids = release.get("bids", {})
    counts = [s["value"] for s in bids.get("statistics", []) if s.get("measure") == "bids"]
    bidders = []
    for bid in bids.get("details", []):
        name, code = _party(release, (bid.get("tenderers") or [None])[0])
        bidders.append({"BIDDER_NAME": name, "BIDDER_CODE": code, "BID_PRICE": _amount(bid.get("value")),
                        "BID_STATUS": bid.get("status", "")})
    record |= {"BID_OPEN_TIME": _timestamp(release.get("date")), "BIDDER_COUNT": counts[0] if counts else "",
               "BIDDERS": bidders}
    return record


def _awards(release: dict[str, Any]) -> dict[str, Any]:
    awards = release.get("awards", [])
    active = [a for a in awards if a.get("status") == "active"]
    if not active:
        record = _common(release, "WIN_CANDIDATE")
        record["CANDIDATES"] = []
        for award in awards:
            name, code = _party(release, (award.get("suppliers") or [None])[0])
            rank = award.get("title", "").removeprefix("中标候选人第").removesuffix("名")
            record["CANDIDATES"].append({"CANDIDATE_RANK": rank, "BIDDER_NAME": name, "BIDDER_CODE": code})
        record["PUBLICITY_START_TIME"] = _timestamp(release.get("date"))
        return record
    winner = active[0]
    name, code = _party(release, (winner.get("suppliers") or [None])[0])
    record = _common(release, "WIN_RESULT")
    record |= {"WIN_BIDDER_NAME": name, "WIN_BIDDER_CODE": code, "WIN_BID_PRICE": _amount(winner.get("value")),
               "NOTICE_SEND_TIME": _timestamp(winner.get("date") or release.get("date"))}
    return record


def _contract(release: dict[str, Any]) -> dict[str, Any]:
    contract = release["contracts"][0]
    winner: dict[str, Any] = next((a for a in release.get("awards", []) if a["id"] == contract.get("awardID")), {})
    name, code = _party(release, (winner.get("suppliers") or [None])[0])
    record = _common(release, "CONTRACT")
    record |= {"CONTRACT_SIGN_TIME": _timestamp(contract.get("dateSigned")),
               "CONTRACT_AMOUNT": _amount(contract.get("value")), "WIN_BIDDER_NAME": name, "WIN_BIDDER_CODE": code}
    return record


def _rights_common(release: dict[str, Any], data_set: str) -> dict[str, Any]:
    tender = release["tender"]
    systems = release.get("producingSystems", {})
    source = release.get("sourceIds", {})
    grantor, grantor_code = _party(release, tender.get("procuringEntity"))
    return {
        "DATA_SET": data_set, "DATA_SET_NAME": DATA_SETS[data_set],
        "UNIFIED_DEAL_CODE": release.get("unifiedTransactionCode", ""), "PROJECT_CODE": tender["id"],
        "PROJECT_NAME": tender.get("title", ""), "TRADE_MODE": tender.get("procurementMethodDetails", ""),
        "RIGHTS_KIND": source.get("rightsKind", ""), "CATEGORY_CODE": source.get("categoryCode", ""),
        "GRANTOR_NAME": grantor, "GRANTOR_CODE": grantor_code,
        "PLATFORM_CODE": systems.get("tradingSystemId", ""),
        "PUB_SERVICE_PLAT_CODE": systems.get("serviceSystemId", ""),
        "SOURCE_RECORD_ID": release["id"], "SOURCE_PROJECT_ID": source.get("listingId", ""),
        "CENTER_CODE": source.get("centerCode", ""), "DATA_TIMESTAMP": _timestamp(release.get("date")),
    }


def _rights_record(release: dict[str, Any]) -> dict[str, Any]:
    """The national record of one release of a rights listing: the same masked facts, flat."""
    tag = release["tag"][0]
    tender = release["tender"]
    terms = release.get("listingTerms", {})
    period = tender.get("tenderPeriod", {})
    if tag in ("tender", "tenderAmendment"):
        record = _rights_common(release, "RIGHTS_ANNOUNCEMENT" if tag == "tender" else "RIGHTS_CHANGE")
        registration = terms.get("registrationPeriod", {})
        record |= {"START_PRICE": terms.get("startPrice", ""), "PRICE_INCREMENT": terms.get("increment", ""),
                   "DEPOSIT_AMOUNT": terms.get("deposit", ""), "APPRAISED_VALUE": terms.get("appraisedValue", ""),
                   "REGISTRATION_START_TIME": _timestamp(registration.get("startDate")),
                   "REGISTRATION_END_TIME": _timestamp(registration.get("endDate")),
                   "BID_START_TIME": _timestamp(period.get("startDate")),
                   "BID_END_TIME": _timestamp(period.get("endDate")),
                   "NOTICE_SEND_TIME": _timestamp(release.get("date"))}
        if tag == "tenderAmendment":
            record["CHANGE_REASON"] = (tender.get("amendments") or [{}])[-1].get("rationale", "")
        return record
    bids = release.get("bids", {})
    counts = {s["measure"]: s["value"] for s in bids.get("statistics", [])}
    if tag == "tenderUpdate":
        record = _rights_common(release, "RIGHTS_FAILURE")
        record |= {"RESERVE_PRICE": terms.get("reservePrice", ""), "BID_COUNT": counts.get("bids", ""),
                   "BIDDER_COUNT": counts.get("bidders", ""), "CLOSE_TIME": _timestamp(period.get("endDate")),
                   "NOTICE_SEND_TIME": _timestamp(release.get("date"))}
        return record
    award = release["awards"][0]
    winner, winner_code = _party(release, (award.get("suppliers") or [None])[0])
    if tag == "award":
        record = _rights_common(release, "RIGHTS_DEAL")
        record |= {"WINNER_NAME": winner, "WINNER_CODE": winner_code, "DEAL_PRICE": _amount(award.get("value")),
                   "RESERVE_PRICE": terms.get("reservePrice", ""), "BID_COUNT": counts.get("bids", ""),
                   "BIDDER_COUNT": counts.get("bidders", ""), "CLOSE_TIME": _timestamp(award.get("date")),
                   "BID_RECORDS": [{"BID_ID": b["id"], "BID_PRICE": _amount(b.get("value")),
                                    "BID_TIME": _timestamp(b.get("date")), "BID_NOTE": b.get("description", "")}
                                   for b in bids.get("details", [])],
                   "NOTICE_SEND_TIME": _timestamp(release.get("date"))}
        return record
    if tag == "awardCancellation":  # 竞得无效 (资格后审: the winner failed the check after winning)
        record = _rights_common(release, "RIGHTS_VOID")
        record |= {"WINNER_NAME": winner, "WINNER_CODE": winner_code, "DEAL_PRICE": _amount(award.get("value")),
                   "VOID_REASON": award.get("description", ""), "CLOSE_TIME": _timestamp(award.get("date")),
                   "NOTICE_SEND_TIME": _timestamp(release.get("date"))}
        return record
    contract = release["contracts"][0]
    record = _rights_common(release, "RIGHTS_CONTRACT" if tag == "contract" else "RIGHTS_PAYMENT")
    paid = {t["id"].rsplit("-", 1)[-1]: t for t in contract.get("implementation", {}).get("transactions", [])}
    record |= {"CONTRACT_NO": contract.get("title", "").removeprefix("成交合同 "),
               "CONTRACT_SIGN_TIME": _timestamp(contract.get("dateSigned")),
               "CONTRACT_AMOUNT": _amount(contract.get("value")), "WINNER_NAME": winner, "WINNER_CODE": winner_code,
               "PAYMENT_SCHEDULE": [
                   {"PERIOD_NO": m["id"].rsplit("-", 1)[-1], "DUE_DATE": _timestamp(m.get("dueDate"))[:8],
                    "PERIOD_TITLE": m.get("title", ""),
                    "PAID_AMOUNT": _amount(paid.get(m["id"].rsplit("-", 1)[-1], {}).get("value")),
                    "PAID_TIME": _timestamp(m.get("dateMet"))}
                   for m in contract.get("milestones", [])]}
    return record


def record_of_release(release: dict[str, Any]) -> dict[str, Any]:
    """The national record of one OCDS release of a lot or a rights listing."""
    if "listingId" in release.get("sourceIds", {}):
        return _rights_record(release)
    tag = release["tag"][0]
    if tag == "tender":
        return _announcement(release, "TENDER_ANNOUNCEMENT")
    if tag == "tenderAmendment":
        return _announcement(release, "ANNOUNCEMENT_CHANGE")
    if tag == "tenderUpdate" and release["tender"].get("status") == "unsuccessful":
        record = _common(release, "TENDER_FAILURE")
        record["NOTICE_SEND_TIME"] = _timestamp(release.get("date"))
        return record
    if tag == "tenderUpdate":
        return _opening(release)
    if tag == "award":
        return _awards(release)
    if tag == "contract":
        return _contract(release)
    raise ValueError(f"unknown release tag {tag}")


def records_of(releases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [record_of_release(release) for release in releases]
