"""Queries in one round trip (ggzy.core.pipeline): the same instances as evaluating each queryset, in order, sent
in one PostgreSQL pipeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Concat

from ggzy.core.models import AuditEntry
from ggzy.core.pipeline import fetch_in_order

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _entries() -> list[AuditEntry]:
    return [AuditEntry.objects.create(at=AT + dt.timedelta(minutes=n), action=f"test.{n}", object_type="x",
                                      object_id=str(n), after={"n": n, "名": "值"}, center_id=None if n else 7)
            for n in range(3)]


def test_each_queryset_gives_what_evaluating_it_gives(django_assert_num_queries):
    # given entries with JSON, datetimes and nulls
    made = _entries()
    first = AuditEntry.objects.filter(pk=made[0].pk).select_for_update()
    rest = (AuditEntry.objects.filter(pk__in=[e.pk for e in made[1:]])
            .annotate(label=Concat(F("action"), Value("/"), F("object_id"))).order_by("pk"))
    # when both are fetched together
    with django_assert_num_queries(2):
        locked, others = fetch_in_order(first, rest)
    # then the instances, their fields (converted) and their annotations are those of the querysets themselves
    assert [e.pk for e in locked] == [made[0].pk] and [e.pk for e in others] == [e.pk for e in made[1:]]
    assert locked[0].after == {"n": 0, "名": "值"} and locked[0].at == AT and locked[0].center_id == 7
    assert [e.label for e in others] == ["test.1/1", "test.2/2"]
    assert [e.at for e in others] == [e.at for e in rest] and others[0].center_id is None
    assert not locked[0]._state.adding and locked[0]._state.db == "default"
    # and a queryset with no rows, or one that needs no query, gives an empty list
    assert fetch_in_order(AuditEntry.objects.filter(pk=-1), rest)[0] == []
    nothing, again = fetch_in_order(AuditEntry.objects.filter(pk__in=[]), rest)
    assert nothing == [] and [e.pk for e in again] == [e.pk for e in made[1:]]


def test_select_related_and_values_are_refused():
    with pytest.raises(ValueError):
        fetch_in_order(AuditEntry.objects.select_related("actor"), AuditEntry.objects.all())
    with pytest.raises(ValueError):
        fetch_in_order(AuditEntry.objects.values("pk"), AuditEntry.objects.all())


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="pipeline mode is PostgreSQL's")
def test_on_postgresql_the_statements_travel_in_one_pipeline():
    # given two querysets
    made = _entries()
    in_pipeline = []

    def watch(execute, sql, params, many, context):
        in_pipeline.append(connection.connection._pipeline is not None)
        return execute(sql, params, many, context)

    # when they are fetched together
    with connection.execute_wrapper(watch):
        fetch_in_order(AuditEntry.objects.filter(pk=made[0].pk), AuditEntry.objects.filter(pk=made[1].pk))
    # then both statements were sent inside one pipeline (one round trip), not one after the other's answer
    assert in_pipeline == [True, True]
