"""When to call one lead, and what to say when a call or block is put at a poor time.

METHOD.md §1 (avoid lunch, dinner time for private numbers, the morning after a holiday)
and §4 (ask for and respect each customer's preferred contact time). The method's checks
themselves are ``timing.concerns``; this module adds, as pure functions:

- the customer's preferred hours, ``lead.best_time``: ``parse_best_time("tue-thu 14:00-17:00")``;
- what their own answered calls suggest: ``learn_best_time``;
- the queue's hint when now is outside their hours: ``call_hint`` ("after 14:00");
- the two nearest better slots, as an either/or (METHOD.md §2): ``better_slots``;
- the warning at the moment of scheduling, shaped like the protected-block one: ``advice``.

It imports only the standard library and salesdesk's light modules: the hot ``log-call``
uses it over ``sqlite3``. Wall-clock checks are done in the lead's own zone when it has one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal, TypeVar

from salesdesk.dates import fmt_local, local_tz, to_local
from salesdesk.errors import InvalidInput
from salesdesk.rules import BusinessHours
from salesdesk.timing import Timing, Window, concerns

_T = TypeVar("_T")

# --- the customer's preferred hours: "tue-thu 14:00-17:00" ---------------------------------

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_WORDS: dict[str, int] = {
    **{name: i for i, name in enumerate(DAY_NAMES)},
    **{f"{name}day": i for i, name in enumerate(("mon", "tues", "wednes", "thurs", "fri", "satur", "sun"))},
    "tues": 1, "thur": 3, "thurs": 3,
    **{f"{prefix}{c}": i for prefix in ("周", "星期", "礼拜") for i, c in enumerate("一二三四五六日")},
    "周天": 6, "星期天": 6, "礼拜天": 6,
}  # fmt: skip
_RANGE = r"\s*(?:-|–|—|~|～|至|到)\s*"
_CLOCK = r"\d{1,2}(?:[:：]\d{2})?"
_PART = re.compile(rf"^(?P<days>.*?)\s*(?P<hours>{_CLOCK}{_RANGE}{_CLOCK})?$")
BEST_TIME_EXAMPLES = '"tue-thu 14:00-17:00", "mon,wed 09:00-11:00", "14:00-17:00", "周二-周四 14:00-17:00"'
BEST_TIME_MAX = 200  # a few spans joined by ";", not a calendar


@dataclass(frozen=True)
class BestSpan:
    """Some days of the week (all seven when none were named), at some hours (any when None)."""

    days: frozenset[int]
    window: Window | None

    def contains(self, local: datetime) -> bool:
        return local.weekday() in self.days and (self.window is None or self.window.contains(local.time()))

    def holds(self, start: datetime, end: datetime) -> bool:
        """Whether the whole of [start, end) (same day) lies inside this span."""
        if start.weekday() not in self.days:
            return False
        return self.window is None or (self.window.start <= start.time() and end.time() <= self.window.end)

    def days_text(self, *, display: bool = False) -> str:
        if len(self.days) == 7:
            return ""
        names = [n.capitalize() if display else n for n in DAY_NAMES]
        # Runs of days in a row, the week read round from a day that starts one: fri-mon wraps.
        begin = next(d for d in range(7) if d in self.days and (d - 1) % 7 not in self.days)
        runs: list[list[int]] = []
        for day in ((begin + i) % 7 for i in range(7)):
            if day not in self.days:
                continue
            if runs and runs[-1][-1] == (day - 1) % 7:
                runs[-1].append(day)
            else:
                runs.append([day])
        dash = "–" if display else "-"
        return ",".join(
            f"{names[run[0]]}{dash}{names[run[-1]]}" if len(run) >= 3 else ",".join(names[d] for d in run)
            for run in runs
        )

    def text(self, *, display: bool = False) -> str:
        hours = "" if self.window is None else f"{self.window.start:%H:%M}-{self.window.end:%H:%M}"
        if display:
            hours = hours.replace("-", "–")
        days = self.days_text(display=display) or ("" if hours else "Mon–Sun" if display else "mon-sun")
        return " ".join(part for part in (days, hours) if part)


@dataclass(frozen=True)
class BestTime:
    """A lead's preferred contact hours, in their own wall-clock time."""

    spans: tuple[BestSpan, ...]

    def contains(self, local: datetime) -> bool:
        return any(span.contains(local) for span in self.spans)

    def holds(self, start: datetime, end: datetime) -> bool:
        return any(span.holds(start, end) for span in self.spans)

    def next_start(self, local: datetime) -> tuple[datetime, BestSpan] | None:
        """The first moment at or after ``local`` inside these hours, and the span it opens."""
        found: list[tuple[datetime, BestSpan]] = []
        for offset in range(8):
            day = local.date() + timedelta(days=offset)
            for span in self.spans:
                if day.weekday() not in span.days:
                    continue
                opens = datetime.combine(day, span.window.start if span.window else time(0), tzinfo=local.tzinfo)
                closes = datetime.combine(day, span.window.end, tzinfo=local.tzinfo) if span.window else None
                if offset == 0 and span.contains(local):
                    return local, span
                if opens >= local:
                    found.append((opens, span))
                elif closes is not None and local < closes:
                    found.append((local, span))
            if found:
                return min(found, key=lambda pair: pair[0])
        return None

    def __str__(self) -> str:
        return "; ".join(span.text() for span in self.spans)

    def display(self) -> str:
        """With capitals and en dashes (``Tue-Thu`` so), for people; ``str()`` is the form typed and stored."""
        return "; ".join(span.text(display=True) for span in self.spans)


