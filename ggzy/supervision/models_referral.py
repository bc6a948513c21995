"""Departments with their power and responsibility lists (权责清单), and referrals (移交) of cases to them.

A referral moves only through ``services_referral.TRANSITIONS``; each step is a ``ReferralStep`` row (who, when,
what they recorded) and an audit entry. Its deadline comes from the power item's time limit in working days."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PowerKind(models.TextChoices):
    PENALTY = "penalty", _("行政处罚")
    INSPECTION = "inspection", _("行政检查")
    ENFORCEMENT = "enforcement", _("行政强制")
    RULING = "ruling", _("行政裁决")
    OTHER = "other", _("其他行政权力")


class Department(models.Model):
    """行政监督部门 — a department that supervises trading (住建、交通、水利、财政、发改…), at a city or the province.

    ``parent`` is the next level up (a city bureau's provincial department): overdue referrals escalate to it.
    ``members`` are the department's supervisor users, who record the handling of referrals to it."""

    code = models.CharField("部门代码", max_length=32, unique=True)
    name = models.CharField("部门名称", max_length=100)
    name_en = models.CharField("部门名称（英文）", max_length=150)
    center = models.ForeignKey("registry.Center", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name="所在交易中心（空为省级）")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name="上级部门")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="supervision_departments",
                                     verbose_name="部门监督人员")

    class Meta:
        verbose_name = "行政监督部门"
        verbose_name_plural = "行政监督部门"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name in the request's language."""
        from django.utils.translation import get_language  # noqa: PLC0415

        return self.name_en if (get_language() or "").startswith("en") else self.name


class PowerItem(models.Model):
    """权责清单事项 — one power of one department, the trading matters it covers and its time limit."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="power_items",
                                   verbose_name="部门")
    code = models.CharField("事项编码", max_length=40, unique=True)
    name = models.CharField("事项名称", max_length=200)
    name_en = models.CharField("事项名称（英文）", max_length=250)
    kind = models.CharField("权力类型", max_length=12, choices=PowerKind.choices)
    legal_basis = models.TextField("设定依据")
    category_codes = models.JSONField("适用交易类别代码", default=list)  # catalog item codes, e.g. ["01"]
    matters = models.CharField("适用事项", max_length=200)  # the trades it covers, in words
    time_limit_days = models.PositiveSmallIntegerField("办理时限（工作日）")
    time_limit_verify = models.BooleanField("时限待核实", default=True)  # not confirmed from a primary text
    effective_from = models.DateField("施行日期")
    effective_until = models.DateField("停止施行日期", null=True, blank=True)

    class Meta:
        verbose_name = "权责清单事项"
        verbose_name_plural = "权责清单事项"
        ordering = ["department__code", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def label(self) -> str:
        """The name in the request's language."""
        from django.utils.translation import get_language  # noqa: PLC0415

        return self.name_en if (get_language() or "").startswith("en") else self.name


class ReferralState(models.TextChoices):
    REFERRED = "referred", _("已移交")
    ACCEPTED = "accepted", _("已受理")
    RETURNED = "returned", _("已退回")
    INVESTIGATING = "investigating", _("调查中")
    DECIDED = "decided", _("已作出决定")
    CLOSED = "closed", _("已办结")


class ReferralOutcome(models.TextChoices):
    PENALTY = "penalty", _("给予行政处罚")
    NO_VIOLATION = "no_violation", _("不构成违法")


class Referral(models.Model):
    """移交 — one case the center refers to the department its power list names."""

    number = models.CharField("移交编号", max_length=32, unique=True)
    center = models.ForeignKey("registry.Center", on_delete=models.PROTECT, related_name="+",
                               verbose_name="移交交易中心")
    lot_id = models.BigIntegerField("标段", null=True, blank=True, db_index=True)
    alert = models.ForeignKey("supervision.Alert", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="referrals", verbose_name="预警")
    evidence_sha256 = models.CharField("证据包 SHA-256", max_length=64, blank=True)
    power_item = models.ForeignKey(PowerItem, on_delete=models.PROTECT, related_name="referrals",
                                   verbose_name="权责清单事项")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="referrals",
                                   verbose_name="承办部门")
    title = models.CharField("案由", max_length=200)
    facts = models.TextField("移交事实")
    subjects = models.JSONField("涉及主体", default=list)  # [{"entity_id", "credit_code", "name"}]
    state = models.CharField("状态", max_length=16, choices=ReferralState.choices, default=ReferralState.REFERRED)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="移交人")
    referred_at = models.DateTimeField("移交时间")
    due_on = models.DateField("办理期限")
    due_estimated = models.BooleanField("期限为估算（缺少官方节假日安排）", default=False)
    acceptance_note = models.TextField("受理意见", blank=True)
    return_reason = models.TextField("退回理由", blank=True)
    investigation_notes = models.TextField("调查记录", blank=True)
    outcome = models.CharField("处理结论", max_length=16, choices=ReferralOutcome.choices, blank=True)
    decision_no = models.CharField("决定文书号", max_length=100, blank=True)
    decision_text = models.TextField("决定内容", blank=True)
    penalty = models.TextField("处罚内容", blank=True)
    restriction_months = models.PositiveSmallIntegerField("限制投标（月）", default=0)
    penalised = models.JSONField("受处罚主体", default=list)  # [{"credit_code", "name", "record_no"}]
    decided_on = models.DateField("决定日期", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "移交案件"
        verbose_name_plural = "移交案件"
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.number


class ReferralStep(models.Model):
    """移交办理记录 — one transition of a referral, by whom, and what they recorded."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="steps", verbose_name="移交")
    action = models.CharField("操作", max_length=16)
    from_state = models.CharField("原状态", max_length=16, blank=True)
    to_state = models.CharField("新状态", max_length=16, choices=ReferralState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name="办理人")
    at = models.DateTimeField("时间")
    note = models.TextField("记录", blank=True)
    ledger_source_id = models.BigIntegerField("审计记录号", null=True, blank=True)

    class Meta:
        verbose_name = "移交办理记录"
        verbose_name_plural = "移交办理记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.referral_id}:{self.action}"


class ReferralEscalation(models.Model):
    """逾期督办 — an overdue referral reported to the next level once per deadline."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="escalations",
                                 verbose_name="移交")
    due_on = models.DateField("逾期的期限")
    state = models.CharField("逾期时状态", max_length=16, choices=ReferralState.choices)
    to_department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name="督办部门（空为省级监督）")
    at = models.DateTimeField("督办时间")
    notified = models.PositiveIntegerField("通知人数", default=0)

    class Meta:
        verbose_name = "逾期督办"
        verbose_name_plural = "逾期督办"
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["referral", "due_on"], name="supervision_escalate_once")]

    def __str__(self) -> str:
        return f"{self.referral_id}:{self.due_on}"
