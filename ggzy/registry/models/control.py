"""Control relationships between market entities (控制关系), for 招标投标法实施条例 第三十四条."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..choices import ControlKind, ControlSource


class EntityControl(models.Model):
    """控制关系 — a controlling party (an entity, or a person by name + keyed hash of the ID number) over an entity.

    The person's ID number is never stored: ``controller_person_hash`` is HMAC-SHA256 of the normalised number
    (``registry.services_control.person_hash``), so two records naming the same person match without either
    keeping the number; ``controller_person_id_tail`` (its last four characters) lets staff tell people apart."""

    controlled = models.ForeignKey("registry.MarketEntity", on_delete=models.CASCADE, related_name="controlled_by",
                                   verbose_name="被控制主体")
    controller_entity = models.ForeignKey("registry.MarketEntity", null=True, blank=True, on_delete=models.CASCADE,
                                          related_name="controls_held", verbose_name="控制方（单位）")
    controller_person_name = models.CharField("控制方（自然人）姓名", max_length=64, blank=True)
    controller_person_hash = models.CharField("控制方身份证号摘要", max_length=64, blank=True, db_index=True)
    controller_person_id_tail = models.CharField("控制方身份证号末四位", max_length=4, blank=True)
    kind = models.CharField("控制关系类型", max_length=24, choices=ControlKind.choices)
    share_percent = models.DecimalField("持股比例（%）", max_digits=5, decimal_places=2, null=True, blank=True)
    source = models.CharField("信息来源", max_length=24, choices=ControlSource.choices)
    valid_from = models.DateField("起始日期")
    valid_until = models.DateField("终止日期", null=True, blank=True)
    recorded_at = models.DateTimeField("登记时间")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="登记人")

    class Meta:
        verbose_name = "控制关系"
        verbose_name_plural = "控制关系"
        ordering = ["controlled_id", "valid_from", "id"]
        indexes = [models.Index(fields=["controlled", "valid_from"], name="registry_control_controlled")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(controller_entity__isnull=False, controller_person_hash="")
                           | (Q(controller_entity__isnull=True) & ~Q(controller_person_hash=""))),
                name="registry_control_one_controller"),
            models.CheckConstraint(condition=~Q(controller_entity=models.F("controlled")),
                                   name="registry_control_not_self"),
            models.CheckConstraint(condition=Q(share_percent__isnull=True)
                                   | Q(share_percent__gte=0, share_percent__lte=100),
                                   name="registry_control_share_0_100"),
            models.CheckConstraint(condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                                   name="registry_control_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.controller_label} → {self.controlled_id}"

    @property
    def controller_label(self) -> str:
        if self.controller_entity_id:
            return str(self.controller_entity)
        return f"{self.controller_person_name}（身份证号末四位{self.controller_person_id_tail}）"

    @property
    def controller_key(self) -> str:
        """One string per controlling party: ``entity:<id>`` or ``person:<hash>`` (what "same controller" compares)."""
        if self.controller_entity_id:
            return f"entity:{self.controller_entity_id}"
        return f"person:{self.controller_person_hash}"
