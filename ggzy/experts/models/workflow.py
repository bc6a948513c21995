"""Imports of dispersed pools (with their per-row report and open conflicts) and experts' change requests."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .pool import Expert


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    RUNNING = "running", _("处理中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class PoolImport(models.Model):
    """专家库导入 — one Excel/CSV file of a department's or a city's pool, merged into the provincial pool."""

    source = models.CharField("来源专家库", max_length=128)
    file_name = models.CharField("文件名", max_length=255)
    content = models.BinaryField("文件内容")
    content_sha256 = models.CharField("文件摘要", max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间")
    status = models.CharField(
        "状态", max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField("总行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理行数", default=0)
    added = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("无变化", default=0)
    conflicting = models.PositiveIntegerField("有冲突", default=0)
    rejected = models.PositiveIntegerField("退回", default=0)
    error = models.CharField("失败原因", max_length=500, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "专家库导入"
        verbose_name_plural = "专家库导入"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} {self.file_name}"


class PoolImportIssue(models.Model):
    """导入问题 — a row refused (with the column and the reason); never shows the ID number in clear."""

    pool_import = models.ForeignKey(
        PoolImport, on_delete=models.CASCADE, related_name="issues", verbose_name="导入"
    )
    row_number = models.PositiveIntegerField("行号")
    column = models.CharField("列", max_length=64, blank=True)
    message = models.CharField("原因", max_length=500)
    name = models.CharField("姓名", max_length=64, blank=True)

    class Meta:
        verbose_name = "导入问题"
        verbose_name_plural = "导入问题"
        ordering = ["row_number", "id"]

    def __str__(self) -> str:
        return f"{self.pool_import_id}:{self.row_number} {self.column}"


class ConflictStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    KEPT = "kept", _("保留现有值")
    REPLACED = "replaced", _("采用导入值")


class PoolConflict(models.Model):
    """合并冲突 — one field where an imported row disagrees with the pool (two employers, two titles…); shown side by
    side until a staff member keeps one value. Nothing is merged silently."""

    pool_import = models.ForeignKey(
        PoolImport, on_delete=models.CASCADE, related_name="conflicts", verbose_name="导入"
    )
    expert = models.ForeignKey(
        Expert, on_delete=models.CASCADE, related_name="conflicts", verbose_name="专家"
    )
    row_number = models.PositiveIntegerField("行号")
    field = models.CharField("字段", max_length=32)
    current_value = models.CharField("现有值", max_length=255, blank=True)
    incoming_value = models.CharField("导入值", max_length=255, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=ConflictStatus.choices, default=ConflictStatus.OPEN, db_index=True
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="处理人",
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "合并冲突"
        verbose_name_plural = "合并冲突"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["expert", "field", "incoming_value"],
                condition=models.Q(status="open"),
                name="experts_conflict_open_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.expert_id} {self.field}"


class ChangeRequestStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已退回")


class ExpertChangeRequest(models.Model):
    """信息变更申请 — an expert's change of employer or title, applied only when center staff approve it."""

    expert = models.ForeignKey(
        Expert, on_delete=models.CASCADE, related_name="change_requests", verbose_name="专家"
    )
    changes = models.JSONField("申请变更内容", default=dict)
    previous = models.JSONField("变更前内容", default=dict)
    status = models.CharField(
        "状态",
        max_length=16,
        choices=ChangeRequestStatus.choices,
        default=ChangeRequestStatus.PENDING,
        db_index=True,
    )
    requested_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="审核人",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    reason = models.CharField("退回理由", max_length=500, blank=True)

    class Meta:
        verbose_name = "专家信息变更申请"
        verbose_name_plural = "专家信息变更申请"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["expert"],
                condition=models.Q(status="pending"),
                name="experts_one_pending_change_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.expert_id} {self.status}"
