"""The day's numbers, defined once for every report: the CLI summary, the TUI and the exports.

A day is a local calendar day (``dates.local_day_bounds``, DST-safe). Every figure is counted
over a time range ``[start, end)`` on an indexed column, so a week is the same query over a
longer range and its rates are recomputed from its totals, never averaged from days'.

**A day's figures are final once the day and its 5-hour windows are over.** Each figure
reads only events up to the end of the day (for first contact: up to the end of the arrival
day or the lead's deadline, whichever is later), so a first call made later, a follow-up met
days later or a lead closed next week never changes a past day. Events are placed by when
they happened (``at``), so a touch logged later with ``--at`` inside the day is a correction
of the record and does count. ``now`` only tells whether a deadline has passed yet.

- ``dials``: call touches. ``connects``: those with a connected outcome.
  ``connect_rate`` = connects / dials (None when there are no dials).
- ``meetings_booked``: calls that booked a meeting. ``meeting_rate`` = meetings_booked /
  connects (None when there are no connects).
- ``new_leads``: leads created in the range.
- An **attempt** is a touch on any channel but ``other`` (``is_attempt``, ``ATTEMPT_CHANNELS``):
  looking a company up is not contacting it, so it never stops the first-contact clock.
- ``first_contact_breaches``: leads created in the range whose first-contact rule applies
  (``Rules.first_contact_applies``) and whose first attempt came after the deadline, or has
  not come and the deadline has passed. A breach stays a breach.
- ``speed_to_lead_median_min``: over the same rule leads, the median working time (business
  hours when ``rules.business_hours`` is set, else wall-clock) from arrival to the first
  attempt, in minutes. A lead with no attempt by its close (the later of the end of its
  arrival day and its deadline) counts with the time to its close, so a breach is never left
  out; one still inside its day and window is not counted yet. None if there are none. Text
  shows it as ``1d3h``, ``4h12m``, ``35m``.
- ``touches_without_benefit``: touches in the range that reached the customer with no benefit
  recorded (terminal outcomes excepted, as the benefit rule excepts them).
- ``forced_closes``: leads closed as lost in the range below the minimum touches (overrides).
- Follow-up compliance (``followups``): follow-ups due in the day, as they stood when the day
  ended: kept (met by a touch that day) or missed; those closed with their lead that day are
  left out. ``rate`` = kept / due. ``followups`` is the one place that decides a follow-up's
  fate for the figures.
- Stage conversion (moved on / (moved on + lost), still-open deals apart) is defined with the
  funnel, in ``funnel``; a week's funnel is read as the week ended.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, func, text, type_coerce
from sqlmodel import Session, and_, case, col, select

from salesdesk import rules as r
from salesdesk import violations
from salesdesk.config import CHANNELS, Config
from salesdesk.dates import local_day_bounds, to_local
from salesdesk.models import FollowUp, Lead, LeadClose, Touch
from salesdesk.worktime import working_time_between

# The figures as named in the summary's JSON and the exports, in the order they are shown.
FIGURES = (
    "dials",
    "connects",
    "connect_rate",
    "meetings_booked",
    "meeting_rate",
    "new_leads",
    "first_contact_breaches",
    "speed_to_lead_median_min",
    "touches_without_benefit",
    "forced_closes",
)


@dataclass(frozen=True)
class DayActivity:
    """What happened on one local calendar day (or any range): the activity counts."""

    dials: int
    connects: int
    meetings_booked: int
    other_touches: int
    new_leads: int

    @property
    def connect_rate(self) -> float | None:
        return self.connects / self.dials if self.dials else None

    @property
    def meeting_rate(self) -> float | None:
        return self.meetings_booked / self.connects if self.connects else None


def day_activity(session: Session, config: Config, start: datetime, end: datetime) -> DayActivity:
    """Counts for ``[start, end)``, aggregated in SQL over the ``at`` index."""
    # Connects and meetings count by the flags each call recorded when it was logged, so
    # editing config.toml later never rewrites a past day.
    is_call = col(Touch.channel) == "call"
    row = session.execute(
        select(
            func.count(case((is_call, 1))),
            func.count(case((is_call & Touch.connected, 1))),
            func.count(case((is_call & Touch.meeting, 1))),
            func.count(case((~is_call, 1))),
        ).where(Touch.at >= start, Touch.at < end)
    ).one()
    new_leads = session.execute(
        select(func.count()).select_from(Lead).where(Lead.created_at >= start, Lead.created_at < end)
    ).scalar_one()
    return DayActivity(row[0], row[1], row[2], row[3], new_leads)


# "other" is work on a lead (looking the company up, a note to self), not an attempt to reach
# the customer: it never stops the first-contact clock. Every other channel is an attempt,
# including channels added in config.toml (whatsapp); with the defaults these are
# ATTEMPT_CHANNELS. The queue and ``rules check`` should use the same definition.
NOT_ATTEMPTS = violations.NOT_ATTEMPTS
ATTEMPT_CHANNELS = tuple(channel for channel in CHANNELS if channel not in NOT_ATTEMPTS)


def is_attempt(channel: str) -> bool:
    """A touch on ``channel`` is an attempt to reach the customer."""
    return channel not in NOT_ATTEMPTS


def attempt_clause():
    """SQL: the touch is an attempt to reach the customer (``is_attempt``)."""
    return col(Touch.channel).not_in(NOT_ATTEMPTS)


def reached_clause(config: Config):
    """SQL: the touch reached the customer and the benefit rule applies to it (``lifecycle.reached``
    and ``touches.check_benefit``: connected calls and every channel but "other"; terminal
    outcomes such as do-not-call are exempt)."""
    return type_coerce(text(violations.reached_sql(config.terminal_outcomes)), Boolean)


@dataclass(frozen=True)
class Figures:
    """Every figure of a day (or a range of days), as the module docstring defines them."""

    activity: DayActivity
    first_contact_breaches: int
    speed_to_lead_median_min: float | None
    touches_without_benefit: int
    forced_closes: int

    def as_dict(self) -> dict[str, Any]:
        a = self.activity
        return {
            "dials": a.dials,
            "connects": a.connects,
            "connect_rate": a.connect_rate,
            "meetings_booked": a.meetings_booked,
            "meeting_rate": a.meeting_rate,
            "new_leads": a.new_leads,
            "first_contact_breaches": self.first_contact_breaches,
            "speed_to_lead_median_min": self.speed_to_lead_median_min,
            "touches_without_benefit": self.touches_without_benefit,
            "forced_closes": self.forced_closes,
        }


@dataclass(frozen=True)
class FirstContactFigure:
    """One rule lead's part in the first-contact figures, final once ``now`` reaches ``closes_at``."""

    breached: bool
    wait: timedelta | None  # working time to the first attempt; None while still open
    closes_at: datetime


