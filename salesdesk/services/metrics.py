"""The day's numbers, defined once for every report: the CLI summary, the TUI and the exports.

A day is a local calendar day (``dates.local_day_bounds``, DST-safe). Every figure is counted
over a time range ``[start, end)`` on an indexed column, so a week is the same query over a
longer range and its rates are recomputed from its totals, never averaged from days'.

- ``dials``: call touches. ``connects``: those with a connected outcome.
  ``connect_rate`` = connects / dials (None when there are no dials).
- ``meetings_booked``: calls that booked a meeting. ``meeting_rate`` = meetings_booked /
  connects (None when there are no connects).
- ``new_leads``: leads created in the range.
- ``first_contact_breaches``: leads created in the range whose first-contact rule applies and
  whose first attempt came after the deadline, or has not come and the deadline has passed.
- ``speed_to_lead_median_min``: median minutes from creation to first attempt over the leads
  created in the range that have one (None if none).
- ``touches_without_benefit``: touches in the range that reached the customer with no benefit
  recorded (terminal outcomes excepted, as the benefit rule excepts them).
- ``forced_closes``: leads closed as lost in the range below the minimum touches (overrides).
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, astuple, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import Session

from salesdesk import rules as r
from salesdesk.config import Config
from salesdesk.lifecycle import lapse_cutoff
from salesdesk.models import FollowUp, Lead, LeadClose, Touch

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
    is_call = Touch.channel == "call"
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


def reached_clause(config: Config):  # type: ignore[no-untyped-def]
    """SQL: the touch reached the customer and the benefit rule applies to it (``touches.reached``
    and ``touches.check_benefit``: connected calls and every channel but "other"; terminal
    outcomes such as do-not-call are exempt)."""
    reached = or_(
        and_(Touch.channel == "call", Touch.connected), and_(Touch.channel != "call", Touch.channel != "other")
    )
    not_terminal = or_(Touch.outcome.is_(None), Touch.outcome.not_in(config.terminal_outcomes))  # type: ignore[union-attr]
    return and_(reached, not_terminal)


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


def figures(session: Session, config: Config, start: datetime, end: datetime, now: datetime) -> Figures:
    """The figures for ``[start, end)``; ``now`` decides whether an unmet deadline has passed."""
    rules = config.rules
    # The range's arrivals with their first attempt (kept on the lead by triggers): a day has
    # tens of them, and the first-contact clock (business hours) is not expressible in SQL.
    arrivals = session.execute(
        select(Lead.created_at, Lead.first_touch_at, Lead.source).where(Lead.created_at >= start, Lead.created_at < end)
    ).all()
    breaches = 0
    waits: list[float] = []
    for created_at, first_at, source in arrivals:
        if first_at is not None:
            waits.append((first_at - created_at).total_seconds() / 60)
        if rules.first_contact_applies(source):
            verdict = r.first_contact(created_at, first_at, now, rules.first_contact_window, rules.business_hours)
            breaches += verdict.state in ("late", "breach")
    no_benefit = session.execute(
        select(func.count())
        .select_from(Touch)
        .where(
            Touch.at >= start,
            Touch.at < end,
            reached_clause(config),
            or_(Touch.benefit.is_(None), Touch.benefit == ""),  # type: ignore[union-attr]
        )
    ).scalar_one()
    forced = session.execute(
        select(func.count())
        .select_from(LeadClose)
        .where(LeadClose.at >= start, LeadClose.at < end, LeadClose.result == "lost", LeadClose.forced)
    ).scalar_one()
    return Figures(
        activity=day_activity(session, config, start, end),
        first_contact_breaches=breaches,
        speed_to_lead_median_min=statistics.median(waits) if waits else None,
        touches_without_benefit=no_benefit,
        forced_closes=forced,
    )


@dataclass(frozen=True)
class FollowUps:
    """Follow-ups due in a range, by how they ended (their ``resolution``):

    - kept: met by a touch on their channel, or answered by reaching the customer another
      way, by the end of the day they were due; late: the same, after that day;
    - lapsed: a fallback nobody acted on within ``fallback_expiry_days``;
    - open: still asked for;
    - superseded: replaced by a newer next step (or a meeting): not missed, and not in ``due``.

    Follow-ups cancelled because their lead was closed are left out: nobody was asked to do
    them any more. ``due`` = kept + late + lapsed + open, and the rate is kept / due."""

    due: int = 0
    kept: int = 0
    late: int = 0
    open: int = 0
    lapsed: int = 0
    superseded: int = 0

    @property
    def rate(self) -> float | None:
        return self.kept / self.due if self.due else None

    def __add__(self, other: FollowUps) -> FollowUps:
        return FollowUps(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rate": self.rate}

    def sentence(self, what: str = "due") -> str:
        """The one wording of these figures (weekly export, day summary, Week screen)."""
        if not self.due and not self.superseded:
            return f"No follow-ups were {what}."
        superseded = f", {self.superseded} superseded by a newer step" if self.superseded else ""
        return (
            f"{self.kept} of {self.due} {what} kept on the day ({_pct(self.rate)}), {self.late} late, "
            f"{self.lapsed} lapsed, {self.open} open{superseded}."
        )


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.0%}"


def followups(session: Session, config: Config, start: datetime, end: datetime, now: datetime) -> FollowUps:
    """Follow-up compliance for one day ``[start, end)``; sum days for a longer range. An open
    fallback past its expiry counts as lapsed even before a write records it so."""
    answered = FollowUp.resolution.in_(("kept", "satisfied"))  # type: ignore[attr-defined]
    stale = and_(
        FollowUp.done_at.is_(None),  # type: ignore[union-attr]
        FollowUp.rule == "fallback",
        FollowUp.due_at <= lapse_cutoff(now, config.rules.fallback_expiry_days),
    )
    lapsed = or_(FollowUp.resolution == "lapsed", stale)
    row = session.execute(
        select(
            func.count(case((and_(answered, FollowUp.done_at < end), 1))),  # type: ignore[operator]
            func.count(case((and_(answered, FollowUp.done_at >= end), 1))),  # type: ignore[operator]
            func.count(case((and_(FollowUp.done_at.is_(None), ~stale), 1))),  # type: ignore[union-attr]
            func.count(case((lapsed, 1))),
            func.count(case((FollowUp.resolution == "superseded", 1))),
        ).where(FollowUp.due_at >= start, FollowUp.due_at < end)
    ).one()
    kept, late, still_open, lapsed_count, superseded = row
    return FollowUps(kept + late + still_open + lapsed_count, kept, late, still_open, lapsed_count, superseded)


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
        .where(Touch.at >= start, Touch.at < end, Touch.objection.is_not(None))  # type: ignore[union-attr]
        .group_by(Touch.objection)
        .order_by(raised.desc(), Touch.objection)
    )
    if limit is not None:
        query = query.limit(limit)
    return [ObjectionCount(key, count, meetings) for key, count, meetings in session.execute(query).all()]
