"""The rep's own connect-rate map: weekday x hour cells with a Wilson interval, pure.

The store groups calls by 15-minute UTC bucket (``services.hours``); this module places each
bucket at its local weekday and hour (a 15-minute bucket lies inside one local hour in every
zone, whole-, half- and quarter-hour offsets alike, and DST is applied bucket by bucket), and
adds the counts up. A cell with fewer dials than ``timing.min_dials`` is shown but marked
"too few": it is never ranked, never the "best hour", never a reason for a block.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Literal

# z for a two-sided 95% interval (1.96, as the tables print it).
Z95 = 1.96
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
By = Literal["source", "grade"]
Clock = Literal["rep", "lead"]
BUCKET = timedelta(minutes=15)
# Twelve weeks: a quarter of calling, enough dials per cell for most reps, recent enough to
# still describe their customers.
DEFAULT_WEEKS = 12
# Two years: older calling says little about this week's customers.
WEEKS_MAX = 104


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of ``successes`` in ``n`` trials: (low, high), (0, 1) when
    n is 0. Unlike the plain p ± z·se it stays inside [0, 1] and is honest for small n."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Cell:
    """One weekday (0 = Monday) and hour (0-23) of local time, in one group (or all)."""

    weekday: int
    hour: int
    dials: int
    connects: int
    meetings: int
    min_dials: int
    group: str | None = None

    @property
    def enough_data(self) -> bool:
        return self.dials >= self.min_dials

    @property
    def connect_rate(self) -> float | None:
        return self.connects / self.dials if self.dials else None

    @property
    def meeting_rate(self) -> float | None:
        """Meetings per connect, as everywhere in salesdesk (METHOD.md §8)."""
        return self.meetings / self.connects if self.connects else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.connects, self.dials)

    @property
    def label(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.hour:02d}:00"

    def as_dict(self, by: By | None = None) -> dict[str, Any]:
        low, high = self.interval
        found: dict[str, Any] = {}
        if by is not None:
            found[by] = self.group
        return found | {
            "weekday": self.weekday,
            "day": WEEKDAYS[self.weekday],
            "hour": self.hour,
            "dials": self.dials,
            "connects": self.connects,
            "meetings": self.meetings,
            "connect_rate": _round(self.connect_rate),
            "low": round(low, 4),
            "high": round(high, 4),
            "meeting_rate": _round(self.meeting_rate),
            "enough_data": self.enough_data,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(frozen=True)
class Bucket:
    """Calls in one 15-minute UTC bucket, for one lead time zone and group."""

    start: datetime  # aware UTC
    dials: int
    connects: int
    meetings: int
    zone: str | None = None  # the lead's zone when the map is in the lead's time
    group: str | None = None


@dataclass(frozen=True)
class HourMap:
    """The cells with any dials, sorted by group, weekday and hour, and the totals."""

    cells: tuple[Cell, ...]
    since: datetime
    until: datetime
    weeks: int
    min_dials: int
    clock: Clock = "rep"
    by: By | None = None

    @property
    def dials(self) -> int:
        return sum(c.dials for c in self.cells)

    @property
    def connects(self) -> int:
        return sum(c.connects for c in self.cells)

    @property
    def meetings(self) -> int:
        return sum(c.meetings for c in self.cells)

    @property
    def average(self) -> float | None:
        """The rep's connect rate over the whole map: the line every cell is judged against."""
        return self.connects / self.dials if self.dials else None

    def groups(self) -> list[str | None]:
        return list(dict.fromkeys(c.group for c in self.cells)) or [None]

    def cell(self, weekday: int, hour: int, group: str | None = None) -> Cell | None:
        return next((c for c in self.cells if (c.weekday, c.hour, c.group) == (weekday, hour, group)), None)

    def ranked(self, group: str | None = None) -> list[Cell]:
        """Cells with enough dials, best first: by the interval's lower bound (a rate on few
        dials must prove more), then the rate, then the time of the week."""
        found = [c for c in self.cells if c.enough_data and c.group == group]
        return sorted(found, key=lambda c: (-c.interval[0], -(c.connect_rate or 0), c.weekday, c.hour))

    def average_of(self, group: str | None = None) -> float | None:
        cells = [c for c in self.cells if c.group == group]
        dials = sum(c.dials for c in cells)
        return sum(c.connects for c in cells) / dials if dials else None

    def best_and_worst(self, group: str | None = None, n: int = 3) -> tuple[list[Cell], list[Cell]]:
        """Up to ``n`` best cells (at or above the average, by the interval's lower bound) and
        ``n`` worst (below it, by the upper bound), among those with enough dials: a cell must
        prove it is good or bad, not just look it on a few dials."""
        average = self.average_of(group) or 0.0
        ranked = self.ranked(group)
        best = [c for c in ranked if (c.connect_rate or 0) >= average][:n]
        below = [c for c in ranked if (c.connect_rate or 0) < average]
        worst = sorted(below, key=lambda c: (c.interval[1], c.connect_rate or 0, c.weekday, c.hour))[:n]
        return best, worst

    def as_list(self) -> list[dict[str, Any]]:
        return [c.as_dict(self.by) for c in self.cells]


def cells_from_buckets(
    buckets: Iterable[Bucket], zone: tzinfo, min_dials: int, zones: dict[str, tzinfo] | None = None
) -> tuple[Cell, ...]:
    """Add buckets up into local weekday x hour cells: in ``zone``, or in the bucket's own
    zone when it names one found in ``zones`` (the lead's local time)."""
    totals: dict[tuple[str | None, int, int], list[int]] = {}
    for b in buckets:
        where = (zones or {}).get(b.zone or "", zone)
        local = b.start.astimezone(where)
        counts = totals.setdefault((b.group, local.weekday(), local.hour), [0, 0, 0])
        counts[0] += b.dials
        counts[1] += b.connects
        counts[2] += b.meetings
    ordered = sorted(totals.items(), key=lambda item: (item[0][0] is None, item[0][0] or "", item[0][1:]))
    return tuple(Cell(wd, hour, d, c, m, min_dials, group) for (group, wd, hour), (d, c, m) in ordered)


def bucket_start(hour_text: str, quarter: int) -> datetime:
    """The UTC start of a bucket from its hour (``2026-11-23 07``, a stored time cut after the
    hour) and its quarter."""
    return datetime.fromisoformat(hour_text).replace(tzinfo=UTC) + quarter * BUCKET


# A quarter of the cells: the rep's best hours, for "dials in your best hours".
TOP_SHARE = 0.25
# Fewer ranked cells than this and there is no quartile to speak of.
MIN_RANKED_FOR_TOP = 4


def top_quartile(hmap: HourMap) -> frozenset[tuple[int, int]] | None:
    """The (weekday, hour) cells in the top quarter of the rep's enough-data cells by connect
    rate; None when fewer than ``MIN_RANKED_FOR_TOP`` cells have enough dials."""
    ranked = [c for c in hmap.cells if c.enough_data and c.group is None]
    if len(ranked) < MIN_RANKED_FOR_TOP:
        return None
    ranked.sort(key=lambda c: (-(c.connect_rate or 0), -c.dials, c.weekday, c.hour))
    keep = math.ceil(len(ranked) * TOP_SHARE)
    return frozenset((c.weekday, c.hour) for c in ranked[:keep])
