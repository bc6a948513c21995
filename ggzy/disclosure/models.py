"""Published notices (交易公告) — the public portal's content."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeType(models.TextChoices):
    TENDER = "tender", _("招标公告")
    PREQUALIFICATION = "prequalification", _("资格预审公告")
    PROCUREMENT = "procurement", _("采购公告")
    INTENTION = "intention", _("采购意向公开")
    CHANGE = "change", _("变更（澄清）公告")
    CANDIDATES = "candidates", _("中标候选人公示")
    RESULT = "result", _("中标（成交）结果公告")
    CONTRACT = "contract", _("合同公示")
    LISTING = "listing", _("挂牌（出让）公告")
    DEAL = "deal", _("成交公示")
    TERMINATION = "termination", _("终止公告")
    FAILURE = "failure", _("流标公告")


class NoticeStatus(models.TextChoices):
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class Notice(models.Model):
    """交易公告 — a notice published on the portal by a trading center."""

    center = models.ForeignKey("registry.Center", on_delete=models.PROTECT, related_name="notices",
                               verbose_name="发布中心")
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="notices",
                               verbose_name="项目所在地")
    notice_type = models.CharField("公告类型", max_length=32, choices=NoticeType.choices)
    category_code = models.CharField("交易类别代码", max_length=2, db_index=True)
    category_name = models.CharField("交易类别", max_length=64)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    project_code = models.CharField("统一交易标识码", max_length=32, blank=True, db_index=True)
    budget = models.DecimalField("预算/估算金额（元）", max_digits=16, decimal_places=2, null=True, blank=True)
    deadline = models.DateTimeField("截止时间", null=True, blank=True)
    # Set by the domain that publishes the notice: links as [{"kind": "lot"|"signup"|"tender_notice", "url": …}]
    # (the page names each kind) and attachments as [{"name": …, "sha256": …, "size": …}].
    links = models.JSONField("相关链接", default=list, blank=True)
    attachments = models.JSONField("附件", default=list, blank=True)
    published_at = models.DateTimeField("发布时间", db_index=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="发布人")
    status = models.CharField("状态", max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.PUBLISHED)
    withdrawn_reason = models.CharField("撤回原因", max_length=255, blank=True)

    class Meta:
        verbose_name = "交易公告"
        verbose_name_plural = "交易公告"
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "center", "-published_at"]),
                   models.Index(fields=["status", "category_code", "-published_at"])]

    def __str__(self) -> str:
        return self.title


class NoticeSourceFormat(models.TextChoices):
    OCDS = "ocds", "OCDS"
    NATIONAL = "national", "全国交换格式"


class NoticeOrigin(models.Model):
    """公告来源 — where an imported notice came from (another province's platform, an SOE sunshine-procurement
    platform): the source system, its own identifiers and timestamp, and the values the platform models, kept
    verbatim as the source wrote them (``data``: an OCDS release reduced to those fields; see
    ``disclosure.ocds_source``). The notice itself is an ordinary ``Notice``; this table sits beside it."""

    notice = models.OneToOneField(Notice, on_delete=models.CASCADE, related_name="origin", verbose_name="公告")
    source_system = models.CharField("来源系统", max_length=64)
    source_format = models.CharField("来源格式", max_length=16, choices=NoticeSourceFormat.choices)
    source_id = models.CharField("来源编号", max_length=255, help_text="OCDS：ocid 与发布编号（release id）")
    ocid = models.CharField("OCDS 开放合同编号（ocid）", max_length=128, db_index=True)
    source_date = models.DateTimeField("来源发布时间", null=True, blank=True)
    imported_at = models.DateTimeField("导入时间")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="导入人")
    data = models.JSONField("来源数据（原样保留的字段）", default=dict)

    class Meta:
        verbose_name = "公告来源"
        verbose_name_plural = "公告来源"
        constraints = [models.UniqueConstraint(fields=["source_system", "source_id"],
                                               name="disclosure_origin_source_unique")]

    def __str__(self) -> str:
        return f"{self.source_system} {self.source_id}"
