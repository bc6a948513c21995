"""Open Contracting Data Standard 1.1 releases and records for every published lot, masked by stage.

One contracting process per lot (标段/包: the unit that is bid on, opened and awarded), ``ocid`` =
``<OCDS_OCID_PREFIX>-<lot code>``; the lot code extends the project's unified transaction identifier
(统一交易标识码, project → tender +3 digits → lot +3 digits, DOMAIN.md). Each release is the process as it stood
after one public step — ``tender`` (notice), ``tenderAmendment`` (each clarification), ``tenderUpdate`` (opening
record published, or the lot failed), ``award`` (candidates published; award issued), ``contract`` (contract
recorded) — and carries everything published up to that step, so the compiled release of the record is the last
release (the OCDS merge of cumulative releases is their last one). Bids use the bids extension.

What each step may show is decided by the one masking table (``ggzy.core.masking``) with the stages the lot has
reached: before the opening nobody learns who bid or how many; committee members and scores are not part of the
open data at all; personal phones never appear (an organisation's office phone may).

Every release also carries the platform's own fields (additional fields, outside the OCDS schema):
``unifiedTransactionCode``, ``producingSystems`` (trading and service system IDs, DOMAIN.md) and ``sourceIds``
(the producing system's project and lot IDs); the release ``date`` is the data timestamp.

Rights listings (land, mining, state property, environmental rights) are processes too, one per listing, mapped by
``ocds_rights.py`` (``releases_of`` hands their facts over).
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings

from ggzy.core import clock, money
from ggzy.core import masking as table
from ggzy.registry.masking import office_phone_public

BID_EXTENSION = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"
EXTENSIONS = [BID_EXTENSION]
PUBLISHER = {"name": "山东省公共资源交易平台"}
IDENTIFIER_SCHEME = "CN-USCC"  # org-id.guide: 统一社会信用代码 (GB 32100-2015)

# procurementMethod is a closed codelist: open / selective / limited / direct. 竞争性谈判 and 询价 invite suppliers the
# buyer selects (by notice, random draw from the supplier pool, or recommendation: 非招标采购方式管理办法 Art. 12).
PROCUREMENT_METHOD = {
    "works_open_tender": "open", "gp_open_tender": "open", "gp_negotiation": "limited", "gp_consultation": "limited", "gp_inquiry": "limited",
}
MAIN_CATEGORY = {"works_open_tender": "works"}
TENDER_STATUS = {
    "published": "active", "opening": "active", "evaluating": "active", "candidates": "active",
    "suspended": "active", "failed": "unsuccessful", "awarded": "complete", "contracted": "complete",
    "archived": "complete",
}
BID_STATUS = {"opened": "pending", "submitted": "pending", "rejected": "disqualified",
              "deemed_revoked": "disqualified", "deemed_withdrawn": "withdrawn"}


def ocid_prefix() -> str:
    return getattr(settings, "GGZY_OCDS_OCID_PREFIX", "ocds-ggzysd")


def ocid_for(lot_code: str) -> str:
    return f"{ocid_prefix()}-{lot_code}"


def lot_code_of(ocid: str) -> str | None:
    prefix = ocid_prefix() + "-"
    return ocid[len(prefix):] if ocid.startswith(prefix) else None


def _date(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")


def _value(amount: object) -> dict[str, Any] | None:
    """An OCDS Value in CNY, or None for anything that is not a plain amount (1e20, NaN, text): never guessed."""
    parsed = amount if isinstance(amount, Decimal) and amount.is_finite() else money.stored_amount(amount)
    if parsed is None:
        return None
    return {"amount": float(parsed), "currency": "CNY"}


def _party_id(credit_code: str, name: str) -> str:
    return f"{IDENTIFIER_SCHEME}-{credit_code}" if credit_code else f"ggzy-name-{name}"


def _organization(entity: dict[str, Any], roles: list[str]) -> dict[str, Any]:
    party: dict[str, Any] = {"id": _party_id(entity["credit_code"], entity["name"]), "name": entity["name"],
                             "roles": roles}
    if entity["credit_code"]:
        party["identifier"] = {"scheme": IDENTIFIER_SCHEME, "id": entity["credit_code"], "legalName": entity["name"]}
    if entity.get("address"):
        party["address"] = {"streetAddress": entity["address"], "countryName": "中国"}
    contact: dict[str, Any] = {}
    if entity.get("contact_name"):
        contact["name"] = entity["contact_name"]
    # an office line is published in full; a mobile is a person's phone, which the table never lets out
    phone = office_phone_public(entity.get("contact_phone") or "")
    if not phone and entity.get("contact_phone"):
        shown = table.form("person.phone", audiences=frozenset({table.PUBLIC}))
        phone = shown(entity["contact_phone"]) if shown else ""
    if phone:
        contact["telephone"] = phone
    if contact:
        party["contactPoint"] = contact
    return party


def _add_party(release: dict[str, Any], party: dict[str, Any]) -> dict[str, Any]:
    for existing in release["parties"]:
        if existing["id"] == party["id"]:
            existing["roles"] = sorted(set(existing["roles"]) | set(party["roles"]))
            return existing
    release["parties"].append(party)
    return party


def _ref(party: dict[str, Any]) -> dict[str, str]:
    return {"id": party["id"], "name": party["name"]}


def _bidder_party(release: dict[str, Any], name: str, credit_code: str, role: str) -> dict[str, Any]:
    return _add_party(release, _organization({"name": name, "credit_code": credit_code}, [role]))


def _base(facts: dict[str, Any]) -> dict[str, Any]:
    method = facts["method"]
    first_deadline = facts["clarifications"][0]["old_deadline"] if facts["clarifications"] else facts["bid_deadline"]
    tender: dict[str, Any] = {
        "id": facts["lot_code"], "title": f"{facts['title']} · {facts['lot_name']}",
        "status": "active", "procurementMethod": PROCUREMENT_METHOD.get(method, "open"),
        "procurementMethodDetails": facts["method_label"], "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {k: v for k, v in (("startDate", _date(facts["documents_issued_at"])),
                                           ("endDate", _date(first_deadline))) if v},
    }
    if facts["description"]:
        tender["description"] = facts["description"]
    if method in MAIN_CATEGORY:
        tender["mainProcurementCategory"] = MAIN_CATEGORY[method]
    value = _value(facts["estimated_price"])
    if value:
        tender["value"] = value
    documents = [{"id": d["sha256"], "documentType": "biddingDocuments" if d["kind"] == "tender" else "clarifications",
                  "title": d["name"], "datePublished": _date(d["published_at"]), "language": "zh"}
                 for d in facts["documents"] if facts["documents_issued_at"] is None
                 or d["published_at"] <= facts["documents_issued_at"]]
    if documents:
        tender["documents"] = documents
    release: dict[str, Any] = {
        "ocid": ocid_for(facts["lot_code"]), "language": "zh", "initiationType": "tender", "parties": [],
        "tender": tender,
        "unifiedTransactionCode": facts["project_code"],
        "producingSystems": {"tradingSystemId": settings.GGZY_TRADING_SYSTEM_ID,
                             "serviceSystemId": settings.GGZY_SERVICE_SYSTEM_ID},
        "sourceIds": {"projectId": str(facts["project_id"]), "lotId": str(facts["lot_id"]),
                      "tenderCode": facts["tender_code"], "centerCode": facts["center_code"]},
    }
    buyer_roles = ["buyer"] if facts["agency"] else ["buyer", "procuringEntity"]
    if facts["tenderer"]:
        release["buyer"] = _ref(_add_party(release, _organization(facts["tenderer"], buyer_roles)))
    if facts["agency"]:
        tender["procuringEntity"] = _ref(_add_party(release, _organization(facts["agency"], ["procuringEntity"])))
    elif facts["tenderer"]:
        tender["procuringEntity"] = release["buyer"]
    return release


def _step(releases: list[dict[str, Any]], state: dict[str, Any], tag: str, when: Any) -> None:
    release = copy.deepcopy(state)
    release["id"] = f"{release['ocid']}-{len(releases) + 1:02d}-{tag}"
    release["date"] = _date(when)
    release["tag"] = [tag]
    releases.append(release)


def _bids(state: dict[str, Any], facts: dict[str, Any]) -> None:
    stages = facts["stages"]
    opening = facts["opening"]
    rows = opening["rows"]
    final = table.RESULT_FINAL in stages
    details = []
    tenderers = []
    for row in rows:
        bid: dict[str, Any] = {"id": str(row["bid_id"]), "date": _date(opening["published_at"]),
                               "status": "valid" if final and row["state"] == "opened"
                               else BID_STATUS.get(row["state"], "pending")}
        if table.public_shown("lot.bidders", stages) and row["bidder"]:
            party = _bidder_party(state, row["bidder"], row["credit_code"], "tenderer")
            bid["tenderers"] = [_ref(party)]
            tenderers.append(_ref(party))
        if table.public_shown("lot.prices", stages):
            value = _value(row["price"])
            if value:
                bid["value"] = value
        details.append(bid)
    if table.public_shown("lot.bid_count", stages):
        state["tender"]["numberOfTenderers"] = len({t["id"] for t in tenderers}) or len(rows)
        state["bids"] = {"statistics": [{"id": "1", "measure": "bids", "value": len(rows),
                                         "date": _date(opening["published_at"])}]}
    if table.public_shown("lot.bidders", stages):
        state["tender"]["tenderers"] = tenderers
        state.setdefault("bids", {})["details"] = details


def releases_of(facts: dict[str, Any]) -> list[dict[str, Any]]:
    """The lot's releases, oldest first, each showing only what the table lets out at the stages reached."""
    if facts.get("process") == "rights":  # a rights listing (ocds_rights.py), read by rights.selectors_opendata
        from . import ocds_rights

        return ocds_rights.releases_of(facts)
    stages = facts["stages"]
    releases: list[dict[str, Any]] = []
    state = _base(facts)
    _step(releases, state, "tender", facts["documents_issued_at"] or facts["accepted_at"])
    for clarification in facts["clarifications"]:
        state["tender"]["tenderPeriod"]["endDate"] = _date(clarification["new_deadline"])
        state["tender"]["documents"] = [
            {"id": d["sha256"], "documentType": "biddingDocuments" if d["kind"] == "tender" else "clarifications",
             "title": d["name"], "datePublished": _date(d["published_at"]), "language": "zh"}
            for d in facts["documents"] if d["published_at"] <= clarification["published_at"]]
        _step(releases, state, "tenderAmendment", clarification["published_at"])
    if facts["opening"] is not None and table.public_shown("lot.bid_count", stages):
        _bids(state, facts)
        _step(releases, state, "tenderUpdate", facts["opening"]["published_at"])
    if facts["state"] == "failed":
        state["tender"]["status"] = "unsuccessful"
        when = facts["opening"]["published_at"] if facts["opening"] else facts["bid_deadline"]
        _step(releases, state, "tenderUpdate", when)
        return releases
    if facts["candidates"] and table.public_shown("lot.evaluation_ranking", stages):
        state["awards"] = []
        for candidate in facts["candidates"]:
            party = _bidder_party(state, candidate["bidder"], _credit_code(facts, candidate["bid_id"]), "tenderer")
            state["awards"].append({"id": f"{facts['lot_code']}-{candidate['bid_id']}", "status": "pending",
                                    "title": f"中标候选人第{candidate['rank']}名", "suppliers": [_ref(party)],
                                    "relatedBids": [str(candidate["bid_id"])]})
        _step(releases, state, "award", facts["candidates_published_at"])
    award = facts["award"]
    if award is not None:
        # single source (单一来源) awards the negotiated deal: no bid, the supplier's code comes with the award
        by_bid = award["bid_id"] is not None
        award_id = f"{facts['lot_code']}-{award['bid_id'] if by_bid else 'award'}"
        code = _credit_code(facts, award["bid_id"]) if by_bid else award.get("supplier_code", "")
        party = _bidder_party(state, award["bidder"], code, "supplier")
        awards = [a for a in state.get("awards", []) if a["id"] != award_id]
        for other in awards:
            other["status"] = "unsuccessful"
        entry: dict[str, Any] = {"id": award_id, "status": "active", "date": _date(award["issued_at"]),
                                 "title": "中标通知书", "suppliers": [_ref(party)]}
        if by_bid:
            entry["relatedBids"] = [str(award["bid_id"])]
        value = _value(award["amount"])
        if value:
            entry["value"] = value
        state["awards"] = [*awards, entry]
        state["tender"]["status"] = "complete"
        _step(releases, state, "award", award["issued_at"])
        contract = facts["contract"]
        if contract is not None:
            signed: dict[str, Any] = {"id": f"{facts['lot_code']}-contract", "awardID": award_id,
                                      "status": "active", "dateSigned": _date(contract["signed_on"]),
                                      "relatedBids": [str(award["bid_id"])]}
            value = _value(contract["amount"])
            if value:
                signed["value"] = value
            state["contracts"] = [signed]
            _step(releases, state, "contract", contract["recorded_at"])
    return releases


