"""Call blocks as an iCalendar file (RFC 5545) that calendar apps import.

Written with the ``icalendar`` library: it ends lines with CRLF, folds them at 75 octets,
escapes TEXT values, and builds from the zone database the VTIMEZONE that every TZID must
come with. Without a range, each block is one event (a repeating block with its RRULE and
an EXDATE per removed occurrence); with a range, each occurrence in it is its own event.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event, vRecur
from sqlmodel import Session, col, select

from salesdesk import __version__
from salesdesk.errors import InvalidInput
from salesdesk.models import BlockException, CallBlock
from salesdesk.services.blocks import Occurrence, expand, occurrences
from salesdesk.services.meetings import MeetingView

PRODID = f"-//salesdesk//salesdesk {__version__}//EN"
# A meeting's length in the calendar: the store keeps only its start.
MEETING_MINUTES = 60
# VTIMEZONE rules are written out this far past the last block, so repeating blocks keep
# their local time in calendar apps for years.
ZONE_YEARS_AHEAD = 10


def local_zone() -> ZoneInfo | None:
    """The local zone by its IANA name ($TZ, else where /etc/localtime points), or None when
    it has none (a POSIX TZ string, say): a TZID needs a name."""
    configured = os.environ.get("TZ")
    if configured:
        name = configured.removeprefix(":")
    else:
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" not in target:
            return None
        name = target.split("zoneinfo/", 1)[1]
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _uid(block: CallBlock, day: date | None = None) -> str:
    # Stable across exports, so re-importing updates the events instead of duplicating them;
    # the creation time keeps two databases' block #1 apart.
    occurrence = f"-{day:%Y%m%d}" if day is not None else ""
    return f"salesdesk-block-{block.id}-{block.created_at:%Y%m%dT%H%M%SZ}{occurrence}@salesdesk"


def _description(block: CallBlock) -> str:
    goals = [
        f"{n} {what}" for n, what in ((block.goal_dials, "dials"), (block.goal_meetings, "meetings")) if n is not None
    ]
    lines = ["salesdesk call block", f"Goal: {', '.join(goals)}." if goals else "No goal set."]
    if block.protect:
        lines.append("Protected calling time: book appointments elsewhere.")
    return "\n".join(lines)


def _event(block: CallBlock, start: datetime, zone: tzinfo, now: datetime, day: date | None = None) -> Event:
    event = Event()
    event.add("uid", _uid(block, day))
    event.add("dtstamp", now.astimezone(UTC))
    event.add("created", block.created_at.astimezone(UTC))
    event.add("dtstart", start.astimezone(zone))
    event.add("dtend", (start + timedelta(minutes=block.minutes)).astimezone(zone))
    event.add("summary", block.title)
    event.add("description", _description(block))
    return event


def export(session: Session, now: datetime, first: date | None = None, last: date | None = None) -> tuple[bytes, int]:
    """The calendar, and how many events it holds: every block as a series, or, with a
    range, the occurrences on local days ``first`` to ``last``."""
    zone = local_zone()
    events: list[Event] = []
    if first is not None and last is not None:
        # One-off instants need no zone name: without one they are written in UTC.
        found: list[Occurrence] = expand(session, first, last)
        events = [_event(o.block, o.start, zone or UTC, now, o.day) for o in found]
        starts = [o.start for o in found]
    else:
        if zone is None:
            raise InvalidInput(
                "your time zone has no name to put in the calendar; set TZ (e.g. TZ=Asia/Shanghai), "
                "or export a range with --from/--to"
            )
        blocks = list(session.execute(select(CallBlock).order_by(col(CallBlock.start), col(CallBlock.id))).scalars())
        removed: dict[int, list[date]] = {}
        for exception in session.execute(select(BlockException).order_by(BlockException.day)).scalars():
            removed.setdefault(exception.block_id, []).append(date.fromisoformat(exception.day))
        for block in blocks:
            event = _event(block, block.start, zone, now)
            if block.rrule is not None:
                event.add("rrule", vRecur.from_ical(block.rrule))
                # The removed occurrence's own start (recomputed, so a DST-shifted one matches).
                days = removed.get(block.id, [])
                skipped = [o.start.astimezone(zone) for d in days for o in occurrences(block, (), d, d)]
                if skipped:
                    event.add("exdate", skipped)
            events.append(event)
        starts = [block.start for block in blocks]
    return _calendar("salesdesk call blocks", events, starts, zone, now), len(events)


def _calendar(name: str, events: list[Event], starts: list[datetime], zone: tzinfo | None, now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(event)
    if starts and isinstance(zone, ZoneInfo):
        latest = max([*starts, now]).astimezone(zone).date()
        calendar.add_missing_timezones(
            first_date=min(starts).astimezone(zone).date() - timedelta(days=1),
            last_date=latest.replace(year=latest.year + ZONE_YEARS_AHEAD, day=min(latest.day, 28)),
        )
    return calendar.to_ical()


def export_meetings(views: list[MeetingView], now: datetime) -> tuple[bytes, int]:
    """Booked meetings as one-hour events (a calendar app keeps the length the rep gives)."""
    zone = local_zone() or UTC
    events = []
    booked = [v for v in views if v.meeting.status == "booked"]
    for view in booked:
        meeting = view.meeting
        event = Event()
        # Stable across exports, so re-importing updates the event instead of duplicating it.
        event.add("uid", f"salesdesk-meeting-{meeting.id}-{meeting.created_at:%Y%m%dT%H%M%SZ}@salesdesk")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("created", meeting.created_at.astimezone(UTC))
        event.add("dtstart", meeting.at.astimezone(zone))
        event.add("dtend", (meeting.at + timedelta(minutes=MEETING_MINUTES)).astimezone(zone))
        event.add("summary", f"Meeting: {view.lead_name}")
        if meeting.place:
            event.add("location", meeting.place)
        event.add("description", f"salesdesk meeting #{meeting.id} with lead #{meeting.lead_id} {view.lead_name}")
        events.append(event)
    starts = [v.meeting.at for v in booked]
    return _calendar("salesdesk meetings", events, starts, zone, now), len(events)
