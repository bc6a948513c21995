"""The rules list (制度规则清单): laws, regulations and policy documents that govern trading."""

from django.db import models

from ..choices import RuleCategory, RuleLevel, RuleStatus


class Rule(models.Model):
    """制度规则 — one law, regulation or normative document, with its number, level and status."""

    title = models.CharField("名称", max_length=200)
    document_number = models.CharField("文号", max_length=100, blank=True)
    issuer = models.CharField("发布机关", max_length=200, blank=True)
    level = models.CharField("层级", max_length=16, choices=RuleLevel.choices)
    category = models.CharField("类别", max_length=32, choices=RuleCategory.choices)
    status = models.CharField("效力状态", max_length=16, choices=RuleStatus.choices, default=RuleStatus.IN_FORCE)
    effective_from = models.DateField("施行日期", null=True, blank=True)
    amended_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="amends", verbose_name="修订/替代文件")
    repealed_on = models.DateField("废止日期", null=True, blank=True)
    summary = models.TextField("摘要", blank=True)

    class Meta:
        verbose_name = "制度规则"
        verbose_name_plural = "制度规则"
        ordering = ["level", "category", "title"]
        constraints = [
            models.UniqueConstraint(fields=["title", "document_number"], name="rule_title_number_unique"),
            models.CheckConstraint(condition=~models.Q(status="in_force") | models.Q(repealed_on__isnull=True),
                                   name="rule_in_force_not_repealed"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.document_number}）" if self.document_number else self.title
