"""政府采购 — government procurement: open tendering, competitive negotiation, inquiry, single source
(政府采购法; 87号令; 74号令). Each method has its own transition table; the numbers are the template's."""

from typing import ClassVar

from ..choices import EvaluationMethod, LotState, Method
from .base import OPEN_TENDER_TRANSITIONS, AwardBasis, Procedure, register

S = LotState

# 74号令 Art. 27: too few suppliers ends the procurement; it is run again, or changed with approval.
NON_TENDER_FOLLOWUP = ("终止本次采购活动并发布终止公告；采购人应当依法重新开展采购活动，或报经财政部门批准后"
                       "依法采用其他采购方式。")

# The result stage every GP method shares: result notice (with the challenge period) → award → contract → archive.
_RESULT = frozenset({
    (S.CANDIDATES, S.SUSPENDED),
    (S.SUSPENDED, S.CANDIDATES),
    (S.CANDIDATES, S.AWARDED),
    (S.CANDIDATES, S.FAILED),  # every candidate refused at award (credit ban) and no further one to offer
    (S.AWARDED, S.CONTRACTED),
    (S.CONTRACTED, S.ARCHIVED),
    (S.FAILED, S.ARCHIVED),
})

# 询价 (74号令 Arts. 44–49): sealed one-time quotations → opened by the panel → lowest qualifying price.
INQUIRY_TRANSITIONS = _RESULT | {
    (S.DRAFT, S.PUBLISHED),
    (S.PUBLISHED, S.OPENING),
    (S.PUBLISHED, S.FAILED),
    (S.OPENING, S.FAILED),
    (S.OPENING, S.EVALUATING),
    (S.EVALUATING, S.CANDIDATES),
    (S.EVALUATING, S.FAILED),
}

# 竞争性谈判 (74号令 Arts. 26–36): sealed first responses → opened → negotiation rounds with each supplier apart →
# sealed final quotations (最后报价) → opened by the panel → lowest final price meeting the requirements.
NEGOTIATION_TRANSITIONS = _RESULT | {
    (S.DRAFT, S.PUBLISHED),
    (S.PUBLISHED, S.OPENING),
    (S.PUBLISHED, S.FAILED),
    (S.OPENING, S.FAILED),
    (S.OPENING, S.NEGOTIATING),
    (S.NEGOTIATING, S.FINAL_QUOTING),
    (S.NEGOTIATING, S.FAILED),
    (S.FINAL_QUOTING, S.EVALUATING),
    (S.FINAL_QUOTING, S.FAILED),
    (S.EVALUATING, S.CANDIDATES),
    (S.EVALUATING, S.FAILED),
}

# 单一来源 (政府采购法 Art. 39; 74号令 Arts. 38–43): reasons and supplier publicised → objections handled →
# negotiation with the one supplier (price basis recorded) → result (成交) → contract.
SINGLE_SOURCE_TRANSITIONS = _RESULT | {
    (S.DRAFT, S.PUBLICITY),
    (S.PUBLICITY, S.NEGOTIATING),
    (S.PUBLICITY, S.FAILED),
    (S.NEGOTIATING, S.CANDIDATES),
    (S.NEGOTIATING, S.FAILED),
}


@register
class GovernmentOpenTender(Procedure):
    method = Method.GP_OPEN_TENDER
    label = "政府采购公开招标"
    template_category = "02"
    template_method = "open_tender"
    transitions = OPEN_TENDER_TRANSITIONS
    is_government_procurement = True
    result_notice_form = "government"
    # 政府采购货物和服务招标投标管理办法 Art. 43; 政府采购法 Art. 36–37 (another method needs the finance dept.).
    failure_followup_text = ("采购人、采购代理机构应当依法重新招标；需要改为其他采购方式的，应当报经设区的市级以上"
                             "人民政府财政部门批准后依法采用其他采购方式。")


