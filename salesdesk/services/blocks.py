"""Call blocks: protected, goal-driven calling time (METHOD.md §1), and the list to call in them.

A block is its first occurrence plus, when it repeats, an RFC 5545 RRULE. Occurrences are
expanded with dateutil in local wall time, so a daily 09:00 block stays at 09:00 across
daylight-saving changes; a removed occurrence is an exception on its local day. Calls are
attached to an occurrence by time: the calls logged between its start and end are its
dials, counted in SQL over the touch time index.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from typing import Any, Literal

from sqlalchemy import delete, func, literal, union_all
from sqlmodel import Session, and_, case, col, select

from salesdesk import protected_time, store, timing_advice, validate
from salesdesk.config import Config
from salesdesk.dates import fmt_local, iso, parse_day, to_local, utc
from salesdesk.errors import InvalidInput, Refused
from salesdesk.models import BlockException, BlockFill, BlockLead, CallBlock, Lead, Touch, UTCDateTime
from salesdesk.recurrence import Occurrence as Occurrence
from salesdesk.recurrence import naive_local as _naive_local
from salesdesk.recurrence import occurrences as occurrences
from salesdesk.recurrence import rule as _rule
from salesdesk.rules import BusinessHours, Rules
from salesdesk.services.queue import DueItem, due, prospects
from salesdesk.store import pk
from salesdesk.timing import Timing
from salesdesk.words import plural

REPEATS = {
    "daily": "FREQ=DAILY",
    "weekdays": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    "weekly": "FREQ=WEEKLY",
}
_REPEAT_WORDS = {REPEATS["daily"]: "every day", REPEATS["weekdays"]: "every weekday", REPEATS["weekly"]: "every week"}
# A block keeps its time of day, so rules that repeat within a day or move the time are refused.
_RRULE_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH",
                "BYSETPOS", "WKST"}  # fmt: skip
_FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_UNTIL = re.compile(r"^(\d{8})(?:T(\d{6})(Z?))?$")
MIN_MINUTES = 5
MAX_MINUTES = 12 * 60  # a sitting, not a day: also keeps a block from overlapping its own next day
DEFAULT_TITLE = "Call block"
# Overlaps are looked for this far past the new block's start: two years covers every rule
# that repeats within a year (almost all), twice.
OVERLAP_HORIZON_DAYS = 2 * 366
MAX_RANGE_DAYS = 366

# --- blocks and their occurrences ----------------------------------------------------------


def _until_utc(value: str) -> str:
    """An RRULE UNTIL as UTC text: a bare date means the end of that local day, a time without
    Z is local time (RFC 5545 wants UTC when DTSTART names a zone)."""
    m = _UNTIL.match(value)
    try:
        if m is None:
            raise ValueError(value)
        if m.group(2) is None:
            moment = utc(datetime.combine(datetime.strptime(m.group(1), "%Y%m%d").date(), time(23, 59, 59)))
        elif m.group(3):
            moment = datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        else:
            moment = utc(datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M%S"))
    except ValueError:
        raise InvalidInput(f"RRULE UNTIL={value} is not a date like 20261231 or 20261231T180000Z") from None
    return moment.strftime("%Y%m%dT%H%M%SZ")


def normalise_repeat(repeat: str) -> str:
    """``daily``, ``weekdays``, ``weekly`` or an RRULE (``FREQ=WEEKLY;BYDAY=TU,TH``) as the
    RRULE text stored: upper case, no DTSTART, UNTIL in UTC."""
    word = repeat.strip().lower()
    if word in REPEATS:
        return REPEATS[word]
    text = repeat.strip().upper().removeprefix("RRULE:")
    parts: dict[str, str] = {}
    for part in text.split(";"):
        name, sep, value = part.strip().partition("=")
        if not sep or not value:
            raise InvalidInput(
                f"can't read --repeat {repeat!r}; use daily, weekdays, weekly or an RRULE like FREQ=WEEKLY;BYDAY=TU,TH"
            )
        if name not in _RRULE_PARTS:
            raise InvalidInput(
                f"RRULE part {name} is not supported here: a block keeps the time of day it was added at; "
                f"use {', '.join(sorted(_RRULE_PARTS))}"
            )
        if name in parts:
            raise InvalidInput(f"RRULE part {name} is given twice")
        parts[name] = value
    if parts.get("FREQ") not in _FREQS:
        raise InvalidInput(f"RRULE needs FREQ={', '.join(_FREQS)}: a block repeats on days, at its own time")
    if "COUNT" in parts and "UNTIL" in parts:
        raise InvalidInput("RRULE takes COUNT or UNTIL, not both")
    if "UNTIL" in parts:
        parts["UNTIL"] = _until_utc(parts["UNTIL"])
    return ";".join(f"{name}={value}" for name, value in parts.items())


def describe_repeat(stored: str | None) -> str:
    """How a block repeats, in words where there are words for it."""
    if stored is None:
        return "once"
    return _REPEAT_WORDS.get(stored, f"RRULE {stored}")


def removed_days(session: Session, block_ids: Collection[int], first: date, last: date) -> dict[int, set[str]]:
    return store.removed_days(store.dbapi(session), block_ids, first, last)


def expand(session: Session, first: date, last: date) -> list[Occurrence]:
    """Every block's occurrences starting on local days ``first`` to ``last``, in time order.
    Which blocks can have one is the store layer's query (``status`` asks it too)."""
    conn = store.dbapi(session)
    ids = [row.id for row in store.blocks_between(conn, first, last)]
    blocks = list(session.execute(select(CallBlock).where(col(CallBlock.id).in_(ids))).scalars())
    removed = store.removed_days(conn, ids, first, last)
    found = [o for block in blocks for o in occurrences(block, removed[block.id], first, last)]
    return sorted(found, key=lambda o: (o.start, o.block.id))


