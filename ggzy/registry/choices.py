"""Choice lists of the market-entity registry (一表申请)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntityType(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    INSTITUTION = "institution", _("事业单位")
    OTHER = "other", _("其他组织")


class EntityStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    SUSPENDED = "suspended", _("暂停")


class VersionAction(models.TextChoices):
    REGISTER = "register", _("注册登记")
    UPDATE = "update", _("修改主体信息")
    QUALIFICATION_ADD = "qualification_add", _("新增资质")
    QUALIFICATION_REMOVE = "qualification_remove", _("删除资质")
    BANK_ACCOUNT_ADD = "bank_account_add", _("新增基本账户")
    BANK_ACCOUNT_REMOVE = "bank_account_remove", _("删除基本账户")
    KEY_PERSON_ADD = "key_person_add", _("新增主要人员")
    KEY_PERSON_REMOVE = "key_person_remove", _("删除主要人员")
    ACCOUNT_LINK = "account_link", _("关联登录账户")
    VERIFY = "verify", _("主体核验")
    NAME_CHANGE = "name_change", _("名称变更（审核通过）")


class VerificationMethod(models.TextChoices):
    """How the platform came to trust that the registrant is the entity its credit code names (主体核验)."""

    CERTIFICATE = "certificate", _("数字证书登录核验")
    REVIEW = "review", _("交易中心审核")
    STAFF_REGISTRATION = "staff_registration", _("交易中心代为登记")
    SYSTEM = "system", _("系统导入")
    EXISTING = "existing", _("核验制度实施前已登记")


class NameChangeState(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REFUSED = "refused", _("未通过")


# Suggestions shown beside free-text fields (a datalist); any other text is accepted.
QUALIFICATION_TYPES = [
    "建筑工程施工总承包",
    "市政公用工程施工总承包",
    "公路工程施工总承包",
    "水利水电工程施工总承包",
    "机电工程施工总承包",
    "电力工程施工总承包",
    "建筑装修装饰工程专业承包",
    "钢结构工程专业承包",
    "环保工程专业承包",
    "工程设计综合资质",
    "建筑行业（建筑工程）设计",
    "市政行业设计",
    "工程监理综合资质",
    "房屋建筑工程监理",
    "工程造价咨询",
    "工程咨询单位资信",
    "安全生产许可证",
    "医疗器械经营许可证",
]
KEY_PERSON_ROLES = ["项目经理", "技术负责人", "专职安全生产管理人员", "总监理工程师", "造价工程师", "项目负责人",
                    "授权委托人"]


class ControlKind(models.TextChoices):
    """控制关系类型 (招标投标法实施条例 第三十四条: 存在控股、管理关系的不同单位)."""

    SHAREHOLDING = "shareholding", _("控股（持股50%以上）")
    ACTUAL_CONTROLLER = "actual_controller", _("实际控制人")
    MANAGEMENT = "management", _("管理关系")


class ControlSource(models.TextChoices):
    """Where a control relationship came from."""

    BUSINESS_REGISTRATION = "business_registration", _("工商登记信息导入")
    DECLARED = "declared", _("主体自行申报")
    STAFF = "staff", _("交易中心工作人员录入")
