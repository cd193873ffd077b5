"""Monthly goals, spread over the month's working days into daily targets.

A goal of N over W working days gives the k-th working day the whole number that keeps
the running total at N * k / W, rounded: the days differ by at most one, the early days get
the odd ones (a strong start), and the month adds up to exactly N.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from salesdesk.config import Config
from salesdesk.errors import InvalidInput
from salesdesk.models import Goal

METRICS = ("meetings", "dials", "deals_won", "new_leads")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
# A month's goal above this is a typo, not a plan (a million dials).
GOAL_MAX = 1_000_000


def parse_month(text: str) -> str:
    """``2026-12`` -> ``2026-12``; anything else is refused with the form that works."""
    m = _MONTH.match(text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise InvalidInput(f"can't read {text!r} as a month; use YYYY-MM, e.g. 2026-12", field="month")
    return f"{m.group(1)}-{m.group(2)}"


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def working_days(config: Config, month: str) -> list[date]:
    year, number = (int(part) for part in month.split("-"))
    last = calendar.monthrange(year, number)[1]
    days = (date(year, number, d) for d in range(1, last + 1))
    return [day for day in days if day.weekday() in config.working_days]


def spread(total: int, days: int) -> list[int]:
    """``total`` over ``days`` days: running totals of total * k / days, rounded half up."""

    def running(k: int) -> int:
        return (2 * total * k + days) // (2 * days)

    return [running(k) - running(k - 1) for k in range(1, days + 1)]


@dataclass(frozen=True)
class GoalView:
    month: str
    working_days: list[date]
    goals: dict[str, int]

    def daily(self) -> dict[date, dict[str, int]]:
        shares = {metric: spread(value, len(self.working_days)) for metric, value in self.goals.items()}
        return {day: {m: s[i] for m, s in shares.items()} for i, day in enumerate(self.working_days)}

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "working_days": len(self.working_days),
            "goals": self.goals,
            "daily": {day.isoformat(): targets for day, targets in self.daily().items()},
        }


def goal_view(session: Session, config: Config, month: str) -> GoalView:
    rows = session.execute(select(Goal).where(Goal.month == month)).scalars()
    goals = {row.metric: row.value for row in rows}
    return GoalView(month, working_days(config, month), {m: goals[m] for m in METRICS if m in goals})


def set_goal(session: Session, config: Config, month: str, values: Mapping[str, int | None], now: datetime) -> GoalView:
    """Set the month's goal for each metric given (None leaves a metric as it was)."""
    month = parse_month(month)
    given = {metric: value for metric, value in values.items() if value is not None}
    if not given:
        raise InvalidInput("give at least one goal: --meetings, --dials, --deals-won or --new-leads")
    for metric, value in given.items():
        if metric not in METRICS:
            raise InvalidInput(f"{metric!r} is not a goal; goals are: {', '.join(METRICS)}")
        if not 0 <= value <= GOAL_MAX:
            raise InvalidInput(f"a {metric} goal is 0 to {GOAL_MAX:,}, not {value}", field=metric)
    if not working_days(config, month):
        raise InvalidInput(f"{month} has no working days (see working_days in config.toml)")
    for metric, value in given.items():
        session.merge(Goal(month=month, metric=metric, value=value, set_at=now))
    session.flush()
    return goal_view(session, config, month)


def goal_targets(session: Session, config: Config, day: date) -> dict[str, int]:
    """``day``'s share of each of its month's goals; none on a day that is not a working day,
    nor for a goal whose share that day rounds to nothing (there is nothing to hit)."""
    view = goal_view(session, config, month_of(day))
    shares = view.daily().get(day, {}) if view.goals else {}
    return {metric: share for metric, share in shares.items() if share}
