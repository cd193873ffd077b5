"""Protected calling time, read with ``sqlite3``: is a time inside a protected call block,
and which free half-hours to offer instead (METHOD.md §1-2).

``services.blocks`` answers through these over its session's connection, and the hot
``log-call`` over a bare one, so a callback put in a block is warned about the same way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from salesdesk import store
from salesdesk.dates import fmt_local, to_local, utc
from salesdesk.recurrence import Occurrence, occurrences
from salesdesk.rules import BusinessHours

DEFAULT_HOURS = BusinessHours(time(9), time(18), frozenset(range(5)))
LUNCH = (time(12), time(13))  # METHOD.md §1: avoid lunch
SLOT = timedelta(minutes=30)
SLOT_SEARCH_AFTER = timedelta(days=14)


def span_text(occurrence: Occurrence, now: datetime | None = None) -> str:
    """``Tue 24 Nov 09:00-10:30``."""
    return f"{fmt_local(occurrence.start, now)}-{to_local(occurrence.end):%H:%M}"


def expand(conn: sqlite3.Connection, first: date, last: date) -> list[Occurrence]:
    """Every block's occurrences starting on local days ``first`` to ``last``, in time order,
    over the store layer's rows."""
    rows = store.blocks_between(conn, first, last)
    removed = store.removed_days(conn, [row.id for row in rows], first, last)
    found = [o for row in rows for o in occurrences(row, removed[row.id], first, last)]
    return sorted(found, key=lambda o: (o.start, o.block.id))


def protected_at(conn: sqlite3.Connection, at: datetime) -> Occurrence | None:
    """The protected block occurrence that ``at`` falls in, if any."""
    day = to_local(at).date()
    return next(
        (o for o in expand(conn, day - timedelta(days=1), day) if o.block.protect and o.start <= at < o.end),
        None,
    )


def free_slots(
    conn: sqlite3.Connection, around: datetime, now: datetime, hours: BusinessHours | None = None
) -> list[datetime]:
    """Two free half-hours near ``around``, outside every block, in working hours, not at lunch
    and not past: the nearest one, and the nearest on a later day, so the customer gets a real
    either/or (METHOD.md §2). In time order; fewer when two weeks hold no free time."""
    hours = hours or DEFAULT_HOURS
    # From the day asked for on: a customer who asked for Tuesday isn't offered Monday.
    first = max(to_local(around).date(), to_local(now).date())
    last = to_local(around + SLOT_SEARCH_AFTER).date()
    busy = expand(conn, first - timedelta(days=1), last)
    candidates: list[datetime] = []
    day = first
    while day <= last:
        if day.weekday() in hours.weekdays:
            clock = datetime.combine(day, hours.start)
            while clock + SLOT <= datetime.combine(day, hours.end):
                start = utc(clock)
                at_lunch = clock.time() < LUNCH[1] and (clock + SLOT).time() > LUNCH[0]
                taken = any(start < o.end and o.start < start + SLOT for o in busy)
                if start >= now and not at_lunch and not taken:
                    candidates.append(start)
                clock += SLOT
        day += timedelta(days=1)
    candidates.sort(key=lambda slot: (abs(slot - around), slot))
    if not candidates:
        return []
    nearest = candidates[0]
    other_day = next((c for c in candidates if to_local(c).date() != to_local(nearest).date()), None)
    return sorted([nearest] if other_day is None else [nearest, other_day])


def either_or(slots: Sequence[datetime], now: datetime) -> str:
    """``Tuesday 10:00 or Wednesday 15:00?``: weekday names, with the date when a week or more away."""

    def spoken(slot: datetime) -> str:
        local = to_local(slot)
        if (local.date() - to_local(now).date()).days >= 7:
            return local.strftime("%A %d %b %H:%M")
        return local.strftime("%A %H:%M")

    return " or ".join(spoken(slot) for slot in slots) + "?"


def protect_warning(
    conn: sqlite3.Connection, at: datetime, now: datetime, hours: BusinessHours | None = None
) -> str | None:
    """A warning when ``at`` (a callback or meeting) falls in a protected block, offering two
    free slots outside blocks instead; None when the time is free."""
    occurrence = protected_at(conn, at)
    if occurrence is None:
        return None
    block = occurrence.block
    slots = free_slots(conn, at, now, hours)
    offer = f'; offer "{either_or(slots, now)}" instead' if slots else ""
    return (
        f"{fmt_local(at, now)} is inside call block #{block.id} {block.title!r} ({span_text(occurrence, now)}), "
        f"time kept for calling{offer}"
    )
