"""The daily loop (METHOD.md §7): the plan (P), the summary that checks it (C), the review
(A), and the problems that live on until solved.

Days are local calendar days, stored as ``2026-11-23``. A day's targets are its plan's own,
else its share of the month's goals. A new day's plan is offered the previous planned or
reviewed day's unfinished items and act items; adding an item with the same text carries it
over (it keeps a link to where it came from).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from salesdesk import validate
from salesdesk.config import Config
from salesdesk.dates import fmt_local, iso, local_day_bounds
from salesdesk.errors import InvalidInput, Refused
from salesdesk.models import DayPlan, Lead, PlanItem, Problem, Review, ReviewEntry, Touch, TouchReflection
from salesdesk.services import deals, goals, hours, metrics
from salesdesk.store import pk

# METHOD.md §7: at most 7 plan items a day, in three groups.
MAX_ITEMS = 7
KINDS = ("key", "routine", "adhoc")
# A day's targets; connects have no monthly goal, deals won have no plan option.
TARGETS = ("dials", "connects", "meetings", "new_leads", "deals_won")
PLAN_TARGETS = ("dials", "connects", "meetings", "new_leads")
# The three reflection pairs: finished / not, did well / not well, did / didn't do at all.
REFLECTIONS = ("finished", "unfinished", "well", "not_well", "did", "didnt")
# A reflection or an act item is a sentence or two, on one line.
LINE_MAX = 500
_ID = re.compile(r"^#?(\d{1,9})$")


def day_key(day: date) -> str:
    return day.isoformat()


# --- targets ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    value: int
    source: str  # "plan": set for the day; "goal": the day's share of the month's goal


def day_targets(session: Session, config: Config, day: date) -> dict[str, Target]:
    targets = {name: Target(name, value, "goal") for name, value in goals.goal_targets(session, config, day).items()}
    plan = session.get(DayPlan, day_key(day))
    if plan is not None:
        for name in PLAN_TARGETS:
            value = getattr(plan, name)
            if value is not None:
                targets[name] = Target(name, value, "plan")
    return {name: targets[name] for name in TARGETS if name in targets}


@dataclass(frozen=True)
class TargetResult:
    name: str
    target: int
    source: str
    actual: int
    deviation: str | None  # the reason the review recorded for missing it

    @property
    def attainment_pct(self) -> float | None:
        return round(100 * self.actual / self.target, 1) if self.target else None

    @property
    def missed(self) -> bool:
        return self.actual < self.target

    @property
    def on_days(self) -> str | None:
        """``2 days``: a week's target that only some of its days had, measured on those days
        alone (``reports.week_report``); None for a day's target or a whole week's."""
        return self.source if self.source.endswith(("day", "days")) else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "source": self.source,
            "actual": self.actual,
            "attainment_pct": self.attainment_pct,
            "missed": self.missed,
            "deviation": self.deviation,
        }


def actuals(figures: metrics.Figures, deals_won: int) -> dict[str, int]:
    """What each target is measured against (the metrics' definitions)."""
    a = figures.activity
    return {
        "dials": a.dials,
        "connects": a.connects,
        "meetings": a.meetings_booked,
        "new_leads": a.new_leads,
        "deals_won": deals_won,
    }


def target_results(
    targets: Mapping[str, Target], done: Mapping[str, int], deviations: Mapping[str, str]
) -> dict[str, TargetResult]:
    return {
        name: TargetResult(name, t.value, t.source, done[name], deviations.get(name)) for name, t in targets.items()
    }


# --- plan ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CarryOffer:
    """An unfinished item or an act item of the previous day, offered to this day's plan."""

    text: str
    kind: str
    source: str  # "unfinished" or "act"
    from_day: str
    item_id: int | None = None
    entry_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "kind": self.kind, "source": self.source, "from": self.from_day}


def item_dict(item: PlanItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "position": item.position,
        "text": item.text,
        "kind": item.kind,
        "done": item.done_at is not None,
        "done_at": iso(item.done_at),
        "carried_from": item.carried_from,
        "from_act": item.act_entry_id,
    }


@dataclass(frozen=True)
class PlanView:
    day: date
    targets: dict[str, Target]
    items: list[PlanItem]
    offers: list[CarryOffer]

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": day_key(self.day),
            "targets": {name: {"value": t.value, "source": t.source} for name, t in self.targets.items()},
            "items": [item_dict(item) for item in self.items],
            "carry_over": [offer.as_dict() for offer in self.offers],
        }


