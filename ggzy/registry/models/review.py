"""What the registry keeps for review: pending name changes and where registrations came from (rate limit)."""

from django.conf import settings
from django.db import models

from ..choices import NameChangeState


class EntityNameChange(models.Model):
    """名称变更申请 — a new name waits for the home center's review; the entity keeps its name until approved."""

    entity = models.ForeignKey("registry.MarketEntity", on_delete=models.CASCADE, related_name="name_changes",
                               verbose_name="市场主体")
    old_name = models.CharField("原名称", max_length=200)
    new_name = models.CharField("新名称", max_length=200)
    state = models.CharField("状态", max_length=16, choices=NameChangeState.choices,
                             default=NameChangeState.PENDING)
    requested_at = models.DateTimeField("申请时间")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="申请人")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="审核人")
    reason = models.CharField("审核意见", max_length=255, blank=True)

    class Meta:
        verbose_name = "名称变更申请"
        verbose_name_plural = "名称变更申请"
        ordering = ["-requested_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["entity"], condition=models.Q(state="pending"),
                                               name="registry_one_pending_name_change")]

    def __str__(self) -> str:
        return f"{self.old_name} → {self.new_name}"


class EntityRegistration(models.Model):
    """注册来源 — who registered an entity and from which address, so registrations can be counted per hour."""

    entity = models.OneToOneField("registry.MarketEntity", on_delete=models.CASCADE, related_name="registration",
                                  verbose_name="市场主体")
    registered_at = models.DateTimeField("登记时间", db_index=True)
    address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name="登记人")

    class Meta:
        verbose_name = "注册来源"
        verbose_name_plural = "注册来源"
        indexes = [models.Index(fields=["address", "registered_at"], name="registry_registration_address"),
                   models.Index(fields=["registered_by", "registered_at"], name="registry_registration_account")]

    def __str__(self) -> str:
        return f"{self.entity_id} @ {self.registered_at:%Y-%m-%d %H:%M}"
