"""Core tables: the audit trail every service writes, and the counters behind never-reused codes."""

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """审计记录 — one state change: who, what, which object, when, before and after."""

    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name="操作人")
    actor_label = models.CharField("操作人标识", max_length=150, blank=True)
    actor_role = models.CharField("角色", max_length=32, blank=True)
    action = models.CharField("动作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, db_index=True)
    object_id = models.CharField("对象标识", max_length=64, db_index=True)
    object_repr = models.CharField("对象", max_length=255, blank=True)
    center_id = models.BigIntegerField("所属中心", null=True, blank=True, db_index=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.object_repr}"


class CodeSequence(models.Model):
    """编号计数器 — the last serial issued under a prefix; only ever incremented."""

    prefix = models.CharField(max_length=64, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "编号计数器"
        verbose_name_plural = "编号计数器"

    def __str__(self) -> str:
        return f"{self.prefix}:{self.last_value}"


class IssuedCode(models.Model):
    """已发放的统一交易标识码 — every code ever issued; the unique constraint makes reuse impossible."""

    code = models.CharField("统一交易标识码", max_length=32, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    level = models.CharField("层级", max_length=16)
    issued_at = models.DateTimeField("发放时间")

    class Meta:
        verbose_name = "统一交易标识码"
        verbose_name_plural = "统一交易标识码"

    def __str__(self) -> str:
        return self.code
