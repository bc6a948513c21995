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