def first_contact_figure(
    created_at: datetime, first_attempt_at: datetime | None, rules: r.Rules, now: datetime
) -> FirstContactFigure:
    """A lead's breach and wait, reading no attempt after the close: the later of the end of
    its arrival day and its deadline. A breach stays a breach; a lead with no attempt by the
    close waited (at least) until the close, so the median never leaves a breach out."""
    deadline = r.add_working_time(created_at, rules.first_contact_window, rules.business_hours)
    _, day_end = local_day_bounds(to_local(created_at).date())
    closes_at = max(day_end, deadline)
    attempt = first_attempt_at if first_attempt_at is not None and first_attempt_at <= closes_at else None
    verdict = r.first_contact(created_at, attempt, now, rules.first_contact_window, rules.business_hours)
    if attempt is not None:
        wait: timedelta | None = working_time_between(created_at, attempt, rules.business_hours)
    elif now >= closes_at:
        wait = working_time_between(created_at, closes_at, rules.business_hours)
    else:
        wait = None  # not attempted yet and still in its window or its day: not known yet
    return FirstContactFigure(verdict.state in ("late", "breach"), wait, closes_at)


def first_attempt_at():
    """SQL: the lead's first attempt to reach the customer (any channel but ``other``)."""
    return (
        select(func.min(Touch.at)).where(Touch.lead_id == Lead.id, attempt_clause()).correlate(Lead).scalar_subquery()
    )


