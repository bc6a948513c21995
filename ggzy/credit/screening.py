"""Government procurement screens the three national lists (失信被执行人, 政府采购严重违法失信行为记录名单, 重大税收
违法失信主体) for each supplier, from imported list data; the result is kept with its time, so evaluators see what
the lists said when the screening ran (and a later import does not silently change it)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record

from .models import NationalList, Screening
from .selectors import records_in_force


def _hits(credit_code: str, day) -> list[dict]:
    rows = records_in_force("entity", credit_code, at=day).exclude(national_list="")
    return [{"list": r.national_list, "list_label": str(NationalList(r.national_list).label),
             "record_no": r.record_no, "title": r.title, "authority": r.authority,
             "decided_on": r.decided_on.isoformat(),
             "valid_until": r.valid_until.isoformat() if r.valid_until else None} for r in rows]


def screening_run(*, actor, context: str, suppliers: Iterable[tuple[str, str]]) -> list[Screening]:
    """Screen each (credit code, name) once in ``context`` (idempotent: a supplier already screened there keeps
    its result and time); returns the screenings of the context."""
    now = clock.now()
    for code, name in suppliers:
        if Screening.objects.filter(context=context, subject_key=code).exists():
            continue
        hits = _hits(code, now)
        try:
            with transaction.atomic():
                row = Screening.objects.create(context=context, subject_key=code, subject_name=name[:200],
                                               screened_at=now, hits=hits)
                audit_record(actor=actor, action="credit.screening", obj=row,
                             after={"context": context, "credit_code": code, "hits": [h["record_no"] for h in hits],
                                    "screened_at": now})
        except IntegrityError:  # screened concurrently: the first result stands
            continue
    return screenings_of(context)


def screenings_of(context: str) -> list[Screening]:
    return list(Screening.objects.filter(context=context).order_by("subject_name"))


LISTS = NationalList
