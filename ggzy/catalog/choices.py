"""Choices of the catalog app: catalog status, rule attributes, trading methods, period units, calendar days."""

from django.db import models


class CatalogVersionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class RuleLevel(models.TextChoices):
    NATIONAL = "national", "国家"
    PROVINCIAL = "provincial", "省级"
    CITY = "city", "市级"


class RuleStatus(models.TextChoices):
    IN_FORCE = "in_force", "现行有效"
    AMENDED = "amended", "已修订"
    REPEALED = "repealed", "已废止"


class RuleCategory(models.TextChoices):
    PLATFORM = "platform", "平台管理综合"
    TENDERING = "tendering", "工程建设招标投标"
    PROCUREMENT = "procurement", "政府采购"
    LAND_MINING = "land_mining", "土地和矿业权出让"
    STATE_PROPERTY = "state_property", "国有产权交易"
    EXPERTS = "experts", "评标评审专家"


class TradingMethod(models.TextChoices):
    OPEN_TENDER = "open_tender", "公开招标"
    INVITATION = "invitation", "邀请招标"
    COMPETITIVE_NEGOTIATION = "competitive_negotiation", "竞争性谈判"
    COMPETITIVE_CONSULTATION = "competitive_consultation", "竞争性磋商"
    INQUIRY = "inquiry", "询价"
    LISTING = "listing", "网上挂牌"
    AUCTION = "auction", "拍卖"
    PROPERTY_LISTING = "property_listing", "产权转让挂牌"
    CAPITAL_INCREASE = "capital_increase", "企业增资"
    GENERAL = "general", "通用规则"


class PeriodUnit(models.TextChoices):
    CALENDAR_DAYS = "calendar_days", "日"
    WORKING_DAYS = "working_days", "个工作日"
    HOURS = "hours", "小时"
    MINUTES = "minutes", "分钟"
    PERCENT = "percent", "%"
    COUNT = "count", "个/人"
    YUAN = "yuan", "元"
    YEARS = "years", "年"


class StepRole(models.TextChoices):
    TENDERER = "tenderer", "招标人/采购人/出让方"
    AGENCY = "agency", "代理机构"
    BIDDER = "bidder", "投标人/供应商/竞买人"
    CENTER_STAFF = "center_staff", "交易中心"
    EXPERT = "expert", "评标委员会/评审小组"
    SUPERVISOR = "supervisor", "行政监督部门"
    SYSTEM = "system", "交易系统"


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", "法定节假日（工作日放假）"
    MAKEUP_WORKDAY = "makeup_workday", "调休上班（周末补班）"


# The "category" of templates that hold platform-wide numbers (experts, services, archives): not a catalog item.
GENERAL_CATEGORY_CODE = "00"
