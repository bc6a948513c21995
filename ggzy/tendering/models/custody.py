"""Custodians of the center's opening keys and each lot's k-of-n split key (the private key is never stored)."""

from django.db import models


class Custodian(models.Model):
    """开标密钥保管人 — a person or body (交易中心、监管部门、公证处…) holding one share of each lot's opening key."""

    center = models.ForeignKey("registry.Center", on_delete=models.PROTECT, related_name="custodians",
                               verbose_name="交易中心")
    name = models.CharField("保管人", max_length=100)
    organisation = models.CharField("所在单位", max_length=100)
    public_key_pem = models.TextField("加密公钥（PEM，SM2证书或公钥）")
    active = models.BooleanField("在任", default=True)
    registered_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "开标密钥保管人"
        verbose_name_plural = "开标密钥保管人"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.organisation}）"


class LotOpeningKey(models.Model):
    """标段开标密钥 — an SM2 key pair per lot; the public half is stored, the private half only as shares."""

    lot = models.OneToOneField("tendering.Lot", on_delete=models.PROTECT, related_name="opening_key",
                               verbose_name="标段")
    public_key = models.BinaryField("SM2公钥（04‖x‖y）")
    key_id = models.CharField("密钥标识", max_length=64)
    threshold = models.PositiveSmallIntegerField("门限（k）")
    split_id = models.CharField("分割标识", max_length=32)
    share_digests = models.JSONField("分片承诺值")
    secret_digest = models.CharField("私钥承诺值", max_length=64)
    created_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = "标段开标密钥"
        verbose_name_plural = "标段开标密钥"

    def __str__(self) -> str:
        return f"开标密钥 {self.key_id[:12]}"


class CustodianShare(models.Model):
    """开标密钥分片 — one custodian's share, encrypted to that custodian's key (SM2)."""

    opening_key = models.ForeignKey(LotOpeningKey, on_delete=models.CASCADE, related_name="shares",
                                    verbose_name="开标密钥")
    custodian = models.ForeignKey(Custodian, on_delete=models.PROTECT, related_name="shares",
                                  verbose_name="保管人")
    index = models.PositiveSmallIntegerField("分片序号")
    share_sealed = models.BinaryField("加密的分片")

    class Meta:
        verbose_name = "开标密钥分片"
        verbose_name_plural = "开标密钥分片"
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["opening_key", "index"], name="one_share_per_index")]

    def __str__(self) -> str:
        return f"分片{self.index}"