def _items(session: Session, key: str) -> list[PlanItem]:
    return list(
        session.execute(select(PlanItem).where(col(PlanItem.day) == key).order_by(col(PlanItem.position))).scalars()
    )


def _previous_day(session: Session, key: str) -> str | None:
    """The latest earlier day with a plan or a review: Friday's, on a Monday."""
    planned = session.execute(select(func.max(PlanItem.day)).where(PlanItem.day < key)).scalar_one()
    reviewed = session.execute(select(func.max(Review.day)).where(Review.day < key)).scalar_one()
    return max((d for d in (planned, reviewed) if d is not None), default=None)


def carry_offers(session: Session, day: date) -> list[CarryOffer]:
    key = day_key(day)
    previous = _previous_day(session, key)
    if previous is None:
        return []
    taken = _items(session, key)
    taken_items = {item.carried_from for item in taken}
    taken_acts = {item.act_entry_id for item in taken}
    offers = [
        CarryOffer(item.text, item.kind, "unfinished", previous, item_id=item.id)
        for item in _items(session, previous)
        if item.done_at is None and item.id not in taken_items
    ]
    acts = session.execute(
        select(ReviewEntry)
        .where(col(ReviewEntry.day) == previous, col(ReviewEntry.kind) == "act")
        .order_by(col(ReviewEntry.position))
    ).scalars()
    offers += [CarryOffer(e.text, "key", "act", previous, entry_id=e.id) for e in acts if e.id not in taken_acts]
    return offers


def plan_view(session: Session, config: Config, day: date) -> PlanView:
    return PlanView(day, day_targets(session, config, day), _items(session, day_key(day)), carry_offers(session, day))


def pair_kinds(items: Sequence[str], kinds: Sequence[str]) -> list[tuple[str, str | None]]:
    """``--item``s with their ``--kind``s: one kind each, one kind for all, or none (the
    default: a carried item keeps its kind, a new one is key work)."""
    if len(kinds) > 1 and len(kinds) != len(items):
        raise InvalidInput(
            f"{len(items)} items and {len(kinds)} kinds: give one --kind per --item, or one for all", field="kind"
        )
    if not items and kinds:
        raise InvalidInput("--kind goes with an --item", field="kind")
    return [(text, kinds[0] if len(kinds) == 1 else kinds[i] if kinds else None) for i, text in enumerate(items)]


def _fold(text: str) -> str:
    return validate.name_key(" ".join(text.split()))


def plan_day(
    session: Session,
    config: Config,
    day: date,
    now: datetime,
    *,
    items: Sequence[tuple[str, str | None]] = (),
    targets: Mapping[str, int | None] | None = None,
) -> PlanView:
    """Add items (text, kind or None) to ``day``'s plan and set its targets (None leaves one as
    it was). More than ``MAX_ITEMS`` items in a day is refused, and nothing is written."""
    key = day_key(day)
    given = {name: value for name, value in (targets or {}).items() if value is not None}
    for name, value in given.items():
        if name not in PLAN_TARGETS or value < 0:
            raise InvalidInput(f"a {name} target is a whole number, 0 or more", field=name)
    existing = _items(session, key)
    cleaned = [
        (validate.required(text, "item", max_len=LINE_MAX), validate.choice(kind, "kind", KINDS))
        for text, kind in items
    ]
    if len(existing) + len(cleaned) > MAX_ITEMS:
        raise Refused(
            f"a day's plan holds at most {MAX_ITEMS} items (METHOD.md §7); {key} has {len(existing)}, "
            f"adding {len(cleaned)} would make {len(existing) + len(cleaned)}. Keep the {MAX_ITEMS} that matter most."
        )
    seen = {_fold(item.text): f"#{item.id}" for item in existing}
    for text, _ in cleaned:
        if (folded := _fold(text)) in seen:
            raise Refused(f"{text!r} is already on {key}'s plan ({seen[folded]})")
        seen[folded] = "given twice"
    offers = {_fold(offer.text): offer for offer in carry_offers(session, day)}
    position = max((item.position for item in existing), default=0)
    for text, kind in cleaned:
        offer = offers.pop(_fold(text), None)
        position += 1
        item = PlanItem(
            day=key,
            position=position,
            text=offer.text if offer else text,
            kind=kind or (offer.kind if offer else "key"),
            created_at=now,
            carried_from=offer.item_id if offer else None,
            act_entry_id=offer.entry_id if offer else None,
        )
        session.add(item)
    if given:
        plan = session.get(DayPlan, key) or DayPlan(day=key, updated_at=now)
        for name, value in given.items():
            setattr(plan, name, value)
        plan.updated_at = now
        session.add(plan)
    session.flush()
    return plan_view(session, config, day)


