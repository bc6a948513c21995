"""The trust store: recognised CAs and their revocation data (CA互认的信任列表)."""

from django.db import models


class Algorithm(models.TextChoices):
    RSA = "rsa", "RSA"
    ECDSA = "ecdsa", "ECDSA"
    SM2 = "sm2", "SM2（国密）"


class TrustedCA(models.Model):
    """可信CA — a root or intermediate CA certificate an administrator registered; its users are recognised."""

    name = models.CharField("名称", max_length=200)
    subject = models.CharField("主题", max_length=500)
    certificate_pem = models.TextField("CA证书（PEM）")
    is_root = models.BooleanField("根CA", default=False)
    algorithm = models.CharField("签名算法", max_length=8, choices=Algorithm.choices)
    fingerprint = models.CharField("SHA-256指纹", max_length=64, unique=True)
    not_before = models.DateTimeField("生效时间")
    not_after = models.DateTimeField("失效时间")
    enabled = models.BooleanField("启用", default=True)
    registered_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "可信CA"
        verbose_name_plural = "可信CA"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class RevocationList(models.Model):
    """证书吊销列表（CRL） — one imported CRL of a trusted CA, its signature checked on import."""

    ca = models.ForeignKey(TrustedCA, on_delete=models.CASCADE, related_name="revocation_lists",
                           verbose_name="签发CA")
    crl_der = models.BinaryField("CRL（DER）")
    number = models.PositiveBigIntegerField("CRL编号", null=True, blank=True)
    this_update = models.DateTimeField("本次更新")
    next_update = models.DateTimeField("下次更新")
    revoked_count = models.PositiveIntegerField("吊销证书数", default=0)
    fetched_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = "证书吊销列表"
        verbose_name_plural = "证书吊销列表"
        ordering = ["ca", "-this_update"]
        constraints = [models.UniqueConstraint(fields=["ca", "this_update"], name="pki_crl_unique_per_update")]
        indexes = [models.Index(fields=["ca", "this_update"])]

    def __str__(self) -> str:
        return f"{self.ca} CRL {self.this_update:%Y-%m-%d %H:%M}"
from .models_signatures import Signature, SignaturePurpose  # noqa: E402,F401  (电子签名记录)
