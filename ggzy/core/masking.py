"""The one masking table: what is secret, until which stage, and how each audience sees it before then.

Declared once here and read by every outward path — the portal's pages, the public API, the OCDS open data and its
bulk export (``ggzy.opendata``), the registry's entity views and the tendering lot views (``tendering.masking``,
``registry.masking`` are thin readers of this table). Prozorro's ``mask.py`` is the model: a field not in the table
is public; a field in it is shown in full to everyone once its stage is reached, and before that (or forever, when
it has no stage) only to the audiences listed, each in the form given (full, or a masked form).

Stages of a lot, in order (DOMAIN.md, Information disclosure; 招标投标法实施条例 Art. 44, 46, 54):
``opening_published`` (the opening record is public: who bid and at what price), ``candidates_published``
(the evaluation ranking, 中标候选人公示), ``result_final`` (the result is final: the committee may be named,
招标投标法 Art. 37 keeps the list confidential until then). Personal ID numbers and personal (mobile) phones are
never public (个人信息保护法 Art. 28: sensitive personal information).

Audiences are plain strings of the object's vocabulary: a lot knows ``center``, ``owner`` and ``member``; a market
entity ``public``, ``owner`` and ``staff``. ``public`` is everyone who is none of the others.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

OPENING_PUBLISHED = "opening_published"
CANDIDATES_PUBLISHED = "candidates_published"
RESULT_FINAL = "result_final"
STAGES = (OPENING_PUBLISHED, CANDIDATES_PUBLISHED, RESULT_FINAL)
# Stages of a rights listing (产权/资源权益挂牌, ggzy.rights): the close (成交 or 流拍: the result is announced), then
# the contract recorded by the center.
LISTING_CLOSED = "listing_closed"
CONTRACT_RECORDED = "contract_recorded"
LISTING_STAGES = (LISTING_CLOSED, CONTRACT_RECORDED)

PUBLIC = "public"


def full(value: Any) -> Any:
    return value


def phone_mask(value: str) -> str:
    """138****5678: the middle digits hidden, the first three and the last four kept."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * max(len(value) - 2, 0) + value[-2:]
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def id_number_mask(value: str) -> str:
    """3701**********1234: region prefix and last four only."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


@dataclass(frozen=True)
class Rule:
    """One row: ``public_from`` — the stage from which everyone sees the value in full (None: never);
    ``shown`` — before that, each audience that sees it and in what form (an audience not listed sees nothing)."""

    public_from: str | None
    shown: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    why: str = ""


_EARLY_LOT = {"center": full, "member": full}

TABLE: dict[str, Rule] = {
    # A lot (every trading method: tendering, GP methods). Sealed until the opening record is published: nobody
    # learns who bid, what they offered, or even how many bid (招标投标法 Art. 22, 实施条例 Art. 44).
    "lot.bidders": Rule(OPENING_PUBLISHED, why="开标前投标人名单保密"),
    "lot.prices": Rule(OPENING_PUBLISHED, why="开标前投标报价保密"),
    "lot.bid_count": Rule(OPENING_PUBLISHED, why="开标前投标人数量保密"),
    # The committee: confidential until the result is final, except to the center and the members themselves.
    "lot.committee_names": Rule(RESULT_FINAL, _EARLY_LOT, why="评标委员会成员名单在中标结果确定前保密"),
    "lot.scores": Rule(RESULT_FINAL, _EARLY_LOT, why="评审得分在结果确定前保密"),
    "lot.evaluation_ranking": Rule(CANDIDATES_PUBLISHED, {**_EARLY_LOT, "owner": full},
                                   why="评标结果在候选人公示前保密"),
    # A rights listing (land, mining, state property, environmental rights). Bidders act under anonymous paddles:
    # until the close nobody outside the center learns who registered, who bid or how many; the live hall shows the
    # current price and the accepted bids by paddle only. The sealed reserve (底价) is the grantor's until the close,
    # then announced with the result. The winner (竞得人) is named at the close (成交公示); the other bidders are
    # never named (the hall and the result notice keep them as paddles), nor are sealed quotes other than the
    # winning one (一次报价: the result names the deal price only).
    "listing.bid_count": Rule(LISTING_CLOSED, {"center": full}, why="竞价结束前竞买人数量保密"),
    "listing.reserve": Rule(LISTING_CLOSED, {"owner": full}, why="底价在竞价结束前密封，结束后公开"),
    "listing.winner": Rule(LISTING_CLOSED, {"center": full}, why="竞得人在竞价结束后公示"),
    "listing.bidders": Rule(None, {"center": full}, why="竞买号牌与竞买人的对应不公开（竞得人除外）"),
    "listing.quotes": Rule(None, {"center": full}, why="一次报价仅公开成交报价"),
    # A market entity: the contact phone is published masked; bank accounts and version history are not public.
    "entity.contact_phone": Rule(None, {PUBLIC: phone_mask, "owner": full, "staff": full}, why="联系电话脱敏公开"),
    "entity.bank_accounts": Rule(None, {"owner": full, "staff": full}, why="银行账户不公开"),
    "entity.versions": Rule(None, {"owner": full, "staff": full}, why="变更记录不公开"),
    "bank_account.account_number": Rule(None, {"owner": full, "staff": full}, why="银行账号不公开"),
    # A person (key person of an entity, an expert, a bidder's contact): the ID number and the personal phone are
    # never public; the ID number is masked even for the entity and its staff.
    "key_person.id_number": Rule(None, {"owner": id_number_mask, "staff": id_number_mask}, why="身份证号永不公开"),
    "key_person.phone": Rule(None, {"owner": full, "staff": full}, why="个人电话永不公开"),
    "person.id_number": Rule(None, why="身份证号永不公开"),
    "person.phone": Rule(None, why="个人电话永不公开"),
}


def rule(key: str) -> Rule | None:
    return TABLE.get(key)


def form(key: str, *, reached: set[str] | frozenset[str] = frozenset(),
         audiences: set[str] | frozenset[str] = frozenset()) -> Callable[[Any], Any] | None:
    """How a viewer of ``audiences`` sees ``key`` once the stages in ``reached`` have passed: a function giving the
    shown value, or None when the viewer sees nothing. An audience listed earlier in the table wins over ``public``."""
    row = TABLE.get(key)
    if row is None:
        return full
    if row.public_from is not None and row.public_from in reached:
        return full
    for audience in audiences:
        if audience != PUBLIC and audience in row.shown:
            return row.shown[audience]
    if not audiences or PUBLIC in audiences:
        return row.shown.get(PUBLIC)
    return None


def is_shown(key: str, *, reached: set[str] | frozenset[str] = frozenset(),
             audiences: set[str] | frozenset[str] = frozenset()) -> bool:
    return form(key, reached=reached, audiences=audiences) is not None


def public_shown(key: str, reached: set[str] | frozenset[str]) -> bool:
    """Whether an anonymous reader (the portal, the public API, open data) sees ``key`` at all."""
    return is_shown(key, reached=reached, audiences=frozenset({PUBLIC}))


# Free text (a notice body written by people) may carry a personal ID number or a mobile phone number; whatever
# leaves the platform as a copy (the publication push) passes through this: both are never public.
_ID_NUMBER_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def text_scrub(text: str) -> str:
    """Mask personal ID numbers (``person.id_number``) and mobile numbers (``person.phone``) found in free text."""
    if not text:
        return text
    text = _ID_NUMBER_IN_TEXT.sub(lambda m: id_number_mask(m.group(0)), text)
    return _MOBILE_IN_TEXT.sub(lambda m: phone_mask(m.group(0)), text)
