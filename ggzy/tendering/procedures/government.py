"""政府采购 — government procurement: open tendering, competitive negotiation, consultation, inquiry, single source
(政府采购法; 87号令; 74号令). Each method has its own transition table; the numbers are the template's."""

from decimal import Decimal
from typing import ClassVar

from django.utils.translation import gettext_lazy as _

from ggzy.catalog import selectors as catalog_selectors
from ggzy.core.money import number_text

from ..choices import EvaluationMethod, LotState, Method, ProcurementObject
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

# 竞争性磋商 (财库〔2014〕214号 Arts. 10–28): sealed first responses → opened → consultation rounds with each supplier
# apart (changes notified to all in writing) → sealed final quotations → opened → comprehensive scoring, price score
# on the lowest valid price as the base (Art. 24) → result. Its own table: the states mirror negotiation's, the rules
# at each differ (10 days, comprehensive scoring, the price weight's range).
CONSULTATION_TRANSITIONS = _RESULT | {
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


def price_weight_errors(cleaned: dict, *, version, prefix: str, object_required: bool) -> dict[str, str]:
    """Comprehensive scoring's price weight within the template's range for the procurement object (87号令 Art. 55:
    goods 30–60%, services 10–30%; 214号 Art. 24 the same). ``object_required``: the lot must say goods or services."""
    if cleaned.get("evaluation_method") != EvaluationMethod.COMPREHENSIVE:
        return {}
    kind = cleaned.get("procurement_object") or ""
    if kind not in (ProcurementObject.GOODS, ProcurementObject.SERVICES):
        if object_required:
            return {prefix + "procurement_object": "综合评分法须注明采购标的为货物（goods）或服务（services），"
                                                   "以确定价格分权值的法定范围"}
        return {}
    low = catalog_selectors.period_value(version, f"price_weight_{kind}_min")
    high = catalog_selectors.period_value(version, f"price_weight_{kind}_max")
    weight = Decimal(cleaned.get("price_weight", 30))
    if not low <= weight <= high:
        label = ProcurementObject(kind).label
        return {prefix + "price_weight": f"{label}项目综合评分法的价格分权值应在{number_text(low)}%至"
                                         f"{number_text(high)}%之间（现为{number_text(weight)}%）"}
    return {}


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

    @classmethod
    def lot_template_errors(cls, cleaned: dict, *, version, prefix: str = "") -> dict[str, str]:
        # checked where the lot names its object (lots registered before the field existed name none)
        return price_weight_errors(cleaned, version=version, prefix=prefix, object_required=False)


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


# The words of the rounds-and-final-quotations page (lot_negotiation.html) under each method that has one.
NEGOTIATION_WORDS = {
    "title": _("竞争性谈判"),
    "link_hint": _("谈判轮次、谈判文件变动与最后报价"),
    "intro": _("谈判小组与每一家供应商分别谈判；谈判文件的实质性变动书面通知所有参加谈判的供应商；最后报价在开启前密封，"
               "任何人（包括谈判小组）都看不到报价，也看不到谁已提交。"),
    "not_in": _("本单位不在本项目的谈判中。"),
    "await_call": _("谈判小组要求提交最后报价后，可在此提交。"),
    "changes": _("谈判文件变动（书面通知）"),
    "round": _("第%(n)s轮谈判"),
    "minutes": _("单独谈判纪要"),
    "save_record": _("保存谈判记录"),
    "not_talked": _("本轮未与该供应商谈判"),
    "panel": _("谈判小组"),
    "next_round": _("开始下一轮谈判"),
    "change_label": _("谈判文件变动内容"),
    "final_call": _("结束谈判，要求提交最后报价"),
    "recommend": _("谈判小组从质量和服务均能满足采购文件实质性响应要求的供应商中，按最后报价由低到高提出成交候选人。"),
}
CONSULTATION_WORDS = {
    "title": _("竞争性磋商"),
    "link_hint": _("磋商轮次、磋商文件变动与最后报价"),
    "intro": _("磋商小组与每一家供应商分别磋商；磋商文件的实质性变动书面通知所有参加磋商的供应商；最后报价在开启前密封，"
               "任何人（包括磋商小组）都看不到报价，也看不到谁已提交。"),
    "not_in": _("本单位不在本项目的磋商中。"),
    "await_call": _("磋商小组要求提交最后报价后，可在此提交。"),
    "changes": _("磋商文件变动（书面通知）"),
    "round": _("第%(n)s轮磋商"),
    "minutes": _("单独磋商纪要"),
    "save_record": _("保存磋商记录"),
    "not_talked": _("本轮未与该供应商磋商"),
    "panel": _("磋商小组"),
    "next_round": _("开始下一轮磋商"),
    "change_label": _("磋商文件变动内容"),
    "final_call": _("结束磋商，要求提交最后报价"),
    "recommend": _("磋商小组采用综合评分法对提交最后报价的供应商的响应文件和最后报价评分，价格分以满足磋商文件要求且最后报价最低的"
                   "价格为基准价（财库〔2014〕214号第二十四条），按得分由高到低提出成交候选人。"),
}


@register
class GovernmentNegotiation(_NonTender):
    """竞争性谈判: rounds with each supplier separately, written notice of every change, sealed final quotations."""

    method = Method.GP_NEGOTIATION
    label = "政府采购竞争性谈判"
    template_method = "competitive_negotiation"
    transitions = NEGOTIATION_TRANSITIONS
    negotiation_words: ClassVar[dict | None] = NEGOTIATION_WORDS
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
class GovernmentConsultation(_NonTender):
    """竞争性磋商: consultation rounds with each supplier apart, written notice of every change, sealed final
    quotations, then comprehensive scoring (综合评分法) with the price weight in its legal range."""

    method = Method.GP_CONSULTATION
    label = "政府采购竞争性磋商"
    template_method = "competitive_consultation"
    transitions = CONSULTATION_TRANSITIONS
    negotiation_words: ClassVar[dict | None] = CONSULTATION_WORDS
    main_path = (S.DRAFT, S.PUBLISHED, S.OPENING, S.NEGOTIATING, S.FINAL_QUOTING, S.EVALUATING, S.CANDIDATES,
                 S.AWARDED, S.CONTRACTED, S.ARCHIVED)
    # 214号 Art. 23: 经磋商确定最终采购需求和提交最后报价的供应商后，由磋商小组采用综合评分法对提交最后报价的供应商的响应文件和
    # 最后报价进行综合评分。
    evaluation_methods: ClassVar[tuple[str, ...] | None] = (EvaluationMethod.COMPREHENSIVE,)

    def next_after_opening(self) -> str:
        return S.NEGOTIATING

    def state_label(self, state: str):
        if state == S.NEGOTIATING:
            return _("磋商中")
        return super().state_label(state)

    @classmethod
    def lot_defaults(cls) -> dict:
        return {"evaluation_method": EvaluationMethod.COMPREHENSIVE}

    @classmethod
    def lot_template_errors(cls, cleaned: dict, *, version, prefix: str = "") -> dict[str, str]:
        return price_weight_errors(cleaned, version=version, prefix=prefix, object_required=True)


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
