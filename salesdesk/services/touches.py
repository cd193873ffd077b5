"""Touches: logging calls and other contacts, and reading a lead's history."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, col, select

from salesdesk import lifecycle, store, touch_log
from salesdesk.config import Config, Outcome
from salesdesk.models import FollowUp, Lead, Meeting, Touch
from salesdesk.services import objections

# The day's figures are defined once, in metrics; callers that know them from here keep working.
from salesdesk.services.metrics import DayActivity as DayActivity
from salesdesk.services.metrics import day_activity as day_activity
from salesdesk.store import pk

# Written once in touch_log (no SQLAlchemy there, for the hot commands); callers know them from here.
from salesdesk.touch_log import Logged as Logged
from salesdesk.touch_log import call_facts as call_facts
from salesdesk.touch_log import contact_facts as contact_facts
from salesdesk.touch_log import followup_dict as followup_dict
from salesdesk.touch_log import meeting_dict as meeting_dict
from salesdesk.touch_log import record as record
from salesdesk.touch_log import touch_dict as touch_dict

# Kept here too: the TUI's call session reads it from this module.
FUTURE_SLACK = lifecycle.FUTURE_SLACK


def check_call_benefit(config: Config, outcome: Outcome, benefit: str | None) -> str | None:
    """The benefit rule for a call with ``outcome``, as ``decide_touch`` applies it (for
    forms that check a field before saving): a warning, or InvalidInput when required."""
    touch = lifecycle.TouchFacts(channel="call", at=datetime.now(UTC), outcome=outcome, benefit=benefit)
    return lifecycle.benefit_warning(config.rules.benefit, touch)


# The lead's activity counters, written by triggers on ``touch`` (migrations 0003, 0007)
# behind the ORM's back: a Lead already loaded must re-read them after a touch is written.
LEAD_COUNTERS = (
    "touch_count", "call_count", "connect_count", "meeting_count", "reach_count", "first_touch_at",
    "first_attempt_at", "last_touch_at",
)  # fmt: skip


def _logged(session: Session, lead: Lead, decision: lifecycle.Decision, written: store.Written) -> Logged:
    """The ORM view of what ``record`` wrote, for the CLI and the TUI to show."""
    session.expire(lead)
    opened = {
        f.id: f for f in session.execute(select(FollowUp).where(col(FollowUp.id).in_(written.followup_ids))).scalars()
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
    _, decision, written = record(conn, config, pk(lead), touch, now, objection=objection_key, reply_id=reply_id)
    logged = _logged(session, lead, decision, written)  # reads only: nothing left to flush
    logged.warnings.extend(touch_log.schedule_warnings(conn, config, pk(lead), touch, now))
    return logged


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
    touch = contact_facts(config, channel, at or now, note, benefit, meeting_at, place)
    conn = store.dbapi(session)
    _, decision, written = record(conn, config, pk(lead), touch, now)
    logged = _logged(session, lead, decision, written)  # reads only: nothing left to flush
    logged.warnings.extend(touch_log.schedule_warnings(conn, config, pk(lead), touch, now))
    return logged


def timeline(session: Session, lead_id: int, limit: int | None = None) -> list[Touch]:
    """A lead's touches, newest first."""
    query = select(Touch).where(Touch.lead_id == lead_id).order_by(col(Touch.at).desc(), col(Touch.id).desc())
    if limit is not None:
        query = query.limit(limit)
    return list(session.execute(query).scalars())


def open_followups(session: Session, lead_id: int) -> list[FollowUp]:
    query = (
        select(FollowUp)
        .where(FollowUp.lead_id == lead_id, col(FollowUp.done_at).is_(None))
        .order_by(col(FollowUp.due_at), col(FollowUp.id))
    )
    return list(session.execute(query).scalars())


def touches_between(session: Session, start: datetime, end: datetime, limit: int = 200) -> list[tuple[Touch, str]]:
    """Touches in ``[start, end)`` with their lead's name, newest first."""
    query = (
        select(Touch, Lead.name)
        .join(Lead, col(Lead.id) == col(Touch.lead_id))
        .where(Touch.at >= start, Touch.at < end)
        .order_by(col(Touch.at).desc(), col(Touch.id).desc())
        .limit(limit)
    )
    return [(touch, name) for touch, name in session.execute(query).all()]
