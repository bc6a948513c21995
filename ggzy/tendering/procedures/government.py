"""政府采购 — government procurement: open tendering, competitive negotiation, inquiry (政府采购法, 87号令)."""

from ..choices import Method
from .base import Procedure, register


@register
class GovernmentOpenTender(Procedure):
    method = Method.GP_OPEN_TENDER
    label = "政府采购公开招标"
    is_government_procurement = True


@register
class GovernmentNegotiation(Procedure):
    """Panels of at least 3, odd (the template holds the number); no documents sale period."""

    method = Method.GP_NEGOTIATION
    label = "政府采购竞争性谈判"
    is_government_procurement = True
    uses_tender_documents_sale = False
    committee_min_key = "panel_members_min"


@register
class GovernmentInquiry(Procedure):
    method = Method.GP_INQUIRY
    label = "政府采购询价"
    is_government_procurement = True
    uses_tender_documents_sale = False
    committee_min_key = "panel_members_min"
