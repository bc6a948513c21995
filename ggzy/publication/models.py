"""Publication push (信息推送): every published notice, change (更正) and result as signed content, in a changes
feed with offsets, and one ordered message queue per subscriber (the provincial trading website, the national
platform, supervising departments). See docs/adr/0015-publication-push.md."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicationKind(models.TextChoices):
    NOTICE = "notice", _("公告")
    CHANGE = "change", _("更正")
    RESULT = "result", _("结果")


class FeedHead(models.Model):
    """One row: the last offset handed out. Locked by the publishing transaction, so offsets follow commit order."""

    last_offset = models.BigIntegerField("最新偏移量", default=0)

    class Meta:
        verbose_name = "推送序列"
        verbose_name_plural = "推送序列"

    def __str__(self) -> str:
        return str(self.last_offset)


class Publication(models.Model):
    """One published item as pushed: the masked content (canonical JSON) and the platform's detached signature."""

    offset = models.BigIntegerField("偏移量", unique=True)
    kind = models.CharField("类别", max_length=16, choices=PublicationKind.choices)
    action = models.CharField("动作", max_length=16)  # publish | withdraw
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象标识", max_length=64)
    idempotency_key = models.CharField("幂等键", max_length=128, unique=True)
    content = models.TextField("推送内容")  # canonical JSON (UTF-8), what the signature covers
    signature = models.TextField("平台签名", blank=True)  # base64 DER CMS detached; filled on first use
    published_at = models.DateTimeField("发布时间")

    class Meta:
        verbose_name = "推送内容"
        verbose_name_plural = "推送内容"
        ordering = ["offset"]

    def __str__(self) -> str:
        return self.idempotency_key


class PushSubscriber(models.Model):
    """订阅方 — a website or department receiving pushes (data, edited by administrators)."""

    name = models.CharField("名称", max_length=128, unique=True)
    url = models.URLField("推送地址", max_length=500)
    secret = models.CharField("共享密钥", max_length=128)
    kinds = models.JSONField("订阅类别", default=list)  # subset of PublicationKind values
    is_enabled = models.BooleanField("启用", default=True)
    next_seq = models.BigIntegerField("下一序号", default=1)
    batch_size = models.PositiveIntegerField("每批条数", default=50)
    retry_base_ms = models.PositiveIntegerField("首次重试间隔（毫秒）", default=30_000)
    max_attempts = models.PositiveIntegerField("最多尝试次数", default=12)
    time_budget_hours = models.PositiveIntegerField("投递时限（小时）", default=24)
    attempts = models.PositiveIntegerField("连续失败次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    last_attempt_at = models.DateTimeField("最近尝试时间", null=True, blank=True)
    next_attempt_at = models.DateTimeField("下次尝试时间", null=True, blank=True)
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "推送订阅方"
        verbose_name_plural = "推送订阅方"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MessageState(models.TextChoices):
    PENDING = "pending", _("待投递")
    DELIVERED = "delivered", _("已投递")
    DEAD = "dead", _("投递失败（死信）")
    RESENT = "resent", _("已重新发送")


class PushMessage(models.Model):
    """One publication for one subscriber, numbered ``seq`` 1, 2, 3 … per subscriber and delivered in that order."""

    subscriber = models.ForeignKey(PushSubscriber, on_delete=models.PROTECT, related_name="messages",
                                   verbose_name="订阅方")
    seq = models.BigIntegerField("序号")
    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="messages",
                                    verbose_name="推送内容")
    state = models.CharField("状态", max_length=16, choices=MessageState.choices, default=MessageState.PENDING)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    first_attempt_at = models.DateTimeField("首次尝试时间", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    delivered_at = models.DateTimeField("投递时间", null=True, blank=True)
    created_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = "推送消息"
        verbose_name_plural = "推送消息"
        ordering = ["subscriber", "seq"]
        constraints = [models.UniqueConstraint(fields=["subscriber", "seq"], name="publication_message_seq_unique")]
        indexes = [models.Index(fields=["subscriber", "state", "seq"])]

    def __str__(self) -> str:
        return f"{self.subscriber_id}#{self.seq}"
