"""The weekly roll-up (METHOD.md §7): the days of an ISO week, with the same figures as the
daily summary, the funnel, follow-up compliance, objections, problems, lessons, and next
week's focus. ``exports`` writes it as markdown or JSON.

A week's report is about that week, whenever it is made: "next week" is the week after the
reported one, not the week after today. Its focus lists (open A-grade leads, what falls due
by that week's end) can only come from the book as it stands now, so once that next week is
over they are left out rather than shown about a later week.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from salesdesk.config import Config
from salesdesk.connect_rates import HourMap
from salesdesk.dates import iso, local_day_bounds, parse_day, to_local
from salesdesk.errors import InvalidInput
from salesdesk.lifecycle import ACTIVE
from salesdesk.models import Account, Lead, Problem, ReviewEntry, Touch
from salesdesk.services import deals, funnel, meetings, metrics, pdca
from salesdesk.services.hours import hour_map
from salesdesk.services.meetings import MeetingView
from salesdesk.services.queue import DueItem, due

_WEEK = re.compile(r"^(\d{4})-?w(\d{1,2})$")
WEEK_EXAMPLES = "2026-W48, 2026-11-23, today, last mon"
# How many objections, examples, A-grade leads and due leads the page lists.
TOP_OBJECTIONS = 5
EXAMPLES_PER_OBJECTION = 2
FOCUS_ROWS = 15
LESSON_KINDS = ("well", "not_well", "didnt")


def parse_week(text: str | None, now: datetime) -> date:
    """The Monday of an ISO week (``2026-W48``), of the week holding a day, or of this week."""
    if text is None:
        day = to_local(now).date()
    elif m := _WEEK.match(text.strip().lower()):
        try:
            return date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            raise InvalidInput(f"{text!r} is not a week of that year; try: {WEEK_EXAMPLES}") from None
    else:
        try:
            day = parse_day(text, now)
        except InvalidInput:
            raise InvalidInput(f"can't read {text!r} as a week; try: {WEEK_EXAMPLES}") from None
    return day - timedelta(days=day.weekday())


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class DayRow:
    day: date
    figures: metrics.Figures


@dataclass(frozen=True)
class Winning:
    """A call where the objection came up and a meeting was booked all the same."""

    objection: str
    lead: str
    said: str  # the call's benefit and note: what was offered and said


@dataclass(frozen=True)
class FocusLead:
    lead_id: int
    name: str
    company: str | None
    touches: int
    last_touch_at: datetime | None


@dataclass(frozen=True)
class WeekReport:
    monday: date
    now: datetime
    days: list[DayRow]
    totals: metrics.Figures
    targets: dict[str, pdca.TargetResult]
    moves: list[deals.Move]
    funnel: funnel.Funnel
    followups: metrics.FollowUps
    meetings: meetings.Tally
    meeting_rows: list[MeetingView]  # set for the week, soonest first
    objections: list[metrics.ObjectionCount]
    winning: list[Winning]
    problems_opened: list[pdca.ProblemView]
    problems_solved: list[pdca.ProblemView]
    problems_open: list[pdca.ProblemView]
    act_items: list[tuple[str, str]]  # (day, text)
    lessons: list[tuple[str, str, str]]  # (day, kind, text)
    deviations: list[tuple[str, str, str]]  # (day, target, reason)
    a_leads: list[FocusLead]
    due: list[DueItem]
    due_by: datetime
    # When the rep reached people: the connect-rate map of the 12 weeks to the week's end.
    hours: HourMap | None = None

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def end(self) -> datetime:
        """When the week ends: midnight after its Sunday, local time."""
        return local_day_bounds(self.sunday)[1]

    @property
    def next_monday(self) -> date:
        return self.monday + timedelta(days=7)

    @property
    def next_week_over(self) -> bool:
        """The week after the report's is over: its focus lists would be about a later week."""
        return self.now >= self.due_by

    @property
    def label(self) -> str:
        return week_label(self.monday)

    @property
    def moved(self) -> int:
        return sum(move.between_open_stages for move in self.moves)

    def as_dict(self) -> dict[str, Any]:
        return {
            "week": self.label,
            "from": self.monday.isoformat(),
            "to": self.sunday.isoformat(),
            "targets": {name: result.as_dict() for name, result in self.targets.items()},
            "days": [{"date": row.day.isoformat(), **row.figures.as_dict()} for row in self.days],
            "totals": self.totals.as_dict(),
            "deals": {"won": self.funnel.won, "lost": self.funnel.lost, "moves": [m.as_dict() for m in self.moves]},
            "funnel": self.funnel.as_dict(),
            "followups": self.followups.as_dict(),
            "meetings": {
                **self.meetings.as_dict(),
                "set_for_the_week": [
                    {**v.as_dict(), "status": meetings.status_at(v.meeting, self.end)} for v in self.meeting_rows
                ],
            },
            "objections": [o.as_dict() for o in self.objections],
            "replies_that_won": [{"objection": w.objection, "lead": w.lead, "said": w.said} for w in self.winning],
            "problems": {
                "opened": [p.as_dict() for p in self.problems_opened],
                "solved": [p.as_dict() for p in self.problems_solved],
                "open": [p.as_dict() for p in self.problems_open],
            },
            "act_items": [{"date": d, "text": t} for d, t in self.act_items],
            "lessons": [{"date": d, "kind": k, "text": t} for d, k, t in self.lessons],
            "deviations": [{"date": d, "target": k, "reason": t} for d, k, t in self.deviations],
            "when_reached": None if self.hours is None else _reached(self.hours),
            "next_week": {
                "week": week_label(self.next_monday),
                "from": self.next_monday.isoformat(),
                "to": (self.next_monday + timedelta(days=6)).isoformat(),
                "over": self.next_week_over,
                "a_leads": [
                    {
                        "lead_id": f.lead_id,
                        "name": f.name,
                        "company": f.company,
                        "touches": f.touches,
                        "last_touch_at": iso(f.last_touch_at),
                    }
                    for f in self.a_leads
                ],
                "due_by": iso(self.due_by),
                "due": [item.as_dict() for item in self.due],
            },
        }


