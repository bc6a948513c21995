"""Subscribers of the log's push (outbox): who receives entries, and how far each has acknowledged.

The entries themselves are the outbox — they are append-only and numbered without gaps — so a subscriber
needs only a cursor: the index of the last entry it acknowledged. Delivery sends ``index > cursor`` in
order and moves the cursor only after a 2xx answer, so a restart resumes from the database.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubscriberKind(models.TextChoices):
    WEBHOOK = "webhook", _("推送（Webhook）")
    PULL = "pull", _("拉取（Feed 接口）")


class Subscriber(models.Model):
    """订阅方 — a receiver of the log's entries in order (disclosure, the national exchange, supervisors)."""

    name = models.CharField("名称", max_length=128, unique=True)
    kind = models.CharField("方式", max_length=16, choices=SubscriberKind.choices)
    url = models.URLField("推送地址", max_length=500, blank=True)
    # Shared secret: webhook bodies carry HMAC-SHA256 over it; pull subscribers present it as a bearer token.
    secret = models.CharField("共享密钥", max_length=128)
    is_enabled = models.BooleanField("启用", default=True)
    cursor = models.BigIntegerField("已确认序号", default=-1)  # last acknowledged index; -1 = nothing yet
    attempts = models.PositiveIntegerField("连续失败次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    last_attempt_at = models.DateTimeField("最近尝试时间", null=True, blank=True)
    next_attempt_at = models.DateTimeField("下次尝试时间", null=True, blank=True)
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "订阅方"
        verbose_name_plural = "订阅方"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(cursor__gte=-1), name="ledger_subscriber_cursor"),
            models.CheckConstraint(condition=~models.Q(kind="webhook") | ~models.Q(url=""),
                                   name="ledger_subscriber_webhook_url"),
        ]

    def __str__(self) -> str:
        return self.name
