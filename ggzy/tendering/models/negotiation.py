"""竞争性谈判 — negotiation rounds, written changes of requirements and sealed final quotations (最后报价)."""

from django.conf import settings
from django.db import models


class NegotiationRound(models.Model):
    """谈判轮次 — the panel negotiates with each supplier separately within a round."""

    lot = models.ForeignKey("tendering.Lot", on_delete=models.PROTECT, related_name="negotiation_rounds",
                            verbose_name="标段")
    number = models.PositiveSmallIntegerField("轮次")
    opened_at = models.DateTimeField("开始时间")
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "谈判轮次"
        verbose_name_plural = "谈判轮次"
        ordering = ["lot", "number"]
        constraints = [models.UniqueConstraint(fields=["lot", "number"], name="one_negotiation_round_number")]

    def __str__(self) -> str:
        return f"第{self.number}轮"


class NegotiationRecord(models.Model):
    """谈判记录 — what the panel and one supplier said in one round (the others are not present)."""

    round = models.ForeignKey(NegotiationRound, on_delete=models.PROTECT, related_name="records",
                              verbose_name="轮次")
    bid = models.ForeignKey("tendering.Bid", on_delete=models.PROTECT, related_name="+", verbose_name="响应文件")
    minutes = models.TextField("谈判纪要")
    recorded_at = models.DateTimeField("记录时间")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="记录人")

    class Meta:
        verbose_name = "谈判记录"
        verbose_name_plural = "谈判记录"
        ordering = ["round", "recorded_at"]
        constraints = [models.UniqueConstraint(fields=["round", "bid"], name="one_negotiation_record_per_supplier")]

    def __str__(self) -> str:
        return f"{self.round} · {self.bid_id}"


class RequirementChange(models.Model):
    """谈判文件的实质性变动 — a change of requirements, notified in writing to every supplier in the negotiation
    (政府采购非招标采购方式管理办法 Art. 32); ``notified`` lists the responses it went to."""

    lot = models.ForeignKey("tendering.Lot", on_delete=models.PROTECT, related_name="requirement_changes",
                            verbose_name="标段")
    round = models.ForeignKey(NegotiationRound, on_delete=models.PROTECT, related_name="changes",
                              verbose_name="轮次")
    text = models.TextField("变动内容")
    sha256 = models.CharField("SHA-256", max_length=64)
    issued_at = models.DateTimeField("通知时间")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="发出人")
    notified = models.JSONField("书面通知的响应文件", default=list)

    class Meta:
        verbose_name = "谈判文件变动"
        verbose_name_plural = "谈判文件变动"
        ordering = ["issued_at", "id"]

    def __str__(self) -> str:
        return self.text[:30]


class FinalQuotation(models.Model):
    """最后报价 — sealed to the center's opening key like a bid, logged under its own seal, opened by the panel."""

    lot = models.ForeignKey("tendering.Lot", on_delete=models.PROTECT, related_name="final_quotations",
                            verbose_name="标段")
    bid = models.OneToOneField("tendering.Bid", on_delete=models.PROTECT, related_name="final_quotation",
                               verbose_name="响应文件")
    sealed = models.BinaryField("加密的最后报价")
    sealed_sha256 = models.CharField("密文SHA-256", max_length=64)
    arrived_at = models.DateTimeField("递交时间")
    ledger_source_id = models.BigIntegerField("存证记录", null=True, blank=True)
    first_price = models.DecimalField("首次报价（元）", max_digits=16, decimal_places=2, null=True, blank=True)
    price = models.DecimalField("最后报价（元）", max_digits=16, decimal_places=2, null=True, blank=True)
    opened_at = models.DateTimeField("开启时间", null=True, blank=True)

    class Meta:
        verbose_name = "最后报价"
        verbose_name_plural = "最后报价"
        ordering = ["arrived_at"]

    def __str__(self) -> str:
        return f"{self.lot_id} · 最后报价"
