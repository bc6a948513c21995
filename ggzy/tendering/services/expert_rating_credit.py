"""Expert ratings feed credit (issue 18 item 1: 专家评价 as a credit source): a rating of a lot's expert whose
average mark falls below the template's ``expert_rating_credit_below`` (待核实; absent or 0: never) also records a
credit record about the expert — source ``expert_rating``, kind ``performance`` rated "poor" (the scoring model's
``performance_poor`` points), internal (an expert is a person: never public) — through ``credit.services``, in the
rating's transaction, idempotent by the rating (来源业务编号 ``rating:<id>``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from ggzy.core import clock
from ggzy.credit import services as credit_services
from ggzy.experts import services as expert_services
from ggzy.experts.services.performance import MARKS

from .. import rules
from ..models import Lot

KEY = "expert_rating_credit_below"
VALID_DAYS = 365  # how long such a performance record counts (待核实, as the key)


def lot_expert_rate(*, actor, lot: Lot, expert, marks: dict[str, object], comment: str = ""):
    """Rate ``expert`` for ``lot`` (``experts.services.expert_rate``) and record poor performance in credit when the
    average mark is below the template's threshold. Returns (rating, credit record or None)."""
    with transaction.atomic():
        rating = expert_services.expert_rate(actor=actor, expert=expert, subject_code=lot.code, marks=marks,
                                             comment=comment)
        threshold = rules.period_optional(lot.project, KEY)
        average = sum(Decimal(getattr(rating, k)) for k in MARKS) / len(MARKS)
        if threshold is None or not threshold.is_finite() or threshold <= 0 or average >= threshold:
            return rating, None
        today = clock.today()
        record = credit_services.record_create(
            actor=actor, subject_kind="expert", subject_key=str(expert.pk), subject_name=expert.name,
            source="expert_rating", source_ref=f"rating:{rating.pk}", kind="performance",
            title=f"专家履职评价平均{average:.2f}分，低于{threshold}分（{lot.code}）",
            facts="；".join(f"{k}={getattr(rating, k)}" for k in MARKS),
            authority=lot.project.center.name, decided_on=today,
            valid_until=today + dt.timedelta(days=VALID_DAYS), publication="internal",
            evidence={"rating": "poor", "rating_id": rating.pk, "average": str(average), "lot": lot.code,
                      "rater_role": rating.rater_role})
        return rating, record
