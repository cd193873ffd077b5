"""Protected calling time, read with ``sqlite3``: is a time inside a protected call block,
and which free half-hours to offer instead (METHOD.md §1-2).

``services.blocks`` answers through these over its session's connection, and the hot
``log-call`` over a bare one, so a callback put in a block is warned about the same way.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date, datetime, timedelta

from salesdesk import store, timing_advice
from salesdesk.dates import fmt_local, to_local
from salesdesk.recurrence import Occurrence, occurrences
from salesdesk.rules import BusinessHours
from salesdesk.timing import Timing


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
    conn: sqlite3.Connection,
    around: datetime,
    now: datetime,
    hours: BusinessHours | None = None,
    timing: Timing | None = None,
) -> list[datetime]:
    """Two free half-hours near ``around``, outside every block, in working hours, clear of
    lunch and the method's other poor hours, not past: the nearest one, and the nearest on a
    later day, so the customer gets a real either/or (METHOD.md §2). In time order; fewer when
    two weeks hold no free time.

    The search is the timing advice's (``timing_advice.better_slots``), so "lunch" has one
    definition. ``[timing] advice = false`` silences warnings; what is offered stays good."""
    hours = hours or timing_advice.DEFAULT_HOURS
    timing = replace(timing or Timing(), advice=True)
    # From the day asked for on: a customer who asked for Tuesday isn't offered Monday.
    first = max(to_local(around).date(), to_local(now).date())
    last = first + timedelta(days=timing_advice.SEARCH_DAYS + 1)
    busy = [(o.start, o.end) for o in expand(conn, first - timedelta(days=1), last)]
    slots = timing_advice.Slots(
        timing=timing,
        holidays=timing.holiday_dates(sorted({first.year, last.year})),
        working_days=hours.weekdays,
        hours=hours,
    )
    return timing_advice.better_slots(around, now, slots, busy)


def protect_warning(
    conn: sqlite3.Connection,
    at: datetime,
    now: datetime,
    hours: BusinessHours | None = None,
    timing: Timing | None = None,
) -> str | None:
    """A warning when ``at`` (a callback or meeting) falls in a protected block, offering two
    free slots outside blocks instead; None when the time is free."""
    occurrence = protected_at(conn, at)
    if occurrence is None:
        return None
    block = occurrence.block
    slots = free_slots(conn, at, now, hours, timing)
    offer = f'; offer "{timing_advice.either_or(slots, now)}" instead' if slots else ""
    return (
        f"{fmt_local(at, now)} is inside call block #{block.id} {block.title!r} ({span_text(occurrence, now)}), "
        f"time kept for calling{offer}"
    )
