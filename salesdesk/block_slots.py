"""Where to put next week's call blocks, pure: the rep's own connect-rate map where it has
enough dials, the method's good hours where it hasn't (METHOD.md §1).

Every half-hour start in working hours on a working day is a candidate. Left out:
holidays and the morning after one, anything touching lunch or dinner (a block calls many
numbers, some of them private), existing blocks and booked meetings, and any slot touching
an hour the data shows is bad (enough dials, and even the top of its 95% interval is below
the rep's average). The rest are ranked in tiers:

0. slots whose hours with enough dials cover at least half the slot and whose lower bound
   (the covered cells' Wilson lower bounds, weighted by dials and minutes) beats the rep's
   average: the data says these are good even at the pessimistic end;
1. slots in the preferred windows (mid-morning, mid-afternoon by default) that the data
   can't judge yet, by the share of the slot inside them, spread over the week's days;
2. slots the data covers that are not known to be good or bad, by their lower bound.

Slots outside the preferred windows without data are not proposed. Suggestions never
overlap each other; the choice is greedy and never looks at the count, so the first N of
any listing are the same N slots (``block add --suggested N``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from salesdesk.connect_rates import HourMap, wilson
from salesdesk.dates import iso, to_local, utc
from salesdesk.timing import Timing, Window, concerns

# A meeting takes an hour of the rep's day (the store keeps only its start).
MEETING_TIME = timedelta(hours=1)
# Working hours when [rules] business_hours is not set.
DEFAULT_DAY = (time(9), time(18))
STEP = timedelta(minutes=30)
DEFAULT_BLOCK_MINUTES = 90
DEFAULT_SUGGESTIONS = 5
# A week holds only so many good slots; more is a list, not a suggestion.
SUGGESTIONS_MAX = 20
Basis = Literal["data", "default"]
_DEFAULT_NAMES = dict(zip(Timing().preferred, ("mid-morning", "mid-afternoon"), strict=True))


@dataclass(frozen=True)
class Suggestion:
    rank: int
    start: datetime  # aware UTC
    end: datetime
    basis: Basis
    reason: str
    dials: int  # over the covered hours with enough dials (0 for a default slot)
    connects: int

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def as_dict(self) -> dict[str, Any]:
        low, high = wilson(self.connects, self.dials) if self.dials else (None, None)
        return {
            "rank": self.rank,
            "start": iso(self.start),
            "end": iso(self.end),
            "minutes": self.minutes,
            "basis": self.basis,
            "reason": self.reason,
            "dials": self.dials,
            "connects": self.connects,
            "connect_rate": round(self.connects / self.dials, 4) if self.dials else None,
            "low": None if low is None else round(low, 4),
            "high": None if high is None else round(high, 4),
        }


@dataclass(frozen=True)
class _Candidate:
    day: date
    wall: datetime  # naive local wall-clock start
    start: datetime  # aware UTC
    end: datetime
    tier: int
    score: float
    data_minutes: int
    lead_in: int  # minutes before the first hour with data: start where the data is
    dials: int
    connects: int
    hours_with_data: tuple[int, ...]
    preferred_share: float

    def key(self, picked_that_day: int) -> tuple[Any, ...]:
        """Lower is better. Equal data slots: more minutes with data, starting where the data
        is; equal default slots: on a day with fewer suggestions yet, then the earliest."""
        if self.tier == 1:
            return (self.tier, -self.score, 0, 0, picked_that_day, self.start)
        return (self.tier, -round(self.score, 9), -self.data_minutes, self.lead_in, picked_that_day, self.start)


def _covered(wall: datetime, minutes: int) -> list[tuple[int, int]]:
    """(hour, minutes in it) for a slot starting at ``wall``, on its own day."""
    out: list[tuple[int, int]] = []
    clock, end = wall, wall + timedelta(minutes=minutes)
    while clock < end:
        next_hour = clock.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        step = min(next_hour, end) - clock
        out.append((clock.hour, int(step.total_seconds() // 60)))
        clock += step
    return out


def _inside(windows: Sequence[Window], start: time, end: time, minutes: int) -> float:
    """The share of [start, end) inside ``windows`` (same day)."""
    inside = 0
    for w in windows:
        lo, hi = max(w.start, start), min(w.end, end)
        if lo < hi:
            inside += (hi.hour * 60 + hi.minute) - (lo.hour * 60 + lo.minute)
    return min(inside / minutes, 1.0)


def _span(c: _Candidate) -> str:
    return f"{to_local(c.start):%a %d %b %H:%M}–{to_local(c.end):%H:%M}"


def _reason(c: _Candidate, average: float | None, preferred: Sequence[Window], minutes: int) -> str:
    if c.tier in (0, 2):
        rate = c.connects / c.dials
        hours = c.hours_with_data
        scope = ""
        if c.data_minutes < minutes:
            scope = f" at {hours[0]:02d}:00–{hours[-1] + 1:02d}:00"
        text = f"{_span(c)}: {rate:.0%} connect, {c.dials} dials{scope}; your average is {average:.0%}"
        if c.tier == 2:
            text += " (no better hour is known for sure)"
        return text
    names = []
    for w in preferred:
        if _inside([w], c.wall.time(), (c.wall + timedelta(minutes=minutes)).time(), minutes) > 0:
            names.append(f"{_DEFAULT_NAMES[w]} ({w})" if w in _DEFAULT_NAMES else f"your preferred hours {w}")
    part = "" if c.preferred_share >= 1 else "partly "
    return (
        f"{_span(c)}: {part}{' and '.join(names)}, the method's default; too few of your own dials "
        "at these hours to judge"
    )


def suggest(
    hmap: HourMap,
    *,
    days: Sequence[date],
    busy: Sequence[tuple[datetime, datetime]],
    timing: Timing,
    holidays: Collection[date],
    working_days: Collection[int],
    day_start: time,
    day_end: time,
    minutes: int,
    count: int,
) -> list[Suggestion]:
    """Up to ``count`` block slots on ``days``, best first (see the module's docstring)."""
    average = hmap.average
    cells = {(c.weekday, c.hour): c for c in hmap.cells if c.group is None and c.enough_data}
    bad = {key for key, c in cells.items() if average is not None and c.interval[1] < average}
    # The method's rules for a block apply whatever the warnings setting says.
    rules = replace(timing, advice=True)
    length = timedelta(minutes=minutes)
    candidates: list[_Candidate] = []
    for day in days:
        if day.weekday() not in working_days or day in holidays:
            continue
        wall = datetime.combine(day, day_start)
        while wall + length <= datetime.combine(day, day_end):
            found = _candidate(day, wall, minutes, cells, bad, average, busy, rules, holidays, working_days)
            if found is not None:
                candidates.append(found)
            wall += STEP
    chosen: list[_Candidate] = []
    picked: dict[date, int] = {}
    while candidates and len(chosen) < count:
        best = min(candidates, key=lambda c: c.key(picked.get(c.day, 0)))
        chosen.append(best)
        picked[best.day] = picked.get(best.day, 0) + 1
        candidates = [c for c in candidates if not (c.start < best.end and best.start < c.end)]
    return [
        Suggestion(rank, c.start, c.end, "default" if c.tier == 1 else "data",
                   _reason(c, average, timing.preferred, minutes), c.dials, c.connects)
        for rank, c in enumerate(chosen, 1)
    ]  # fmt: skip


def _candidate(
    day: date,
    wall: datetime,
    minutes: int,
    cells: dict[tuple[int, int], Any],
    bad: set[tuple[int, int]],
    average: float | None,
    busy: Sequence[tuple[datetime, datetime]],
    rules: Timing,
    holidays: Collection[date],
    working_days: Collection[int],
) -> _Candidate | None:
    end_wall = wall + timedelta(minutes=minutes)
    if concerns(wall, end_wall, private=True, timing=rules, holidays=holidays, working_days=working_days):
        return None
    start, end = utc(wall), utc(end_wall)
    if any(start < b_end and b_start < end for b_start, b_end in busy):
        return None
    covered = _covered(wall, minutes)
    weekday = day.weekday()
    if any((weekday, hour) in bad for hour, _ in covered):
        return None
    with_data = [(hour, m, cells[(weekday, hour)]) for hour, m in covered if (weekday, hour) in cells]
    data_minutes = sum(m for _, m, _ in with_data)
    share = _inside(rules.preferred, wall.time(), end_wall.time() if end_wall.date() == day else time.max, minutes)
    dials = sum(c.dials for _, _, c in with_data)
    connects = sum(c.connects for _, _, c in with_data)
    lead_in = 0
    for hour, m in covered:
        if (weekday, hour) in cells:
            break
        lead_in += m
    if with_data and data_minutes * 2 >= minutes:
        weights = [(m * c.dials, c.interval[0]) for _, m, c in with_data]
        score = sum(w * low for w, low in weights) / sum(w for w, _ in weights)
        tier = 0 if average is not None and score > average else 2
    elif share > 0:
        # Too little data to judge the slot by: the default's reason cites no numbers.
        tier, score, dials, connects = 1, share, 0, 0
    else:
        return None
    return _Candidate(
        day, wall, start, end, tier, score, data_minutes, lead_in, dials, connects,
        tuple(hour for hour, _, _ in with_data), share,
    )  # fmt: skip
