"""单一来源 — the publicity of the reasons and the proposed supplier, objections to it, and the negotiated deal."""

from django.conf import settings
from django.db import models


class SingleSourcePublicity(models.Model):
    """单一来源公示 — the reasons for single source and the one proposed supplier, public for the template's days."""

    lot = models.OneToOneField("tendering.Lot", on_delete=models.PROTECT, related_name="single_source",
                               verbose_name="标段")
    supplier = models.ForeignKey("registry.MarketEntity", on_delete=models.PROTECT, related_name="+",
                                 verbose_name="拟定供应商")
    reasons = models.TextField("采用单一来源方式的理由")
    published_at = models.DateTimeField("公示开始")
    ends_at = models.DateTimeField("公示截止")
    notice_id = models.BigIntegerField("公示公告", null=True, blank=True)

    class Meta:
        verbose_name = "单一来源公示"
        verbose_name_plural = "单一来源公示"

    def __str__(self) -> str:
        return f"{self.lot_id} · 单一来源公示"


class SingleSourceObjection(models.Model):
    """单一来源公示异议 — recorded with its answer; an objection upheld ends the single-source procurement."""

    lot = models.ForeignKey("tendering.Lot", on_delete=models.PROTECT, related_name="single_source_objections",
                            verbose_name="标段")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="异议人")
    text = models.TextField("异议内容")
    raised_at = models.DateTimeField("提出时间")
    answer = models.TextField("答复", blank=True)
    is_upheld = models.BooleanField("异议成立", null=True, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="答复人")

    class Meta:
        verbose_name = "单一来源公示异议"
        verbose_name_plural = "单一来源公示异议"
        ordering = ["raised_at", "id"]

    def __str__(self) -> str:
        return self.text[:30]


class SingleSourceDeal(models.Model):
    """单一来源协商记录 — the price agreed with the supplier and the basis on which it is reasonable."""

    lot = models.OneToOneField("tendering.Lot", on_delete=models.PROTECT, related_name="single_source_deal",
                               verbose_name="标段")
    price = models.DecimalField("成交价格（元）", max_digits=16, decimal_places=2)
    price_basis = models.TextField("价格依据（成本、市场价、历史成交价等）")
    minutes = models.TextField("协商情况记录")
    concluded_at = models.DateTimeField("记录时间")
    concluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="记录人")

    class Meta:
        verbose_name = "单一来源协商记录"
        verbose_name_plural = "单一来源协商记录"

    def __str__(self) -> str:
        return f"{self.lot_id} · {self.price}"
