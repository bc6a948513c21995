"""The opening (开标): its published record and the objections raised during it."""

from django.conf import settings
from django.db import models

from ..choices import ObjectionState


class OpeningRecord(models.Model):
    """开标记录 — bidder names, prices and what the documents require, published at the opening."""

    lot = models.OneToOneField("tendering.Lot", on_delete=models.PROTECT, related_name="opening_record",
                               verbose_name="标段")
    opened_at = models.DateTimeField("开标时间")
    rows = models.JSONField("开标一览表")  # [{bidder, credit_code, price, duration_days, quality, state}]
    sha256 = models.CharField("记录 SHA-256", max_length=64)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)

    class Meta:
        verbose_name = "开标记录"
        verbose_name_plural = "开标记录"

    def __str__(self) -> str:
        return f"开标记录 {self.lot_id}"


class OpeningObjection(models.Model):
    """开标异议 — raised by a bidder during the opening and answered on the record."""

    lot = models.ForeignKey("tendering.Lot", on_delete=models.PROTECT, related_name="opening_objections",
                            verbose_name="标段")
    bidder = models.ForeignKey("registry.MarketEntity", on_delete=models.PROTECT, related_name="+",
                               verbose_name="异议人")
    text = models.TextField("异议内容")
    raised_at = models.DateTimeField("提出时间")
    answer = models.TextField("答复", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="答复人")
    state = models.CharField("状态", max_length=16, choices=ObjectionState.choices, default=ObjectionState.OPEN)

    class Meta:
        verbose_name = "开标异议"
        verbose_name_plural = "开标异议"
        ordering = ["raised_at"]

    def __str__(self) -> str:
        return self.text[:30]
