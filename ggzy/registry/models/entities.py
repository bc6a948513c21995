"""Market entities (市场主体) registered through the one-form application (一表申请), and their parts."""

from django.conf import settings
from django.db import models

from ..choices import EntityStatus, EntityType, VerificationMethod, VersionAction


class MarketEntity(models.Model):
    """市场主体 — a firm or institution that tenders, bids or acts as agency, by its unified social credit code."""

    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("主体名称", max_length=200, db_index=True)
    # Pinyin of the name (registry.pinyin.name_sort_key), set by the services that register or rename the entity.
    name_sort = models.CharField("名称拼音排序键", max_length=600, blank=True, default="", editable=False,
                                 db_index=True)
    entity_type = models.CharField("主体类型", max_length=16, choices=EntityType.choices,
                                   default=EntityType.ENTERPRISE)
    legal_representative = models.CharField("法定代表人", max_length=64)
    registered_address = models.CharField("注册地址", max_length=255)
    business_address = models.CharField("经营地址", max_length=255, blank=True)
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="entities",
                               verbose_name="所在地区")
    # The home center (注册地交易中心): its staff manage this record. Named ``center`` like every scoped record.
    center = models.ForeignKey("registry.Center", on_delete=models.PROTECT, related_name="entities",
                               verbose_name="注册地交易中心")
    contact_name = models.CharField("联系人", max_length=64)
    contact_phone = models.CharField("联系电话", max_length=32)
    email = models.EmailField("电子邮箱", blank=True)
    registered_capital = models.DecimalField("注册资本（元）", max_digits=18, decimal_places=2, null=True,
                                             blank=True)
    established_on = models.DateField("成立日期", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=EntityStatus.choices, default=EntityStatus.ACTIVE)
    created_at = models.DateTimeField("登记时间")
    updated_at = models.DateTimeField("更新时间")
    version = models.PositiveIntegerField("版本", default=1)
    # 主体核验: a self-registered entity may not act (sign up, bid, register projects) until this is set.
    verified_at = models.DateTimeField("核验时间", null=True, blank=True)
    verification_method = models.CharField("核验方式", max_length=24, choices=VerificationMethod.choices,
                                           blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="核验人")

    class Meta:
        verbose_name = "市场主体"
        verbose_name_plural = "市场主体"
        ordering = ["name_sort", "name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class EntityBankAccount(models.Model):
    """基本账户 — a bank account of the entity, from which bid bonds are paid and to which they are refunded."""

    entity = models.ForeignKey(MarketEntity, on_delete=models.CASCADE, related_name="bank_accounts",
                               verbose_name="市场主体")
    bank_name = models.CharField("开户银行", max_length=128)
    account_name = models.CharField("账户名称", max_length=200)
    account_number = models.CharField("银行账号", max_length=40)
    # 招标投标法实施条例 第二十六条: a bond paid in cash or by cheque must leave the bidder's basic account
    is_basic = models.BooleanField("基本账户", default=True)

    class Meta:
        verbose_name = "基本账户"
        verbose_name_plural = "基本账户"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["entity", "account_number"],
                                               name="registry_bank_account_unique_per_entity")]

    def __str__(self) -> str:
        return f"{self.bank_name} ****{self.account_number[-4:]}"


class Qualification(models.Model):
    """资质证书 — a licence or qualification certificate with its validity period."""

    entity = models.ForeignKey(MarketEntity, on_delete=models.CASCADE, related_name="qualifications",
                               verbose_name="市场主体")
    qualification_type = models.CharField("资质类别", max_length=128)
    level = models.CharField("资质等级", max_length=32, blank=True)
    certificate_number = models.CharField("证书编号", max_length=64)
    issuer = models.CharField("发证机关", max_length=128, blank=True)
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期至")

    class Meta:
        verbose_name = "资质证书"
        verbose_name_plural = "资质证书"
        ordering = ["qualification_type", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(valid_until__gte=models.F("valid_from")),
                                              name="registry_qualification_period_ordered")]

    def __str__(self) -> str:
        return f"{self.qualification_type} {self.level}".strip()


class KeyPerson(models.Model):
    """主要人员 — a person the entity names in bids (project manager, technical lead…); personal data masked."""

    entity = models.ForeignKey(MarketEntity, on_delete=models.CASCADE, related_name="key_persons",
                               verbose_name="市场主体")
    name = models.CharField("姓名", max_length=64)
    role = models.CharField("职务/岗位", max_length=64)
    id_number = models.CharField("身份证号码", max_length=18)
    phone = models.CharField("联系电话", max_length=32, blank=True)
    certificate_number = models.CharField("执业资格证书编号", max_length=64, blank=True)

    class Meta:
        verbose_name = "主要人员"
        verbose_name_plural = "主要人员"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.role}）"


class EntityVersion(models.Model):
    """主体信息变更记录 — one numbered version: who changed what and when (personal data only as markers)."""

    entity = models.ForeignKey(MarketEntity, on_delete=models.CASCADE, related_name="versions",
                               verbose_name="市场主体")
    version = models.PositiveIntegerField("版本")
    action = models.CharField("变更类型", max_length=32, choices=VersionAction.choices)
    changed_at = models.DateTimeField("变更时间")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="变更人")
    changes = models.JSONField("变更内容", default=dict, blank=True)

    class Meta:
        verbose_name = "主体信息变更记录"
        verbose_name_plural = "主体信息变更记录"
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["entity", "version"], name="registry_entity_version_unique")]

    def __str__(self) -> str:
        return f"{self.entity_id} v{self.version}"


class MarketEntityAccount(models.Model):
    """主体用户 — a login that acts for a market entity (as bidder, tenderer or agency)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="entity_account",
                                verbose_name="用户")
    entity = models.ForeignKey(MarketEntity, on_delete=models.PROTECT, related_name="accounts",
                               verbose_name="市场主体")
    linked_at = models.DateTimeField("关联时间")

    class Meta:
        verbose_name = "主体用户"
        verbose_name_plural = "主体用户"

    def __str__(self) -> str:
        return f"{self.user} → {self.entity}"
