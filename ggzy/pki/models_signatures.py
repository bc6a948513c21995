"""The record of digital signatures on platform documents (电子签名记录): who signed what, with which certificate."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Algorithm


class SignaturePurpose(models.TextChoices):
    BID = "bid", _("投标文件")
    OPENING_RECORD = "opening_record", _("开标记录")
    EVALUATION_REPORT = "evaluation_report", _("评标报告")
    AWARD_NOTICE = "award_notice", _("中标通知书")
    CONTRACT = "contract", _("合同")


class Signature(models.Model):
    """电子签名 — a verified detached signature by the responsible party over one document of one object."""

    object_type = models.CharField("对象类型", max_length=100)
    object_id = models.CharField("对象编号", max_length=64)
    purpose = models.CharField("签署文件", max_length=32, choices=SignaturePurpose.choices)
    signer_label = models.CharField("签署人", max_length=200)
    certificate_pem = models.TextField("签名证书（PEM）")
    certificate_fingerprint = models.CharField("证书SHA-256指纹", max_length=64)
    certificate_subject = models.CharField("证书主题", max_length=500)
    signer_credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    algorithm = models.CharField("签名算法", max_length=8, choices=Algorithm.choices)
    signature_der = models.BinaryField("签名值（CMS/PKCS#7 DER）")
    content_sha256 = models.CharField("原文SHA-256", max_length=64)
    signed_at = models.DateTimeField("签名时间（签名者声明）", null=True, blank=True)
    recorded_at = models.DateTimeField("登记时间")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="登记人")

    class Meta:
        verbose_name = "电子签名"
        verbose_name_plural = "电子签名"
        ordering = ["object_type", "object_id", "recorded_at", "id"]
        constraints = [models.UniqueConstraint(
            fields=["object_type", "object_id", "purpose", "certificate_fingerprint", "content_sha256"],
            name="pki_signature_unique_per_signer_and_content")]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.signer_label}"
