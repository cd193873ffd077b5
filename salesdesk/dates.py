"""Times as a person types them, and times as a person reads them.

Everything stored is timezone-aware UTC; everything shown is local time (``$TZ`` is
respected). Parsing always takes ``now`` so a whole day can be replayed in tests and
scripts (``SALESDESK_NOW``).
"""

from __future__ import annotations

import functools
import os
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal

from dateutil import tz
from dateutil.parser import isoparse

from salesdesk.errors import InvalidInput

Prefer = Literal["past", "future"]

WHEN_EXAMPLES = "now, today 14:30, yesterday 3pm, tomorrow 9am, tue 10:00, 2h ago, in 3 days, +2d, 2026-11-23T14:30"
DAY_EXAMPLES = "today, yesterday, mon, 2026-11-16"

# A day named without a time ("tomorrow") means the start of a working day.
DEFAULT_HOUR = 9

_WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}  # fmt: skip
_DAY_WORDS = {"today": 0, "tomorrow": 1, "yesterday": -1, "今天": 0, "明天": 1, "昨天": -1}
_UNITS = {
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "wk": 604800, "week": 604800, "weeks": 604800,
}  # fmt: skip
_UNIT_RE = "|".join(sorted(_UNITS, key=len, reverse=True))
_REL_AGO = re.compile(rf"^(\d+)\s*({_UNIT_RE})\s+ago$")
_REL_IN = re.compile(rf"^in\s+(\d+)\s*({_UNIT_RE})$")
_REL_SIGN = re.compile(rf"^([+-])\s*(\d+)\s*({_UNIT_RE})$")
_TIME_RE = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")
_ISO_START = re.compile(r"^\d{4}-?\d{2}")


def local_tz() -> tzinfo:
    """The local zone, read from ``$TZ`` each call (tests switch it), else the system's."""
    name = os.environ.get("TZ") or None
    return tz.gettz(name) or tz.tzlocal()


def utc(dt: datetime) -> datetime:
    """``dt`` as aware UTC; a naive value is taken as local time."""
    if dt.tzinfo is None:
        dt = tz.resolve_imaginary(dt.replace(tzinfo=local_tz()))
    return dt.astimezone(UTC)


def to_local(dt: datetime) -> datetime:
    return dt.astimezone(local_tz())


def clock_now(environ: os._Environ[str] | dict[str, str] | None = None) -> datetime:
    """The current time, or ``$SALESDESK_NOW`` (ISO 8601) when set, so days can be replayed."""
    env = os.environ if environ is None else environ
    fixed = env.get("SALESDESK_NOW")
    if not fixed:
        return datetime.now(UTC)
    try:
        return utc(isoparse(fixed.strip()))
    except (ValueError, OverflowError):
        raise InvalidInput(
            f"SALESDESK_NOW={fixed!r} is not an ISO 8601 time; use e.g. 2026-11-23T09:30+08:00"
        ) from None


def _at_local(day: date, t: time) -> datetime:
    """A local wall-clock time on ``day``, made real if a DST gap swallowed it."""
    return tz.resolve_imaginary(datetime.combine(day, t, tzinfo=local_tz()))


def _parse_clock(text: str) -> time | None:
    if text == "noon":
        return time(12)
    if text == "midnight":
        return time(0)
    m = _TIME_RE.match(text)
    if not m:
        return None
    hour, minute, meridiem = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    if meridiem is None and m.group(2) is None:
        return None  # a bare number ("9") is too ambiguous to guess
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _resolve_weekday(weekday: int, clock: time | None, now_local: datetime, prefer: Prefer, strict: bool) -> datetime:
    """The occurrence of ``weekday`` nearest to now in the preferred direction."""
    t = clock or time(DEFAULT_HOUR)
    today = now_local.date()
    step = 1 if prefer == "future" else -1
    for offset in range(0 if not strict else 1, 15):
        day = today + timedelta(days=offset * step)
        if day.weekday() != weekday:
            continue
        candidate = _at_local(day, t)
        if strict or (candidate >= now_local if step == 1 else candidate <= now_local):
            return candidate
    raise AssertionError("a weekday always recurs within two weeks")


def _parse_day_and_clock(words: list[str], now_local: datetime, prefer: Prefer) -> datetime | None:
    clock: time | None = None
    day_offset: int | None = None
    weekday: int | None = None
    strict = False
    rest = list(words)
    if rest and rest[0] in ("next", "last"):
        prefer = "future" if rest[0] == "next" else "past"
        strict = True
        rest = rest[1:]
        if not rest or rest[0] not in _WEEKDAYS:
            return None
    for word in rest:
        if word in _DAY_WORDS and day_offset is None and weekday is None:
            day_offset = _DAY_WORDS[word]
        elif word in _WEEKDAYS and day_offset is None and weekday is None:
            weekday = _WEEKDAYS[word]
        elif clock is None and (parsed := _parse_clock(word)) is not None:
            clock = parsed
        else:
            return None
    if weekday is not None:
        return _resolve_weekday(weekday, clock, now_local, prefer, strict)
    if day_offset is None and clock is None:
        return None
    day = now_local.date() + timedelta(days=day_offset or 0)
    return _at_local(day, clock or time(DEFAULT_HOUR))


def _normalise(text: str) -> str:
    text = text.strip().lower()
    # "3 pm" -> "3pm", "9 am" -> "9am": people type both.
    text = re.sub(r"(\d)\s+(am|pm)\b", r"\1\2", text)
    return re.sub(r"\s+", " ", text)


