"""OCDS 1.1 releases of rights listings (产权/资源权益: land-use, mining, state property, environmental rights), beside
the lots' (``ocds.py``), from ``rights.selectors_opendata`` facts, masked by the one table (ADR 0014, addendum).

One contracting process per listing, ``ocid = <prefix>-rights-<listing code>``. The tender is the listing: open to
every qualified bidder (``procurementMethod: "open"``), the mode in ``procurementMethodDetails`` (挂牌出让, 拍卖出让,
一次报价 …), the bidding period as ``tenderPeriod``, no ``mainProcurementCategory`` (a grant of a right is neither
goods, works nor services: the codelist is closed) and no ``tender.value`` (OCDS marks a payment from the supplier
by a negative value there; the published terms — start price, increment, deposit, then the revealed reserve — are
given as they are announced, in ``listingTerms``). The grantor (出让方/转让方) runs the grant and signs the contract:
``procuringEntity``; there is no ``buyer`` (nobody's budget pays: the winner pays the grantor, hence the contract's
``payer``/``payee``).

Releases, cumulative like the lots': ``tender`` (announcement), ``tenderAmendment`` (each suspension and resumption,
with its reason), at the close ``award`` (成交: bids, the winner, the deal price) or ``tenderUpdate`` (流拍), then
``contract`` (the recorded contract, its schedule as payment milestones) and ``implementation`` (each payment) — or,
when the winner fails the check after winning (资格后审), ``awardCancellation`` with the award ``cancelled`` (竞得无效).
Before the close a release carries no bid, no count and no bidder: the live hall shows the current price and the
bids by paddle; the open data waits for the result.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from ggzy.core import masking as table
from ggzy.core.money import format_yuan

from . import ocds

MODE_LABEL = {"listing": "挂牌", "english_auction": "拍卖", "sealed_quote": "一次报价", "weighted_quote": "权重报价"}


def ocid_for(code: str) -> str:
    return f"{ocds.ocid_prefix()}-rights-{code}"


def listing_code_of(ocid: str) -> str | None:
    prefix = ocds.ocid_prefix() + "-rights-"
    return ocid[len(prefix):] if ocid.startswith(prefix) else None


def _money(amount: object) -> str | None:
    value = ocds._value(amount)
    return f"{value['amount']:.2f}" if value else None


def _terms(facts: dict[str, Any]) -> dict[str, Any]:
    """The announced terms (出让公告), as the announcement states them; amounts in CNY."""
    terms: dict[str, Any] = {"currency": "CNY", "startPrice": _money(facts["start_price"]),
                             "increment": _money(facts["increment"]), "deposit": _money(facts["deposit"]),
                             "mode": MODE_LABEL[facts["mode"]]}
    if not facts["takes_quotes"]:
        terms |= {"roundMinutes": facts["round_minutes"], "biddersMin": facts["bidders_min"],
                  "timedRound": facts["has_timed_round"] or facts["mode"] == "english_auction"}
    for key, name in (("quote_ceiling", "quoteCeiling"), ("appraised_value", "appraisedValue")):
        if facts[key] is not None:
            terms[name] = _money(facts[key])
    if facts["approval_reference"]:
        terms["approvalReference"] = facts["approval_reference"]
    if facts["weight_factors"]:  # 权重报价: the announced factors, the price first; higher is better on each
        terms["weightFactors"] = [{"position": f["position"], "name": f["name"], "unit": f["unit"],
                                   "weight": str(f["weight"]),
                                   "minimum": str(f["minimum"]), "maximum": str(f["maximum"])}
                                  for f in facts["weight_factors"]]
    terms["registrationPeriod"] = {"startDate": ocds._date(facts["registration_opens_at"]),
                                   "endDate": ocds._date(facts["registration_closes_at"])}
    return {k: v for k, v in terms.items() if v is not None}


def _period(facts: dict[str, Any], end: Any) -> dict[str, str]:
    """When bids are taken: the listing (挂牌期) or quoting period; an auction from its auction time."""
    if facts["mode"] == "english_auction":
        start, end = facts["listing_ends_at"], None
    else:
        start = facts["listing_starts_at"]
    return {k: v for k, v in (("startDate", ocds._date(start)), ("endDate", ocds._date(end))) if v}


def _base(facts: dict[str, Any]) -> dict[str, Any]:
    tender: dict[str, Any] = {
        "id": facts["code"], "title": facts["title"], "status": "active", "procurementMethod": "open",
        "procurementMethodDetails": facts["kind_label"], "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": _period(facts, facts["original_end"]),
        **({"awardCriteria": "ratedCriteria", "awardCriteriaDetails": "权重报价：综合得分最高者受让（其报价须不低于底价）"}
           if facts["weight_factors"] else
           {"awardCriteria": "priceOnly", "awardCriteriaDetails": "价高者得（须不低于底价）"}),
    }
    release: dict[str, Any] = {
        "ocid": ocid_for(facts["code"]), "language": "zh", "initiationType": "tender", "parties": [],
        "tender": tender, "listingTerms": _terms(facts),
        "unifiedTransactionCode": facts["code"],
        "producingSystems": {"tradingSystemId": settings.GGZY_TRADING_SYSTEM_ID,
                             "serviceSystemId": settings.GGZY_SERVICE_SYSTEM_ID},
        "sourceIds": {"listingId": str(facts["listing_id"]), "listingCode": facts["code"],
                      "rightsKind": facts["kind"], "categoryCode": facts["category_code"],
                      "centerCode": facts["center_code"]},
    }
    grantor = ocds._add_party(release, ocds._organization(facts["grantor"], ["procuringEntity"]))
    tender["procuringEntity"] = ocds._ref(grantor)
    return release


def _winner(state: dict[str, Any], closed: dict[str, Any], *roles: str) -> dict[str, str] | None:
    if closed["winner"] is None:
        return None
    return ocds._ref(ocds._add_party(state, ocds._organization(closed["winner"], list(roles))))


def _bids(state: dict[str, Any], facts: dict[str, Any], winner: dict[str, str] | None) -> None:
    closed = facts["closed"]
    code = facts["code"]
    details = []
    for bid in closed["bids"]:
        entry: dict[str, Any] = {"id": f"{code}-{bid['id']}", "date": ocds._date(bid["at"]), "status": "valid"}
        value = ocds._value(bid["amount"])
        if value:
            entry["value"] = value
        if bid["paddle"] is not None:
            entry["description"] = (f"第{bid['id']}次有效报价，竞买号牌{bid['paddle']}"
                                    + ("（限时竞价）" if bid["timed"] else ""))
        else:
            entry["description"] = "一次报价（成交报价）" if bid["is_winner"] else "一次报价"
        if bid["is_winner"] and winner is not None:
            entry["tenderers"] = [winner]
        details.append(entry)
    state["tender"]["numberOfTenderers"] = closed["bidder_count"]
    when = ocds._date(closed["closed_at"])
    state["bids"] = {"statistics": [
        {"id": "1", "measure": "bids", "value": closed["bid_count"], "date": when},
        {"id": "2", "measure": "bidders", "value": closed["bidder_count"], "date": when}]}
    if details:  # tender.tenderers (all who bid) is left out: only the winner is ever named
        state["bids"]["details"] = details


def _contract(facts: dict[str, Any], award_id: str) -> dict[str, Any]:
    """The contract as recorded: price, date, and the schedule of the balance as payment milestones (OCDS 1.1's
    Milestone has no value: the amount is in its title; the payments carry it as transactions)."""
    contract = facts["contract"]
    code = facts["code"]
    signed: dict[str, Any] = {"id": f"{code}-contract", "awardID": award_id, "title": f"成交合同 {contract['number']}",
                              "status": "active", "dateSigned": ocds._date(contract["signed_on"])}
    value = ocds._value(contract["price"])
    if value:
        signed["value"] = value
    credited = contract["deposit_credited"]
    if credited:
        signed["description"] = f"竞得人竞买保证金{format_yuan(credited)}转作价款，余款按付款计划支付"
    signed["milestones"] = [
        {"id": f"{code}-instalment-{i['number']}", "title": f"第{i['number']}期价款 {format_yuan(i['amount'])}",
         "type": "payment", "dueDate": ocds._date(i["due_on"]), "status": "scheduled"}
        for i in contract["instalments"]]
    return signed


def _transactions(facts: dict[str, Any], winner: dict[str, str] | None, grantor: dict[str, str],
                  upto: Any) -> list[dict[str, Any]]:
    """The payments recorded up to ``upto``: date and amount, the winner paying the grantor (no bank reference)."""
    rows = []
    for i in facts["contract"]["instalments"]:
        if i["paid_at"] is None or i["paid_at"] > upto:
            continue
        row: dict[str, Any] = {"id": f"{facts['code']}-payment-{i['number']}", "date": ocds._date(i["paid_at"]),
                               "payee": grantor}
        value = ocds._value(i["amount"])
        if value:
            row["value"] = value
        if winner is not None:
            row["payer"] = winner
        rows.append(row)
    return rows


def releases_of(facts: dict[str, Any]) -> list[dict[str, Any]]:
    """The listing's releases, oldest first, each showing only what the table lets out at the stages reached."""
    stages = facts["stages"]
    releases: list[dict[str, Any]] = []
    state = _base(facts)
    ocds._step(releases, state, "tender", facts["announced_at"])
    for n, s in enumerate(facts["suspensions"], start=1):
        amendments = state["tender"].setdefault("amendments", [])
        amendments.append({"id": f"{facts['code']}-suspension-{n}", "date": ocds._date(s["suspended_at"]),
                           "rationale": f"中止：{s['reason']}"})
        ocds._step(releases, state, "tenderAmendment", s["suspended_at"])
        if s["resumed_at"] is not None:
            if s["resumed_until"] is not None and s["from_state"] != "timed_round":
                state["tender"]["tenderPeriod"] = _period(facts, s["resumed_until"])
            amendments.append({"id": f"{facts['code']}-resumption-{n}", "date": ocds._date(s["resumed_at"]),
                               "rationale": "恢复交易，自中止时的最高有效报价继续"})
            ocds._step(releases, state, "tenderAmendment", s["resumed_at"])
    closed = facts["closed"]
    if closed is None or table.LISTING_CLOSED not in stages:
        return releases
    state["tender"]["tenderPeriod"] = _period(facts, closed["closed_at"])
    if closed["reserve"] is not None:
        state["listingTerms"]["reservePrice"] = _money(closed["reserve"])
    sold = closed["outcome"] in ("sold", "void")  # void: sold at the close, cancelled after (资格后审)
    winner = _winner(state, closed, "tenderer", "supplier") if sold else None
    if closed["bids"] is not None:
        _bids(state, facts, winner)
    if not sold:
        state["tender"]["status"] = "unsuccessful"
        ocds._step(releases, state, "tenderUpdate", closed["closed_at"])
        return releases
    award_id = f"{facts['code']}-award"
    award: dict[str, Any] = {"id": award_id, "status": "active", "date": ocds._date(closed["closed_at"]),
                             "title": "成交"}
    if winner is not None:
        award["suppliers"] = [winner]
    value = ocds._value(closed["price"])
    if value:
        award["value"] = value
    winning = [f"{facts['code']}-{b['id']}" for b in closed["bids"] or [] if b["is_winner"]]
    if winning:
        award["relatedBids"] = winning[-1:]  # the highest accepted bid (the last by sequence) won
    state["awards"] = [award]
    state["tender"]["status"] = "complete"
    ocds._step(releases, state, "award", closed["closed_at"])
    if closed["outcome"] == "void":
        # 竞得无效公告: the winner failed the check after winning, the award is cancelled and no contract follows
        award["status"], award["title"] = "cancelled", "竞得无效"
        award["description"] = f"竞得后资格审查未通过：{closed['void_reason']}" if closed["void_reason"] else "竞得无效"
        state["tender"]["status"] = "unsuccessful"
        ocds._step(releases, state, "awardCancellation", closed["voided_at"] or closed["closed_at"])
        return releases
    if facts["contract"] is None or table.CONTRACT_RECORDED not in stages:
        return releases
    grantor = state["tender"]["procuringEntity"]
    state["contracts"] = [_contract(facts, award_id)]
    # the contract as recorded (its schedule, nothing paid yet), then one release per payment as it is recorded
    ocds._step(releases, state, "contract", facts["contract"]["recorded_at"])
    paid = sorted((i for i in facts["contract"]["instalments"] if i["paid_at"] is not None),
                  key=lambda i: i["paid_at"])
    if paid:
        for party in state["parties"]:
            if party["id"] == grantor["id"]:
                party["roles"] = sorted(set(party["roles"]) | {"payee"})
            if winner is not None and party["id"] == winner["id"]:
                party["roles"] = sorted(set(party["roles"]) | {"payer"})
    for instalment in paid:
        at = instalment["paid_at"]
        for milestone in state["contracts"][0]["milestones"]:
            if milestone["id"] == f"{facts['code']}-instalment-{instalment['number']}":
                milestone["status"], milestone["dateMet"] = "met", ocds._date(at)
        state["contracts"][0]["implementation"] = {"transactions": _transactions(facts, winner, grantor, at)}
        ocds._step(releases, state, "implementation", at)
    return releases
