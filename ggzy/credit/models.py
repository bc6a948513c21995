"""Credit records (信用记录) and the restrictions they carry.

A record is never edited: a correction is a new version of the same record number (``record_no``); the old version
stays, marked not current. Each source keeps its own records. A restriction names the restricted behaviour and its
start and end, so every check can say exactly why and until when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    ENTITY = "entity", _("市场主体")
    AGENCY = "agency", _("代理机构")
    PERSON = "person", _("从业人员")
    EXPERT = "expert", _("评标专家")


class Source(models.TextChoices):
    SUPERVISION = "supervision", _("行政监督部门处理决定")
    COURT = "court", _("人民法院")
    TAX = "tax", _("税务部门")
    PLATFORM = "platform", _("其他信用平台")
    CENTER = "center", _("交易中心")
    PERFORMANCE = "performance", _("合同履约")
    EXPERT_RATING = "expert_rating", _("专家评价")


class Kind(models.TextChoices):
    VIOLATION = "violation", _("违法违规行为")
    SERIOUS_BREACH = "serious_breach", _("严重失信主体名单")
    REWARD = "reward", _("守信激励")
    PERFORMANCE = "performance", _("履约评价")


class Publication(models.TextChoices):
    PUBLIC = "public", _("向社会公开")
    SHARED = "shared", _("政府部门共享")
    INTERNAL = "internal", _("内部使用")


class Behaviour(models.TextChoices):
    SIGNUP = "signup", _("报名")
    BID = "bid", _("投标")
    AWARD = "award", _("中标（成交）")
    EXPERT_DRAW = "expert_draw", _("入选评标专家抽取")
    AGENCY = "agency", _("接受委托代理")


class CreditRecord(models.Model):
    """信用记录 — one version of one record."""

    record_no = models.CharField("记录编号", max_length=32, db_index=True)
    version = models.PositiveIntegerField("版本", default=1)
    is_current = models.BooleanField("现行版本", default=True)
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by", verbose_name="更正前版本")
    correction_reason = models.TextField("更正理由", blank=True)

    subject_kind = models.CharField("主体类别", max_length=10, choices=SubjectKind.choices)
    subject_key = models.CharField("主体标识", max_length=64)  # credit code, expert id, or a person's keyed hash
    subject_name = models.CharField("主体名称", max_length=200)

    source = models.CharField("来源", max_length=16, choices=Source.choices)
    source_ref = models.CharField("来源业务编号", max_length=64, blank=True, db_index=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    title = models.CharField("事由", max_length=200)
    facts = models.TextField("事实与依据", blank=True)
    authority = models.CharField("认定机关", max_length=200)
    decision_no = models.CharField("决定文书号", max_length=100, blank=True)
    decided_on = models.DateField("决定日期")
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期止", null=True, blank=True)
    publication = models.CharField("公开范围", max_length=10, choices=Publication.choices,
                                   default=Publication.PUBLIC)
    evidence = models.JSONField("证据", default=dict, blank=True)

    ledger_source_id = models.BigIntegerField("存证审计记录号", null=True, blank=True)
    created_at = models.DateTimeField("记录时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="记录人")

    class Meta:
        verbose_name = "信用记录"
        verbose_name_plural = "信用记录"
        ordering = ["-decided_on", "-pk"]
        indexes = [models.Index(fields=["subject_kind", "subject_key", "is_current"], name="credit_subject_idx")]
        constraints = [
            models.UniqueConstraint(fields=["record_no", "version"], name="credit_record_version_once"),
            models.UniqueConstraint(fields=["record_no"], condition=Q(is_current=True),
                                    name="credit_record_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.record_no} v{self.version} {self.subject_name}"


class CreditRestriction(models.Model):
    """限制措施 — a behaviour a record restricts, from when until when (``ends_on`` empty: until the record ends)."""

    record = models.ForeignKey(CreditRecord, on_delete=models.CASCADE, related_name="restrictions",
                               verbose_name="信用记录")
    behaviour = models.CharField("限制行为", max_length=16, choices=Behaviour.choices)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        verbose_name = "限制措施"
        verbose_name_plural = "限制措施"
        ordering = ["record_id", "behaviour"]

    def __str__(self) -> str:
        return f"{self.get_behaviour_display()} {self.starts_on}–{self.ends_on or ''}"