def _bad_best_time(text: str, why: str) -> InvalidInput:
    return InvalidInput(f"best time {text!r}: {why}; use e.g. {BEST_TIME_EXAMPLES}")


def _clock(text: str, original: str) -> time:
    hour, _, minute = text.replace("：", ":").partition(":")
    try:
        return time(int(hour), int(minute or 0))
    except ValueError:
        raise _bad_best_time(original, f"{text} is not a time of day") from None


def _days(text: str, original: str) -> frozenset[int]:
    days: set[int] = set()
    for item in re.split(r"\s*[,，、/]\s*|\s+", text.strip().lower()):
        if not item:
            continue
        ends = re.split(_RANGE, item)
        if len(ends) > 2 or any(end not in _DAY_WORDS for end in ends):
            raise _bad_best_time(original, f"{item!r} is not a day or a range of days like tue-thu")
        first, last = _DAY_WORDS[ends[0]], _DAY_WORDS[ends[-1]]
        days.update((first + i) % 7 for i in range((last - first) % 7 + 1))  # fri-mon wraps the weekend
    return frozenset(days)


def parse_best_time(text: str) -> BestTime:
    """``"tue-thu 14:00-17:00"``, ``"mon,wed 09:00-11:00; fri 14:00-16:00"``, ``"14:00-17:00"``
    (every day), ``"tue-thu"`` (any hour), ``"周二-周四 14:00-17:00"``. InvalidInput otherwise."""
    original = text
    text = text.strip()
    if not text:
        raise _bad_best_time(original, "it is empty")
    if len(text) > BEST_TIME_MAX:
        raise _bad_best_time(text[:40] + "…", f"longer than {BEST_TIME_MAX} characters")
    spans: list[BestSpan] = []
    for part in re.split(r"\s*[;；]\s*", text):
        if not part:
            continue
        match = _PART.match(part)
        if match is None or not (match["days"] or match["hours"]):
            raise _bad_best_time(original, f"{part!r} names no days or hours")
        window = None
        if match["hours"]:
            start_text, end_text = re.split(_RANGE, match["hours"])
            start, end = _clock(start_text, original), _clock(end_text, original)
            if end <= start:
                raise _bad_best_time(original, f"{match['hours']} must end after it starts")
            window = Window(start, end)
        days = _days(match["days"], original) if match["days"] else frozenset(range(7))
        spans.append(BestSpan(days, window))
    if not spans:
        raise _bad_best_time(original, "it names no days or hours")
    return BestTime(tuple(spans))


