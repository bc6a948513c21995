"""The draw (专家抽取): a request with its committed seed, and the experts it drew (spec: docs/expert-draw.md).

The seed and the per-draw pseudonym key are kept encrypted (``core.secrets``); only SHA-256(seed) is public (in the
ledger) until the result is final. ``avoided`` (expert id → reason code) is internal and never shown before then.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ggzy.core.secrets import EncryptedCharField, stored_length


class DrawStatus(models.TextChoices):
    REQUESTED = "requested", _("已申请（种子已承诺）")
    DRAWN = "drawn", _("已抽取，等待确认")
    FAILED = "failed", _("抽取失败")
    PUBLISHED = "published", _("结果已公开")


class DrawRequest(models.Model):
    """专家抽取申请 — one lot's request: needs, regions, conflicts; the seed committed before the inputs are final."""

    subject_code = models.CharField("标段编号", max_length=64, db_index=True)
    subject_title = models.CharField("标段名称", max_length=255)
    tenderer_entity = models.ForeignKey(
        "registry.MarketEntity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="招标人",
    )
    needs = models.JSONField("抽取专业及人数", default=list)  # [[code, count], …]
    regions_include = models.JSONField("抽取地区", default=list)
    regions_exclude = models.JSONField("回避地区", default=list)
    conflicts = models.JSONField(
        "回避单位", default=dict
    )  # bidders, tenderer, agency, supervising department
    max_per_employer = models.PositiveSmallIntegerField("同一单位最多人数", null=True, blank=True, default=1)
    max_times_for_tenderer = models.PositiveSmallIntegerField(
        "同一招标人抽中次数上限", null=True, blank=True, default=3
    )
    window_months = models.PositiveSmallIntegerField("统计月数", default=12)  # superseded by window_days
    # the three numbers above/below come from the catalog's general template in force on the request date
    # (expert_draw_*); rules_basis keeps each value used with its label, legal basis and "verified" flag
    window_days = models.PositiveSmallIntegerField("统计天数", default=360)
    rules_basis = models.JSONField("抽取规则数值及依据", default=list, blank=True)
    # the requesting center: its staff see and run its draws (provincial staff and admins: all)
    center = models.ForeignKey(
        "registry.Center", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="申请中心",
    )
    answer_minutes = models.PositiveIntegerField("答复时限（分钟）", default=30)
    scheduled_at = models.DateTimeField("评标时间")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间")
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="见证人",
    )
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="抽取操作人",
    )
    run_at = models.DateTimeField("抽取时间", null=True, blank=True)
    seed = EncryptedCharField("种子", max_length=stored_length(64))
    pseudonym_key = EncryptedCharField("化名密钥", max_length=stored_length(64))
    seed_sha256 = models.CharField("种子承诺（SHA-256）", max_length=64)
    commit_index = models.PositiveBigIntegerField("承诺所在日志序号", null=True, blank=True)
    beacon = models.CharField("信标（检查点根哈希）", max_length=128, blank=True)
    beacon_tree_size = models.PositiveBigIntegerField("信标检查点记录数", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=DrawStatus.choices, default=DrawStatus.REQUESTED, db_index=True
    )
    failure_reason = models.CharField("失败原因", max_length=500, blank=True)
    eligible = models.JSONField("符合条件名单（化名）", default=list)
    avoided = models.JSONField("回避原因（内部）", default=dict)
    members = models.JSONField("化名对应专家（内部）", default=dict)  # pseudonym → expert id; never published
    refusals = models.JSONField("拒绝/超时（化名，按顺序）", default=list)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)

    class Meta:
        verbose_name = "专家抽取"
        verbose_name_plural = "专家抽取"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.subject_code} #{self.pk}"


class DrawnState(models.TextChoices):
    NOTIFIED = "notified", _("已通知")
    CONFIRMED = "confirmed", _("已确认参加")
    REFUSED = "refused", _("已拒绝")
    TIMED_OUT = "timed_out", _("超时未答复")
    SIGNED_IN = "signed_in", _("已签到")
    RECUSED = "recused", _("已回避")


class DrawnExpert(models.Model):
    """被抽中的专家 — one slot of a draw, held by one expert (a redraw adds a new row, the old one stays)."""

    request = models.ForeignKey(
        DrawRequest, on_delete=models.CASCADE, related_name="drawn", verbose_name="抽取"
    )
    expert = models.ForeignKey(
        "experts.Expert", on_delete=models.PROTECT, related_name="draws", verbose_name="专家"
    )
    pseudonym = models.CharField("化名", max_length=32)
    need = models.CharField("专业", max_length=16)
    order = models.PositiveSmallIntegerField("顺序")
    state = models.CharField(
        "状态", max_length=16, choices=DrawnState.choices, default=DrawnState.NOTIFIED, db_index=True
    )
    notified_at = models.DateTimeField("通知时间")
    answer_deadline = models.DateTimeField("答复截止")
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    signed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="签到核验人",
    )

    class Meta:
        verbose_name = "抽中专家"
        verbose_name_plural = "抽中专家"
        ordering = ["request_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["request", "expert"], name="experts_drawn_once_per_draw")
        ]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.pseudonym}"