_LENGTH = re.compile(r"^(?:(\d{1,2})h)?\s*(?:(\d{1,4})m(?:in)?)?$")
_LENGTH_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_minutes(text: str) -> int:
    """A block's length in minutes: ``90m``, ``1h30m``, ``1h``, ``1:30``, or a plain number of minutes."""
    norm = text.strip().lower().replace(" ", "")
    if norm.isdecimal() and len(norm) <= 4:
        return int(norm)
    if (m := _LENGTH_CLOCK.match(norm)) is not None and int(m.group(2)) < 60:
        return int(m.group(1)) * 60 + int(m.group(2))
    if norm and (m := _LENGTH.match(norm)) is not None and any(m.groups()):
        return int(m.group(1) or 0) * 60 + int(m.group(2) or 0)
    raise InvalidInput(f"can't read {text!r} as a block length; try: 90m, 1h30m, 1:30", field="for")


def upcoming_day(text: str, now: datetime) -> date:
    """A day as typed, looking ahead: a weekday name is today or the coming one (``parse_day``
    reads it as today or the last one); dates and other words mean what they say."""
    day = parse_day(text, now)
    word = text.strip().lower()
    if word.isalpha() and word[:3] in _DAY_NAMES and day < to_local(now).date():
        day += timedelta(weeks=1)
    return day


def get_block(session: Session, block_id: int) -> CallBlock:
    block = session.get(CallBlock, block_id)
    if block is None:
        raise InvalidInput(f"no block #{block_id}; see salesdesk block list")
    return block


def block_dict(block: CallBlock) -> dict[str, Any]:
    return {
        "id": block.id,
        "title": block.title,
        "start": iso(block.start),
        "end": iso(block.start + timedelta(minutes=block.minutes)),
        "minutes": block.minutes,
        "repeat": block.rrule,
        "goal_dials": block.goal_dials,
        "goal_meetings": block.goal_meetings,
        "protect": block.protect,
        "created_at": iso(block.created_at),
    }


span_text = protected_time.span_text