def parse_when(text: str, now: datetime, prefer: Prefer = "past") -> datetime:
    """Parse a moment as a person types it; return aware UTC.

    ``prefer`` settles weekdays: ``--at tue`` means the Tuesday just gone, ``--next tue``
    the coming one. Raises InvalidInput with examples of what works.
    """
    raw = text
    text = _normalise(text)
    if not text:
        raise InvalidInput(f"a time is required; try: {WHEN_EXAMPLES}")
    now = now.astimezone(UTC)
    if text == "now":
        return now
    try:
        if m := _REL_AGO.match(text):
            return now - timedelta(seconds=int(m.group(1)) * _UNITS[m.group(2)])
        if m := _REL_IN.match(text):
            return now + timedelta(seconds=int(m.group(1)) * _UNITS[m.group(2)])
        if m := _REL_SIGN.match(text):
            sign = 1 if m.group(1) == "+" else -1
            return now + sign * timedelta(seconds=int(m.group(2)) * _UNITS[m.group(3)])
    except (ValueError, OverflowError):
        # "in 99999999999 weeks" is past the end of the calendar (or too many digits to read).
        raise InvalidInput(f"{raw!r} is too far from now; try: {WHEN_EXAMPLES}") from None
    if _ISO_START.match(text):
        try:
            return utc(_fromiso(text.upper()))
        except (ValueError, OverflowError):
            pass
    else:
        found = _parse_day_and_clock(text.split(" "), to_local(now), prefer)
        if found is not None:
            return found.astimezone(UTC)
    raise InvalidInput(f"can't read {raw!r} as a time; try: {WHEN_EXAMPLES}")


_SECONDS_OFFSET = re.compile(r"[+-]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?$")


def _fromiso(text: str) -> datetime:
    """dateutil's ISO reader; Python's for offsets with seconds, which ``isoformat()`` writes."""
    if _SECONDS_OFFSET.search(text):
        return datetime.fromisoformat(text)
    return isoparse(text)


def parse_day(text: str, now: datetime) -> date:
    """Parse a calendar day (``2026-11-16``, ``yesterday``, ``mon``) in local time."""
    norm = _normalise(text)
    words = norm.split(" ")
    if words[-1] in _WEEKDAYS and (len(words) == 1 or words[:-1] == ["last"]):
        # A weekday names a whole day: on a Monday "mon" is today even before the 9:00 that
        # parse_when would assume, and "last mon" is a week ago.
        today = to_local(now).date()
        back = (today.weekday() - _WEEKDAYS[words[-1]]) % 7 or (7 if len(words) == 2 else 0)
        return today - timedelta(days=back)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", norm):
        try:
            return date.fromisoformat(norm)
        except ValueError:
            pass
    elif norm:
        try:
            return to_local(parse_when(norm, now, prefer="past")).date()
        except InvalidInput:
            pass
    raise InvalidInput(f"can't read {text!r} as a day; try: {DAY_EXAMPLES}")


_DURATION_UNITS = re.compile(r"^(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$")
_DURATION_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")
MAX_DURATION_S = 24 * 3600


def parse_duration(text: str) -> int:
    """Parse ``4m30s``, ``90s``, ``1h``, ``4:30`` or plain seconds (``270``) into seconds."""
    norm = text.strip().lower().replace(" ", "")
    seconds: int | None = None
    if len(norm) > 20:
        pass  # no call lasts that many digits (and Python refuses to read 4,300 of them)
    elif norm.isdecimal():
        seconds = int(norm)
    elif (m := _DURATION_CLOCK.match(norm)) is not None:
        hours, minutes, secs = int(m.group(1) or 0), int(m.group(2)), int(m.group(3))
        if secs < 60 and (m.group(1) is None or minutes < 60):
            seconds = hours * 3600 + minutes * 60 + secs
    elif norm and (m := _DURATION_UNITS.match(norm)) is not None and any(m.groups()):
        hours, minutes, secs = (int(g or 0) for g in m.groups())
        seconds = hours * 3600 + minutes * 60 + secs
    if seconds is None or seconds > MAX_DURATION_S:
        raise InvalidInput(f"can't read {text!r} as a call duration (at most 24h); try: 4m30s, 90s, 4:30")
    return seconds


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants where local ``day`` starts and the next day starts (DST-safe)."""
    return _day_bounds(day, os.environ.get("TZ") or None)


# A week's figures ask for the bounds of each lead's arrival day (hundreds of calls, each
# resolving local midnight through dateutil). Keyed on $TZ too, as local_tz() reads it.
@functools.lru_cache(maxsize=512)
def _day_bounds(day: date, zone_name: str | None) -> tuple[datetime, datetime]:
    start = _at_local(day, time(0))
    end = _at_local(day + timedelta(days=1), time(0))
    return start.astimezone(UTC), end.astimezone(UTC)


def iso(dt: datetime | None) -> str | None:
    """ISO 8601 in local time with its offset: unambiguous for scripts, readable for people."""
    return None if dt is None else to_local(dt).isoformat(timespec="seconds")


def fmt_local(dt: datetime | None, now: datetime | None = None) -> str:
    """``Mon 23 Nov 14:30``: the weekday is always shown, as the method asks for."""
    if dt is None:
        return "-"
    local = to_local(dt)
    if now is not None and to_local(now).year != local.year:
        return local.strftime("%a %d %b %Y %H:%M")
    return local.strftime("%a %d %b %H:%M")


def fmt_span(delta: timedelta) -> str:
    """A compact span: ``48m``, ``4h12m``, ``3d4h``."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rem = divmod(minutes, 1440)
    hours, mins = divmod(rem, 60)
    if days:
        return f"{days}d{hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h{mins:02d}m" if mins else f"{hours}h"
    return f"{mins}m"


def fmt_duration(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
