"""Result (定标): candidates, objections to them, the award, the contract and bond refunds."""

from django.conf import settings
from django.db import models

from ..choices import ObjectionState


class Candidate(models.Model):
    """中标候选人 — published for at least the template's period."""

    lot = models.ForeignKey("tendering.Lot", on_delete=models.PROTECT, related_name="candidates", verbose_name="标段")
    bid = models.ForeignKey("tendering.Bid", on_delete=models.PROTECT, related_name="+", verbose_name="投标")
    rank = models.PositiveSmallIntegerField("排名")
    # The name as published: a later change of the entity's name never rewrites a published list.
    bidder_name = models.CharField("投标人名称（公示时）", max_length=200, blank=True)
    # Refused at award (a credit ban in force then): when and why; the next candidate in order is offered.
    refused_at = models.DateTimeField("不予确定中标时间", null=True, blank=True)
    refused_reason = models.CharField("不予确定中标理由", max_length=500, blank=True)

    class Meta:
        verbose_name = "中标候选人"
        verbose_name_plural = "中标候选人"
        ordering = ["rank"]
        constraints = [models.UniqueConstraint(fields=["lot", "rank"], name="one_candidate_per_rank")]

    def __str__(self) -> str:
        return f"第{self.rank}名"


class ResultObjection(models.Model):
    """对评标结果的异议 — answered within the template's period; suspends the procedure meanwhile."""

    lot = models.ForeignKey("tendering.Lot", on_delete=models.PROTECT, related_name="result_objections",
                            verbose_name="标段")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="异议人")
    text = models.TextField("异议内容")
    raised_at = models.DateTimeField("提出时间")
    answer_due = models.DateTimeField("答复期限")
    answer = models.TextField("答复", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    state = models.CharField("状态", max_length=16, choices=ObjectionState.choices, default=ObjectionState.OPEN)

    class Meta:
        verbose_name = "评标结果异议"
        verbose_name_plural = "评标结果异议"

    def __str__(self) -> str:
        return self.text[:30]


class Award(models.Model):
    """中标通知书 — issued to the winning bidder; starts the contract deadline."""

    lot = models.OneToOneField("tendering.Lot", on_delete=models.PROTECT, related_name="award", verbose_name="标段")
    # Empty for single source (单一来源): there the award rests on the negotiated deal, not on a bid.
    bid = models.ForeignKey("tendering.Bid", on_delete=models.PROTECT, related_name="+", verbose_name="中标投标",
                            null=True, blank=True)
    supplier = models.ForeignKey("registry.MarketEntity", on_delete=models.PROTECT, related_name="+",
                                 verbose_name="中标（成交）供应商", null=True, blank=True)
    # The winner's name as the notice was issued (the signed notice text is built from it).
    bidder_name = models.CharField("中标人名称（发出时）", max_length=200, blank=True)
    amount = models.DecimalField("中标金额（元）", max_digits=16, decimal_places=2)
    issued_at = models.DateTimeField("发出时间")
    contract_due = models.DateField("合同签订期限")

    class Meta:
        verbose_name = "中标通知书"
        verbose_name_plural = "中标通知书"

    def __str__(self) -> str:
        return f"中标通知书 {self.lot_id}"

    @property
    def winner(self):
        """The winning entity: the bid's bidder, or the single-source supplier."""
        if self.supplier_id is not None:
            return self.supplier
        return self.bid.bidder if self.bid is not None else None


class Contract(models.Model):
    """合同 — recorded within its deadline; starts the bond refund deadline."""

    lot = models.OneToOneField("tendering.Lot", on_delete=models.PROTECT, related_name="contract", verbose_name="标段")
    amount = models.DecimalField("合同金额（元）", max_digits=16, decimal_places=2)
    signed_on = models.DateField("签订日期")
    sha256 = models.CharField("合同文件 SHA-256", max_length=64)
    recorded_at = models.DateTimeField("备案时间")
    is_late = models.BooleanField("逾期签订", default=False)
    # 政府采购合同公告 (政府采购法实施条例 Art. 50: within 2 working days of signing, 待核实); empty outside GP
    notice_due = models.DateTimeField("合同公告期限", null=True, blank=True)
    notice_published_at = models.DateTimeField("合同公告发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "合同"
        verbose_name_plural = "合同"

    def __str__(self) -> str:
        return f"合同 {self.lot_id}"


class BondRefund(models.Model):
    """保证金退还提醒 — one per bond once a refund falls due; reminders until refunded."""

    bond = models.OneToOneField("tendering.BidBond", on_delete=models.PROTECT, related_name="refund",
                                verbose_name="保证金")
    due_on = models.DateField("应退还日期")
    reason = models.CharField("原因", max_length=64)
    reminded_at = models.DateTimeField("最近提醒", null=True, blank=True)
    overdue_flagged_at = models.DateTimeField("标记逾期时间", null=True, blank=True)

    class Meta:
        verbose_name = "保证金退还"
        verbose_name_plural = "保证金退还"

    def __str__(self) -> str:
        return f"退还 {self.bond_id}"
