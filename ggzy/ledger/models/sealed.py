"""Sealed entries: the body and salt behind a leaf that commits to them, kept until the seal lifts."""

from django.db import models


class SealedEntry(models.Model):
    """密封记录 — the full body of log entry ``index``, whose public leaf shows only ``H(salt || body)``.

    Written with the entry, in the same transaction. ``seal_key`` is the caller's opaque identifier (tendering: a
    keyed hash of the lot), never shown in public; lifting it sets ``revealed_at`` and from then on the body and the
    salt are public. The row is not append-only guarded: body and salt are checked against the commitment the
    append-only leaf holds (``ggzy ledger verify``), so changing them is caught, and clearing ``revealed_at`` only
    hides what was already published.
    """

    index = models.BigIntegerField("序号", primary_key=True)
    seal_key = models.CharField("密封标识", max_length=128, db_index=True)
    body = models.TextField("规范化内容")  # canonical JSON of the entry as version 1 writes it
    salt = models.BinaryField("盐值", max_length=64)
    # The salt of the body's ``actor.label_commitment`` when a user acted. Never published, not even after the
    # lift: with the salt a user name (little entropy) could be guessed from the commitment.
    actor_salt = models.BinaryField("操作人承诺盐值", max_length=64, null=True, blank=True)
    # What the body names, for the staff's trace once revealed (the public row names nothing).
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象标识", max_length=64)
    center_id = models.BigIntegerField("所属中心", null=True, blank=True)
    source_id = models.BigIntegerField("审计记录号", null=True, blank=True, db_index=True)
    revealed_at = models.DateTimeField("揭示时间", null=True, blank=True)

    class Meta:
        verbose_name = "密封记录"
        verbose_name_plural = "密封记录"
        ordering = ["index"]
        indexes = [models.Index(fields=["object_type", "object_id", "index"], name="ledger_sealed_object")]

    def __str__(self) -> str:
        return f"sealed #{self.index}"

    @property
    def is_revealed(self) -> bool:
        return self.revealed_at is not None
