"""Process templates (交易流程清单): steps and statutory periods per category and trading method, versioned."""

from django.conf import settings
from django.db import models

from ggzy.core.money import number_text

from ..choices import PeriodUnit, StepRole, TradingMethod


class ProcessTemplate(models.Model):
    """交易流程模板 — the process of one trading method within one catalog category."""

    category_code = models.CharField("目录类别代码", max_length=2)
    method = models.CharField("交易方式", max_length=32, choices=TradingMethod.choices)
    name = models.CharField("名称", max_length=100)

    class Meta:
        verbose_name = "交易流程模板"
        verbose_name_plural = "交易流程模板"
        ordering = ["category_code", "method"]
        constraints = [models.UniqueConstraint(fields=["category_code", "method"], name="template_category_method")]

    def __str__(self) -> str:
        return self.name


class TemplateVersion(models.Model):
    """流程模板版本 — immutable once in force; an edit creates the next version, history is kept."""

    template = models.ForeignKey(ProcessTemplate, on_delete=models.PROTECT, related_name="versions",
                                 verbose_name="流程模板")
    number = models.PositiveIntegerField("版本号")
    effective_from = models.DateField("施行日期")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="创建人")
    created_at = models.DateTimeField("创建时间")
    note = models.TextField("修订说明", blank=True)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="修订自")

    class Meta:
        verbose_name = "流程模板版本"
        verbose_name_plural = "流程模板版本"
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="template_version_number"),
            models.UniqueConstraint(fields=["template", "effective_from"], name="template_version_effective_day"),
        ]

    def __str__(self) -> str:
        return f"{self.template.name} 第{self.number}版（{self.effective_from:%Y-%m-%d}起）"


class TemplateStep(models.Model):
    """流程环节 — one ordered step of a template version and the role that acts in it."""

    version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="steps",
                                verbose_name="模板版本")
    order = models.PositiveSmallIntegerField("顺序")
    code = models.SlugField("环节代码", max_length=48)
    name = models.CharField("环节名称", max_length=100)
    role = models.CharField("办理角色", max_length=32, choices=StepRole.choices)
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "流程环节"
        verbose_name_plural = "流程环节"
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="template_step_order"),
            models.UniqueConstraint(fields=["version", "code"], name="template_step_code"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class TemplatePeriod(models.Model):
    """法定期限与参数 — a number the law sets (days, percent, headcount…) as data, with its legal basis."""

    version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="periods",
                                verbose_name="模板版本")
    key = models.SlugField("参数键", max_length=64)
    label = models.CharField("名称", max_length=200)
    value = models.DecimalField("数值", max_digits=16, decimal_places=2)
    unit = models.CharField("单位", max_length=16, choices=PeriodUnit.choices)
    legal_basis = models.CharField("法律依据", max_length=300, blank=True)
    is_verified = models.BooleanField("已核实", default=True,
                                      help_text="未从原始法规文本核实的数值（DOMAIN.md 标注 verify）显示“待核实”")

    class Meta:
        verbose_name = "法定期限与参数"
        verbose_name_plural = "法定期限与参数"
        ordering = ["version", "key"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="template_period_key")]

    def __str__(self) -> str:
        return f"{self.label}：{number_text(self.value)}{self.get_unit_display()}"
