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


class NationalList(models.TextChoices):
    """The three national lists government procurement screens (财库〔2016〕125号), as imported data."""

    DISHONEST_DEBTOR = "dishonest_debtor", _("失信被执行人")
    GP_VIOLATION = "gp_violation", _("政府采购严重违法失信行为记录名单")
    TAX_VIOLATION = "tax_violation", _("重大税收违法失信主体")


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
    national_list = models.CharField("全国名单", max_length=20, choices=NationalList.choices, blank=True)

    ledger_source_id = models.BigIntegerField("存证审计记录号", null=True, blank=True)
    # Set by the expiry job (idempotent): the day the record left scoring (its validity ended) and publication
    # (its publication period ended). Selectors check the dates themselves too, so nothing waits for the job.
    expired_at = models.DateTimeField("失效处理时间", null=True, blank=True)
    unpublished_at = models.DateTimeField("撤下公示时间", null=True, blank=True)
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


class ScoreModel(models.Model):
    """信用评价模型 — one version of the scoring rules, in force from ``effective_from`` (data, never code).

    score = base + Σ points of each record in force × its repeat weight, bounded to [0, ceiling]; the k-th record
    of the same kind weighs ``1 + repeat_step × (k − 1)``. ``points``: kind → points (negative: a deduction);
    performance records use ``performance_good`` / ``performance_poor`` by the rating in their evidence.
    ``bands``: [{"min": 90, "grade": "A"}, …], highest first. Nothing in the model can see a region or an ownership
    (the fair-competition review rules forbid scoring by them)."""

    code = models.CharField("模型编号", max_length=32)
    name = models.CharField("名称", max_length=100)
    effective_from = models.DateField("生效日期")
    base = models.PositiveIntegerField("基础分")
    ceiling = models.PositiveIntegerField("满分")
    points = models.JSONField("分值")
    repeat_step = models.DecimalField("重复加权系数", max_digits=4, decimal_places=2)
    bands = models.JSONField("等级区间")
    basis = models.CharField("依据", max_length=300, blank=True)
    verify = models.BooleanField("待核实", default=True)

    class Meta:
        verbose_name = "信用评价模型"
        verbose_name_plural = "信用评价模型"
        ordering = ["-effective_from", "-pk"]
        constraints = [models.UniqueConstraint(fields=["code", "effective_from"], name="credit_model_once")]

    def __str__(self) -> str:
        return f"{self.name}（{self.effective_from}起）"


class PublicationRule(models.Model):
    """公示期限规则 — how long a kind of record is public: at least ``min_months`` after its decision, at most
    ``max_months`` (then hidden automatically), otherwise as long as it is valid."""

    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    effective_from = models.DateField("生效日期")
    min_months = models.PositiveIntegerField("最短公示期（月）")
    max_months = models.PositiveIntegerField("最长公示期（月）")
    basis = models.CharField("依据", max_length=300, blank=True)
    verify = models.BooleanField("待核实", default=True)

    class Meta:
        verbose_name = "公示期限规则"
        verbose_name_plural = "公示期限规则"
        ordering = ["kind", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["kind", "effective_from"], name="credit_publication_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.min_months}–{self.max_months}个月"


class ScoreSnapshot(models.Model):
    """月度信用评价快照 — one subject's score in one month, with the breakdown and the model it came from."""

    subject_kind = models.CharField("主体类别", max_length=10, choices=SubjectKind.choices)
    subject_key = models.CharField("主体标识", max_length=64)
    subject_name = models.CharField("主体名称", max_length=200)
    month = models.DateField("月份")  # the first day of the month
    model = models.ForeignKey(ScoreModel, on_delete=models.PROTECT, related_name="snapshots",
                              verbose_name="评价模型")
    score = models.IntegerField("得分")
    grade = models.CharField("等级", max_length=8)
    breakdown = models.JSONField("明细")
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "信用评价快照"
        verbose_name_plural = "信用评价快照"
        ordering = ["-month", "subject_kind", "subject_key"]
        constraints = [models.UniqueConstraint(fields=["subject_kind", "subject_key", "month"],
                                               name="credit_snapshot_once")]

    def __str__(self) -> str:
        return f"{self.subject_name} {self.month:%Y-%m} {self.score} {self.grade}"


class CreditImport(models.Model):
    """信用记录导入 — one imported file (Excel/CSV) and its report: rows added, rows skipped as already present,
    rows rejected with their row, column and reason. All or nothing: a file with a rejected row adds nothing."""

    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件 SHA-256", max_length=64)
    national_list = models.CharField("全国名单", max_length=20, choices=NationalList.choices, blank=True)
    rows = models.PositiveIntegerField("数据行数", default=0)
    added = models.PositiveIntegerField("新增", default=0)
    skipped = models.PositiveIntegerField("已存在（跳过）", default=0)
    rejected = models.JSONField("拒绝的行", default=list)  # [{"row": 3, "column": "决定日期", "reason": "…"}]
    imported_at = models.DateTimeField("导入时间")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="导入人")

    class Meta:
        verbose_name = "信用记录导入"
        verbose_name_plural = "信用记录导入"
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"导入#{self.pk} {self.file_name}"


class Screening(models.Model):
    """名单筛查 — the three national lists screened for one supplier in one context (a lot's evaluation), with
    the time of the screening and the hits found; evaluators see it as it was at that time."""

    context = models.CharField("业务", max_length=64, db_index=True)  # e.g. "lot:12"
    subject_key = models.CharField("统一社会信用代码", max_length=64)
    subject_name = models.CharField("供应商", max_length=200)
    screened_at = models.DateTimeField("筛查时间")
    hits = models.JSONField("命中", default=list)  # [{"list": "...", "record_no": "...", "title": "...", ...}]

    class Meta:
        verbose_name = "名单筛查"
        verbose_name_plural = "名单筛查"
        ordering = ["context", "subject_name"]
        constraints = [models.UniqueConstraint(fields=["context", "subject_key"], name="credit_screening_once")]

    def __str__(self) -> str:
        return f"{self.context} {self.subject_name}"


class RepairState(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("准予修复")
    REJECTED = "rejected", _("不予修复")


class RepairRequest(models.Model):
    """信用修复申请 — the subject asks for a record to leave publication early: the conditions as checked when it
    was submitted, the review and its outcome (an approved repair takes the record off publication)."""

    record = models.ForeignKey(CreditRecord, on_delete=models.PROTECT, related_name="repairs",
                               verbose_name="信用记录")
    applicant_name = models.CharField("申请人", max_length=200)
    statement = models.TextField("申请说明与信用承诺")
    conditions = models.JSONField("修复条件")  # [{"code": ..., "label": ..., "met": bool}]
    state = models.CharField("状态", max_length=10, choices=RepairState.choices, default=RepairState.SUBMITTED)
    submitted_at = models.DateTimeField("申请时间")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="登记人")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="审核人")
    review_note = models.TextField("审核意见", blank=True)

    class Meta:
        verbose_name = "信用修复申请"
        verbose_name_plural = "信用修复申请"
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"修复申请#{self.pk} {self.record.record_no}"
