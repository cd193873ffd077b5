"""When the rep reaches people: the connect-rate map, dials in the best hours, and where to
put next week's call blocks (METHOD.md §1: "the rate should come from the rep's own history").

Calls are counted in SQL by 15-minute UTC bucket over the ``at`` index (at most
weeks x 7 x 96 rows, times the lead zones or groups asked for); ``connect_rates`` places each
bucket at its local weekday and hour, so daylight-saving changes and half-hour zones come out
right without loading a single touch into Python.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from salesdesk import block_slots, store
from salesdesk.block_slots import DEFAULT_BLOCK_MINUTES, DEFAULT_SUGGESTIONS, SUGGESTIONS_MAX
from salesdesk.bounds import check_int
from salesdesk.config import Config
from salesdesk.connect_rates import (
    DEFAULT_WEEKS,
    WEEKS_MAX,
    Bucket,
    By,
    Clock,
    HourMap,
    bucket_start,
    cells_from_buckets,
    top_quartile,
)
from salesdesk.dates import local_day_bounds, local_tz, to_local
from salesdesk.errors import InvalidInput
from salesdesk.rules import UNGRADED

BY_CHOICES: tuple[By, ...] = ("source", "grade")

_GROUP_COLUMN = {"source": "l.source", "grade": f"COALESCE(l.grade, '{UNGRADED}')"}


def check_by(by: str | None) -> By | None:
    if by is None:
        return None
    if by not in BY_CHOICES:
        raise InvalidInput(f"--by takes {' or '.join(BY_CHOICES)}, not {by!r}")
    return by


def _buckets(
    conn: sqlite3.Connection, since: datetime, until: datetime, lead_time: bool, by: By | None
) -> list[Bucket]:
    zone = "l.timezone" if lead_time else "NULL"
    group = _GROUP_COLUMN[by] if by is not None else "NULL"
    join = "JOIN lead l ON l.id = t.lead_id" if lead_time or by is not None else ""
    # A stored time is UTC text laid out by store.to_db: its hour is the first 13 characters
    # and its minute characters 15-16, cut as text (strftime would parse every call's time).
    # The calls are read from ix_touch_call_at alone (migration 0011).
    rows = conn.execute(
        f"""
        SELECT substr(t.at, 1, 13), CAST(substr(t.at, 15, 2) AS INTEGER) / 15, {zone}, {group},
               count(*), sum(t.connected), sum(t.meeting)
        FROM touch t {join}
        WHERE t.channel = 'call' AND t.at >= ? AND t.at < ?
        GROUP BY 1, 2, 3, 4
        """,  # only our own column expressions are formatted in
        (store.to_db(since), store.to_db(until)),
    )
    return [Bucket(bucket_start(h, q), d, c, m, z, g) for h, q, z, g, d, c, m in rows]


def _zones(names: set[str]) -> dict[str, tzinfo]:
    """The leads' zones that exist; a lead with a name no zone database knows keeps the rep's time."""
    found: dict[str, tzinfo] = {}
    for name in names:
        try:
            found[name] = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return found


def hour_map(
    session: Session,
    config: Config,
    now: datetime,
    *,
    weeks: int = DEFAULT_WEEKS,
    by: By | None = None,
    clock: Clock = "rep",
    until: datetime | None = None,
) -> HourMap:
    """Dials, connects and meetings by local weekday x hour over the ``weeks`` before
    ``until`` (default ``now``). ``clock="lead"`` places a call at the lead's local time
    when the lead has a time zone (the rep's otherwise); ``by`` splits the map by the lead's
    source or grade."""
    check_int(weeks, "--weeks", 1, WEEKS_MAX)
    end = until or now
    since = end - timedelta(weeks=weeks)
    buckets = _buckets(store.dbapi(session), since, end, clock == "lead", by)
    zones = _zones({b.zone for b in buckets if b.zone}) if clock == "lead" else {}
    cells = cells_from_buckets(buckets, local_tz(), config.timing.min_dials, zones)
    return HourMap(cells, since, end, weeks, config.timing.min_dials, clock, by)


# --- dials in the best hours (the daily summary) ----------------------------------------------


@dataclass(frozen=True)
class BestHours:
    """How many of a day's dials fell in the rep's top-quartile hours (judged on the 12 weeks
    before that day, so the day doesn't grade itself)."""

    dials: int
    in_best: int | None  # None: not enough history to know the best hours

    @property
    def share(self) -> float | None:
        return None if self.in_best is None or not self.dials else self.in_best / self.dials

    def sentence(self) -> str:
        if self.in_best is None:
            return "Dials in your best hours: not enough history yet (needs 4 hours with enough dials)"
        share = "" if self.share is None else f" ({self.share:.0%})"
        return f"Dials in your best hours (top quarter by connect rate): {self.in_best} of {self.dials}{share}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "dials": self.dials,
            "in_best_hours": self.in_best,
            "share": None if self.share is None else round(self.share, 4),
        }


def best_hours_share(session: Session, config: Config, day: date, now: datetime) -> BestHours:
    """The share of ``day``'s dials made in the rep's top-quartile weekday x hour cells."""
    start, end = local_day_bounds(day)
    history = hour_map(session, config, now, weeks=DEFAULT_WEEKS, until=start)
    top = top_quartile(history)
    today = cells_from_buckets(_buckets(store.dbapi(session), start, end, False, None), local_tz(), 1)
    dials = sum(c.dials for c in today)
    if top is None:
        return BestHours(dials, None)
    return BestHours(dials, sum(c.dials for c in today if (c.weekday, c.hour) in top))


# --- where to put next week's blocks --------------------------------------------------------------


def next_week(now: datetime) -> tuple[date, date]:
    """The coming Monday to Sunday after ``now`` (local): on a Monday, the Monday after."""
    today = to_local(now).date()
    monday = today + timedelta(days=7 - today.weekday())
    return monday, monday + timedelta(days=6)


def _busy(session: Session, first: date, last: date) -> list[tuple[datetime, datetime]]:
    """Block occurrences and booked meetings on those days, as UTC spans."""
    from salesdesk.services import blocks

    conn = store.dbapi(session)
    spans = [(o.start, o.end) for o in blocks.expand(session, first - timedelta(days=1), last)]
    start, _ = local_day_bounds(first)
    _, end = local_day_bounds(last)
    rows = conn.execute(
        "SELECT at FROM meeting WHERE at >= ? AND at < ? AND status NOT IN ('moved', 'cancelled')",
        (store.to_db(start - block_slots.MEETING_TIME), store.to_db(end)),
    )
    spans += [(at, at + block_slots.MEETING_TIME) for (text,) in rows if (at := store.from_db(text)) is not None]
    return spans


def suggest_blocks(
    session: Session,
    config: Config,
    now: datetime,
    *,
    minutes: int = DEFAULT_BLOCK_MINUTES,
    count: int = DEFAULT_SUGGESTIONS,
) -> list[block_slots.Suggestion]:
    """Next week's block slots, best first (see ``block_slots.suggest``). The ranking is
    greedy and never looks at ``count``, so the first N of a longer list are the N of a
    shorter one: ``block add --suggested N`` takes the Nth of any listing."""
    from salesdesk.services.blocks import MAX_MINUTES, MIN_MINUTES

    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise InvalidInput(f"a block lasts {MIN_MINUTES} minutes to {MAX_MINUTES // 60} hours, not {minutes} minutes")
    check_int(count, "--count", 1, SUGGESTIONS_MAX)
    first, last = next_week(now)
    hmap = hour_map(session, config, now, weeks=DEFAULT_WEEKS)
    hours = config.rules.business_hours
    day_start, day_end = (hours.start, hours.end) if hours is not None else block_slots.DEFAULT_DAY
    return block_slots.suggest(
        hmap,
        days=[first + timedelta(days=i) for i in range((last - first).days + 1)],
        busy=_busy(session, first, last),
        timing=config.timing,
        holidays=config.timing.holiday_dates({first.year, last.year, (first - timedelta(days=1)).year}),
        working_days=config.working_days,
        day_start=day_start,
        day_end=day_end,
        minutes=minutes,
        count=count,
    )


def suggested(session: Session, config: Config, now: datetime, number: int, minutes: int) -> block_slots.Suggestion:
    """The ``number``-th suggestion (1-based), as ``block suggest`` lists it."""
    check_int(number, "--suggested", 1, SUGGESTIONS_MAX)
    found = suggest_blocks(session, config, now, minutes=minutes, count=number)
    if len(found) < number:
        raise InvalidInput(
            f"--suggested {number}: there {'is' if len(found) == 1 else 'are'} only {len(found)} suggested "
            f"slot{'' if len(found) == 1 else 's'} next week; see salesdesk block suggest"
        )
    return found[number - 1]
