"""Working time between two instants, the clock speed to lead is measured on (TZ=Asia/Shanghai)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from salesdesk import rules
from salesdesk.worktime import working_time_between

SH = ZoneInfo("Asia/Shanghai")
OFFICE = rules.BusinessHours(time(9), time(18), frozenset(range(5)))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A local time in November 2026 (the 20th is a Friday, the 23rd a Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SH)


def test_wall_clock_when_there_are_no_business_hours() -> None:
    assert working_time_between(at(20, 17), at(23, 10), None) == timedelta(days=2, hours=17)


def test_nights_and_weekends_do_not_count() -> None:
    # Friday 17:00-18:00, then Monday 09:00-10:00.
    assert working_time_between(at(20, 17), at(23, 10), OFFICE) == timedelta(hours=2)
    # Monday 16:00 to Tuesday 11:00: two hours, then two more.
    assert working_time_between(at(23, 16), at(24, 11), OFFICE) == timedelta(hours=4)


def test_outside_hours_on_both_ends_is_zero_or_whole_days() -> None:
    assert working_time_between(at(21, 10), at(22, 20), OFFICE) == timedelta(0)  # a weekend
    assert working_time_between(at(23, 6), at(23, 20), OFFICE) == timedelta(hours=9)


def test_an_end_before_the_start_is_no_time() -> None:
    assert working_time_between(at(23, 12), at(23, 11), OFFICE) == timedelta(0)
    assert working_time_between(at(23, 12), at(23, 11), None) == timedelta(0)


@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    minutes=st.integers(min_value=0, max_value=60 * 24 * 20),
    business=st.booleans(),
)
def test_it_inverts_add_working_time(start: datetime, minutes: int, business: bool) -> None:
    hours = OFFICE if business else None
    begin = start.replace(second=0, microsecond=0, tzinfo=SH)
    span = timedelta(minutes=minutes)
    assert working_time_between(begin, rules.add_working_time(begin, span, hours), hours) == span
