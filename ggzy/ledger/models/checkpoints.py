"""Signed tree heads, the witnesses that cosign them, and their cosignatures."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Checkpoint(models.Model):
    """检查点 — a signed tree head (C2SP tlog-checkpoint in a signed note) issued by the platform."""

    tree_size = models.PositiveBigIntegerField("记录数", unique=True)
    root_hash = models.BinaryField("根哈希", max_length=64)
    note = models.TextField("签名检查点")  # the checkpoint body and the platform's signature line
    issued_at = models.DateTimeField("签发时间")

    class Meta:
        verbose_name = "检查点"
        verbose_name_plural = "检查点"
        ordering = ["-tree_size"]

    def __str__(self) -> str:
        return f"checkpoint {self.tree_size}"

    def note_with_cosignatures(self, cosignatures=None) -> str:
        """The note with every stored cosignature line appended (what receipts and the portal show)."""
        rows = cosignatures if cosignatures is not None else self.cosignatures.all()
        return self.note + "".join(c.signature_line for c in rows)


class WitnessKind(models.TextChoices):
    SUPERVISOR = "supervisor", _("行政监督部门")
    PROVINCIAL_CENTER = "provincial_center", _("省级交易中心")


class Witness(models.Model):
    """见证方 — a party that cosigns checkpoints after checking consistency (tlog-witness)."""

    name = models.CharField("名称（密钥名）", max_length=128, unique=True)
    display_name = models.CharField("见证方", max_length=128)
    kind = models.CharField("类别", max_length=32, choices=WitnessKind.choices)
    vkey = models.CharField("验证公钥", max_length=256)  # signed-note verifier key, type 0x04
    is_active = models.BooleanField("启用", default=True)
    last_cosigned_size = models.PositiveBigIntegerField("最近见证的记录数", default=0)
    # The witness's tlog-witness submission prefix (``<url>/add-checkpoint``) on its own host; blank for a
    # witness the platform cannot call (an in-process test witness, or one that cosigns offline).
    url = models.URLField("见证接口地址", max_length=300, blank=True)
    attempts = models.PositiveIntegerField("连续失败次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    last_attempt_at = models.DateTimeField("最近请求时间", null=True, blank=True)
    next_attempt_at = models.DateTimeField("下次请求时间", null=True, blank=True)
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "见证方"
        verbose_name_plural = "见证方"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name or self.name


class Cosignature(models.Model):
    """见证签名 — one witness's cosignature line on one checkpoint (tlog-cosignature/v1)."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="cosignatures",
                                   verbose_name="检查点")
    witness = models.ForeignKey(Witness, on_delete=models.PROTECT, related_name="cosignatures",
                                verbose_name="见证方")
    signature_line = models.TextField("签名行")
    signed_at = models.DateTimeField("见证时间")

    class Meta:
        verbose_name = "见证签名"
        verbose_name_plural = "见证签名"
        ordering = ["witness__name"]
        constraints = [models.UniqueConstraint(fields=["checkpoint", "witness"], name="ledger_one_cosignature")]

    def __str__(self) -> str:
        return f"{self.witness} @ {self.checkpoint.tree_size}"