def _overlap(new: CallBlock, session: Session) -> tuple[Occurrence, Occurrence] | None:
    """The first occurrence of ``new`` that overlaps another block's, and that one."""
    first = to_local(new.start).date() - timedelta(days=1)
    last = first + timedelta(days=OVERLAP_HORIZON_DAYS)
    others: dict[date, list[Occurrence]] = {}
    for other in expand(session, first - timedelta(days=1), last + timedelta(days=1)):
        others.setdefault(other.day, []).append(other)
    for mine in occurrences(new, (), first, last):
        # A block lasts at most 12 hours, so only the day before, the day and the day after can overlap.
        for day in (mine.day - timedelta(days=1), mine.day, mine.day + timedelta(days=1)):
            for other in others.get(day, []):
                if mine.start < other.end and other.start < mine.end:
                    return mine, other
    return None


def _goal(value: int | None, name: str) -> int | None:
    if value is not None and value < 0:
        raise InvalidInput(f"{name} is a number of calls or meetings, 0 or more")
    return value


def add_block(
    session: Session,
    now: datetime,
    *,
    start: datetime,
    minutes: int,
    repeat: str | None = None,
    goal_dials: int | None = None,
    goal_meetings: int | None = None,
    title: str | None = None,
    protect: bool = True,
) -> CallBlock:
    """Add a block; one that overlaps another block's time is refused, naming that block.

    A repeating block starts at its rule's first occurrence on or after ``start`` (so the
    exported DTSTART always matches the rule, as RFC 5545 asks)."""
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise InvalidInput(f"a block lasts {MIN_MINUTES} minutes to {MAX_MINUTES // 60} hours, not {minutes} minutes")
    block = CallBlock(
        title=validate.text(title, "title") or DEFAULT_TITLE,
        start=start,
        minutes=minutes,
        rrule=normalise_repeat(repeat) if repeat else None,
        goal_dials=_goal(goal_dials, "goal_dials"),
        goal_meetings=_goal(goal_meetings, "goal_meetings"),
        protect=protect,
        created_at=now,
    )
    if block.rrule is not None:
        first = _rule(block.rrule, start).after(_naive_local(start), inc=True)
        if first is None:
            raise InvalidInput(f"RRULE {block.rrule} never happens on or after {fmt_local(start, now)}")
        block.start = utc(first)
    elif block.start + timedelta(minutes=minutes) <= now:
        raise InvalidInput(
            f"{fmt_local(start, now)} is past; a block is planned ahead, e.g. 'tomorrow 9:00'", field="when"
        )
    clash = _overlap(block, session)
    if clash is not None:
        mine, other = clash
        raise Refused(
            f"this block on {span_text(mine, now)} overlaps block #{other.block.id} {other.block.title!r} "
            f"({span_text(other, now)}); pick another time, or remove that block or occurrence first"
        )
    session.add(block)
    session.flush()
    return block


def _drop_fills(session: Session, block_id: int, start: datetime | None = None) -> None:
    fills = select(BlockFill.id).where(BlockFill.block_id == block_id)
    if start is not None:
        fills = fills.where(BlockFill.start == start)
    session.execute(delete(BlockLead).where(col(BlockLead.fill_id).in_(fills)))
    session.execute(delete(BlockFill).where(col(BlockFill.id).in_(fills)))


def remove(session: Session, block_id: int, day: date | None = None) -> tuple[CallBlock, Occurrence | None]:
    """Remove a block, or only its occurrence on local ``day``; returns the block and the
    occurrence removed (None when the whole block went). Removing the only occurrence of a
    one-off block removes the block."""
    block = get_block(session, block_id)
    removed: Occurrence | None = None
    if day is not None:
        found = occurrences(block, removed_days(session, [block_id], day, day)[block_id], day, day)
        if not found:
            raise InvalidInput(f"block #{block_id} has no occurrence on {day:%a %d %b %Y}; see salesdesk block list")
        removed = found[0]
    if removed is not None and block.rrule is not None:
        session.add(BlockException(block_id=block_id, day=removed.day.isoformat()))
        _drop_fills(session, block_id, removed.start)
    else:
        _drop_fills(session, block_id)
        session.execute(delete(BlockException).where(col(BlockException.block_id) == block_id))
        session.delete(block)
        removed = None
    session.flush()
    return block, removed