def figures(session: Session, config: Config, start: datetime, end: datetime, now: datetime) -> Figures:
    """The figures for ``[start, end)``; ``now`` only decides whether a deadline has passed yet."""
    rules = config.rules
    # The range's rule leads with their first attempt: a day has tens of them, and the
    # first-contact clock (business hours) is not expressible in SQL.
    query = select(Lead.created_at, first_attempt_at()).where(Lead.created_at >= start, Lead.created_at < end)
    if (sources := rules.first_contact_source_filter) is not None:
        query = query.where(col(Lead.source).in_(sources))
    leads = [first_contact_figure(created_at, first_at, rules, now) for created_at, first_at in session.execute(query)]
    waits = [lead.wait.total_seconds() / 60 for lead in leads if lead.wait is not None]
    no_benefit = session.execute(
        select(func.count())
        .select_from(Touch)
        .where(
            Touch.at >= start,
            Touch.at < end,
            reached_clause(config),
            type_coerce(text(violations.NO_BENEFIT), Boolean),
        )
    ).scalar_one()
    forced = session.execute(
        select(func.count())
        .select_from(LeadClose)
        .where(LeadClose.at >= start, LeadClose.at < end, LeadClose.result == "lost", LeadClose.forced)
    ).scalar_one()
    return Figures(
        activity=day_activity(session, config, start, end),
        first_contact_breaches=sum(lead.breached for lead in leads),
        speed_to_lead_median_min=statistics.median(waits) if waits else None,
        touches_without_benefit=no_benefit,
        forced_closes=forced,
    )


@dataclass(frozen=True)
class FollowUps:
    """Follow-ups due in a range, as they stood when the day each was due ended: ``kept`` (met
    by a touch on their channel, or answered by reaching the customer another way, by then) or
    ``missed`` (not). Those ended before then without being done are left out of ``due``:
    cancelled with their lead, or ``superseded`` by a newer next step (counted apart: not
    missed). What became of a missed one later (done late, lapsed, still open) is the queue's
    business and never changes the day."""

    due: int = 0
    kept: int = 0
    superseded: int = 0

    @property
    def missed(self) -> int:
        return self.due - self.kept

    @property
    def rate(self) -> float | None:
        return self.kept / self.due if self.due else None

    def __add__(self, other: FollowUps) -> FollowUps:
        return FollowUps(self.due + other.due, self.kept + other.kept, self.superseded + other.superseded)

    def as_dict(self) -> dict[str, Any]:
        return {"due": self.due, "kept": self.kept, "missed": self.missed, "superseded": self.superseded,
                "rate": self.rate}  # fmt: skip

    def sentence(self, what: str = "due") -> str:
        """The one wording of these figures (weekly export, day summary, Week screen)."""
        if not self.due and not self.superseded:
            return f"No follow-ups were {what}."
        rate = "n/a" if self.rate is None else f"{self.rate:.0%}"
        superseded = f"; {self.superseded} superseded by a newer step" if self.superseded else ""
        return f"{self.kept} of {self.due} {what} kept on the day ({rate}), {self.missed} missed{superseded}."


def followups(session: Session, start: datetime, end: datetime) -> FollowUps:
    """Follow-up compliance for one day ``[start, end)``, read as at ``end``; sum days for a
    longer range. Each follow-up's fate for the figures is decided here and nowhere else."""
    ended = and_(col(FollowUp.done_at).is_not(None), col(FollowUp.done_at) < end)
    done = col(FollowUp.resolution).in_(("kept", "satisfied"))
    superseded = and_(ended, FollowUp.resolution == "superseded")
    # Ended before the day did without being done (cancelled with its lead, superseded): no
    # longer asked of the rep that day.
    dropped = and_(ended, ~done)
    due, kept, replaced = session.execute(
        select(
            func.count(case((~dropped, 1))),
            func.count(case((and_(ended, done), 1))),
            func.count(case((superseded, 1))),
        ).where(FollowUp.due_at >= start, FollowUp.due_at < end)
    ).one()
    return FollowUps(due, kept, replaced)


@dataclass(frozen=True)
class ObjectionCount:
    key: str
    raised: int
    meetings: int  # calls where it came up and a meeting was booked all the same

    def as_dict(self) -> dict[str, Any]:
        return {"objection": self.key, "raised": self.raised, "meetings_booked": self.meetings}


def objections(session: Session, start: datetime, end: datetime, limit: int | None = None) -> list[ObjectionCount]:
    """Objections raised on touches in ``[start, end)``, most frequent first."""
    raised = func.count().label("raised")
    query = (
        select(Touch.objection, raised, func.count(case((Touch.meeting, 1))))
        .where(Touch.at >= start, Touch.at < end, col(Touch.objection).is_not(None))
        .group_by(Touch.objection)
        .order_by(raised.desc(), col(Touch.objection))
    )
    if limit is not None:
        query = query.limit(limit)
    return [ObjectionCount(key, count, meetings) for key, count, meetings in session.execute(query).all()]
