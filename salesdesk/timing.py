"""When to call: the method's timing rules (METHOD.md §1) as data and pure checks.

The method's rules of thumb: after a holiday avoid the morning (call in the afternoon);
avoid lunch unless urgent; avoid dinner time for private numbers. Where a rep has no data
of their own yet, the good hours are mid-morning and mid-afternoon. All of it is set in
``[timing]`` (see ``config.py``) and can be switched off with ``advice = false``.

Everything here takes local wall-clock times; callers convert from UTC.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

ConcernKind = Literal["lunch", "dinner", "after_holiday"]


@dataclass(frozen=True)
class Window:
    """A daily span of local wall-clock time, ``start`` included, ``end`` excluded."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        return self.start <= moment < self.end

    def overlaps(self, start: time, end: time) -> bool:
        """Whether [start, end) shares any time with this window (same day)."""
        return start < self.end and self.start < end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class Timing:
    """The ``[timing]`` settings."""

    # Warn when a call or block is scheduled at a time the method advises against.
    advice: bool = True
    # METHOD.md §1: "avoid lunch unless urgent".
    lunch: Window = Window(time(12, 0), time(13, 30))
    # METHOD.md §1: "avoid dinner time for private numbers".
    dinner: Window = Window(time(18, 0), time(20, 0))
    # Mornings after a holiday end here: "after a holiday, avoid the morning".
    morning_ends: time = time(12, 0)
    # Where the rep has no data: mid-morning and mid-afternoon (METHOD.md §1 avoids the rest).
    preferred: tuple[Window, ...] = (Window(time(9, 30), time(11, 30)), Window(time(14, 0), time(17, 0)))
    # Holidays: dates from the config file, and/or a country's calendar (the `holidays` package).
    holidays: frozenset[date] = frozenset()
    holiday_country: str | None = None
    # A weekday x hour cell with fewer dials than this is marked "too few", never ranked.
    min_dials: int = 10
    from_file: frozenset[str] = field(default=frozenset(), compare=False)

    def holiday_dates(self, years: Iterable[int]) -> frozenset[date]:
        """The configured dates plus the country's public holidays in ``years``."""
        dates = set(self.holidays)
        if self.holiday_country:
            dates |= country_holidays(self.holiday_country, years)
        return frozenset(dates)


def country_holidays(country: str, years: Iterable[int]) -> frozenset[date]:
    """Public holidays of ``country`` (ISO 3166 code, e.g. "CN", "US") in ``years``."""
    import holidays  # imported here: it is large, and only a configured country needs it

    return frozenset(holidays.country_holidays(country, years=list(years)))


def supported_country(country: str) -> bool:
    import holidays

    return country.upper() in holidays.list_supported_countries()


@dataclass(frozen=True)
class TimingConcern:
    kind: ConcernKind
    reason: str  # the method's reason, one sentence a rep reads at the moment of scheduling


def after_holiday(day: date, holidays: Container[date], working_days: Container[int]) -> bool:
    """Whether ``day`` is the first working day after a holiday.

    Walks back over the days off before ``day`` (weekends and holidays): a holiday among
    them makes ``day`` the first day back (a Friday holiday makes Monday the first day back).
    """
    if day in holidays:
        return False
    previous = day - timedelta(days=1)
    for _ in range(31):  # a month of days off in a row is already absurd
        if previous in holidays:
            return True
        if previous.weekday() in working_days:
            return False
        previous -= timedelta(days=1)
    return False


def concerns(
    start: datetime,
    end: datetime | None,
    *,
    private: bool,
    timing: Timing,
    holidays: Container[date],
    working_days: Container[int],
) -> list[TimingConcern]:
    """What the method says against calling from ``start`` (to ``end``), local wall time.

    ``private``: the number is a private one (the dinner rule applies). Empty when
    ``timing.advice`` is off.
    """
    if not timing.advice:
        return []
    begin = start.time()
    finish = end.time() if end is not None and end.date() == start.date() else (start + timedelta(minutes=1)).time()
    found: list[TimingConcern] = []
    if timing.lunch.overlaps(begin, finish):
        found.append(TimingConcern("lunch", f"{timing.lunch} is lunch: avoid calling then unless it is urgent"))
    if private and timing.dinner.overlaps(begin, finish):
        found.append(TimingConcern("dinner", f"{timing.dinner} is dinner time: avoid calling a private number then"))
    if begin < timing.morning_ends and after_holiday(start.date(), holidays, working_days):
        found.append(
            TimingConcern(
                "after_holiday",
                f"the first morning after a holiday is for catching up: call after {timing.morning_ends:%H:%M}",
            )
        )
    return found
