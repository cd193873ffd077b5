"""Logging a touch, without the ORM: the facts typed, the one ``record`` step every path
ends in (read the lead's facts, decide, write), and what a logged touch looks like.

``services.touches`` (the ORM commands, the TUI, the batch and the demo) and the hot
``log-call``/``log-touch`` path both use this module; it imports no SQLAlchemy, so the hot
path can. Rows here are the ORM models or the store layer's rows: both have the columns as
attributes.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from salesdesk import lifecycle, store, validate
from salesdesk.config import Config
from salesdesk.dates import iso
from salesdesk.errors import InvalidInput


def touch_dict(touch: Any) -> dict[str, Any]:
    return {
        "id": touch.id,
        "lead_id": touch.lead_id,
        "at": iso(touch.at),
        "channel": touch.channel,
        "outcome": touch.outcome,
        "connected": touch.connected,
        "duration_s": touch.duration_s,
        "note": touch.note,
        "benefit": touch.benefit,
        "objection": touch.objection,
        "reply_id": touch.reply_id,
    }


def followup_dict(followup: Any) -> dict[str, Any]:
    return {
        "id": followup.id,
        "lead_id": followup.lead_id,
        "channel": followup.channel,
        "due_at": iso(followup.due_at),
        "rule": followup.rule,
        "note": followup.note,
        "done_at": iso(followup.done_at),
        "resolution": followup.resolution,
    }


def meeting_dict(meeting: Any) -> dict[str, Any]:
    return {
        "id": meeting.id,
        "lead_id": meeting.lead_id,
        "at": iso(meeting.at),
        "place": meeting.place,
        "status": meeting.status,
        "touch_id": meeting.touch_id,
        "moved_from": meeting.moved_from,
        "note": meeting.note,
    }


@dataclass(frozen=True)
class Logged:
    """A logged touch and what the rules did about it."""

    touch: Any  # models.Touch, or store.TouchRow
    followups: list[Any]  # opened by this touch: the next step, fallbacks
    warnings: list[str]
    meeting: Any = None
    resolved: tuple[tuple[int, str], ...] = ()  # (follow-up id, resolution) it ended
    state: str | None = None  # the lead's state afterwards


def record(
    conn: sqlite3.Connection,
    config: Config,
    lead_id: int,
    touch: lifecycle.TouchFacts,
    now: datetime,
    *,
    objection: str | None = None,
    reply_id: int | None = None,
) -> tuple[lifecycle.LeadFacts, lifecycle.Decision, store.Written]:
    """The one way a touch is logged: read the lead's facts, decide, write. Every path that
    logs a touch (CLI, batch, TUI, demo) ends here; a refusal raises before anything is written."""
    # Lapsed fallbacks are recorded first: the decision must not count them as still open.
    store.lapse_fallbacks(conn, now, config.rules.fallback_expiry_days)
    facts = store.lead_facts(conn, lead_id)
    decision = lifecycle.decide_touch(facts, touch, config.rules, now)
    written = store.write_touch(conn, facts, touch, decision, now, objection=objection, reply_id=reply_id)
    return facts, decision, written


def call_facts(
    config: Config,
    outcome: str,
    at: datetime,
    note: str | None,
    benefit: str | None,
    duration_s: int | None,
    next_at: datetime | None,
    meeting_at: datetime | None,
    place: str | None,
) -> lifecycle.TouchFacts:
    """A call as typed, cleaned. For a booked meeting, ``--next`` is taken as the meeting's
    time when no ``--meeting`` is given: "meeting_booked --next fri 10:00" means the meeting."""
    disposition = config.outcome((outcome or "").strip().lower())
    if disposition.meeting and meeting_at is None and next_at is not None:
        meeting_at, next_at = next_at, None
    return lifecycle.TouchFacts(
        channel="call",
        at=at,
        outcome=disposition,
        benefit=validate.text(benefit, "benefit", max_len=validate.TEXT_MAX, multiline=True),
        note=validate.text(note, "note", max_len=validate.TEXT_MAX, multiline=True),
        duration_s=duration_s,
        next_at=next_at,
        meeting_at=meeting_at,
        place=validate.text(place, "place"),
    )


def contact_facts(
    config: Config,
    channel: str,
    at: datetime,
    note: str | None,
    benefit: str | None,
    meeting_at: datetime | None,
    place: str | None,
) -> lifecycle.TouchFacts:
    """A non-call contact as typed, cleaned; calls have an outcome, so go through ``call_facts``."""
    clean_channel = validate.choice(channel, "channel", config.channels)
    if clean_channel == "call":
        raise InvalidInput("calls have an outcome: use log-call LEAD --outcome OUTCOME")
    return lifecycle.TouchFacts(
        channel=clean_channel,
        at=at,
        benefit=validate.text(benefit, "benefit", max_len=validate.TEXT_MAX, multiline=True),
        note=validate.text(note, "note", max_len=validate.TEXT_MAX, multiline=True),
        meeting_at=meeting_at,
        place=validate.text(place, "place"),
        books_meeting=meeting_at is not None,
    )


def protected_time_warnings(
    conn: sqlite3.Connection, config: Config, touch: lifecycle.TouchFacts, now: datetime
) -> list[str]:
    """A next call or a meeting put in protected calling time says so, and offers two free
    slots (only then are the blocks read)."""
    times = [t for t in (touch.next_at, touch.meeting_at) if t is not None]
    if not times:
        return []
    from salesdesk.protected_time import protect_warning

    found = (protect_warning(conn, at, now, config.rules.business_hours, config.timing) for at in times)
    return [warning for warning in found if warning]


def timing_warning(
    conn: sqlite3.Connection, config: Config, lead_id: int, touch: lifecycle.TouchFacts, now: datetime
) -> str | None:
    """A next call put at lunch, at dinner time (a private number) or on the first morning
    after a holiday, or outside the lead's preferred hours, says so with the method's reason
    and offers two better slots (METHOD.md §1, §4). Meetings are not calls: not checked."""
    if touch.next_at is None or not config.timing.advice or touch.next_at < now:
        return None
    from salesdesk import protected_time, timing_advice
    from salesdesk.dates import to_local

    timezone, best_time, private = store.lead_timing(conn, lead_id)
    lead = timing_advice.LeadTiming(timezone, best_time, private)
    slots = timing_advice.slots_for(
        config.timing, config.working_days, config.rules.business_hours, touch.next_at, lead
    )
    first = to_local(touch.next_at).date() - timedelta(days=1)
    blocks = protected_time.expand(conn, first, first + timedelta(days=timing_advice.SEARCH_DAYS + 2))
    busy = [(o.start, o.end) for o in blocks if o.block.protect]
    return timing_advice.advice(touch.next_at, now, slots, busy)


def schedule_warnings(
    conn: sqlite3.Connection, config: Config, lead_id: int, touch: lifecycle.TouchFacts, now: datetime
) -> list[str]:
    """What the times a touch schedules run into: protected calling time, and the method's
    advice on when to call. Every path that logs a touch shows these after the rules' own."""
    timing = timing_warning(conn, config, lead_id, touch, now)
    return [*protected_time_warnings(conn, config, touch, now), *([timing] if timing else [])]


def logged(
    conn: sqlite3.Connection,
    config: Config,
    touch: lifecycle.TouchFacts,
    decision: lifecycle.Decision,
    written: store.Written,
    now: datetime,
) -> Logged:
    """What ``record`` wrote, read back as store rows (the ORM side reads models instead),
    with the rules' warnings and the scheduling ones."""
    row = store.touch_row(conn, written.touch_id)
    return Logged(
        touch=row,
        followups=store.followup_rows(conn, written.followup_ids),
        warnings=[*decision.warnings, *schedule_warnings(conn, config, row.lead_id, touch, now)],
        meeting=store.meeting_row(conn, written.meeting_id) if written.meeting_id is not None else None,
        resolved=decision.resolve,
        state=decision.state,
    )
