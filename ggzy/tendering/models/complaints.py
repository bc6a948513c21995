"""Challenges (异议/质疑), complaints (投诉) and the suspensions they cause (招标投标法实施条例 Art. 22, 44, 54, 60–62;
政府采购法 Art. 52–57).

Who filed is sealed like a sign-up while the lot is not opened: a keyed tag (the same as the bidder's sign-up tag,
so the complainant finds its own rows) and the identity encrypted to the opening key; ``complainant`` is filled only
when the filing happens after the opening."""

from django.conf import settings
from django.db import models

from ..choices import ChallengeKind, ChallengeState, ComplaintOutcome, ComplaintState, ComplaintSubject


class ComplainantIdentity(models.Model):
    """The complainant (a market entity), sealed when the filing precedes the opening."""

    complainant_tag = models.CharField("异议人/投诉人标签", max_length=64)
    complainant_sealed = models.BinaryField("加密的异议人/投诉人身份", default=b"", blank=True)
    complainant = models.ForeignKey("registry.MarketEntity", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="异议人/投诉人")
    is_sealed = models.BooleanField("身份保密（开标前提出）", default=False)
    subject = models.CharField("事项", max_length=24, choices=ComplaintSubject.choices)
    facts = models.TextField("事实与理由")
    requests = models.TextField("请求事项")
    known_on = models.DateField("知道或应当知道之日", null=True, blank=True)
    attachment_name = models.CharField("附件名", max_length=200, blank=True)
    attachment_sha256 = models.CharField("附件 SHA-256", max_length=64, blank=True)
    filed_at = models.DateTimeField("提出时间")

    class Meta:
        abstract = True


class Challenge(ComplainantIdentity):
    """异议（招标投标）/ 质疑（政府采购） — addressed to the tenderer, purchaser or agency; answered within the
    template's period; one on the evaluation result suspends the procedure until answered."""

    lot = models.ForeignKey("tendering.Lot", on_delete=models.PROTECT, related_name="challenges", verbose_name="标段")
    kind = models.CharField("类型", max_length=16, choices=ChallengeKind.choices)
    answer_due = models.DateTimeField("答复期限")
    state = models.CharField("状态", max_length=16, choices=ChallengeState.choices, default=ChallengeState.FILED)
    answer = models.TextField("答复", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="答复人")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)

    class Meta:
        verbose_name = "异议（质疑）"
        verbose_name_plural = "异议（质疑）"
        ordering = ["-filed_at", "-id"]
        indexes = [models.Index(fields=["lot", "complainant_tag"], name="challenge_lot_tag")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}#{self.pk}"


class Complaint(ComplainantIdentity):
    """投诉 — to the supervising department (works) or the finance department (government procurement): accepted
    or refused within the template's working days, decided within its period."""

    lot = models.ForeignKey("tendering.Lot", on_delete=models.PROTECT, related_name="complaints", verbose_name="标段")
    challenge = models.ForeignKey(Challenge, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="complaints", verbose_name="前置异议（质疑）")
    acceptance_due = models.DateTimeField("受理决定期限")
    decision_due = models.DateTimeField("处理决定期限")
    state = models.CharField("状态", max_length=16, choices=ComplaintState.choices, default=ComplaintState.FILED)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    refused_at = models.DateTimeField("不予受理时间", null=True, blank=True)
    decided_at = models.DateTimeField("处理决定时间", null=True, blank=True)
    outcome = models.CharField("处理结果", max_length=16, choices=ComplaintOutcome.choices, blank=True)
    reason = models.TextField("不予受理理由/处理决定", blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="处理人")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)

    class Meta:
        verbose_name = "投诉"
        verbose_name_plural = "投诉"
        ordering = ["acceptance_due", "id"]
        indexes = [models.Index(fields=["lot", "complainant_tag"], name="complaint_lot_tag")]

    def __str__(self) -> str:
        return f"投诉#{self.pk}"


class LotSuspension(models.Model):
    """标段暂停 — a challenge on the evaluation result, or a department's decision on a complaint, stops the lot
    from advancing (award, contract) until lifted, or until ``ends_at`` when the law caps it (政府采购法 Art. 57)."""

    lot = models.ForeignKey("tendering.Lot", on_delete=models.PROTECT, related_name="suspensions",
                            verbose_name="标段")
    challenge = models.ForeignKey(Challenge, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="异议（质疑）")
    complaint = models.ForeignKey(Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="投诉")
    reason = models.CharField("原因", max_length=255)
    started_at = models.DateTimeField("暂停时间")
    ends_at = models.DateTimeField("最长暂停至", null=True, blank=True)
    lifted_at = models.DateTimeField("恢复时间", null=True, blank=True)

    class Meta:
        verbose_name = "标段暂停"
        verbose_name_plural = "标段暂停"
        ordering = ["started_at", "id"]
        constraints = [models.CheckConstraint(
            condition=models.Q(challenge__isnull=False) | models.Q(complaint__isnull=False),
            name="suspension_has_a_cause")]

    def __str__(self) -> str:
        return self.reason