def zone_of(name: str | None) -> tzinfo | None:
    """The lead's zone (an IANA name such as "Europe/Berlin"), or None for the rep's own."""
    if not name:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"time zone {name!r} is unknown; use an IANA name such as Asia/Shanghai or Europe/Berlin"
        ) from None


# --- what a lead's own answered calls say --------------------------------------------------

# At least this many connected calls before their pattern is a suggestion, not an accident.
LEARN_MIN_CONNECTS = 3
# The hour window the connects are looked for in: an afternoon, not a whole day.
LEARN_SPAN_HOURS = 3


@dataclass(frozen=True)
class Learned:
    """Where most of a lead's connected calls fell: a suggestion for ``best_time``."""

    best: BestTime
    covered: int
    connects: int

    def text(self) -> str:
        """``answers Tue-Thu 14:00-16:00 (4 of 5 connects)``, with en dashes."""
        return f"answers {self.best.display()} ({self.covered} of {self.connects} connects)"


def learn_best_time(calls: Iterable[tuple[datetime, bool]]) -> Learned | None:
    """The hours (of ``LEARN_SPAN_HOURS`` at most) and weekdays holding most of the lead's
    connected calls, from ``(local time, connected)`` pairs; None below ``LEARN_MIN_CONNECTS``
    connects in one window, or when the window holds no more than half of them."""
    calls = list(calls)
    connects = [at for at, connected in calls if connected]
    if len(connects) < LEARN_MIN_CONNECTS:
        return None

    def rate(hour: int) -> tuple[int, float]:
        inside = [c for at, c in calls if hour <= at.hour < hour + LEARN_SPAN_HOURS]
        hits = sum(1 for c in inside if c)
        return hits, hits / len(inside)

    # Most connects first, then the better connect rate (fewer dials wasted), then earlier.
    start = min(sorted({at.hour for at in connects}), key=lambda h: (-rate(h)[0], -rate(h)[1], h))
    covered = [at for at in connects if start <= at.hour < start + LEARN_SPAN_HOURS]
    if len(covered) < LEARN_MIN_CONNECTS or 2 * len(covered) <= len(connects):
        return None
    first, last = min(at.hour for at in covered), max(at.hour for at in covered)
    window = Window(time(first), time(last + 1) if last < 23 else time(23, 59))
    days = frozenset(at.weekday() for at in covered)
    if len(days) >= 2:
        ordered = sorted(days)
        days = frozenset(range(ordered[0], ordered[-1] + 1))  # a range reads better than a gap-toothed list
    return Learned(BestTime((BestSpan(days, window),)), len(covered), len(connects))


def learned_from(calls: Iterable[tuple[datetime, bool]], timezone: str | None) -> Learned | None:
    """``learn_best_time`` over a lead's stored calls (UTC), read in their zone."""
    zone = _stored(zone_of, timezone) or local_tz()
    return learn_best_time((at.astimezone(zone), connected) for at, connected in calls)


def when_to_call(
    lead: LeadTiming, learned: Learned | None, now: datetime, timing: Timing, lead_id: int | None = None
) -> list[tuple[str, str]]:
    """The lead card's lines about when to call them (``lead show``, the TUI's Lead screen),
    as (label, text); none for a lead with nothing set or learned."""
    lines: list[tuple[str, str]] = []
    zone = _stored(zone_of, lead.timezone)
    best = _stored(parse_best_time, lead.best_time)
    if best is not None:
        lines.append(("best time", best.display() + (" (their time)" if zone is not None else "")))
    if zone is not None:
        lines.append(("time zone", f"{lead.timezone} (now {now.astimezone(zone):%a %H:%M} there)"))
    if lead.private_phone:
        lines.append(("private", f"a private number: not at dinner time ({timing.dinner})"))
    if learned is not None:
        text = learned.text()
        if best != learned.best and lead_id is not None:
            text += f"; to keep it: lead edit {lead_id} --best-time learned"
        lines.append(("learned", text))
    return lines


