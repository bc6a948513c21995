"""Archives (档案): each finished lot becomes a package of hashed documents, kept for its retention period."""

from django.conf import settings
from django.db import models


class ArchivePackage(models.Model):
    """项目档案 — every document, the timeline, opening and evaluation records, each with its hash."""

    lot = models.OneToOneField("tendering.Lot", on_delete=models.PROTECT, related_name="archive", verbose_name="标段")
    manifest = models.JSONField("档案清单")  # {items: [{kind, name, sha256}], timeline: [...]}
    manifest_sha256 = models.CharField("清单 SHA-256", max_length=64)
    archived_at = models.DateTimeField("归档时间")
    retain_until = models.DateField("保存期限", null=True, blank=True)  # None: the template sets no limit

    class Meta:
        verbose_name = "项目档案"
        verbose_name_plural = "项目档案"

    def __str__(self) -> str:
        return f"档案 {self.lot_id}"


class ArchiveAccess(models.Model):
    """档案查阅记录 — every access to an archive after it was made."""

    package = models.ForeignKey(ArchivePackage, on_delete=models.PROTECT, related_name="accesses",
                                verbose_name="档案")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name="查阅人")
    at = models.DateTimeField("查阅时间")
    purpose = models.CharField("用途", max_length=255, blank=True)

    class Meta:
        verbose_name = "档案查阅记录"
        verbose_name_plural = "档案查阅记录"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"查阅 {self.package_id}"
