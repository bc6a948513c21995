"""The provincial trading catalog (公共资源交易目录), its versions, city extensions and public consultations."""

from django.core.validators import RegexValidator
from django.db import models

from ..choices import CatalogVersionStatus

CODE_VALIDATOR = RegexValidator(r"^[0-9A-Z]{2}$", "类别代码必须为2位数字或大写字母")


class CatalogVersion(models.Model):
    """省级公共资源交易目录版本 — the province's catalog as published on a date; later versions replace it."""

    number = models.CharField("版本号", max_length=32, unique=True)
    title = models.CharField("标题", max_length=200)
    effective_from = models.DateField("施行日期")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=CatalogVersionStatus.choices,
                              default=CatalogVersionStatus.DRAFT)

    class Meta:
        verbose_name = "交易目录版本"
        verbose_name_plural = "交易目录版本"
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="catalog_version_published_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.number}）"

    @property
    def is_published(self) -> bool:
        return self.status == CatalogVersionStatus.PUBLISHED


class CatalogItem(models.Model):
    """交易目录事项 — one category of the provincial catalog; its code is part of the 统一交易标识码."""

    version = models.ForeignKey(CatalogVersion, on_delete=models.CASCADE, related_name="items",
                                verbose_name="目录版本")
    code = models.CharField("类别代码", max_length=2, validators=[CODE_VALIDATOR])
    name = models.CharField("名称", max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children",
                               verbose_name="上级事项")
    must_trade = models.BooleanField("法定必须进场", default=False,
                                     help_text="法律法规规定必须进入平台交易；否则为经公开征求意见后由目录决定纳入")
    legal_basis = models.TextField("依据", blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "交易目录事项"
        verbose_name_plural = "交易目录事项"
        ordering = ["version", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="catalog_item_code_unique_per_version"),
            models.CheckConstraint(condition=models.Q(code__regex=r"^[0-9A-Z]{2}$"), name="catalog_item_code_format"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CityCatalogExtension(models.Model):
    """市级目录扩展事项 — a city center's own addition to the catalog it derives from the provincial one."""

    center = models.ForeignKey("registry.Center", on_delete=models.PROTECT, related_name="catalog_extensions",
                               verbose_name="交易中心")
    code = models.CharField("类别代码", max_length=2, validators=[CODE_VALIDATOR])
    name = models.CharField("名称", max_length=100)
    parent_code = models.CharField("上级省级事项代码", max_length=2, blank=True)
    legal_basis = models.TextField("依据", blank=True)
    effective_from = models.DateField("施行日期")
    withdrawn_on = models.DateField("停止施行日期", null=True, blank=True)

    class Meta:
        verbose_name = "市级目录扩展事项"
        verbose_name_plural = "市级目录扩展事项"
        ordering = ["center__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["center", "code"], name="city_extension_code_unique_per_center"),
            models.CheckConstraint(condition=models.Q(code__regex=r"^[0-9A-Z]{2}$"),
                                   name="city_extension_code_format"),
        ]

    def __str__(self) -> str:
        return f"{self.center} · {self.code} {self.name}"


class Consultation(models.Model):
    """公开征求意见记录 — the published consultation after which an item joined a catalog."""

    item = models.ForeignKey(CatalogItem, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="consultations", verbose_name="省级目录事项")
    extension = models.ForeignKey(CityCatalogExtension, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="consultations", verbose_name="市级扩展事项")
    title = models.CharField("标题", max_length=200)
    period_from = models.DateField("征求意见开始")
    period_to = models.DateField("征求意见截止")
    opinions_summary = models.TextField("意见汇总", blank=True)
    result = models.TextField("采纳结果", blank=True)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)

    class Meta:
        verbose_name = "公开征求意见"
        verbose_name_plural = "公开征求意见"
        ordering = ["-period_to", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(item__isnull=False, extension__isnull=True)
                           | models.Q(item__isnull=True, extension__isnull=False)),
                name="consultation_links_item_or_extension"),
            models.CheckConstraint(condition=models.Q(period_to__gte=models.F("period_from")),
                                   name="consultation_period_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def center_id(self) -> int | None:
        """The city center whose extension this consultation added (None for provincial items)."""
        extension = self.extension if self.extension_id else None
        return extension.center_id if extension is not None else None
