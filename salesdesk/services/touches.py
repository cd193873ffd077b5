"""Touches: logging calls and other contacts, and reading a lead's history."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from salesdesk import lifecycle, store, validate
from salesdesk.config import Config, Outcome
from salesdesk.dates import iso
from salesdesk.errors import InvalidInput
from salesdesk.models import FollowUp, Lead, Meeting, Touch
from salesdesk.services import objections

# The day's figures are defined once, in metrics; callers that know them from here keep working.
from salesdesk.services.metrics import DayActivity as DayActivity
from salesdesk.services.metrics import day_activity as day_activity

# Kept here too: the TUI's call session reads it from this module.
FUTURE_SLACK = lifecycle.FUTURE_SLACK


def touch_dict(touch: Touch) -> dict[str, Any]:
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


def followup_dict(followup: FollowUp) -> dict[str, Any]:
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


def check_call_benefit(config: Config, outcome: Outcome, benefit: str | None) -> str | None:
    """The benefit rule for a call with ``outcome``, as ``decide_touch`` applies it (for
    forms that check a field before saving): a warning, or InvalidInput when required."""
    touch = lifecycle.TouchFacts(channel="call", at=datetime.now(UTC), outcome=outcome, benefit=benefit)
    return lifecycle.benefit_warning(config.rules.benefit, touch)


def meeting_dict(meeting: Meeting) -> dict[str, Any]:
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

    touch: Touch
    followups: list[FollowUp]  # opened by this touch: the next step, fallbacks
    warnings: list[str]
    meeting: Meeting | None = None
    resolved: tuple[tuple[int, str], ...] = ()  # (follow-up id, resolution) it ended
    state: str | None = None  # the lead's state afterwards


# The lead's activity counters, written by triggers on ``touch`` (migrations 0003, 0007)
# behind the ORM's back: a Lead already loaded must re-read them after a touch is written.
LEAD_COUNTERS = (
    "touch_count", "call_count", "connect_count", "meeting_count", "reach_count", "first_touch_at",
    "first_attempt_at", "last_touch_at",
)  # fmt: skip


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


def protected_time_warnings(session: Session, config: Config, touch: lifecycle.TouchFacts, now: datetime) -> list[str]:
    """A next call or a meeting put in protected calling time says so, and offers two free
    slots (only then is the block planner loaded)."""
    times = [t for t in (touch.next_at, touch.meeting_at) if t is not None]
    if not times:
        return []
    from salesdesk.services.blocks import protect_warning

    found = (protect_warning(session, at, now, config.rules.business_hours) for at in times)
    return [warning for warning in found if warning]


def _logged(session: Session, lead: Lead, decision: lifecycle.Decision, written: store.Written) -> Logged:
    """The ORM view of what ``record`` wrote, for the CLI and the TUI to show."""
    session.expire(lead)
    opened = {
        f.id: f
        for f in session.execute(select(FollowUp).where(FollowUp.id.in_(written.followup_ids))).scalars()  # type: ignore[union-attr]
    }
    meeting = session.get(Meeting, written.meeting_id) if written.meeting_id is not None else None
    return Logged(
        touch=session.get_one(Touch, written.touch_id),
        followups=[opened[fid] for fid in written.followup_ids],
        warnings=list(decision.warnings),
        meeting=meeting,
        resolved=decision.resolve,
        state=decision.state,
    )


def log_call(
    session: Session,
    config: Config,
    lead: Lead,
    now: datetime,
    *,
    outcome: str,
    at: datetime | None = None,
    note: str | None = None,
    benefit: str | None = None,
    duration_s: int | None = None,
    objection: str | None = None,
    next_at: datetime | None = None,
    reply: int | None = None,
    meeting_at: datetime | None = None,
    place: str | None = None,
) -> Logged:
    """Record a call and its outcome; ``next_at`` schedules the next call, ``meeting_at``
    (and ``place``) is the meeting a ``meeting_booked`` call booked. ``objection`` is a key
    of the objection library and ``reply`` the number of the reply used to it (as
    ``objection show`` lists them)."""
    touch = call_facts(config, outcome, at or now, note, benefit, duration_s, next_at, meeting_at, place)
    objection_key, reply_id = objections.resolve(session, objection, reply)
    conn = store.dbapi(session)
    _, decision, written = record(conn, config, lead.id, touch, now, objection=objection_key, reply_id=reply_id)  # type: ignore[arg-type]
    logged = _logged(session, lead, decision, written)
    logged.warnings.extend(protected_time_warnings(session, config, touch, now))
    return logged


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


def log_touch(
    session: Session,
    config: Config,
    lead: Lead,
    now: datetime,
    *,
    channel: str,
    at: datetime | None = None,
    note: str | None = None,
    benefit: str | None = None,
    meeting_at: datetime | None = None,
    place: str | None = None,
) -> Logged:
    """Record a non-call contact (email, WeChat, visit...); calls go through ``log_call``.
    It meets the lead's open follow-ups on that channel (a fallback WeChat, say), and
    ``meeting_at`` records a meeting booked on it."""
    clean_channel = validate.choice(channel, "channel", config.channels)
    if clean_channel == "call":
        raise InvalidInput("calls have an outcome: use log-call LEAD --outcome OUTCOME")
    touch = lifecycle.TouchFacts(
        channel=clean_channel,  # type: ignore[arg-type]
        at=at or now,
        benefit=validate.text(benefit, "benefit", max_len=validate.TEXT_MAX, multiline=True),
        note=validate.text(note, "note", max_len=validate.TEXT_MAX, multiline=True),
        meeting_at=meeting_at,
        place=validate.text(place, "place"),
        books_meeting=meeting_at is not None,
    )
    _, decision, written = record(store.dbapi(session), config, lead.id, touch, now)  # type: ignore[arg-type]
    logged = _logged(session, lead, decision, written)
    logged.warnings.extend(protected_time_warnings(session, config, touch, now))
    return logged


def timeline(session: Session, lead_id: int, limit: int | None = None) -> list[Touch]:
    """A lead's touches, newest first."""
    query = select(Touch).where(Touch.lead_id == lead_id).order_by(Touch.at.desc(), Touch.id.desc())  # type: ignore[attr-defined]
    if limit is not None:
        query = query.limit(limit)
    return list(session.execute(query).scalars())


def open_followups(session: Session, lead_id: int) -> list[FollowUp]:
    query = (
        select(FollowUp)
        .where(FollowUp.lead_id == lead_id, FollowUp.done_at.is_(None))  # type: ignore[union-attr]
        .order_by(FollowUp.due_at, FollowUp.id)
    )
    return list(session.execute(query).scalars())


def touches_between(session: Session, start: datetime, end: datetime, limit: int = 200) -> list[tuple[Touch, str]]:
    """Touches in ``[start, end)`` with their lead's name, newest first."""
    query = (
        select(Touch, Lead.name)
        .join(Lead, Lead.id == Touch.lead_id)
        .where(Touch.at >= start, Touch.at < end)
        .order_by(Touch.at.desc(), Touch.id.desc())  # type: ignore[attr-defined]
        .limit(limit)
    )
    return [(touch, name) for touch, name in session.execute(query).all()]
