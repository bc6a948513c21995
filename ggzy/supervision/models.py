"""Alerts (预警) and the runs that raised them. An alert exists only after its lot's opening record is published."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertTrigger(models.TextChoices):
    OPENING = "opening", _("开标后")
    NIGHTLY = "nightly", _("夜间复核")
    MANUAL = "manual", _("手动")


class AlertState(models.TextChoices):
    OPEN = "open", _("待认定")
    CONFIRMED = "confirmed", _("认定")
    DISMISSED = "dismissed", _("不认定")
    REFERRED = "referred", _("已移交")


class AlertLevel(models.TextChoices):
    RED = "red", _("红色")
    YELLOW = "yellow", _("黄色")


class AlertRun(models.Model):
    """预警运行 — one run of the lot indicators over one lot."""

    lot_id = models.BigIntegerField("标段", db_index=True)
    center_id = models.BigIntegerField("交易中心", null=True, blank=True)
    at = models.DateTimeField("运行时间")
    trigger = models.CharField("触发方式", max_length=10, choices=AlertTrigger.choices)
    versions = models.JSONField("指标版本", default=dict)  # {code: version}
    signals = models.PositiveIntegerField("信号数", default=0)
    created = models.PositiveIntegerField("新增预警数", default=0)

    class Meta:
        verbose_name = "预警运行"
        verbose_name_plural = "预警运行"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"预警运行#{self.pk}"


class Alert(models.Model):
    """预警 — one signal of one indicator on one lot, its sealed evidence, and the committee's decision."""

    lot_id = models.BigIntegerField("标段", db_index=True)
    center_id = models.BigIntegerField("交易中心", null=True, blank=True, db_index=True)
    run = models.ForeignKey(AlertRun, on_delete=models.PROTECT, related_name="alerts", verbose_name="首次发现的运行")
    indicator = models.CharField("指标", max_length=64)
    version = models.PositiveIntegerField("指标版本")
    key = models.CharField("信号摘要（去重）", max_length=64)  # sha256 of {indicator, version, lot, data}
    level = models.CharField("等级", max_length=8, choices=AlertLevel.choices)
    score = models.FloatField("分值")
    summary_zh = models.TextField("摘要")
    summary_en = models.TextField("摘要（英文）")
    subjects = models.JSONField("涉及主体", default=list)
    evidence = models.JSONField("证据包")
    evidence_sha256 = models.CharField("证据包 SHA-256", max_length=64)
    ledger_source_id = models.BigIntegerField("存证审计记录号", null=True, blank=True)  # its ledger entry's source
    state = models.CharField("状态", max_length=10, choices=AlertState.choices, default=AlertState.OPEN)
    decision_reason = models.TextField("认定理由", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="认定人")
    decided_at = models.DateTimeField("认定时间", null=True, blank=True)
    created_at = models.DateTimeField("发现时间")

    class Meta:
        verbose_name = "预警"
        verbose_name_plural = "预警"
        ordering = ["lot_id", "level", "-score", "pk"]
        constraints = [models.UniqueConstraint(fields=["lot_id", "key"], name="supervision_alert_once_per_signal")]

    def __str__(self) -> str:
        return f"预警#{self.pk} {self.indicator}"

    @property
    def summary(self) -> str:
        """The summary in the request's language (the data are the indicator's own words in both)."""
        from django.utils.translation import get_language  # noqa: PLC0415

        return self.summary_en if (get_language() or "").startswith("en") else self.summary_zh


from .models_referral import (  # noqa: E402,F401 — the referral models live beside the alerts
    Department,
    PowerItem,
    PowerKind,
    Referral,
    ReferralEscalation,
    ReferralOutcome,
    ReferralState,
    ReferralStep,
)
