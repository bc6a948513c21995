"""Publication (信用信息公示): what is public and for how long, and the expiry job.

A record is public when its publication scope is ``public``, it is the current version, and today falls within
its publication period: from its validity start until its validity end, but at least ``min_months`` and at most
``max_months`` after the decision (the kind's rule in force, data with an effective date; penalty information:
at least 3 months, at most 3 years). Personal data is never public: a person's record shows no identifier and
a masked name. The checks below use dates, so nothing waits for the job; the job marks records that have left
scoring or publication (idempotently) and refreshes their subjects' snapshot of the month.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q, QuerySet

from ggzy.core import clock
from ggzy.core.audit import audit_record

from .models import CreditRecord, Publication, PublicationRule, SubjectKind

DEFAULT_MAX_MONTHS = 36


def months_later(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def rule_for(kind: str, at: dt.date) -> PublicationRule | None:
    return PublicationRule.objects.filter(kind=kind, effective_from__lte=at).order_by("-effective_from").first()


def publication_end(record: CreditRecord) -> dt.date:
    """The last day ``record`` is public (whatever its scope)."""
    rule = rule_for(record.kind, record.decided_on)
    low, high = (rule.min_months, rule.max_months) if rule else (0, DEFAULT_MAX_MONTHS)
    latest = months_later(record.decided_on, high)
    end = record.valid_until or latest
    return min(max(end, months_later(record.decided_on, low)), latest)


def is_public(record: CreditRecord, *, at: dt.date | None = None) -> bool:
    day = at or clock.today()
    return (record.publication == Publication.PUBLIC and record.is_current and record.unpublished_at is None
            and record.valid_from <= day <= publication_end(record))


def public_records(*, q: str = "", at: dt.date | None = None) -> list[CreditRecord]:
    """Public records today, newest first (``q``: part of the subject's name, a credit code or the title)."""
    day = at or clock.today()
    rows: QuerySet[CreditRecord] = CreditRecord.objects.filter(
        publication=Publication.PUBLIC, is_current=True, unpublished_at__isnull=True, valid_from__lte=day,
        decided_on__gte=months_later(day, -max_months()))
    q = (q or "").strip()[:100]
    if q:
        rows = rows.filter(Q(subject_name__icontains=q) | Q(title__icontains=q)
                           | (Q(subject_key=q) & ~Q(subject_kind=SubjectKind.PERSON)))
    return [r for r in rows.order_by("-decided_on", "-pk")[:500] if is_public(r, at=day)]


def max_months() -> int:
    values = list(PublicationRule.objects.values_list("max_months", flat=True))
    return max(values + [DEFAULT_MAX_MONTHS])


def expire_due() -> dict[str, int]:
    """Scheduled, idempotent: mark records whose validity ended (they leave scoring) and whose publication period
    ended (they leave the public page), each with its audit entry; then refresh the month's snapshots of their
    subjects. A second run the same day finds nothing to do."""
    from .evaluation import snapshot_month

    today, now = clock.today(), clock.now()
    expired = unpublished = 0
    for record in CreditRecord.objects.filter(is_current=True, expired_at__isnull=True, valid_until__lt=today):
        with transaction.atomic():
            if CreditRecord.objects.filter(pk=record.pk, expired_at__isnull=True).update(expired_at=now):
                audit_record(actor=None, action="credit.record_expire", obj=record,
                             after={"valid_until": record.valid_until, "expired_at": now})
                expired += 1
    for record in CreditRecord.objects.filter(is_current=True, unpublished_at__isnull=True):
        if publication_end(record) >= today:
            continue
        with transaction.atomic():
            if CreditRecord.objects.filter(pk=record.pk, unpublished_at__isnull=True).update(unpublished_at=now):
                audit_record(actor=None, action="credit.record_unpublish", obj=record,
                             after={"publication_end": publication_end(record), "unpublished_at": now})
                unpublished += 1
    if expired or unpublished:
        snapshot_month(today)
    return {"expired": expired, "unpublished": unpublished}