# --- what happened in each occurrence --------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    dials: int
    connects: int
    meetings: int


# SQLite allows 500 terms in a compound SELECT; the spans go in well below that per query.
_SPANS_PER_QUERY = 200


def activity(session: Session, spans: Sequence[tuple[datetime, datetime]]) -> list[Activity]:
    """Dials, connects and meetings booked in each ``[start, end)``, counted in SQL: the spans
    become a CTE joined to the calls over the touch time index."""
    found: list[Activity] = []
    for offset in range(0, len(spans), _SPANS_PER_QUERY):
        chunk = spans[offset : offset + _SPANS_PER_QUERY]
        rows = [
            select(literal(i).label("i"), literal(s, UTCDateTime).label("s"), literal(e, UTCDateTime).label("e"))
            for i, (s, e) in enumerate(chunk)
        ]
        occ = (union_all(*rows) if len(rows) > 1 else rows[0]).cte("occ")
        counts = dict.fromkeys(range(len(chunk)), (0, 0, 0))
        query = (
            select(
                occ.c.i,
                func.count(col(Touch.id)),
                func.count(case((Touch.connected, 1))),
                func.count(case((Touch.meeting, 1))),
            )
            .select_from(occ)
            .join(Touch, and_(Touch.channel == "call", Touch.at >= occ.c.s, Touch.at < occ.c.e), isouter=True)
            .group_by(occ.c.i)
        )
        for i, dials, connects, meetings in session.execute(query):
            counts[i] = (dials, connects, meetings)
        found += [Activity(*counts[i]) for i in range(len(chunk))]
    return found


@dataclass(frozen=True)
class Planned:
    """The call list attached to an occurrence by ``fill``, and the rate it assumed."""

    fill: BlockFill
    lead_ids: list[int]

    @property
    def rate(self) -> Fraction:
        return Fraction(self.fill.rate_meetings, self.fill.rate_dials)

    def as_dict(self) -> dict[str, Any]:
        return {
            "target_meetings": self.fill.target_meetings,
            "rate": round(float(self.rate), 4),
            "rate_source": self.fill.rate_source,
            "list_size": self.fill.list_size,
            "lead_ids": self.lead_ids,
        }


@dataclass(frozen=True)
class OccurrenceView:
    occurrence: Occurrence
    activity: Activity | None  # None until the occurrence has started
    planned: Planned | None

    def as_dict(self) -> dict[str, Any]:
        block = self.occurrence.block
        done = self.activity
        return {
            "block_id": block.id,
            "title": block.title,
            "start": iso(self.occurrence.start),
            "end": iso(self.occurrence.end),
            "goal_dials": block.goal_dials,
            "goal_meetings": block.goal_meetings,
            "protect": block.protect,
            "repeat": block.rrule,
            "dials": None if done is None else done.dials,
            "connects": None if done is None else done.connects,
            "meetings": None if done is None else done.meetings,
            "planned": None if self.planned is None else self.planned.as_dict(),
        }


def _planned(session: Session, found: Sequence[Occurrence]) -> dict[tuple[int, datetime], Planned]:
    if not found:
        return {}
    fills = list(
        session.execute(
            select(BlockFill).where(
                col(BlockFill.block_id).in_({o.block.id for o in found}),
                BlockFill.start >= found[0].start,
                BlockFill.start <= found[-1].start,
            )
        ).scalars()
    )
    leads: dict[int, list[int]] = {fill.id: [] for fill in fills}
    rows = session.execute(
        select(BlockLead.fill_id, BlockLead.lead_id)
        .where(col(BlockLead.fill_id).in_(leads))
        .order_by(col(BlockLead.fill_id), col(BlockLead.position))
    )
    for fill_id, lead_id in rows:
        leads[fill_id].append(lead_id)
    return {(f.block_id, f.start): Planned(f, leads[f.id]) for f in fills}