def _winning(session: Session, start: datetime, end: datetime, keys: list[str]) -> list[Winning]:
    rows = session.execute(
        select(Touch.objection, Lead.name, Touch.benefit, Touch.note)
        .join(Lead, col(Lead.id) == col(Touch.lead_id))
        .where(Touch.at >= start, Touch.at < end, col(Touch.objection).in_(keys), Touch.meeting)
        .order_by(col(Touch.at), col(Touch.id))
    ).all()
    shown: dict[str, int] = defaultdict(int)
    found = []
    for key, name, benefit, note in rows:
        said = "; ".join(part for part in (benefit, note) if part)
        if said and shown[key] < EXAMPLES_PER_OBJECTION:
            shown[key] += 1
            found.append(Winning(key, name, said))
    return sorted(found, key=lambda w: keys.index(w.objection))


def _a_leads(session: Session) -> list[FocusLead]:
    """Open A-grade leads, the longest untouched first (never touched before all)."""
    rows = session.execute(
        select(Lead, Account.name)
        .join(Account, col(Account.id) == col(Lead.account_id), isouter=True)
        .where(Lead.grade == "A", col(Lead.status).in_(ACTIVE))
        .order_by(col(Lead.last_touch_at).is_not(None), col(Lead.last_touch_at), col(Lead.id))
        .limit(FOCUS_ROWS)
    ).all()
    return [FocusLead(lead.id, lead.name, company, lead.touch_count, lead.last_touch_at) for lead, company in rows]


