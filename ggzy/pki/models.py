"""The trust store: recognised CAs and their revocation data (CA互认的信任列表)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Algorithm(models.TextChoices):
    RSA = "rsa", "RSA"
    ECDSA = "ecdsa", "ECDSA"
    SM2 = "sm2", _("SM2（国密）")


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
    crl_url = models.URLField("CRL下载地址", max_length=500, blank=True,
                              help_text="填写后由定时任务自动下载更新；留空则由管理员手工导入")
    ocsp_url = models.URLField("OCSP服务地址", max_length=500, blank=True,
                               help_text="该CA签发证书的在线状态查询地址（证书自带的地址优先）")
    refreshed_at = models.DateTimeField("最近自动更新", null=True, blank=True)
    refresh_error = models.CharField("最近更新错误", max_length=500, blank=True)

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
class OcspStatus(models.TextChoices):
    GOOD = "good", _("正常")
    REVOKED = "revoked", _("已吊销")
    UNKNOWN = "unknown", _("未知")


class OcspResponse(models.Model):
    """OCSP响应 — one certificate's status as a trusted CA (or its authorised responder) signed it; checked on
    import, used by validation from thisUpdate to nextUpdate."""

    ca = models.ForeignKey(TrustedCA, on_delete=models.CASCADE, related_name="ocsp_responses",
                           verbose_name="签发CA")
    serial_number = models.CharField("证书序列号（十六进制）", max_length=64)
    status = models.CharField("证书状态", max_length=8, choices=OcspStatus.choices)
    revocation_time = models.DateTimeField("吊销时间", null=True, blank=True)
    this_update = models.DateTimeField("本次更新")
    next_update = models.DateTimeField("下次更新")
    produced_at = models.DateTimeField("响应签发时间")
    responder = models.CharField("响应者", max_length=200)
    response_der = models.BinaryField("OCSP响应（DER）")
    fetched_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = "OCSP响应"
        verbose_name_plural = "OCSP响应"
        ordering = ["ca", "serial_number", "-this_update"]
        constraints = [models.UniqueConstraint(fields=["ca", "serial_number", "this_update"],
                                               name="pki_ocsp_unique_per_update")]
        indexes = [models.Index(fields=["ca", "serial_number", "this_update"])]

    def __str__(self) -> str:
        return f"{self.ca} OCSP {self.serial_number} {self.get_status_display()}"


class PersonCertificate(models.Model):
    """个人证书绑定 — a person certificate bound to one platform account by its SHA-256 fingerprint; certificate
    login and signatures map a person certificate to an account only through an active binding."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person_certificates",
                             verbose_name="账户")
    fingerprint = models.CharField("SHA-256指纹", max_length=64)
    certificate_pem = models.TextField("证书（PEM）")
    subject = models.CharField("证书主题", max_length=500)
    common_name = models.CharField("持有人", max_length=200)
    issuer_name = models.CharField("签发CA", max_length=200)
    not_after = models.DateTimeField("证书有效期至")
    proven = models.BooleanField("已验证私钥", default=False,
                                 help_text="本人用该证书的私钥签名挑战码完成绑定；否则由管理员登记")
    bound_at = models.DateTimeField("绑定时间")
    bound_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name="办理人")
    unbound_at = models.DateTimeField("解除绑定时间", null=True, blank=True)

    class Meta:
        verbose_name = "个人证书绑定"
        verbose_name_plural = "个人证书绑定"
        ordering = ["user", "-bound_at", "id"]
        constraints = [models.UniqueConstraint(fields=["fingerprint"], condition=models.Q(unbound_at__isnull=True),
                                               name="pki_person_certificate_one_active_binding")]
        indexes = [models.Index(fields=["fingerprint"])]

    def __str__(self) -> str:
        return f"{self.common_name}（{self.fingerprint[:16]}…）"


from .models_signatures import Signature, SignaturePurpose  # noqa: E402,F401  (电子签名记录)
