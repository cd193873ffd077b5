"""Touches: logging calls and other contacts, and reading a lead's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from salesdesk import rules, validate
from salesdesk.config import Config
from salesdesk.dates import MAX_DURATION_S, fmt_local, iso, local_day_bounds, to_local
from salesdesk.errors import InvalidInput
from salesdesk.models import FollowUp, Lead, Touch
from salesdesk.services import objections

# The day's figures are defined once, in metrics; callers that know them from here keep working.
from salesdesk.services.metrics import DayActivity as DayActivity
from salesdesk.services.metrics import day_activity as day_activity

# Clocks drift and people type "now" a little late; a touch this far ahead is a typo.
FUTURE_SLACK = timedelta(minutes=5)


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
    }


def _check_at(at: datetime, now: datetime, lead: Lead) -> None:
    if at > now + FUTURE_SLACK:
        raise InvalidInput("a touch cannot be logged in the future; plan it as the next call instead", field="at")
    if at < lead.created_at:
        # It would make speed-to-lead negative: the lead's arrival time is what's wrong.
        raise InvalidInput(
            f"#{lead.id} {lead.name} arrived {fmt_local(lead.created_at, now)}, after this touch; "
            "correct the lead's arrival time first",
            field="arrival",
        )


def reached(channel: str, connected: bool) -> bool:
    """Did this touch reach the customer? Connected calls, and messages or visits on any
    channel except "other" (METHOD.md §4 rule 3 applies to these)."""
    return connected if channel == "call" else channel != "other"


def check_benefit(
    config: Config, channel: str, connected: bool, benefit: str | None, *, terminal: bool = False
) -> str | None:
    """The benefit rule: refuse (require), or return a warning (warn), for a reached touch
    that offers nothing of value. A terminal outcome (do-not-call) is exempt: offering
    more to someone who asked not to be called is not the point of the rule."""
    mode = config.rules.benefit
    if benefit or mode == "off" or terminal or not reached(channel, connected):
        return None
    what = "a connected call" if channel == "call" else f"a {channel} touch"
    message = (
        f"rule 'every touch offers a benefit' (rules.benefit = {mode}): {what} needs a benefit, "
        "the information or resource offered"
    )
    if mode == "require":
        raise InvalidInput(message, field="benefit")
    return message


def _complete_due_followups(session: Session, touch: Touch) -> None:
    """A touch meets the lead's open follow-ups on its channel that are due by the end of its day."""
    _, day_end = local_day_bounds(to_local(touch.at).date())
    session.execute(
        update(FollowUp)
        .where(
            FollowUp.lead_id == touch.lead_id,
            FollowUp.channel == touch.channel,
            FollowUp.done_at.is_(None),  # type: ignore[union-attr]
            FollowUp.due_at < day_end,
        )
        .values(done_at=touch.at, done_touch_id=touch.id)
    )


@dataclass(frozen=True)
class Logged:
    """A logged touch and what the rules did about it."""

    touch: Touch
    followups: list[FollowUp]  # opened by this touch: the next step, fallbacks
    warnings: list[str]


def _open_fallbacks(session: Session, config: Config, touch: Touch) -> list[FollowUp]:
    """METHOD.md §4 rule 4: a call that doesn't get through opens follow-ups, due at once,
    on the fallback channels, unless one is already open on that channel."""
    open_channels = session.execute(
        select(FollowUp.channel).where(FollowUp.lead_id == touch.lead_id, FollowUp.done_at.is_(None))  # type: ignore[union-attr]
    ).scalars()
    opened = [
        FollowUp(
            lead_id=touch.lead_id,
            channel=channel,
            due_at=touch.at,
            rule="fallback",
            created_at=touch.recorded_at,
            source_touch_id=touch.id,
        )
        for channel in rules.fallbacks_to_open(touch.connected, config.rules.fallback_channels, open_channels)
    ]
    session.add_all(opened)
    return opened