def week_report(session: Session, config: Config, monday: date, now: datetime) -> WeekReport:
    days = [monday + timedelta(days=i) for i in range(7)]
    bounds = [local_day_bounds(day) for day in days]
    start, end = bounds[0][0], bounds[-1][1]
    rows = [DayRow(day, metrics.figures(session, config, *b, now)) for day, b in zip(days, bounds, strict=True)]
    totals = metrics.figures(session, config, start, end, now)
    week_funnel = funnel.funnel(session, config, start, end, as_of=end)

    moves = deals.moves(session, start, end)
    # The week's targets are its days' targets added up. A target every targeted day had (the
    # month goal's dials, say) is set against the week's totals: the same numbers as the day
    # table's Week row, whatever day they fell on. One only some days had (connects, planned
    # on two days; a deals share that rounds to 0 on most) is set against those days' own
    # results, as Review showed them: else "Connects 72 of 30" counted five days against two.
    by_day = [pdca.day_targets(session, config, day) for day in days]
    targeted = [day for day, targets in zip(days, by_day, strict=True) if targets]
    won_on: dict[date, int] = defaultdict(int)
    for move in moves:
        if move.to_stage == "won":
            won_on[to_local(move.at).date()] += 1
    day_actuals = {row.day: pdca.actuals(row.figures, won_on[row.day]) for row in rows}
    week_actuals = pdca.actuals(totals, week_funnel.won)
    planned: dict[str, pdca.Target] = {}
    for targets in by_day:
        for name, target in targets.items():
            before = planned[name].value if name in planned else 0
            planned[name] = pdca.Target(name, before + target.value, "week")
    done: dict[str, int] = {}
    for name in planned:
        on = [day for day, targets in zip(days, by_day, strict=True) if name in targets]
        if len(on) == len(targeted):
            done[name] = week_actuals[name]
        else:
            done[name] = sum(day_actuals[day][name] for day in on)
            planned[name] = pdca.Target(name, planned[name].value, f"{len(on)} day{'s' if len(on) != 1 else ''}")
    results = pdca.target_results(planned, done, {})

    first, last = monday.isoformat(), days[-1].isoformat()
    entries = session.execute(
        select(ReviewEntry)
        .where(ReviewEntry.day >= first, ReviewEntry.day <= last)
        .order_by(col(ReviewEntry.day), col(ReviewEntry.position))
    ).scalars()
    act_items, lessons, deviations = [], [], []
    for entry in entries:
        if entry.kind == "act":
            act_items.append((entry.day, entry.text))
        elif entry.kind == "deviation":
            deviations.append((entry.day, entry.target or "", entry.text))
        elif entry.kind in LESSON_KINDS:
            lessons.append((entry.day, entry.kind, entry.text))

    all_problems = pdca.list_problems(session)
    objections = metrics.objections(session, start, end, limit=TOP_OBJECTIONS)
    # "Next week" is the week after this one; what falls due by its end is listed only while
    # it is still ahead or under way (the queue knows the book as it is now, not as it was).
    due_by = local_day_bounds(days[-1] + timedelta(days=7))[1]
    ahead = now < due_by
    return WeekReport(
        monday=monday,
        now=now,
        days=rows,
        totals=totals,
        targets=results,
        moves=moves,
        funnel=week_funnel,
        followups=sum((metrics.followups(session, *b) for b in bounds), metrics.FollowUps()),
        meetings=meetings.tally(session, start, end),
        meeting_rows=meetings.meetings_between(session, start, end),
        objections=objections,
        winning=_winning(session, start, end, [o.key for o in objections]),
        problems_opened=[p for p in all_problems if first <= p.problem.opened_day <= last],
        problems_solved=[p for p in all_problems if _within(p.problem, start, end)],
        # Still open when the week ended, not today: solving one later doesn't rewrite the week.
        problems_open=[
            p
            for p in all_problems
            if p.problem.opened_day <= last and (p.problem.solved_at is None or p.problem.solved_at >= end)
        ],
        act_items=act_items,
        lessons=lessons,
        deviations=deviations,
        a_leads=_a_leads(session) if ahead else [],
        due=due(session, config.rules, due_by, limit=FOCUS_ROWS) if ahead else [],
        due_by=due_by,
        hours=hour_map(session, config, now, until=end),
    )


def _reached(hmap: HourMap) -> dict[str, Any]:
    best, worst = hmap.best_and_worst()
    return {
        "weeks": hmap.weeks,
        "dials": hmap.dials,
        "connect_rate": None if hmap.average is None else round(hmap.average, 4),
        "best": [c.as_dict() for c in best],
        "worst": [c.as_dict() for c in worst],
    }


def _within(problem: Problem, start: datetime, end: datetime) -> bool:
    return problem.solved_at is not None and start <= problem.solved_at < end
