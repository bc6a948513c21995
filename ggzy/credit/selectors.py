"""Credit selectors: the records in force for a subject and the restriction that stops a behaviour."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from ggzy.core import clock

from .models import CreditRecord, CreditRestriction


def _day(at: dt.date | dt.datetime | None) -> dt.date:
    if at is None:
        return clock.today()
    if isinstance(at, dt.datetime):  # the platform's day (Asia/Shanghai), not the UTC date of an aware time
        return timezone.localdate(at) if timezone.is_aware(at) else at.date()
    return at


def records_in_force(subject_kind: str, subject_key: str, *, at: dt.date | dt.datetime | None = None
                     ) -> QuerySet[CreditRecord]:
    """Current versions valid on ``at`` (today by default)."""
    day = _day(at)
    return (CreditRecord.objects.filter(subject_kind=subject_kind, subject_key=str(subject_key), is_current=True,
                                        valid_from__lte=day)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
            .prefetch_related("restrictions"))


def record_history(record_no: str) -> list[CreditRecord]:
    """Every version of one record, oldest first."""
    return list(CreditRecord.objects.filter(record_no=record_no).order_by("version"))


def records_by_source_ref(*, source: str, source_ref: str) -> list[CreditRecord]:
    return list(CreditRecord.objects.filter(source=source, source_ref=source_ref, is_current=True))


def _restrictions_in_force(subject_kind: str, behaviour: str, day: dt.date) -> QuerySet[CreditRestriction]:
    """Restrictions of ``behaviour`` on subjects of ``subject_kind`` in force on ``day`` (of current, valid records)."""
    return (CreditRestriction.objects
            .filter(behaviour=behaviour, starts_on__lte=day, record__subject_kind=subject_kind,
                    record__is_current=True, record__valid_from__lte=day)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
            .filter(Q(record__valid_until__isnull=True) | Q(record__valid_until__gte=day)))


def restriction_in_force(subject_kind: str, subject_key: str, behaviour: str, *,
                         at: dt.date | dt.datetime | None = None) -> CreditRestriction | None:
    """The restriction (of a current, valid record) that stops ``behaviour`` on ``at``, or None."""
    return (_restrictions_in_force(subject_kind, behaviour, _day(at)).select_related("record")
            .filter(record__subject_key=str(subject_key))
            .order_by("record__decided_on", "pk").first())


def subjects_restricted(subject_kind: str, keys: list[str], behaviour: str, *,
                        at: dt.date | dt.datetime | None = None) -> dict[str, CreditRestriction]:
    """For many subjects at once (bidder lists): key → the restriction in force."""
    rows = (_restrictions_in_force(subject_kind, behaviour, _day(at)).select_related("record")
            .filter(record__subject_key__in=[str(k) for k in keys])
            .order_by("record__decided_on", "pk"))
    out: dict[str, CreditRestriction] = {}
    for row in rows:
        out.setdefault(row.record.subject_key, row)
    return out


def subject_keys_restricted(subject_kind: str, behaviour: str, *, at: dt.date | dt.datetime | None = None) -> set[str]:
    """The keys of every subject of ``subject_kind`` with ``behaviour`` restricted on ``at``: the few restricted,
    read without sending in thousands of candidates (an expert draw intersects its candidates with this)."""
    return set(_restrictions_in_force(subject_kind, behaviour, _day(at))
               .values_list("record__subject_key", flat=True).distinct())


def restriction_reason(restriction: CreditRestriction) -> str:
    """A refusal's reason in Chinese: the record, the authority and until when."""
    record = restriction.record
    until = restriction.ends_on or record.valid_until
    return (f"存在信用限制（{restriction.get_behaviour_display()}）：{record.title}，{record.authority}"
            f"{('，文书号 ' + record.decision_no) if record.decision_no else ''}，"
            f"限制期至{until.isoformat() if until else '另行通知'}（记录 {record.record_no}）")


def records_search(*, q: str = "", kind: str = "", source: str = "") -> QuerySet[CreditRecord]:
    """Current versions for the staff list, newest first: ``q`` matches a name, a title, a record number or a key."""
    rows = CreditRecord.objects.filter(is_current=True)
    if q:
        rows = rows.filter(Q(subject_name__icontains=q) | Q(title__icontains=q) | Q(record_no=q) | Q(subject_key=q))
    if kind:
        rows = rows.filter(kind=kind)
    if source:
        rows = rows.filter(source=source)
    return rows.order_by("-decided_on", "-pk")
