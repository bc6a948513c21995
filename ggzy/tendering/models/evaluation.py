"""Evaluation (评标): the committee, each member's scores, and the report every member signs."""

from django.conf import settings
from django.db import models

from ..choices import CommitteeSeat


class CommitteeMember(models.Model):
    """评标委员会成员 — names confidential to the public until the result is final."""

    lot = models.ForeignKey("tendering.Lot", on_delete=models.PROTECT, related_name="committee", verbose_name="标段")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="committee_seats",
                             verbose_name="成员")
    seat = models.CharField("身份", max_length=20, choices=CommitteeSeat.choices)
    is_chair = models.BooleanField("主任委员", default=False)
    appointed_at = models.DateTimeField("组建时间")

    class Meta:
        verbose_name = "评标委员会成员"
        verbose_name_plural = "评标委员会成员"
        constraints = [models.UniqueConstraint(fields=["lot", "user"], name="one_seat_per_member_and_lot")]

    def __str__(self) -> str:
        return f"委员#{self.pk}"


class Score(models.Model):
    """评分 — one member's score of one bid (technical and commercial parts; price part is computed)."""

    member = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT, related_name="scores", verbose_name="委员")
    bid = models.ForeignKey("tendering.Bid", on_delete=models.PROTECT, related_name="scores", verbose_name="投标")
    technical = models.DecimalField("技术分", max_digits=6, decimal_places=2, default=0)
    commercial = models.DecimalField("商务分", max_digits=6, decimal_places=2, default=0)
    is_qualified = models.BooleanField("通过符合性审查", default=True)
    comment = models.CharField("评审意见", max_length=255, blank=True)
    scored_at = models.DateTimeField("评分时间")

    class Meta:
        verbose_name = "评分"
        verbose_name_plural = "评分"
        constraints = [models.UniqueConstraint(fields=["member", "bid"], name="one_score_per_member_and_bid")]

    def __str__(self) -> str:
        return f"评分#{self.pk}"


class EvaluationReport(models.Model):
    """评标报告 — the ranking and its reasons; final only when every member has signed."""

    lot = models.OneToOneField("tendering.Lot", on_delete=models.PROTECT, related_name="evaluation_report",
                               verbose_name="标段")
    ranking = models.JSONField("排名")  # [{bid_id, bidder, price, price_score, technical, commercial, total}]
    method = models.CharField("评标办法", max_length=16)
    content_sha256 = models.CharField("报告 SHA-256", max_length=64)
    created_at = models.DateTimeField("生成时间")
    completed_at = models.DateTimeField("全部签署时间", null=True, blank=True)

    class Meta:
        verbose_name = "评标报告"
        verbose_name_plural = "评标报告"

    def __str__(self) -> str:
        return f"评标报告 {self.lot_id}"


class ReportSignature(models.Model):
    """评标报告签署 — one member's signature (the PKI issue adds the certificate signature)."""

    report = models.ForeignKey(EvaluationReport, on_delete=models.PROTECT, related_name="signatures",
                               verbose_name="评标报告")
    member = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT, related_name="+", verbose_name="委员")
    signed_at = models.DateTimeField("签署时间")
    signed_sha256 = models.CharField("所签内容 SHA-256", max_length=64)
    dissent = models.TextField("不同意见", blank=True)

    class Meta:
        verbose_name = "评标报告签署"
        verbose_name_plural = "评标报告签署"
        constraints = [models.UniqueConstraint(fields=["report", "member"], name="one_signature_per_member")]

    def __str__(self) -> str:
        return f"签署#{self.pk}"