def listing(session: Session, first: date, last: date, now: datetime) -> list[OccurrenceView]:
    """The occurrences on local days ``first`` to ``last``, with what was done in the ones that
    have started and the list planned for each."""
    found = expand(session, first, last)
    started = [o for o in found if o.start <= now]
    # Occurrences are in time order, so the started ones come first.
    done: list[Activity | None] = [*activity(session, [(o.start, o.end) for o in started])]
    done += [None] * (len(found) - len(started))
    planned = _planned(session, found)
    return [OccurrenceView(o, act, planned.get((o.block.id, o.start))) for o, act in zip(found, done, strict=True)]


def day_range(
    now: datetime,
    *,
    day: str | None = None,
    week: str | None = None,
    first: str | None = None,
    last: str | None = None,
) -> tuple[date, date]:
    """The local days a listing covers: one day, a week (Monday to Sunday: ``this``, ``next``,
    ``last``, ``2026-W48`` or any day in it), or ``first`` to ``last`` inclusive; default this week."""
    if (day is not None) + (week is not None) + (first is not None or last is not None) > 1:
        raise InvalidInput("give one of --date, --week, or --from/--to")
    today = to_local(now).date()
    if day is not None:
        one = parse_day(day, now)
        return one, one
    if first is not None or last is not None:
        start = parse_day(first, now) if first is not None else today
        end = parse_day(last, now) if last is not None else start + timedelta(days=6)
        if end < start:
            raise InvalidInput(f"--to {end:%a %d %b %Y} is before --from {start:%a %d %b %Y}")
        if (end - start).days >= MAX_RANGE_DAYS:
            raise InvalidInput(f"a range covers at most {MAX_RANGE_DAYS} days")
        return start, end
    monday = today - timedelta(days=today.weekday())
    if week is not None:
        word = week.strip().lower()
        iso_week = re.fullmatch(r"(\d{4})-?w(\d{1,2})", word)
        if word in ("this", "next", "last"):
            monday += timedelta(weeks={"this": 0, "next": 1, "last": -1}[word])
        elif iso_week is not None:
            try:
                monday = date.fromisocalendar(int(iso_week.group(1)), int(iso_week.group(2)), 1)
            except ValueError:
                raise InvalidInput(f"{week!r} is not a week of that year") from None
        else:
            some_day = parse_day(week, now)
            monday = some_day - timedelta(days=some_day.weekday())
    return monday, monday + timedelta(days=6)


# --- the planner ---------------------------------------------------------------------------

# METHOD.md §1: about 1 meeting per 5 calls, until the rep's own numbers say otherwise.
DEFAULT_RATE = Fraction(1, 5)
HISTORY_WEEKS = 8
# Fewer dials than this say more about luck than about the rep.
MIN_HISTORY_DIALS = 30
RateSource = Literal["history", "given", "default"]


@dataclass(frozen=True)
class Rate:
    """Meetings booked per dial, where it came from, and the history it was judged on."""

    value: Fraction
    source: RateSource
    dials: int
    meetings: int

    def explain(self) -> str:
        window = f"the last {HISTORY_WEEKS} weeks"
        if self.source == "given":
            return f"rate {float(self.value):.3g} as given"
        if self.source == "history":
            met = plural(self.meetings, "meeting")
            return f"your own rate: {met} in {self.dials} first calls to prospects over {window}"
        if self.dials >= MIN_HISTORY_DIALS:
            why = f"no meeting in {self.dials} first calls to prospects over {window} gives no rate to plan with"
        else:
            why = f"{self.dials} first calls to prospects over {window}; your own rate is used from {MIN_HISTORY_DIALS}"
        return f"default rate {float(self.value):.3g} (1 meeting per {float(1 / self.value):.3g} dials): {why}"


