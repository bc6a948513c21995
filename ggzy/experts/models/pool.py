"""The pool: the national classification standard, experts, their classifications, relatives, penalties, ratings.

Personal data (ID numbers, phones) are never public (DOMAIN.md, Information disclosure). The ID number is kept
encrypted at rest (``core.secrets``) and matched through ``id_number_digest``, a keyed hash (``experts.identity``).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ggzy.core.secrets import EncryptedCharField, stored_length


class Classification(models.Model):
    """评标专家专业分类 — one node of 公共资源交易评标专家专业分类标准 (发改法规〔2018〕316号)."""

    code = models.CharField("分类代码", max_length=16, primary_key=True)
    name = models.CharField("名称", max_length=128)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="上级分类",
    )
    level = models.PositiveSmallIntegerField("层级")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "专家专业分类"
        verbose_name_plural = "专家专业分类"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TitleLevel(models.TextChoices):
    SENIOR_FULL = "senior_full", _("正高级")
    SENIOR_DEPUTY = "senior_deputy", _("副高级")
    INTERMEDIATE = "intermediate", _("中级")
    OTHER = "other", _("其他")


class ExpertStatus(models.TextChoices):
    ACTIVE = "active", _("在库")
    SUSPENDED = "suspended", _("暂停")
    RETIRED = "retired", _("退出/到龄")
    REMOVED = "removed", _("清退")


class Expert(models.Model):
    """评标专家 — one person in the provincial pool, matched across dispersed pools by ID number."""

    name = models.CharField("姓名", max_length=64)
    id_number = EncryptedCharField("身份证号码", max_length=stored_length(18))  # encrypted at rest
    id_number_digest = models.CharField("身份证号码摘要", max_length=64, unique=True, editable=False)
    birth_date = models.DateField("出生日期")
    phone = models.CharField("手机号码", max_length=32, blank=True)
    title = models.CharField("职称", max_length=64, blank=True)
    title_level = models.CharField(
        "职称级别", max_length=16, choices=TitleLevel.choices, default=TitleLevel.OTHER
    )
    years_in_field = models.PositiveSmallIntegerField("从业年限", default=0)
    employer_name = models.CharField("工作单位", max_length=200, blank=True)
    employer = models.ForeignKey(
        "registry.MarketEntity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="工作单位（市场主体）",
    )
    region = models.ForeignKey(
        "registry.Region", on_delete=models.PROTECT, related_name="+", verbose_name="所在地区"
    )
    status = models.CharField(
        "状态", max_length=16, choices=ExpertStatus.choices, default=ExpertStatus.ACTIVE, db_index=True
    )
    available = models.BooleanField("可参加抽取", default=True)
    unavailable_until = models.DateField("暂不可抽取至", null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert",
        verbose_name="专家用户",
    )
    entered_on = models.DateField("入库日期", null=True, blank=True)
    source = models.CharField("来源专家库", max_length=128, blank=True)
    created_at = models.DateTimeField("登记时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "评标专家"
        verbose_name_plural = "评标专家"
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "available"], name="experts_status_available")]

    def __str__(self) -> str:
        return self.name


class ExpertClassification(models.Model):
    """专家的评标专业 — one classification an expert may evaluate."""

    expert = models.ForeignKey(
        Expert, on_delete=models.CASCADE, related_name="classifications", verbose_name="专家"
    )
    classification = models.ForeignKey(
        Classification, on_delete=models.PROTECT, related_name="experts", verbose_name="专业分类"
    )

    class Meta:
        verbose_name = "专家评标专业"
        verbose_name_plural = "专家评标专业"
        ordering = ["classification_id"]
        constraints = [
            models.UniqueConstraint(fields=["expert", "classification"], name="experts_classification_unique")
        ]
        # the draw's candidate fetch: classification → expert ids from the index alone (docs/expert-draw.md)
        indexes = [models.Index(fields=["classification", "expert"], name="experts_class_expert")]

    def __str__(self) -> str:
        return f"{self.expert_id}:{self.classification_id}"


class ExpertRelative(models.Model):
    """近亲属 — a declared relative whose employer counts for avoidance (回避)."""

    expert = models.ForeignKey(
        Expert, on_delete=models.CASCADE, related_name="relatives", verbose_name="专家"
    )
    name = models.CharField("姓名", max_length=64)
    relation = models.CharField("关系", max_length=32)
    entity = models.ForeignKey(
        "registry.MarketEntity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="工作单位（市场主体）",
    )
    entity_name = models.CharField("工作单位", max_length=200, blank=True)
    # optional, encrypted at rest like the expert's own (never shown in clear, never public)
    id_number = EncryptedCharField("身份证号码", max_length=stored_length(18), blank=True, default="")
    declared_at = models.DateTimeField("申报时间", null=True, blank=True)

    class Meta:
        verbose_name = "专家近亲属"
        verbose_name_plural = "专家近亲属"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.relation}）"


class PenaltyKind(models.TextChoices):
    BIDDING = "bidding", _("招标投标违法行为处罚")
    CREDIT = "credit", _("不良信用记录")
    OTHER = "other", _("其他处理")


class ExpertPenalty(models.Model):
    """专家处理记录 — a penalty in bidding matters, a bad-credit record or another measure; ``until`` null =
    permanent. While it runs the draw avoids the expert (``selectors.expert_is_penalised``)."""

    expert = models.ForeignKey(
        Expert, on_delete=models.CASCADE, related_name="penalties", verbose_name="专家"
    )
    kind = models.CharField("类型", max_length=16, choices=PenaltyKind.choices)
    reason = models.CharField("事由", max_length=500)
    decided_on = models.DateField("决定日期")
    until = models.DateField("期限至", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登记人",
    )
    recorded_at = models.DateTimeField("登记时间", null=True, blank=True)

    class Meta:
        verbose_name = "专家处理记录"
        verbose_name_plural = "专家处理记录"
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.expert_id} {self.kind} {self.decided_on}"


class RaterRole(models.TextChoices):
    CENTER = "center", _("交易中心")
    TENDERER = "tenderer", _("招标人")


SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class ExpertRating(models.Model):
    """专家履职评价 — after an evaluation, by the center or the tenderer: four marks from 1 to 5."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="ratings", verbose_name="专家")
    subject_code = models.CharField("标段编号", max_length=64, db_index=True)
    rater_role = models.CharField("评价方", max_length=16, choices=RaterRole.choices)
    attendance = models.PositiveSmallIntegerField("出勤", validators=SCORE)
    punctuality = models.PositiveSmallIntegerField("守时", validators=SCORE)
    quality = models.PositiveSmallIntegerField("评审质量", validators=SCORE)
    conduct = models.PositiveSmallIntegerField("职业操守", validators=SCORE)
    comment = models.CharField("评语", max_length=500, blank=True)
    rated_at = models.DateTimeField("评价时间")
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="评价人"
    )

    class Meta:
        verbose_name = "专家履职评价"
        verbose_name_plural = "专家履职评价"
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["expert", "subject_code", "rater_role"], name="experts_rating_once_per_role_and_lot"
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{mark}__gte": 1, f"{mark}__lte": 5}),
                    name=f"experts_rating_{mark}_1_to_5",
                )
                for mark in ("attendance", "punctuality", "quality", "conduct")
            ],
        ]

    def __str__(self) -> str:
        return f"{self.expert_id} {self.subject_code} {self.rater_role}"

    @property
    def average(self) -> float:
        return (self.attendance + self.punctuality + self.quality + self.conduct) / 4
