"""Entering a year's official holiday schedule."""

import datetime as dt

import pytest

from ggzy.catalog.models import CalendarDay, HolidayYear
from ggzy.catalog.services import holiday_year_enter
from ggzy.core.errors import DomainError, NotAllowed
from ggzy.core.models import AuditEntry

pytestmark = pytest.mark.django_db
D = dt.date

DAYS_2027 = [
    {"date": D(2027, 1, 1), "kind": "holiday", "name": "元旦"},
    {"date": "2027-02-06", "kind": "makeup_workday", "name": "春节"},
    (D(2027, 2, 8), "holiday", "春节"),
]


def test_provincial_staff_enter_next_years_schedule(frozen_clock, centers, make_user):
    # given provincial staff and no 2027 schedule
    staff = make_user("center_staff", center=centers["province"])
    # when they enter it
    year = holiday_year_enter(actor=staff, year=2027, days=DAYS_2027, source="国办发明电〔2026〕X号")
    # then the year is official, its days are stored, and the entry is audited
    assert year.is_official and year.entered_by == staff and year.source == "国办发明电〔2026〕X号"
    assert list(CalendarDay.objects.filter(holiday_year=year).values_list("date", "kind")) == [
        (D(2027, 1, 1), "holiday"), (D(2027, 2, 6), "makeup_workday"), (D(2027, 2, 8), "holiday")]
    entry = AuditEntry.objects.get(action="catalog.holiday_year.enter")
    assert entry.before["days"] == [] and len(entry.after["days"]) == 3


def test_entering_again_replaces_the_days(frozen_clock):
    holiday_year_enter(actor=None, year=2027, days=DAYS_2027)
    holiday_year_enter(actor=None, year=2027, days=DAYS_2027[:1])
    assert CalendarDay.objects.filter(holiday_year__year=2027).count() == 1


def test_city_staff_cannot_enter_a_schedule(frozen_clock, centers, make_user):
    city = make_user("center_staff", center=centers["qingdao"])
    audits = AuditEntry.objects.count()
    with pytest.raises(NotAllowed):
        holiday_year_enter(actor=city, year=2027, days=DAYS_2027)
    assert not HolidayYear.objects.filter(year=2027).exists()
    assert AuditEntry.objects.count() == audits


@pytest.mark.parametrize("days", [
    pytest.param([{"date": D(2027, 1, 2), "kind": "holiday", "name": "元旦"}], id="holiday-on-saturday"),
    pytest.param([{"date": D(2027, 1, 4), "kind": "makeup_workday", "name": "元旦"}], id="makeup-on-monday"),
    pytest.param([{"date": D(2028, 1, 3), "kind": "holiday", "name": "元旦"}], id="wrong-year"),
    pytest.param([{"date": "2027-13-01", "kind": "holiday", "name": "元旦"}], id="bad-date"),
    pytest.param([{"date": D(2027, 1, 1), "kind": "holiday", "name": ""}], id="no-name"),
    pytest.param([{"date": D(2027, 1, 1), "kind": "leave", "name": "元旦"}], id="bad-kind"),
    pytest.param([DAYS_2027[0], DAYS_2027[0]], id="duplicate"),
    pytest.param([], id="empty"),
])
def test_bad_days_are_refused_and_nothing_is_stored(frozen_clock, days):
    with pytest.raises(DomainError) as err:
        holiday_year_enter(actor=None, year=2027, days=days)
    assert "days" in err.value.errors
    assert not HolidayYear.objects.filter(year=2027).exists()


def test_year_out_of_range_is_refused():
    with pytest.raises(DomainError) as err:
        holiday_year_enter(actor=None, year=1999, days=DAYS_2027)
    assert "year" in err.value.errors