# The lead's activity counters, written by triggers on ``touch`` (migration 0003) behind the
# ORM's back: a Lead already loaded must re-read them after a touch is written.
LEAD_COUNTERS = ("touch_count", "call_count", "connect_count", "meeting_count", "first_touch_at", "last_touch_at")


def _record(session: Session, lead: Lead, touch: Touch, now: datetime) -> Touch:
    session.add(touch)
    session.flush()
    session.expire(lead, LEAD_COUNTERS)
    if lead.status == "new":
        lead.status = "working"
    lead.updated_at = now
    session.add(lead)
    _complete_due_followups(session, touch)
    return touch


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
) -> Logged:
    """Record a call and its outcome; ``next_at`` schedules the next call, and a call that
    didn't get through opens the fallback follow-ups. ``objection`` is a key of the objection
    library and ``reply`` the number of the reply used to it (as ``objection show`` lists them)."""
    disposition = config.outcome((outcome or "").strip().lower())
    at = at or now
    _check_at(at, now, lead)
    if disposition.requires_next and next_at is None:
        raise InvalidInput(f"outcome {disposition.name} needs the time of the next call", field="next")
    if next_at is not None and next_at <= at:
        raise InvalidInput("the next call must be later than this one", field="next")
    # Checked here, not only by the table's CHECK: a caller other than the CLI's parser
    # must get an InvalidInput, not an IntegrityError.
    if duration_s is not None and not 0 <= duration_s <= MAX_DURATION_S:
        raise InvalidInput(f"a call lasts 0 seconds to 24 hours, not {duration_s} seconds")
    clean_benefit = validate.text(benefit, "benefit", max_len=validate.TEXT_MAX, multiline=True)
    warning = check_benefit(config, "call", disposition.connected, clean_benefit, terminal=disposition.terminal)
    objection_key, reply_id = objections.resolve(session, objection, reply)
    touch = Touch(
        lead_id=lead.id,  # type: ignore[arg-type]
        at=at,
        channel="call",
        outcome=disposition.name,
        connected=disposition.connected,
        meeting=disposition.meeting,
        duration_s=duration_s,
        note=validate.text(note, "note", max_len=validate.TEXT_MAX, multiline=True),
        benefit=clean_benefit,
        objection=objection_key,
        reply_id=reply_id,
        recorded_at=now,
    )
    _record(session, lead, touch, now)
    opened = _open_fallbacks(session, config, touch)
    if next_at is not None:
        scheduled = FollowUp(
            lead_id=lead.id,  # type: ignore[arg-type]
            channel="call",
            due_at=next_at,
            rule="scheduled",
            note=touch.note,
            created_at=now,
            source_touch_id=touch.id,
        )
        session.add(scheduled)
        opened.insert(0, scheduled)
    session.flush()
    return Logged(touch, opened, [warning] if warning else [])


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
) -> Logged:
    """Record a non-call contact (email, WeChat, visit...); calls go through ``log_call``.
    It meets the lead's open follow-ups on that channel (a fallback WeChat, say)."""
    clean_channel = validate.choice(channel, "channel", config.channels)
    if clean_channel == "call":
        raise InvalidInput("calls have an outcome: use log-call LEAD --outcome OUTCOME")
    at = at or now
    _check_at(at, now, lead)
    clean_benefit = validate.text(benefit, "benefit", max_len=validate.TEXT_MAX, multiline=True)
    connected = reached(clean_channel, True)  # type: ignore[arg-type]
    warning = check_benefit(config, clean_channel, connected, clean_benefit)  # type: ignore[arg-type]
    touch = Touch(
        lead_id=lead.id,  # type: ignore[arg-type]
        at=at,
        channel=clean_channel,  # type: ignore[arg-type]
        connected=connected,
        note=validate.text(note, "note", max_len=validate.TEXT_MAX, multiline=True),
        benefit=clean_benefit,
        recorded_at=now,
    )
    _record(session, lead, touch, now)
    return Logged(touch, [], [warning] if warning else [])


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
