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
    # how the member came: drawn at random (the experts app's expert id kept for a redraw), appointed directly with
    # a recorded reason (实施条例 第四十七条), or the tenderer's representative
    source = models.CharField("产生方式", max_length=12, default="direct",
                              choices=[("draw", "随机抽取"), ("direct", "直接确定"), ("tenderer", "招标人代表")])
    expert_ref = models.BigIntegerField("专家库编号", null=True, blank=True)

    class Meta:
        verbose_name = "评标委员会成员"
        verbose_name_plural = "评标委员会成员"
        constraints = [models.UniqueConstraint(fields=["lot", "user"], name="one_seat_per_member_and_lot")]

    def __str__(self) -> str:
        return f"委员#{self.pk}"


class CommitteeFormation(models.Model):
    """评标委员会组建记录 — by draw (the request sent to the experts app) or, where the law allows it, by direct
    appointment with its reason; the supervisor reads both. Conflict inputs are never stored in clear (a digest)."""

    lot = models.OneToOneField("tendering.Lot", on_delete=models.PROTECT, related_name="committee_formation",
                               verbose_name="标段")
    method = models.CharField("组建方式", max_length=8, choices=[("draw", "随机抽取"), ("direct", "直接确定")])
    reason = models.TextField("直接确定理由", blank=True)
    appointments = models.JSONField("直接确定记录", default=list)  # [{at, by, reason, users}]
    size = models.PositiveSmallIntegerField("委员会人数")
    needs = models.JSONField("专业需求", default=list)  # [[code, count, seat]]
    regions_include = models.JSONField("抽取地区", default=list)
    regions_exclude = models.JSONField("回避地区", default=list)
    scheduled_at = models.DateTimeField("评标时间", null=True, blank=True)
    draw_request_id = models.BigIntegerField("抽取申请编号", null=True, blank=True)
    conflicts_sha256 = models.CharField("回避信息摘要", max_length=64, blank=True)
    tenderer_rep = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="招标人代表")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="申请人")
    requested_at = models.DateTimeField("申请时间")
    formed_at = models.DateTimeField("组建完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "评标委员会组建记录"
        verbose_name_plural = "评标委员会组建记录"

    def __str__(self) -> str:
        return f"组建记录 {self.lot_id}"


class RecusalDeclaration(models.Model):
    """回避声明 — signed by each member at sign-in after seeing the bidders' names; a member who recuses leaves the
    committee (the row stays here) and the seat is redrawn or filled."""

    lot = models.ForeignKey("tendering.Lot", on_delete=models.PROTECT, related_name="recusals", verbose_name="标段")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="成员")
    seat = models.CharField("身份", max_length=20, choices=CommitteeSeat.choices)
    recused = models.BooleanField("申请回避", default=False)
    reason = models.TextField("回避理由", blank=True)
    statement = models.TextField("声明内容")
    statement_sha256 = models.CharField("声明 SHA-256", max_length=64)
    declared_at = models.DateTimeField("声明时间")
    # the member's signature over the exact statement text (raw from the certificate agent / key file, or CMS)
    certificate_pem = models.TextField("签名证书（PEM）", blank=True)
    certificate_fingerprint = models.CharField("证书指纹", max_length=128, blank=True)
    certificate_subject = models.CharField("证书持有人", max_length=255, blank=True)
    signature = models.BinaryField("签名值", default=b"", blank=True)
    signature_format = models.CharField("签名格式", max_length=8, blank=True)

    class Meta:
        verbose_name = "回避声明"
        verbose_name_plural = "回避声明"
        constraints = [models.UniqueConstraint(fields=["lot", "user"], name="one_recusal_declaration_per_lot")]

    def __str__(self) -> str:
        return f"回避声明#{self.pk}"


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