def choose_rate(session: Session, now: datetime, given: float | None = None) -> Rate:
    """``given`` when there is one; else meetings booked per first call to a prospect over the
    last 8 weeks (warm callbacks would flatter it) once there are at least 30 such dials and a
    meeting; else the default 0.2."""
    since = now - timedelta(weeks=HISTORY_WEEKS)
    dials, meetings = session.execute(
        select(func.count(), func.count(case((Touch.meeting, 1))))
        .join(Lead, col(Lead.id) == col(Touch.lead_id))
        .where(Touch.channel == "call", Touch.at == Lead.first_attempt_at, Touch.at >= since, Touch.at < now)
    ).one()
    if given is not None:
        if not (math.isfinite(given) and 0 < given <= 1):
            raise InvalidInput(f"--rate is meetings per dial, above 0 and at most 1 (0.2 = 1 in 5), not {given}")
        value = Fraction(str(given)).limit_denominator(10_000)
        if value == 0:
            raise InvalidInput(f"--rate {given} is too small to plan with; the smallest is 0.0001")
        return Rate(value, "given", dials, meetings)
    if dials >= MIN_HISTORY_DIALS and meetings:
        return Rate(Fraction(meetings, dials), "history", dials, meetings)
    return Rate(DEFAULT_RATE, "default", dials, meetings)


def list_size(target: int, rate: Fraction) -> int:
    """How many leads to call to book ``target`` meetings at ``rate``: ceil(target / rate),
    exactly (in floats 1 / (1 / 49) is 49.00000000000001, which would round up to 50)."""
    return math.ceil(Fraction(target) / rate)


@dataclass(frozen=True)
class Plan:
    target_meetings: int
    rate: Rate
    list_size: int
    # Due calls first (the queue's order), then prospects; fewer than list_size when both run dry.
    leads: list[DueItem]

    @property
    def prospects(self) -> int:
        return sum(1 for item in self.leads if item.reasons[0].rule == "prospect")

    @property
    def due(self) -> int:
        return len(self.leads) - self.prospects

    def as_dict(self) -> dict[str, Any]:
        return {
            "target_meetings": self.target_meetings,
            "due": self.due,
            "prospects": self.prospects,
            "rate": round(float(self.rate.value), 4),
            "rate_source": self.rate.source,
            "rate_explained": self.rate.explain(),
            "history": {"weeks": HISTORY_WEEKS, "dials": self.rate.dials, "meetings": self.rate.meetings},
            "list_size": self.list_size,
            "leads": [item.as_dict() for item in self.leads],
        }


def plan(session: Session, rules: Rules, now: datetime, target: int, rate: float | None = None) -> Plan:
    """The list to call for ``target`` meetings: its size from the rate; its leads from the due
    queue (the leads whose next step is a call), then from the prospect pool (METHOD.md §1:
    want 5 meetings at 1 in 5, list 25 names)."""
    if target < 1:
        raise InvalidInput("--meetings is the number of meetings to book, 1 or more")
    chosen = choose_rate(session, now, rate)
    size = list_size(target, chosen.value)
    calls = [item for item in due(session, rules, now) if item.action == "call"][:size]
    calls += prospects(session, rules, now, size - len(calls), {item.lead_id for item in calls})
    return Plan(target, chosen, size, calls)


def _next_occurrence(session: Session, block: CallBlock, day: date | None, now: datetime) -> Occurrence:
    today = to_local(now).date()
    first, last = (day, day) if day is not None else (today - timedelta(days=1), today + timedelta(days=366))
    removed = removed_days(session, [pk(block)], first, last)[pk(block)]
    ahead = [o for o in occurrences(block, removed, first, last) if o.end > now]
    if not ahead:
        when = f"on {day:%a %d %b %Y}" if day is not None else "ahead"
        raise InvalidInput(f"block #{block.id} has no occurrence {when} to fill; see salesdesk block list")
    return ahead[0]


@dataclass(frozen=True)
class Filled:
    occurrence: Occurrence
    plan: Plan
    fill: BlockFill

    def as_dict(self) -> dict[str, Any]:
        return {
            "block_id": self.occurrence.block.id,
            "title": self.occurrence.block.title,
            "start": iso(self.occurrence.start),
            "end": iso(self.occurrence.end),
            **self.plan.as_dict(),
        }


