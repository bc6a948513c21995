"""采购意向公开 — a government-procurement project's intention, published ahead of the procurement (财库〔2020〕10号)."""

from django.conf import settings
from django.db import models


class ProcurementIntention(models.Model):
    """The project's budget, requirements summary and planned time, public at least the template's days before the
    procurement notice (待核实)."""

    project = models.OneToOneField("tendering.Project", on_delete=models.PROTECT, related_name="intention",
                                   verbose_name="项目")
    requirements = models.TextField("采购需求概况")
    budget = models.DecimalField("预算金额（元）", max_digits=16, decimal_places=2)
    planned_on = models.DateField("预计采购时间")
    published_at = models.DateTimeField("公开时间")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="发布人")
    notice_id = models.BigIntegerField("意向公告", null=True, blank=True)

    class Meta:
        verbose_name = "采购意向"
        verbose_name_plural = "采购意向"

    def __str__(self) -> str:
        return f"{self.project_id} · 采购意向"
