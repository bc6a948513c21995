"""Choices of the rights app: procedure kinds (template data), listing states, registration states, bid refusals."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class ListingState(models.TextChoices):
    ANNOUNCED = "announced", _("已公告")
    REGISTRATION = "registration", _("报名中")
    LISTING = "listing", _("挂牌报价中")
    TIMED_ROUND = "timed_round", _("限时竞价中")
    QUOTING = "quoting", _("一次报价期（密封）")
    SUSPENDED = "suspended", _("已中止")
    CLOSED = "closed", _("已结束")


class ListingOutcome(models.TextChoices):
    NONE = "", _("—")
    SOLD = "sold", _("成交")
    FAILED = "failed", _("流拍")
    # 资格后审: the winner failed the qualification check after the close — the sale is void (services.postqualification)
    VOID = "void", _("竞得无效")


class RegistrationState(models.TextChoices):
    APPLIED = "applied", _("已报名，待审核")
    ADMITTED = "admitted", _("已取得竞买资格")
    REFUSED = "refused", _("资格审核未通过")


class QualificationTiming(models.TextChoices):
    """When the bidders' qualification is checked (the announcement states it, within what the template allows)."""

    BEFORE = "before", _("资格前审（竞价前审查）")
    AFTER = "after", _("资格后审（竞得后审查）")


class BidRefusal(models.TextChoices):
    """Why a bid was refused (the API answers with the code and a Chinese message naming the field)."""

    NOT_ADMITTED = "not_admitted", _("未取得竞买资格")
    NOT_OPEN = "not_open", _("未到报价时间")
    CLOSED = "closed", _("竞价已结束")
    STALE = "stale", _("报价所依据的序号已过期")
    TOO_LOW = "too_low", _("报价低于最低应价")
    ALREADY_LEADING = "already_leading", _("已是当前最高报价")


@dataclass(frozen=True)
class ProcedureKind:
    """A rights procedure as template data: which catalog template governs it and how it trades."""

    code: str
    label: str
    category_code: str
    method: str
    has_timed_round: bool = True
    # the procedure class (procedures.PROCEDURES): "listing" 挂牌+限时竞价, "english_auction" 拍卖 (增价, 倒计时),
    # "sealed_quote" 一次报价 (one sealed quote within the announced range), "weighted_quote" 权重报价 (one sealed
    # quote of a price and the announced factors, scored by their weights)
    mode: str = "listing"


# The catalog's templates (ggzy/catalog/seed/period_data.py) give every number of these procedures: a kind names
# its template by (catalog category, method), and its mode's procedure class. "property_transfer" is the exchanges'
# online bidding with multiple quotes (多次报价: open ascending quotes, then the timed round); the weighted quote
# (权重报价) scores one sealed quote of the price and the transferor's announced factors (procedures, weighting.py).
PROCEDURE_KINDS: dict[str, ProcedureKind] = {
    "land_listing": ProcedureKind("land_listing", "国有建设用地使用权挂牌出让", "03", "listing"),
    "land_auction": ProcedureKind("land_auction", "国有建设用地使用权拍卖出让", "03", "auction",
                                  mode="english_auction"),
    "mining_listing": ProcedureKind("mining_listing", "矿业权挂牌出让", "04", "listing"),
    "property_transfer": ProcedureKind("property_transfer", "企业国有产权转让（网络竞价）", "05", "property_listing"),
    "property_single_quote": ProcedureKind("property_single_quote", "企业国有产权转让（一次报价）", "05",
                                           "property_listing", has_timed_round=False, mode="sealed_quote"),
    "property_weighted_quote": ProcedureKind("property_weighted_quote", "企业国有产权转让（权重报价）", "05",
                                             "property_listing", has_timed_round=False, mode="weighted_quote"),
    "mining_auction": ProcedureKind("mining_auction", "矿业权拍卖出让", "04", "auction", mode="english_auction"),
    # 企业增资: investors selected by online bidding (竞价) on the subscription price — the order's other selection
    # methods (竞争性谈判, 综合评议) are not modelled
    "capital_increase": ProcedureKind("capital_increase", "企业增资（网络竞价择优）", "05", "capital_increase"),
    # environmental rights (catalog group 06): one lot, one winner, listing with the timed round
    "emission_listing": ProcedureKind("emission_listing", "排污权挂牌交易", "61", "listing"),
    "carbon_listing": ProcedureKind("carbon_listing", "碳排放权挂牌交易", "62", "listing"),
    "energy_listing": ProcedureKind("energy_listing", "用能权挂牌交易", "63", "listing"),
    "water_listing": ProcedureKind("water_listing", "用水权挂牌交易", "64", "listing"),
}


class ProcedureKindChoice(models.TextChoices):
    LAND_LISTING = "land_listing", _("国有建设用地使用权挂牌出让")
    LAND_AUCTION = "land_auction", _("国有建设用地使用权拍卖出让")
    MINING_LISTING = "mining_listing", _("矿业权挂牌出让")
    PROPERTY_TRANSFER = "property_transfer", _("企业国有产权转让（网络竞价）")
    PROPERTY_SINGLE_QUOTE = "property_single_quote", _("企业国有产权转让（一次报价）")
    PROPERTY_WEIGHTED_QUOTE = "property_weighted_quote", _("企业国有产权转让（权重报价）")
    MINING_AUCTION = "mining_auction", _("矿业权拍卖出让")
    CAPITAL_INCREASE = "capital_increase", _("企业增资（网络竞价择优）")
    EMISSION_LISTING = "emission_listing", _("排污权挂牌交易")
    CARBON_LISTING = "carbon_listing", _("碳排放权挂牌交易")
    ENERGY_LISTING = "energy_listing", _("用能权挂牌交易")
    WATER_LISTING = "water_listing", _("用水权挂牌交易")
