"""Credit evaluation (信用评价): a transparent score and grade per subject from its records in force and the scoring
model in force (data with an effective date). The inputs are the records alone: no region, no ownership, no local
history, so a firm from another province with no records scores the base like any other."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction

from ggzy.core import clock
from ggzy.core.errors import NotFound

from .models import CreditRecord, Kind, ScoreModel, ScoreSnapshot
from .selectors import _day, records_in_force


def score_model_in_force(at: dt.date | dt.datetime | None = None) -> ScoreModel:
    """The newest scoring model in force on ``at`` (today by default)."""
    model = ScoreModel.objects.filter(effective_from__lte=_day(at)).order_by("-effective_from", "-pk").first()
    if model is None:
        raise NotFound("没有生效的信用评价模型", field="model")
    return model


def _points(model: ScoreModel, record: CreditRecord) -> int:
    points = model.points or {}
    if record.kind == Kind.PERFORMANCE:
        rating = str((record.evidence or {}).get("rating", "")).strip()
        return int(points.get(f"performance_{rating}", 0)) if rating in ("good", "poor") else 0
    return int(points.get(record.kind, 0))


def grade_for(model: ScoreModel, score: int) -> str:
    for band in sorted(model.bands, key=lambda b: -int(b["min"])):
        if score >= int(band["min"]):
            return str(band["grade"])
    return str(model.bands[-1]["grade"]) if model.bands else ""


def score_compute(subject_kind: str, subject_key: str, *, at: dt.date | dt.datetime | None = None,
                  model: ScoreModel | None = None) -> dict[str, Any]:
    """The score, grade and breakdown (each record's points × repeat weight) on ``at``."""
    day = _day(at)
    model = model or score_model_in_force(day)
    records = sorted(records_in_force(subject_kind, subject_key, at=day), key=lambda r: (r.decided_on, r.pk))
    seen: dict[str, int] = defaultdict(int)
    lines = []
    total = Decimal(model.base)
    for record in records:
        points = _points(model, record)
        if points == 0:
            continue
        seen[record.kind] += 1
        weight = 1 + Decimal(model.repeat_step) * (seen[record.kind] - 1) if points < 0 else Decimal(1)
        value = (Decimal(points) * weight).quantize(Decimal("1"))
        total += value
        lines.append({"record_no": record.record_no, "version": record.version, "kind": record.kind,
                      "kind_label": str(record.get_kind_display()), "title": record.title,
                      "decided_on": record.decided_on.isoformat(), "points": points, "weight": str(weight),
                      "value": int(value)})
    score = int(max(Decimal(0), min(Decimal(model.ceiling), total)))
    return {"subject_kind": subject_kind, "subject_key": subject_key, "on": day.isoformat(), "base": model.base,
            "ceiling": model.ceiling, "score": score, "grade": grade_for(model, score), "lines": lines,
            "model": {"id": model.pk, "code": model.code, "name": model.name,
                      "effective_from": model.effective_from.isoformat()}}


def snapshot_month(month: dt.date | None = None) -> int:
    """Snapshot every subject with records (the others score the base) for ``month``'s first day; idempotent: a
    second run for the same month replaces that month's rows with the same values. Returns the count."""
    first = (month or clock.today()).replace(day=1)
    model = score_model_in_force(first)
    subjects = (CreditRecord.objects.filter(is_current=True).order_by("subject_kind", "subject_key", "-decided_on")
                .values_list("subject_kind", "subject_key", "subject_name"))
    names: dict[tuple[str, str], str] = {}
    for kind, key, name in subjects:
        names.setdefault((kind, key), name)
    now = clock.now()
    with transaction.atomic():
        for (kind, key), name in names.items():
            result = score_compute(kind, key, at=first, model=model)
            ScoreSnapshot.objects.update_or_create(
                subject_kind=kind, subject_key=key, month=first,
                defaults={"subject_name": name, "model": model, "score": result["score"], "grade": result["grade"],
                          "breakdown": result, "computed_at": now})
    return len(names)


def snapshots_of(subject_kind: str, subject_key: str) -> list[ScoreSnapshot]:
    return list(ScoreSnapshot.objects.filter(subject_kind=subject_kind, subject_key=subject_key).order_by("-month")[:24])


# The kinds of record from the worst to the mildest (what a chooser is told first).
SEVERITY = (Kind.SERIOUS_BREACH, Kind.VIOLATION, Kind.PERFORMANCE, Kind.REWARD)


def subject_kind_of(credit_code: str) -> str:
    """Agencies' records are keyed "agency" where any exists under that kind, else "entity" (as the credit query)."""
    from .models import SubjectKind

    agency = CreditRecord.objects.filter(subject_kind=SubjectKind.AGENCY, subject_key=str(credit_code)).exists()
    return SubjectKind.AGENCY if agency else SubjectKind.ENTITY


def credit_brief(credit_code: str, *, at: dt.date | dt.datetime | None = None,
                 model: ScoreModel | None = None) -> dict[str, Any]:
    """For one firm by its credit code: grade, score, the count of its records in force and the worst kind among
    them (label in Chinese, "" if none). Without a scoring model in force the grade is ""."""
    day = _day(at)
    kind = subject_kind_of(credit_code)
    records = list(records_in_force(kind, credit_code, at=day))
    kinds = {r.kind for r in records}
    worst = next((k for k in SEVERITY if k in kinds), "")
    try:
        score = score_compute(kind, credit_code, at=day, model=model)
    except NotFound:
        score = {"score": None, "grade": ""}
    return {"subject_kind": kind, "grade": score["grade"], "score": score["score"], "records": len(records),
            "worst_kind": str(worst), "worst_label": str(Kind(worst).label) if worst else ""}
