"""The rep's follow-up rules as pure functions: facts and ``now`` in, verdicts out.

No database and no clock here, so each rule is tested at its edges with fixed times. The
services gather the facts (in SQL) and act on the verdicts. The defaults and where they
come from are in ``config.Rules``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Literal

from salesdesk.dates import local_tz

FirstContactState = Literal["met", "late", "breach", "at_risk"]
BenefitMode = Literal["require", "warn", "off"]
UNGRADED = "-"


def _cadence() -> Mapping[str, int]:
    # METHOD.md §4: A at least weekly, B twice a month, C monthly; D quarterly per the brief.
    # Ungraded leads get B's rhythm until someone grades them.
    return {"A": 7, "B": 14, "C": 30, "D": 90, UNGRADED: 14}


@dataclass(frozen=True)
class BusinessHours:
    """Working time in local wall-clock terms, e.g. Mon-Fri 09:00-18:00."""

    start: time
    end: time
    weekdays: frozenset[int]  # 0 = Monday

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise ValueError("business hours must start before they end")
        if not self.weekdays:
            raise ValueError("business hours need at least one working day")


def add_working_time(start: datetime, span: timedelta, hours: BusinessHours | None) -> datetime:
    """``start`` plus ``span`` of working time: wall-clock time when ``hours`` is None,
    otherwise only time inside business hours counts (nights and weekends are skipped)."""
    if hours is None:
        return start + span
    zone = local_tz()
    cursor = start.astimezone(zone)
    remaining = span
    # Each pass consumes at most one working day, so this ends within len(span in days)+7 passes.
    while True:
        day = cursor.date()
        open_at = datetime.combine(day, hours.start, tzinfo=zone)
        close_at = datetime.combine(day, hours.end, tzinfo=zone)
        if day.weekday() not in hours.weekdays or cursor >= close_at:
            cursor = datetime.combine(day + timedelta(days=1), hours.start, tzinfo=zone)
            continue
        cursor = max(cursor, open_at)
        available = close_at - cursor
        if remaining <= available:
            return (cursor + remaining).astimezone(UTC)
        remaining -= available
        cursor = close_at


@dataclass(frozen=True)
class Rules:
    """The rep's follow-up rules; every value can be set in ``[rules]`` of config.toml."""

    # METHOD.md §4 rule 1: every new inbound lead is contacted within 5 hours.
    first_contact_hours: float = 5.0
    # Sources the first-contact clock applies to; ("all",) for every source.
    first_contact_sources: tuple[str, ...] = ("inbound",)
    # None: the 5 hours are wall-clock hours; else only business hours count.
    business_hours: BusinessHours | None = None
    # METHOD.md §4 rule 2: at least 6 touches before a lead may be closed out as lost...
    min_touches_before_lost: int = 6
    # ...spread over at least 3 local days: persistence means touches over time (METHOD.md §4).
    min_touch_days_before_lost: int = 3
    # METHOD.md §4 rule 3: every touch that reaches the customer offers something of value.
    benefit: BenefitMode = "require"
    # METHOD.md §4 rule 4: a call that doesn't get through -> add on WeChat and send an email.
    fallback_channels: tuple[str, ...] = ("wechat", "email")
    # A fallback is worth something soon after the failed call; left this many days, it lapses.
    fallback_expiry_days: int = 3
    # METHOD.md §4: contact frequency by value tier, in days.
    cadence_days: Mapping[str, int] = field(default_factory=_cadence)
    # METHOD.md §4 (拜访三次左右 -> 重点跟进): reached about 3 times without a deal -> concentrate here.
    focus_after_reached: int = 3
    # METHOD.md §4: 5+ visits without signing -> review; "without progress" = no stage move lately.
    review_after_reached: int = 5
    review_quiet_days: int = 21
    # Calls that never reached anyone: try another channel or time (not the method's "focus").
    hard_to_reach_after_calls: int = 3

    @property
    def first_contact_window(self) -> timedelta:
        return timedelta(hours=self.first_contact_hours)

    def first_contact_applies(self, source: str) -> bool:
        return "all" in self.first_contact_sources or source in self.first_contact_sources

    @property
    def first_contact_source_filter(self) -> tuple[str, ...] | None:
        """The sources to select in SQL, or None for every source."""
        return None if "all" in self.first_contact_sources else self.first_contact_sources

    def cadence(self, grade: str | None) -> timedelta:
        return timedelta(days=self.cadence_days[grade or UNGRADED])


@dataclass(frozen=True)
class FirstContact:
    deadline: datetime
    state: FirstContactState
    first_attempt_at: datetime | None

    def left(self, now: datetime) -> timedelta:
        """Time left before the deadline (negative once breached)."""
        return self.deadline - now


def first_contact(
    created_at: datetime,
    first_attempt_at: datetime | None,
    now: datetime,
    window: timedelta,
    hours: BusinessHours | None,
) -> FirstContact:
    """The first-contact clock: it runs from arrival and stops at the first attempt on any
    channel. An attempt exactly at the deadline is in time; a moment later is late."""
    deadline = add_working_time(created_at, window, hours)
    if first_attempt_at is not None:
        return FirstContact(deadline, "met" if first_attempt_at <= deadline else "late", first_attempt_at)
    return FirstContact(deadline, "breach" if now > deadline else "at_risk", None)


def latest_breached_arrival(
    earliest: datetime, now: datetime, window: timedelta, hours: BusinessHours | None
) -> datetime | None:
    """The latest arrival, from ``earliest`` on, whose first-contact deadline has passed at
    ``now`` (a breach, as ``first_contact`` says); None when not even ``earliest``'s has.

    A deadline never comes earlier for a later arrival, so every lead that arrived at or
    before this moment is a breach and every later one is not: the breaches can be counted
    in SQL with ``created_at <= this``, with no deadline computed per lead. Found by halving
    the span to the microsecond, the precision times are stored with (about 45 steps)."""
    if not now > add_working_time(earliest, window, hours):
        return None
    low, high = earliest, now  # low's deadline has passed; high's (no earlier than now) has not
    step = timedelta(microseconds=1)
    while high - low > step:
        middle = low + (high - low) // 2
        if now > add_working_time(middle, window, hours):
            low = middle
        else:
            high = middle
    return low


def cadence_due_at(last_touch_at: datetime | None, created_at: datetime, interval: timedelta) -> datetime:
    """When the grade's cadence asks for the next touch: one interval after the last touch
    (or after arrival, for a lead never touched)."""
    return (last_touch_at or created_at) + interval


def hard_to_reach(call_count: int, reach_count: int, threshold: int) -> bool:
    """Several calls and nobody reached yet: try another channel or another time of day."""
    return reach_count == 0 and call_count >= threshold


def needs_focus(reach_count: int, has_deal: bool, threshold: int) -> bool:
    """Reached about three times and still no deal: an engaged lead, worth concentrated effort."""
    return not has_deal and reach_count >= threshold


def needs_review(reach_count: int, progressed_lately: bool, threshold: int) -> bool:
    """Reached many times, nothing won and no stage move lately: keep going, or drop it?"""
    return not progressed_lately and reach_count >= threshold