# --- the queue's "do" column -----------------------------------------------------------------


def call_hint(best: BestTime, now: datetime, zone: tzinfo | None = None, by: datetime | None = None) -> str | None:
    """When ``now`` is outside the lead's preferred hours, when to call instead, in the rep's
    own time: ``after 14:00`` (today), ``Tue 14:00`` (this week), ``Tue`` (any hour that day).
    None when their hours open only after ``by`` (a first-contact deadline: that rule wins)."""
    theirs = now.astimezone(zone or local_tz())
    found = best.next_start(theirs)
    if found is None or found[0] == theirs or (by is not None and found[0] > by):
        return None
    opens, span = found
    mine, today = to_local(opens), to_local(now)
    if span.window is None:
        return f"{mine:%a}"
    if mine.date() == today.date():
        return f"after {mine:%H:%M}"
    return f"{mine:%a %H:%M}"


def lead_call_hint(
    best_time: str | None, timezone: str | None, now: datetime, by: datetime | None = None
) -> str | None:
    """``call_hint`` for a lead's stored hours and zone; None when they have none."""
    best = _stored(parse_best_time, best_time)
    return None if best is None else call_hint(best, now, _stored(zone_of, timezone), by)


# --- better slots and the warning at the moment of scheduling ---------------------------------

SLOT = timedelta(minutes=30)
SEARCH_DAYS = 14
DEFAULT_HOURS = BusinessHours(time(9), time(18), frozenset(range(5)))
Scheduled = Literal["call", "block"]


@dataclass(frozen=True)
class LeadTiming:
    """What about one lead bears on when to call: their zone, hours and kind of number."""

    timezone: str | None = None
    best_time: str | None = None
    private_phone: bool = False


@dataclass(frozen=True)
class Slots:
    """The settings the search reads, gathered once."""

    timing: Timing
    holidays: Container[date]
    working_days: Container[int]
    hours: BusinessHours
    zone: tzinfo | None = None  # the lead's; None is the rep's own
    private: bool = False
    best: BestTime | None = None


def _reasons(start: datetime, end: datetime, slots: Slots) -> list[str]:
    """Every reason against [start, end), the lead's own wall-clock times."""
    found = [
        c.reason
        for c in concerns(
            start,
            end,
            private=slots.private,
            timing=slots.timing,
            holidays=slots.holidays,
            working_days=slots.working_days,
        )
    ]
    if start.date() in slots.holidays:
        found.append(f"{start:%a %d %b} is a holiday")
    if slots.best is not None and not slots.best.holds(start, end):
        found.append(f"their preferred hours are {slots.best.display()}")
    return found


def better_slots(
    around: datetime,
    now: datetime,
    slots: Slots,
    busy: Sequence[tuple[datetime, datetime]] = (),
    length: timedelta = SLOT,
) -> list[datetime]:
    """Two times near ``around`` with nothing against them: in the rep's working hours, not
    past, clear of ``busy`` (protected blocks), no lunch, dinner (private numbers) or morning
    after a holiday, inside the lead's preferred hours when they have some, else inside the
    ``[timing] preferred`` windows where possible. The nearest, and the nearest on another day
    (an either/or, METHOD.md §2). In time order; fewer when two weeks hold none."""
    zone = slots.zone or local_tz()
    first = max(to_local(around).date(), to_local(now).date())
    candidates: list[tuple[int, timedelta, datetime]] = []
    for offset in range(SEARCH_DAYS + 1):
        day = first + timedelta(days=offset)
        if day.weekday() not in slots.hours.weekdays:
            continue
        clock = datetime.combine(day, slots.hours.start, tzinfo=local_tz())
        close = datetime.combine(day, slots.hours.end, tzinfo=local_tz())
        while clock + length <= close:
            start, end = clock.astimezone(zone), (clock + length).astimezone(zone)
            clock += SLOT
            if start < now or any(start < b_end and b_start < end for b_start, b_end in busy):
                continue
            if start.weekday() not in slots.working_days or start.date() != end.date():
                continue
            if slots.timing.advice and _reasons(start, end, slots):
                continue
            preferred = any(w.start <= start.time() and end.time() <= w.end for w in slots.timing.preferred)
            candidates.append((0 if slots.best is not None or preferred else 1, abs(start - around), start))
    if not candidates:
        return []
    candidates.sort()
    nearest = candidates[0][2]
    other = next((c for _, _, c in candidates if to_local(c).date() != to_local(nearest).date()), None)
    return sorted([nearest] if other is None else [nearest, other])