def resolve_item(session: Session, ref: str, day: date) -> PlanItem:
    """A plan item by id (``12``, ``#12``), or by a piece of its text among ``day``'s items."""
    text = ref.strip()
    if m := _ID.match(text):
        item = session.get(PlanItem, int(m.group(1)))
        if item is None:
            raise InvalidInput(f"no plan item has id {m.group(1)}; see them with: salesdesk plan")
        return item
    if not text:
        raise InvalidInput("ITEM is empty; give an item's id or a piece of its text")
    found = [item for item in _items(session, day_key(day)) if _fold(text) in _fold(item.text)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise InvalidInput(f"no item of {day_key(day)}'s plan matches {ref!r}; see them with: salesdesk plan")
    shown = "\n".join(f"  #{item.id} {item.text}" for item in found)
    raise InvalidInput(f"{ref!r} matches {len(found)} items; use an id:\n{shown}")


def set_done(session: Session, item: PlanItem, now: datetime, done: bool) -> PlanItem:
    if (item.done_at is not None) == done:
        state = f"already done ({fmt_local(item.done_at, now)})" if done else "not done"
        raise Refused(f"plan item #{item.id} {item.text!r} is {state}")
    item.done_at = now if done else None
    session.add(item)
    session.flush()
    return item


# --- problems -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemView:
    problem: Problem
    days: list[str]  # the days whose review named it

    def as_dict(self) -> dict[str, Any]:
        p = self.problem
        return {
            "id": p.id,
            "text": p.text,
            "opened": p.opened_day,
            "solved_at": iso(p.solved_at),
            "solution": p.solution,
            "days": self.days,
        }


def _problem_views(session: Session, problems: list[Problem]) -> list[ProblemView]:
    days: dict[int, list[str]] = {pk(p): [] for p in problems}
    if problems:
        rows = session.execute(
            select(Review.problem_id, Review.day).where(col(Review.problem_id).in_(days)).order_by(Review.day)
        ).all()
        for problem_id, key in rows:
            days[problem_id].append(key)
    return [ProblemView(p, days[pk(p)]) for p in problems]


def list_problems(session: Session) -> list[ProblemView]:
    """Open problems, oldest first, then solved ones, most recently solved first."""
    query = select(Problem).order_by(
        col(Problem.solved_at).is_not(None),
        col(Problem.solved_at).desc(),
        col(Problem.id),
    )
    return _problem_views(session, list(session.execute(query).scalars()))


def get_problem(session: Session, ref: str) -> Problem:
    m = _ID.match(ref.strip())
    problem = session.get(Problem, int(m.group(1))) if m else None
    if problem is None:
        what = f"no problem has id {m.group(1)}" if m else f"{ref!r} is not a problem id"
        raise InvalidInput(f"{what}; see them with: salesdesk problem list")
    return problem


def solve_problem(session: Session, problem: Problem, now: datetime, solution: str | None = None) -> ProblemView:
    if problem.solved_at is not None:
        raise Refused(f"problem #{problem.id} was already solved ({fmt_local(problem.solved_at, now)})")
    problem.solved_at = now
    problem.solution = validate.text(solution, "solution", max_len=LINE_MAX)
    session.add(problem)
    session.flush()
    return _problem_views(session, [problem])[0]


def _problem_for(session: Session, text: str, key: str, now: datetime) -> Problem:
    """``#3`` (or an open problem's exact text) links that problem; other text opens a new one."""
    clean = validate.required(text, "problem", max_len=LINE_MAX)
    problem: Problem | None
    if _ID.match(clean):
        problem = get_problem(session, clean)
    else:
        open_ones = session.execute(select(Problem).where(col(Problem.solved_at).is_(None))).scalars()
        problem = next((p for p in open_ones if _fold(p.text) == _fold(clean)), None)
        if problem is None:
            problem = Problem(text=clean, opened_day=key, opened_at=now)
            session.add(problem)
            session.flush()
    if problem.solved_at is not None:
        raise Refused(
            f"problem #{problem.id} was solved ({fmt_local(problem.solved_at, now)}); name it again as a new problem"
        )
    return problem


# --- review -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallNote:
    """A connected call of the day, offered for a one-line reflection."""

    touch_id: int
    at: datetime
    lead: str
    outcome: str | None
    reflection: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "touch_id": self.touch_id,
            "at": iso(self.at),
            "lead": self.lead,
            "outcome": self.outcome,
            "reflection": self.reflection,
        }


