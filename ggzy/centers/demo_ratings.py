"""Demo ratings of centers and agencies (third-party channel), so the supervisors' summary has figures (idempotent)."""

from __future__ import annotations

from typing import Any

from ggzy.registry.models import Center

from .models import ServiceRating
from .selectors_ratings import agency_entities
from .services_ratings import third_party_rating_submit

# (center code or None for the first agencies, scores)
SCORES = [(5, 4, 5, 4), (4, 4, 3, 4), (3, 4, 4, 5)]


def demo_ratings_load(*, stdout: Any = None) -> None:
    if ServiceRating.objects.exists():
        return
    for center in Center.objects.order_by("code")[:3]:
        for compliance, efficiency, attitude, transparency in SCORES:
            third_party_rating_submit(subject="center", center=center, address=None, data={
                "compliance": compliance, "efficiency": efficiency, "attitude": attitude,
                "transparency": transparency, "comment": "演示评价"})
    for i, agency in enumerate(agency_entities()[:3]):
        compliance, efficiency, attitude, transparency = SCORES[i % len(SCORES)]
        third_party_rating_submit(subject="agency", agency=agency, address=None, data={
            "compliance": compliance, "efficiency": efficiency, "attitude": attitude, "transparency": transparency})
    if stdout is not None:
        stdout.write("演示服务评价已加载")
