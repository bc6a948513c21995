"""Projects (招标项目) and their lots (标段/包), documents, clarifications and fair-competition findings."""

from django.conf import settings
from django.db import models

from ..choices import (
    DocumentKind,
    EvaluationMethod,
    LotState,
    Method,
    ProcurementObject,
    ProjectState,
    TieBreak,
)


class Project(models.Model):
    """招标项目 — registered by a tenderer or its agency under a catalog category; judged by its template."""

    code = models.CharField("统一交易标识码", max_length=32, unique=True)
    center = models.ForeignKey("registry.Center", on_delete=models.PROTECT, related_name="projects",
                               verbose_name="交易中心")
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="+", verbose_name="项目所在地")
    title = models.CharField("项目名称", max_length=200)
    category_code = models.CharField("交易类别代码", max_length=2)
    method = models.CharField("交易方式", max_length=32, choices=Method.choices)
    template_version_id = models.BigIntegerField("流程模板版本")  # catalog.TemplateVersion in force on created_at
    tenderer = models.ForeignKey("registry.MarketEntity", on_delete=models.PROTECT, related_name="tendered_projects",
                                 verbose_name="招标人/采购人")
    agency = models.ForeignKey("registry.MarketEntity", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="agency_projects", verbose_name="招标代理机构")
    estimated_price = models.DecimalField("估算价/预算（元）", max_digits=16, decimal_places=2)
    description = models.TextField("项目概况", blank=True)
    state = models.CharField("状态", max_length=16, choices=ProjectState.choices, default=ProjectState.SUBMITTED)
    return_reason = models.TextField("退回原因", blank=True)
    created_at = models.DateTimeField("登记时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="登记人")
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)

    class Meta:
        verbose_name = "招标项目"
        verbose_name_plural = "招标项目"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Lot(models.Model):
    """标段（包） — the unit that is tendered, bid on, opened, evaluated and awarded; its state machine."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="lots", verbose_name="项目")
    code = models.CharField("标段编号", max_length=32, unique=True)
    tender_code = models.CharField("招标项目编号", max_length=32)
    name = models.CharField("标段名称", max_length=200)
    estimated_price = models.DecimalField("标段估算价（元）", max_digits=16, decimal_places=2)
    bond_amount = models.DecimalField("投标保证金（元）", max_digits=16, decimal_places=2, default=0)
    evaluation_method = models.CharField("评标办法", max_length=16, choices=EvaluationMethod.choices,
                                         default=EvaluationMethod.COMPREHENSIVE)
    price_weight = models.DecimalField("价格分权重（%）", max_digits=5, decimal_places=2, default=30)
    # 采购标的 (government procurement): goods or services set the price weight's legal range; blank where unstated.
    procurement_object = models.CharField("采购标的类型", max_length=8, choices=ProcurementObject.choices, blank=True)
    tie_break = models.CharField("同分排序规则", max_length=24, choices=TieBreak.choices, default=TieBreak.LOWER_PRICE)
    qualification_required = models.CharField("资格要求（资质类别）", max_length=64, blank=True)
    state = models.CharField("状态", max_length=16, choices=LotState.choices, default=LotState.DRAFT)
    documents_issued_at = models.DateTimeField("招标文件发出时间", null=True, blank=True)
    documents_sale_end = models.DateTimeField("招标文件发售截止", null=True, blank=True)
    bid_deadline = models.DateTimeField("投标截止（开标）时间", null=True, blank=True)
    # 投标有效期 — set by the tender documents, counted from the deadline; an electronic guarantee must cover it
    bid_validity_days = models.PositiveIntegerField("投标有效期（天）", default=90)
    final_quote_deadline = models.DateTimeField("最后报价截止时间", null=True, blank=True)
    decryption_window_minutes = models.PositiveIntegerField("解密时限（分钟）", default=60)
    notice_text = models.TextField("招标公告正文", blank=True)
    notice_id = models.BigIntegerField("招标公告", null=True, blank=True)
    failure_reason = models.CharField("流标原因", max_length=255, blank=True)
    retender_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="retenders", verbose_name="重新招标自")
    opened_at = models.DateTimeField("开标时间", null=True, blank=True)
    candidates_published_at = models.DateTimeField("候选人公示时间", null=True, blank=True)
    result_final_at = models.DateTimeField("结果确定时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "标段（包）"
        verbose_name_plural = "标段（包）"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.project.title} · {self.name}"


class TenderDocument(models.Model):
    """招标文件 — the documents of a lot (and each later change), stored by hash; a new version supersedes the old
    one, which is kept. Uploaded before publication, published with the notice; uploaded later, published with
    the next clarification (a change to the documents moves the deadline, 招标投标法实施条例 Art. 21)."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="documents", verbose_name="标段")
    name = models.CharField("文件名", max_length=200)
    kind = models.CharField("类别", max_length=16, choices=DocumentKind.choices, default=DocumentKind.TENDER)
    version = models.PositiveIntegerField("版本", default=1)
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by", verbose_name="取代的版本")
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField("大小（字节）")
    uploaded_at = models.DateTimeField("上传时间")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    clarification = models.ForeignKey("Clarification", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="documents", verbose_name="随澄清发布")

    class Meta:
        verbose_name = "招标文件"
        verbose_name_plural = "招标文件"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Clarification(models.Model):
    """澄清或修改 — a change to the documents; inside the statutory period it moves the deadline."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="clarifications", verbose_name="标段")
    text = models.TextField("澄清内容")
    published_at = models.DateTimeField("发布时间")
    old_deadline = models.DateTimeField("原截止时间")
    new_deadline = models.DateTimeField("新截止时间")

    class Meta:
        verbose_name = "澄清（修改）"
        verbose_name_plural = "澄清（修改）"
        ordering = ["published_at"]

    def __str__(self) -> str:
        return f"{self.lot.code} {self.published_at:%Y-%m-%d}"


class FairCompetitionFinding(models.Model):
    """公平竞争审查发现 — a clause in the notice text that may exclude bidders by region, ownership or brand."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="fair_findings", verbose_name="标段")
    kind = models.CharField("类型", max_length=16)  # region / ownership / brand / other
    excerpt = models.CharField("原文片段", max_length=255)
    explanation = models.CharField("说明", max_length=255)
    found_at = models.DateTimeField("审查时间")
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name="确认人")

    class Meta:
        verbose_name = "公平竞争审查发现"
        verbose_name_plural = "公平竞争审查发现"

    def __str__(self) -> str:
        return self.excerpt


class ProjectDocument(models.Model):
    """立项及受理材料 — a document the tenderer or agency submits with the project for the center's acceptance
    review (立项批复, 资金来源证明, 招标方案 …), stored by hash."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="documents", verbose_name="项目")
    name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField("大小（字节）")
    uploaded_at = models.DateTimeField("提交时间")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="提交人")

    class Meta:
        verbose_name = "受理材料"
        verbose_name_plural = "受理材料"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name