@dataclass(frozen=True)
class ReviewView:
    day: date
    recorded: bool
    entries: dict[str, list[str]] = field(default_factory=dict)  # reflection kinds and "act"
    deviations: dict[str, str] = field(default_factory=dict)
    problem: ProblemView | None = None
    calls: list[CallNote] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": day_key(self.day),
            **{kind: self.entries.get(kind, []) for kind in (*REFLECTIONS, "act")},
            "deviations": self.deviations,
            "problem": None if self.problem is None else self.problem.as_dict(),
            "calls": [call.as_dict() for call in self.calls],
        }


def connected_calls(session: Session, start: datetime, end: datetime) -> list[CallNote]:
    rows = session.execute(
        select(Touch, Lead.name, TouchReflection.text)
        .join(Lead, col(Lead.id) == col(Touch.lead_id))
        .join(TouchReflection, col(TouchReflection.touch_id) == col(Touch.id), isouter=True)
        .where(Touch.at >= start, Touch.at < end, Touch.channel == "call", Touch.connected)
        .order_by(col(Touch.at), col(Touch.id))
    ).all()
    return [CallNote(t.id, t.at, name, t.outcome, text) for t, name, text in rows]


def review_view(session: Session, day: date) -> ReviewView:
    key = day_key(day)
    calls = connected_calls(session, *local_day_bounds(day))
    review = session.get(Review, key)
    if review is None:
        return ReviewView(day, recorded=False, calls=calls)
    entries: dict[str, list[str]] = {}
    deviations: dict[str, str] = {}
    for entry in session.execute(
        select(ReviewEntry).where(col(ReviewEntry.day) == key).order_by(col(ReviewEntry.position))
    ).scalars():
        if entry.kind == "deviation":
            deviations[entry.target] = entry.text
        else:
            entries.setdefault(entry.kind, []).append(entry.text)
    problem = None
    if review.problem_id is not None:
        problem = _problem_views(session, [session.get_one(Problem, review.problem_id)])[0]
    return ReviewView(day, True, entries, deviations, problem, calls)


def parse_pairs(values: Sequence[str], option: str, example: str) -> dict[str, str]:
    """``["dials=two meetings ran long"]`` -> ``{"dials": "two meetings ran long"}``."""
    pairs: dict[str, str] = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip() or not text.strip():
            raise InvalidInput(f"{option} wants NAME=TEXT, e.g. {option} {example}; got {value!r}")
        pairs[name.strip().lower()] = text.strip()
    return pairs