class _NonTender(Procedure):
    """What 74号令's methods share: a panel of at least 3 (odd), no documents sale period, 成交 notices."""

    template_category = "02"
    is_government_procurement = True
    uses_tender_documents_sale = False
    committee_min_key = "panel_members_min"
    result_notice_form = "government"
    is_deal_form = True
    failure_reason_text = "提交响应文件的供应商少于{minimum}家（{count}家）"
    failure_followup_text = NON_TENDER_FOLLOWUP


@register
class GovernmentNegotiation(_NonTender):
    """竞争性谈判: rounds with each supplier separately, written notice of every change, sealed final quotations."""

    method = Method.GP_NEGOTIATION
    label = "政府采购竞争性谈判"
    template_method = "competitive_negotiation"
    transitions = NEGOTIATION_TRANSITIONS
    main_path = (S.DRAFT, S.PUBLISHED, S.OPENING, S.NEGOTIATING, S.FINAL_QUOTING, S.EVALUATING, S.CANDIDATES,
                 S.AWARDED, S.CONTRACTED, S.ARCHIVED)
    # 74号令 Art. 35: the lowest final price meeting the requirements is recommended.
    evaluation_methods: ClassVar[tuple[str, ...] | None] = (EvaluationMethod.LOWEST_PRICE,)

    def next_after_opening(self) -> str:
        return S.NEGOTIATING

    @classmethod
    def lot_defaults(cls) -> dict:
        return {"evaluation_method": EvaluationMethod.LOWEST_PRICE}


@register
class GovernmentInquiry(_NonTender):
    """询价: one quotation per supplier, not to be changed (74号令 Art. 47), the lowest qualifying price (Art. 48)."""

    method = Method.GP_INQUIRY
    label = "政府采购询价"
    template_method = "inquiry"
    transitions = INQUIRY_TRANSITIONS
    allows_bid_changes = False
    evaluation_methods: ClassVar[tuple[str, ...] | None] = (EvaluationMethod.LOWEST_PRICE,)

    def bid_change_refusal(self, *, has_bid: bool) -> str | None:
        if has_bid:
            # 政府采购非招标采购方式管理办法 Art. 47: 参加询价采购活动的供应商，应当按照询价通知书的规定一次报出不得更改的价格。
            return "询价采购中供应商只能一次报出不得更改的价格，已递交的报价不得更改或撤回"
        return None

    @classmethod
    def lot_defaults(cls) -> dict:
        return {"evaluation_method": EvaluationMethod.LOWEST_PRICE}


@register
class GovernmentSingleSource(_NonTender):
    """单一来源: no sealed responses; publicity of the reasons and the supplier, then negotiation with it."""

    method = Method.GP_SINGLE_SOURCE
    label = "政府采购单一来源"
    template_method = "single_source"
    transitions = SINGLE_SOURCE_TRANSITIONS
    main_path = (S.DRAFT, S.PUBLICITY, S.NEGOTIATING, S.CANDIDATES, S.AWARDED, S.CONTRACTED, S.ARCHIVED)
    takes_sealed_responses = False
    failure_reason_text = "单一来源公示期内异议成立，不得采用单一来源方式"
    failure_followup_text = ("采购人应当依法采用其他采购方式重新组织采购（《政府采购非招标采购方式管理办法》"
                             "第三十九条）。")

    def effective_state(self, now=None) -> str:
        return self.lot.state  # no bid deadline: nothing is derived from the clock

    def is_accepting_bids(self, now=None) -> bool:
        return False

    def award_basis(self) -> AwardBasis | None:
        """The negotiated price with the one supplier and its recorded basis become the award (74号令 Art. 42)."""
        deal = getattr(self.lot, "single_source_deal", None)
        publicity = getattr(self.lot, "single_source", None)
        if deal is None or publicity is None:
            return None
        return AwardBasis(bid=None, entity=publicity.supplier, name=publicity.supplier.name, amount=deal.price)