def _credit_code(facts: dict[str, Any], bid_id: int) -> str:
    """The bidder's credit code from the published opening record (the bid itself stays sealed)."""
    for row in (facts["opening"] or {}).get("rows", []):
        if row["bid_id"] == bid_id:
            return row["credit_code"]
    return ""


def record_of(facts: dict[str, Any]) -> dict[str, Any]:
    """The record of one process: its releases and the compiled release (the last cumulative release)."""
    releases = releases_of(facts)
    compiled = copy.deepcopy(releases[-1])
    compiled["id"] = f"{compiled['ocid']}-compiled"
    compiled["tag"] = ["compiled"]
    return {"ocid": releases[0]["ocid"], "releases": releases, "compiledRelease": compiled}


def _package(uri: str) -> dict[str, Any]:
    return {"uri": uri, "version": "1.1", "extensions": list(EXTENSIONS), "publishedDate": _date(clock.now()),
            "publisher": dict(PUBLISHER)}


def release_package(facts_list: list[dict[str, Any]], *, uri: str) -> dict[str, Any]:
    package = _package(uri)
    package["releases"] = [release for facts in facts_list for release in releases_of(facts)]
    return package


def record_package(facts_list: list[dict[str, Any]], *, uri: str) -> dict[str, Any]:
    package = _package(uri)
    package["records"] = [record_of(facts) for facts in facts_list]
    return package
