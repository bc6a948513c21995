import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import DomainError
from ggzy.core.identifiers import child_code_issue, project_code_issue
from ggzy.core.models import AuditEntry, IssuedCode
from ggzy.core.money import yuan

SH = ZoneInfo("Asia/Shanghai")


def test_clock_freezes_and_advances_without_sleeping():
    # given a frozen clock
    start = dt.datetime(2026, 1, 1, 23, 59, tzinfo=SH)
    clock.freeze(start)
    # when it advances two minutes
    clock.advance(dt.timedelta(minutes=2))
    # then now() and today() follow, in Shanghai time
    assert clock.now() == start + dt.timedelta(minutes=2)
    assert clock.today() == dt.date(2026, 1, 2)


def test_clock_refuses_naive_datetimes():
    with pytest.raises(ValueError):
        clock.freeze(dt.datetime(2026, 1, 1))


@pytest.mark.django_db
def test_project_codes_are_sequential_and_never_reused(frozen_clock):
    # when two project codes and children are issued
    first = project_code_issue(region_code="370100", category_code="01")
    second = project_code_issue(region_code="370100", category_code="01")
    tender = child_code_issue(parent_code=first, level="tender")
    lot1 = child_code_issue(parent_code=tender, level="lot")
    lot2 = child_code_issue(parent_code=tender, level="lot")
    # then the codes follow the documented layout
    assert first == "3701002026" + "01" + "000001"
    assert second.endswith("000002")
    assert tender == first + "001"
    assert (lot1, lot2) == (tender + "001", tender + "002")
    assert IssuedCode.objects.count() == 5


@pytest.mark.django_db
@pytest.mark.parametrize(("region", "category", "field"), [
    pytest.param("3701", "01", "region_code", id="short-region"),
    pytest.param("370100", "a1", "category_code", id="lowercase-category"),
])
def test_project_code_refuses_bad_parts(region, category, field):
    with pytest.raises(DomainError) as err:
        project_code_issue(region_code=region, category_code=category)
    assert field in err.value.errors
    assert IssuedCode.objects.count() == 0


@pytest.mark.django_db
def test_child_code_needs_an_issued_parent():
    with pytest.raises(DomainError):
        child_code_issue(parent_code="370100202601999999", level="tender")


@pytest.mark.django_db(transaction=True)
def test_audit_record_requires_the_service_transaction():
    with pytest.raises(RuntimeError):
        audit_record(actor=None, action="x", object_type="t", object_id="1")
    assert AuditEntry.objects.count() == 0


@pytest.mark.django_db
def test_audit_record_keeps_before_and_after(frozen_clock, centers, make_user):
    staff = make_user("center_staff", center=centers["jinan"])
    with transaction.atomic():
        entry = audit_record(actor=staff, action="user.rename", obj=staff,
                             before={"name": "a"}, after={"name": "b"})
    entry.refresh_from_db()
    assert entry.at == frozen_clock.now()
    assert entry.object_type == "accounts.user"
    assert entry.actor_role == "center_staff"
    assert entry.center_id == centers["jinan"].pk
    assert (entry.before, entry.after) == ({"name": "a"}, {"name": "b"})


@pytest.mark.parametrize(("raw", "expected"), [("1,234.56", "1234.56"), ("0", "0.00"), (12, "12.00")])
def test_yuan_parses_amounts(raw, expected):
    assert str(yuan(raw)) == expected


@pytest.mark.parametrize("raw", ["-1", "abc", "NaN", "Infinity", "1,234.565", "1e3"])
def test_yuan_refuses_bad_amounts(raw):
    with pytest.raises(DomainError) as err:
        yuan(raw, field="budget")
    assert "budget" in err.value.errors
