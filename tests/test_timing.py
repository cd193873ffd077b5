"""The method's timing rules (METHOD.md §1) and their [timing] settings."""

from datetime import date, datetime, time
from pathlib import Path

import pytest

from salesdesk.config import load_config
from salesdesk.errors import InvalidInput
from salesdesk.timing import Timing, after_holiday, concerns

WEEKDAYS = frozenset(range(5))


def _kinds(start: datetime, end: datetime | None = None, *, private: bool = False, **kw) -> list[str]:
    timing = kw.pop("timing", Timing())
    holidays = kw.pop("holidays", frozenset())
    found = concerns(start, end, private=private, timing=timing, holidays=holidays, working_days=WEEKDAYS)
    return [c.kind for c in found]


def test_lunch_is_avoided_for_any_number() -> None:
    assert _kinds(datetime(2026, 12, 8, 12, 30)) == ["lunch"]
    assert _kinds(datetime(2026, 12, 8, 11, 0), datetime(2026, 12, 8, 12, 15)) == ["lunch"]  # a block running into it
    assert _kinds(datetime(2026, 12, 8, 13, 30)) == []  # lunch is over at 13:30
    assert _kinds(datetime(2026, 12, 8, 10, 0), datetime(2026, 12, 8, 12, 0)) == []  # ends as lunch starts


def test_dinner_only_for_private_numbers() -> None:
    assert _kinds(datetime(2026, 12, 8, 18, 30)) == []
    assert _kinds(datetime(2026, 12, 8, 18, 30), private=True) == ["dinner"]


def test_first_morning_after_a_holiday_even_over_a_weekend() -> None:
    friday = date(2026, 12, 4)
    assert after_holiday(date(2026, 12, 7), {friday}, WEEKDAYS)  # Monday after a Friday holiday
    assert not after_holiday(date(2026, 12, 8), {friday}, WEEKDAYS)
    assert not after_holiday(friday, {friday}, WEEKDAYS)
    assert _kinds(datetime(2026, 12, 7, 9, 0), holidays={friday}) == ["after_holiday"]
    assert _kinds(datetime(2026, 12, 7, 14, 0), holidays={friday}) == []


def test_advice_off_says_nothing() -> None:
    off = Timing(advice=False)
    assert _kinds(datetime(2026, 12, 8, 12, 30), private=True, timing=off) == []


def test_timing_settings_are_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[timing]\nlunch = "11:45-13:00"\nholidays = ["2026-10-01", 2026-10-02]\n'
        'holiday_country = "cn"\nmin_dials = 5\n'
    )
    timing = load_config(path).timing
    assert timing.lunch.start == time(11, 45)
    assert timing.holidays == {date(2026, 10, 1), date(2026, 10, 2)}
    assert timing.min_dials == 5
    assert date(2026, 10, 3) in timing.holiday_dates([2026])  # from China's calendar (National Day week)
    for bad in (
        'lunch = "13:00-12:00"',
        'holidays = ["tomorrow"]',
        'holiday_country = "XX"',
        "min_dials = 0",
        "nap = 1",
    ):
        path.write_text(f"[timing]\n{bad}\n")
        with pytest.raises(InvalidInput, match="timing"):
            load_config(path)
