"""The online opening hall (不见面开标大厅): bidders' sign-ins with their certificates."""

from django.conf import settings
from django.db import models


class HallSignIn(models.Model):
    """开标签到 — a bidder of the lot signs in to the hall at the opening by signing a server challenge with its
    certificate; the signed text and the signature are kept so the sign-in can be checked again later."""

    lot = models.ForeignKey("tendering.Lot", on_delete=models.PROTECT, related_name="hall_sign_ins",
                            verbose_name="标段")
    bidder = models.ForeignKey("registry.MarketEntity", on_delete=models.PROTECT, related_name="+",
                               verbose_name="投标人")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name="签到人")
    signed_in_at = models.DateTimeField("签到时间")
    certificate_subject = models.CharField("证书主体", max_length=255)
    certificate_fingerprint = models.CharField("证书指纹（SHA-256）", max_length=64)
    certificate_pem = models.TextField("证书")
    challenge = models.TextField("签名的挑战码")
    signature = models.BinaryField("签名值")

    class Meta:
        verbose_name = "开标签到"
        verbose_name_plural = "开标签到"
        constraints = [models.UniqueConstraint(fields=["lot", "bidder"], name="one_hall_sign_in_per_bidder")]
        ordering = ["signed_in_at"]

    def __str__(self) -> str:
        return f"签到#{self.pk}"