def _empty_list(session: Session) -> str:
    """Why a fill found nobody to call, and what would help: a book that has leads needs no
    more of them to be told "add leads first"; it has nobody due yet."""
    from salesdesk.lifecycle import ACTIVE

    active = session.execute(select(func.count()).where(col(Lead.status).in_(ACTIVE))).scalar_one()
    nobody = "no lead is due for a call and no prospect is waiting for a first call, so the list is empty"
    if not active:
        return f"{nobody}; add or import leads first (salesdesk lead add, salesdesk import leads FILE)"
    leads = "lead you are working has" if active == 1 else f"{active:,} leads you are working have"
    return (
        f"{nobody}: the {leads} a next step later than now (salesdesk why LEAD says when); "
        "fill the block nearer its time, or add or import new leads"
    )


def fill(
    session: Session,
    rules: Rules,
    now: datetime,
    block_id: int,
    *,
    day: date | None = None,
    target: int | None = None,
    rate: float | None = None,
) -> Filled:
    """Attach a planned call list to the block's occurrence on ``day`` (default: the one under
    way or next), replacing any list it had. ``target`` defaults to the block's meeting goal."""
    block = get_block(session, block_id)
    occurrence = _next_occurrence(session, block, day, now)
    goal = target if target is not None else block.goal_meetings
    if not goal:
        raise InvalidInput(
            f"block #{block_id} has no meeting goal; say how many meetings to plan for with --meetings N"
        )
    proposed = plan(session, rules, now, goal, rate)
    if not proposed.leads:
        raise Refused(_empty_list(session))
    _drop_fills(session, block_id, occurrence.start)
    record = BlockFill(
        block_id=block_id,
        start=occurrence.start,
        target_meetings=goal,
        rate_meetings=proposed.rate.value.numerator,
        rate_dials=proposed.rate.value.denominator,
        rate_source=proposed.rate.source,
        list_size=proposed.list_size,
        created_at=now,
    )
    session.add(record)
    session.flush()
    session.add_all(
        BlockLead(fill_id=pk(record), lead_id=item.lead_id, position=position)
        for position, item in enumerate(proposed.leads, 1)
    )
    session.flush()
    return Filled(occurrence, proposed, record)


# --- protected time ------------------------------------------------------------------------

# Free slots are offered in working hours: the configured business hours, else Mon-Fri 9-18.


# Protected time is checked over sqlite3 in protected_time.py (the hot log-call uses it too).
# The either/or offer is the timing advice's; the tests read it from here.
either_or = timing_advice.either_or


def timing_warning(session: Session, config: Config, block: CallBlock, now: datetime) -> str | None:
    """A block whose first sitting starts or runs into lunch, or falls on the first morning
    after a holiday, says so with the method's reason and two better starts of its length,
    clear of other blocks. Dinner time is for private numbers, one call at a time: a block
    of calls is not checked for it (log-call --next is)."""
    if not config.timing.advice:
        return None
    slots = timing_advice.slots_for(config.timing, config.working_days, config.rules.business_hours, block.start)
    first = to_local(block.start).date() - timedelta(days=1)
    found = protected_time.expand(store.dbapi(session), first, first + timedelta(days=timing_advice.SEARCH_DAYS + 2))
    busy = [(o.start, o.end) for o in found if o.block.id != block.id]
    length = timedelta(minutes=block.minutes)
    return timing_advice.advice(block.start, now, slots, busy, length=length, scheduled="block")


def protected_at(session: Session, at: datetime) -> Occurrence | None:
    """The protected block occurrence that ``at`` falls in, if any."""
    return protected_time.protected_at(store.dbapi(session), at)


def free_slots(
    session: Session, around: datetime, now: datetime, hours: BusinessHours | None = None, timing: Timing | None = None
) -> list[datetime]:
    return protected_time.free_slots(store.dbapi(session), around, now, hours, timing)


def protect_warning(
    session: Session, at: datetime, now: datetime, hours: BusinessHours | None = None, timing: Timing | None = None
) -> str | None:
    return protected_time.protect_warning(store.dbapi(session), at, now, hours, timing)
