"""Choices of the catalog app: catalog status, rule attributes, trading methods, period units, calendar days."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CatalogVersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class RuleLevel(models.TextChoices):
    NATIONAL = "national", _("国家")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")


class RuleStatus(models.TextChoices):
    IN_FORCE = "in_force", _("现行有效")
    AMENDED = "amended", _("已修订")
    REPEALED = "repealed", _("已废止")


class RuleCategory(models.TextChoices):
    PLATFORM = "platform", _("平台管理综合")
    TENDERING = "tendering", _("工程建设招标投标")
    PROCUREMENT = "procurement", _("政府采购")
    LAND_MINING = "land_mining", _("土地和矿业权出让")
    STATE_PROPERTY = "state_property", _("国有产权交易")
    EXPERTS = "experts", _("评标评审专家")


class TradingMethod(models.TextChoices):
    OPEN_TENDER = "open_tender", _("公开招标")
    INVITATION = "invitation", _("邀请招标")
    COMPETITIVE_NEGOTIATION = "competitive_negotiation", _("竞争性谈判")
    COMPETITIVE_CONSULTATION = "competitive_consultation", _("竞争性磋商")
    INQUIRY = "inquiry", _("询价")
    SINGLE_SOURCE = "single_source", _("单一来源")
    LISTING = "listing", _("网上挂牌")
    AUCTION = "auction", _("拍卖")
    PROPERTY_LISTING = "property_listing", _("产权转让挂牌")
    CAPITAL_INCREASE = "capital_increase", _("企业增资")
    GENERAL = "general", _("通用规则")


class PeriodUnit(models.TextChoices):
    CALENDAR_DAYS = "calendar_days", _("日")
    WORKING_DAYS = "working_days", _("个工作日")
    HOURS = "hours", _("小时")
    MINUTES = "minutes", _("分钟")
    PERCENT = "percent", "%"
    COUNT = "count", _("个/人")
    YUAN = "yuan", _("元")
    YEARS = "years", _("年")
    POINTS = "points", _("分")


class StepRole(models.TextChoices):
    TENDERER = "tenderer", _("招标人/采购人/出让方")
    AGENCY = "agency", _("代理机构")
    BIDDER = "bidder", _("投标人/供应商/竞买人")
    CENTER_STAFF = "center_staff", _("交易中心")
    EXPERT = "expert", _("评标委员会/评审小组")
    SUPERVISOR = "supervisor", _("行政监督部门")
    SYSTEM = "system", _("交易系统")


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日（工作日放假）")
    MAKEUP_WORKDAY = "makeup_workday", _("调休上班（周末补班）")


# The "category" of templates that hold platform-wide numbers (experts, services, archives): not a catalog item.
GENERAL_CATEGORY_CODE = "00"
