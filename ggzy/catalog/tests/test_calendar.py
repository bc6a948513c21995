"""Working days under the official schedule (with make-up days), and honest estimates beyond it."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ggzy.catalog.calendar import add_calendar_days, add_working_days, is_working_day, working_days_between
from ggzy.catalog.models import HolidayYear
from ggzy.catalog.services import holiday_year_enter
from ggzy.core.errors import DomainError

pytestmark = pytest.mark.django_db
D = dt.date
LAST_OFFICIAL_YEAR = 2026  # chinese_calendar 1.11 knows years up to 2026


@pytest.mark.parametrize(("day", "working"), [
    pytest.param(D(2026, 2, 14), True, id="2026-spring-festival-makeup-saturday"),
    pytest.param(D(2026, 2, 28), True, id="2026-spring-festival-makeup-saturday-after"),
    pytest.param(D(2026, 2, 16), False, id="2026-spring-festival-monday-off"),
    pytest.param(D(2026, 2, 23), False, id="2026-spring-festival-last-day-off"),
    pytest.param(D(2026, 9, 20), True, id="2026-national-day-makeup-sunday"),
    pytest.param(D(2026, 10, 10), True, id="2026-national-day-makeup-saturday"),
    pytest.param(D(2026, 10, 7), False, id="2026-national-day-wednesday-off"),
    pytest.param(D(2026, 3, 7), False, id="ordinary-saturday"),
    pytest.param(D(2026, 3, 2), True, id="ordinary-monday"),
])
def test_known_days_of_2026(day, working):
    assert is_working_day(day) is working


def test_working_days_skip_the_spring_festival():
    # given the Friday before the 2026 make-up Saturday
    start = D(2026, 2, 13)
    # when one and two working days are added
    first, second = add_working_days(start, 1), add_working_days(start, 2)
    # then the make-up Saturday counts, the holiday week does not
    assert first.date == D(2026, 2, 14)
    assert second.date == D(2026, 2, 24)
    assert not second.is_estimated and second.years_without_schedule == ()


def test_working_days_skip_national_day():
    assert add_working_days(D(2026, 9, 30), 1).date == D(2026, 10, 8)
    assert add_working_days(D(2026, 10, 8), -1).date == D(2026, 9, 30)


def test_period_running_into_a_year_without_schedule_is_flagged():
    # given 2027 has no official schedule yet
    assert not HolidayYear.objects.filter(year=2027, is_official=True).exists()
    # when a 5-working-day period starts on 2026-12-30
    result = add_working_days(D(2026, 12, 30), 5)
    # then it is computed on weekends alone and says so
    assert result.date == D(2027, 1, 6)
    assert result.is_estimated and result.years_without_schedule == (2027,)


def test_entering_the_schedule_removes_the_estimate(frozen_clock):
    # given the official 2027 New Year holiday is entered
    holiday_year_enter(actor=None, year=2027, days=[{"date": D(2027, 1, 1), "kind": "holiday", "name": "元旦"}])
    # when the same period is computed again
    result = add_working_days(D(2026, 12, 30), 5)
    # then the holiday is skipped and the result is exact
    assert result.date == D(2027, 1, 7)
    assert not result.is_estimated


def test_calendar_days_are_simple_and_roll_past_holidays_on_request():
    assert add_calendar_days(D(2026, 9, 11), 20).date == D(2026, 10, 1)
    rolled = add_calendar_days(D(2026, 9, 11), 20, roll_to_working_day=True)
    assert rolled.date == D(2026, 10, 8) and not rolled.is_estimated
    assert add_calendar_days(D(2027, 3, 1), 5, roll_to_working_day=True).is_estimated


def test_working_days_between_counts_after_start_up_to_end():
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2
    assert working_days_between(D(2026, 2, 24), D(2026, 2, 13)) == -2
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 2)) == 0


@pytest.mark.parametrize(("call", "field"), [
    pytest.param(lambda: add_working_days(dt.datetime(2026, 3, 2, 9, 0), 1), "start", id="datetime-start"),
    pytest.param(lambda: add_working_days(D(2026, 3, 2), 100_000), "n", id="too-many-days"),
    pytest.param(lambda: add_working_days(D(2026, 3, 2), 1.5), "n", id="fractional-days"),
])
def test_bad_input_is_refused(call, field):
    with pytest.raises(DomainError) as err:
        call()
    assert field in err.value.errors


starts = st.dates(min_value=D(2024, 1, 1), max_value=D(2027, 12, 31))
counts = st.integers(min_value=-60, max_value=60)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=starts, n=counts)
def test_add_working_days_lands_on_a_working_day_n_working_days_away(start, n):
    # when n working days are added
    result = add_working_days(start, n)
    # then the result is a working day (unless n is 0) and exactly n working days lie in between
    if n:
        assert is_working_day(result.date)
    assert working_days_between(start, result.date) == n
    # and the estimate flag names exactly the years touched that have no official schedule
    low, high = sorted((start, result.date))
    touched = {y for y in range(low.year, high.year + 1) if y > LAST_OFFICIAL_YEAR}
    assert result.is_estimated is bool(touched)
    assert set(result.years_without_schedule) == touched


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=starts, n=st.integers(min_value=1, max_value=40))
def test_no_earlier_day_satisfies_the_period(start, n):
    # the result is the first day with n working days after start: the day before has only n-1
    result = add_working_days(start, n).date
    assert working_days_between(start, result - dt.timedelta(days=1)) == n - 1
