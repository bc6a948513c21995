"""Demo control relationships: two demo builders under one parent, so a lot they both bid in shows the control
rule (idempotent; recorded as a business-registration import by the system)."""

from __future__ import annotations

from typing import Any

from .models import EntityControl, MarketEntity
from .services_control import entity_control_record

PARENT, CHILD = "山东鲁建建设集团有限公司", "济南章丘泰和建筑安装有限公司"


def demo_controls_load(*, stdout: Any = None) -> None:
    parent = MarketEntity.objects.filter(name=PARENT).first()
    child = MarketEntity.objects.filter(name=CHILD).first()
    if parent is None or child is None or EntityControl.objects.filter(controlled=child).exists():
        return
    entity_control_record(actor=None, controlled=child, data={
        "controller_credit_code": parent.credit_code, "kind": "shareholding", "share_percent": "65",
        "valid_from": "2020-01-01"})
    if stdout is not None:
        stdout.write(f"演示控制关系：{PARENT} → {CHILD}")