def record_review(
    session: Session,
    day: date,
    now: datetime,
    *,
    reflections: Mapping[str, Sequence[str]] | None = None,
    act: Sequence[str] = (),
    problem: str | None = None,
    deviations: Mapping[str, str] | None = None,
    calls: Mapping[str, str] | None = None,
) -> ReviewView:
    """Add to ``day``'s review: reflection lines, act items (offered to the next day's plan),
    the day's one problem, a deviation reason per missed target (replacing an earlier one),
    and one-line reflections on connected calls (by touch id). A line already recorded is
    not added twice. Everything is checked before anything is written."""
    lines = [(kind, text) for kind, texts in (reflections or {}).items() for text in texts]
    lines += [("act", text) for text in act]
    if not (lines or problem is not None or deviations or calls):
        return review_view(session, day)  # nothing to record: looking at a review writes nothing
    for kind, _ in lines:
        if kind not in (*REFLECTIONS, "act"):
            raise InvalidInput(f"{kind!r} is not a reflection; use one of: {', '.join(REFLECTIONS)}")
    clean_lines = [(kind, validate.required(text, kind.replace("_", " "), max_len=LINE_MAX)) for kind, text in lines]
    reasons: dict[str, str] = {}
    for target, reason in (deviations or {}).items():
        if target not in TARGETS:
            raise InvalidInput(f"{target!r} is not a target; targets are: {', '.join(TARGETS)}", field="deviation")
        reasons[target] = validate.required(reason, "deviation reason", max_len=LINE_MAX)
    notes: list[TouchReflection] = []
    for ref, text in (calls or {}).items():
        m = _ID.match(ref)
        touch = session.get(Touch, int(m.group(1))) if m else None
        if touch is None or touch.channel != "call" or not touch.connected:
            raise InvalidInput(f"{ref!r} is not a connected call; the review lists the day's calls", field="call")
        line = validate.required(text, "call reflection", max_len=LINE_MAX)
        notes.append(TouchReflection(touch_id=pk(touch), text=line, recorded_at=now))
    key = day_key(day)
    problem_id = None if problem is None else _problem_for(session, problem, key, now).id

    review = session.get(Review, key) or Review(day=key, created_at=now, updated_at=now)
    review.updated_at = now
    if problem_id is not None:
        review.problem_id = problem_id
    session.add(review)
    session.flush()
    current = list(session.execute(select(ReviewEntry).where(ReviewEntry.day == key)).scalars())
    position = max((e.position for e in current), default=0)
    have = {(e.kind, _fold(e.text)) for e in current if e.kind != "deviation"}
    for kind, text in clean_lines:
        if (kind, _fold(text)) not in have:
            have.add((kind, _fold(text)))
            position += 1
            session.add(ReviewEntry(day=key, kind=kind, text=text, position=position))
    for old in current:
        if old.kind == "deviation" and old.target in reasons:
            session.delete(old)
    for target, reason in reasons.items():
        position += 1
        session.add(ReviewEntry(day=key, kind="deviation", target=target, text=reason, position=position))
    for note in notes:
        session.merge(note)
    session.flush()
    return review_view(session, day)


def delete_review_line(session: Session, day: date, kind: str) -> str | None:
    """Delete the newest ``kind`` line (a reflection or an act item) of ``day``'s review and
    return its text; None when the review has no such line. A line typed in haste or twice
    must not stay on the record."""
    if kind not in (*REFLECTIONS, "act"):
        raise InvalidInput(f"{kind!r} is not a reflection; use one of: {', '.join(REFLECTIONS)}")
    newest = session.execute(
        select(ReviewEntry)
        .where(ReviewEntry.day == day_key(day), ReviewEntry.kind == kind)
        .order_by(col(ReviewEntry.position).desc())
        .limit(1)
    ).scalar_one_or_none()
    if newest is None:
        return None
    session.delete(newest)
    session.flush()
    return newest.text


# --- the daily summary (Check) ------------------------------------------------------------------


@dataclass(frozen=True)
class DaySummary:
    day: date
    figures: metrics.Figures
    targets: dict[str, TargetResult]
    plan: PlanView
    review: ReviewView
    moves: list[deals.Move]
    followups: metrics.FollowUps
    objections: list[metrics.ObjectionCount]
    # The share of the day's dials in the rep's top-quartile hours (services.hours).
    best_hours: hours.BestHours | None = None

    @property
    def deals_won(self) -> int:
        return sum(move.to_stage == "won" for move in self.moves)

    @property
    def deviation_prompts(self) -> list[TargetResult]:
        """Missed targets without a reason yet: the summary asks for one."""
        return [t for t in self.targets.values() if t.missed and t.deviation is None]

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": day_key(self.day),
            **self.figures.as_dict(),
            "followups": self.followups.as_dict(),
            "best_hours": None if self.best_hours is None else self.best_hours.as_dict(),
            "targets": {name: result.as_dict() for name, result in self.targets.items()},
            "plan": self.plan.as_dict(),
            "review": self.review.as_dict() if self.review.recorded else None,
        }


def day_summary(session: Session, config: Config, day: date, now: datetime) -> DaySummary:
    start, end = local_day_bounds(day)
    figures = metrics.figures(session, config, start, end, now)
    moves = deals.moves(session, start, end)
    review = review_view(session, day)
    targets = day_targets(session, config, day)
    won = sum(move.to_stage == "won" for move in moves)
    return DaySummary(
        day=day,
        figures=figures,
        targets=target_results(targets, actuals(figures, won), review.deviations),
        plan=plan_view(session, config, day),
        review=review,
        moves=moves,
        followups=metrics.followups(session, start, end),
        objections=metrics.objections(session, start, end),
        best_hours=hours.best_hours_share(session, config, day, now),
    )