def either_or(slots: Sequence[datetime], now: datetime, zone: tzinfo | None = None) -> str:
    """``Tuesday 11:00 or Wednesday 14:00?``, in ``zone`` (the lead's) or the rep's own time;
    the date is added when a week or more away."""
    shown = zone or local_tz()

    def spoken(slot: datetime) -> str:
        local = slot.astimezone(shown)
        if (local.date() - now.astimezone(shown).date()).days >= 7:
            return local.strftime("%A %d %b %H:%M")
        return local.strftime("%A %H:%M")

    return " or ".join(spoken(slot) for slot in slots) + "?"


def advice(
    at: datetime,
    now: datetime,
    slots: Slots,
    busy: Sequence[tuple[datetime, datetime]] = (),
    *,
    length: timedelta | None = None,
    scheduled: Scheduled = "call",
) -> str | None:
    """The warning for a call (or a block of ``length``) put at ``at``, when the method
    advises against that time, with two better slots to offer instead; None when the time is
    fine or advice is off. The shape of ``protected_time.protect_warning``'s."""
    if not slots.timing.advice or at < now:
        return None
    theirs = at.astimezone(slots.zone or local_tz())
    reasons = _reasons(theirs, theirs + (length or timedelta(minutes=1)), slots)
    if not reasons:
        return None
    what = fmt_local(at, now)
    if length is not None:
        what += f"-{to_local(at + length):%H:%M}"
    zone_name = str(slots.zone) if slots.zone is not None else None
    if zone_name is not None and theirs.utcoffset() != to_local(at).utcoffset():
        what += f" ({theirs:%a %H:%M} their time, {zone_name})"
    offer = better_slots(at, now, slots, busy, length or SLOT)
    their = " (their time)" if zone_name is not None and offer else ""
    verb = "offer" if scheduled == "call" else "try"
    tail = f'; {verb} "{either_or(offer, now, slots.zone)}"{their} instead' if offer else ""
    return f"{what} — {'; and '.join(reasons)}{tail}"


def slots_for(
    config_timing: Timing,
    working_days: Container[int],
    hours: BusinessHours | None,
    around: datetime,
    lead: LeadTiming | None = None,
) -> Slots:
    """The search settings for scheduling near ``around``: holidays of the years it can
    reach (the ``holidays`` package is imported only when a country is configured)."""
    lead = lead or LeadTiming()
    years = {around.year, (around + timedelta(days=SEARCH_DAYS + 1)).year}
    return Slots(
        timing=config_timing,
        holidays=config_timing.holiday_dates(sorted(years)),
        working_days=working_days,
        hours=hours or DEFAULT_HOURS,
        zone=_stored(zone_of, lead.timezone),
        private=lead.private_phone,
        best=_stored(parse_best_time, lead.best_time),
    )


def _stored(parse: Callable[[str], _T], value: str | None) -> _T | None:
    """A value read back from the lead row. It was checked when written; one edited by hand
    into nonsense is ignored here, so it can never stop a call from being logged."""
    try:
        return parse(value) if value else None
    except InvalidInput:
        return None
