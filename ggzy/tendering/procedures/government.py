"""政府采购 — government procurement: open tendering, competitive negotiation, inquiry (政府采购法, 87号令)."""

from ..choices import Method
from .base import Procedure, register


@register
class GovernmentOpenTender(Procedure):
    method = Method.GP_OPEN_TENDER
    label = "政府采购公开招标"
    is_government_procurement = True
    result_notice_form = "government"
    # 政府采购货物和服务招标投标管理办法 Art. 43; 政府采购法 Art. 36–37 (another method needs the finance dept.).
    failure_followup_text = ("采购人、采购代理机构应当依法重新招标；需要改为其他采购方式的，应当报经设区的市级以上"
                             "人民政府财政部门批准后依法采用其他采购方式。")


@register
class GovernmentNegotiation(Procedure):
    """Panels of at least 3, odd (the template holds the number); no documents sale period."""

    method = Method.GP_NEGOTIATION
    label = "政府采购竞争性谈判"
    is_government_procurement = True
    uses_tender_documents_sale = False
    committee_min_key = "panel_members_min"
    result_notice_form = "government"
    failure_reason_text = "提交响应文件的供应商少于{minimum}家（{count}家）"
    # 政府采购非招标采购方式管理办法 Art. 27: the procurement ends; it is run again, or changed with approval.
    failure_followup_text = ("终止本次采购活动并发布终止公告；采购人应当依法重新开展采购活动，或报经财政部门批准后"
                             "依法采用其他采购方式。")


@register
class GovernmentInquiry(Procedure):
    method = Method.GP_INQUIRY
    label = "政府采购询价"
    is_government_procurement = True
    uses_tender_documents_sale = False
    committee_min_key = "panel_members_min"
    result_notice_form = "government"
    failure_reason_text = "提交响应文件的供应商少于{minimum}家（{count}家）"
    # 政府采购非招标采购方式管理办法 Art. 27: the procurement ends; it is run again, or changed with approval.
    failure_followup_text = ("终止本次采购活动并发布终止公告；采购人应当依法重新开展采购活动，或报经财政部门批准后"
                             "依法采用其他采购方式。")
