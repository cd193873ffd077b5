"""A calling history with known hours (issue 14), logged through the real call service.

Over the ten weeks before the suite's NOW (Mon 23 Nov 2026 15:00, Shanghai):

- Tuesday 10:00-11:00: 60 dials, 24 connects (40%), 6 of them booked a meeting;
- Monday 16:00-17:00: 60 dials, 3 connects (5%);
- Wednesday 15:00: 3 dials, 1 connect: too few to judge.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import Engine

from salesdesk.config import Config
from salesdesk.db import write_session
from salesdesk.services import leads, touches

WEEKS = 10
TUE_DIALS, TUE_CONNECTS, TUE_MEETINGS = 60, 24, 6
MON_DIALS, MON_CONNECTS = 60, 3
WED_DIALS, WED_CONNECTS = 3, 1


def _cell_calls(
    first_day: datetime, weekday: int, hour: int, dials: int, connects: int, meetings: int = 0
) -> list[tuple[datetime, str]]:
    """``dials`` calls spread over the hour on ``weekday`` of the weeks before ``first_day``:
    the connected ones first in each week's share, so connects land in many weeks."""
    per_week = -(-dials // WEEKS)
    calls: list[tuple[datetime, str]] = []
    outcomes = ["meeting_booked"] * meetings + ["connected"] * (connects - meetings)
    outcomes += ["no_answer"] * (dials - connects)
    # Interleave: every week gets its share of connects.
    order = sorted(range(dials), key=lambda i: (i % WEEKS, i))
    for n, i in enumerate(order):
        week, slot = divmod(n, per_week)
        day = first_day - timedelta(weeks=week + 1)
        day += timedelta(days=(weekday - day.weekday()) % 7)
        at = datetime.combine(day.date(), time(hour, (slot * 7) % 60), tzinfo=first_day.tzinfo)
        calls.append((at, outcomes[i]))
    return calls


def make_history(engine: Engine, config: Config, now: datetime) -> None:
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    calls = (
        _cell_calls(monday, 1, 10, TUE_DIALS, TUE_CONNECTS, TUE_MEETINGS)
        + _cell_calls(monday, 0, 16, MON_DIALS, MON_CONNECTS)
        + _cell_calls(monday, 2, 15, WED_DIALS, WED_CONNECTS)
    )
    with write_session(engine) as session:
        people = [
            leads.add_lead(
                session, now, name=f"Lead {i}", phone=f"+86 138 0000 {i:04d}", created_at=now - timedelta(weeks=14)
            )
            for i in range(len(calls))
        ]
        for lead, (at, outcome) in zip(people, sorted(calls), strict=True):
            meeting = at + timedelta(days=2) if outcome == "meeting_booked" else None
            benefit = "case study" if outcome in ("connected", "meeting_booked") else None
            touches.log_call(session, config, lead, now, outcome=outcome, at=at, benefit=benefit, meeting_at=meeting)
