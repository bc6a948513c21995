"""Administrative regions (GB/T 2260) and the trading centers that serve them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县（市、区）")


class Region(models.Model):
    """行政区划 — province, city or county, by its 6-digit GB/T 2260 code."""

    code = models.CharField("区划代码", max_length=6, unique=True)
    name = models.CharField("名称", max_length=64)
    name_en = models.CharField("英文名", max_length=64, blank=True)
    level = models.CharField("层级", max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name="上级区划")

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Center(models.Model):
    """公共资源交易中心 — the provincial center or a city center; every trading record belongs to one."""

    code = models.CharField("中心代码", max_length=6, unique=True)
    name = models.CharField("名称", max_length=128, unique=True)
    name_en = models.CharField("英文名", max_length=128, blank=True)
    region = models.OneToOneField(Region, on_delete=models.PROTECT, related_name="center", verbose_name="服务区划")
    address = models.CharField("地址", max_length=255, blank=True)
    phone = models.CharField("服务电话", max_length=32, blank=True)

    class Meta:
        verbose_name = "交易中心"
        verbose_name_plural = "交易中心"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_provincial(self) -> bool:
        return self.region.level == RegionLevel.PROVINCE
