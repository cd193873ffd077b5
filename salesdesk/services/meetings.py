"""Meetings: booked by a touch (``lifecycle.decide_touch``), then held, missed or moved.

A meeting moves its lead to the ``meeting`` state; holding it, or missing it, puts the lead
back to work (or back to ``deal`` while a deal is open). A no-show opens a follow-up to set a
new time, due at once. Times are read back with the weekday everywhere (METHOD.md §2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from salesdesk import lifecycle, store, validate
from salesdesk.dates import fmt_local, iso
from salesdesk.errors import InvalidInput, Refused
from salesdesk.models import Deal, Lead, Meeting, Touch
from salesdesk.store import pk

_ID = re.compile(r"^#?(\d{1,9})$")


@dataclass(frozen=True)
class MeetingView:
    meeting: Meeting
    lead_name: str

    def as_dict(self) -> dict[str, Any]:
        m = self.meeting
        return {
            "id": m.id, "lead_id": m.lead_id, "lead": self.lead_name, "at": iso(m.at), "place": m.place,
            "status": m.status, "touch_id": m.touch_id, "moved_from": m.moved_from, "note": m.note,
        }  # fmt: skip


def meetings_between(session: Session, start: datetime | None, end: datetime | None) -> list[MeetingView]:
    """Meetings whose time falls in ``[start, end)``, soonest first (index on ``at``)."""
    query = select(Meeting, col(Lead.name)).join(Lead, col(Lead.id) == col(Meeting.lead_id))
    if start is not None:
        query = query.where(Meeting.at >= start)
    if end is not None:
        query = query.where(Meeting.at < end)
    rows = session.execute(query.order_by(col(Meeting.at), col(Meeting.id))).all()
    return [MeetingView(meeting, name) for meeting, name in rows]


def lead_meetings(session: Session, lead_id: int) -> list[Meeting]:
    query = select(Meeting).where(Meeting.lead_id == lead_id).order_by(col(Meeting.at).desc(), col(Meeting.id).desc())
    return list(session.execute(query).scalars())


def lead_name(session: Session, lead_id: int) -> str:
    return session.execute(select(Lead.name).where(Lead.id == lead_id)).scalar_one()


def get_meeting(session: Session, ref: str) -> Meeting:
    """A meeting by its id (``12`` or ``#12``)."""
    m = _ID.match(ref.strip())
    meeting = session.get(Meeting, int(m.group(1))) if m else None
    if meeting is None:
        what = f"no meeting has id {m.group(1)}" if m else f"{ref!r} is not a meeting id"
        raise InvalidInput(f"{what}; see the meetings with: salesdesk meeting list")
    return meeting


def _booked(meeting: Meeting) -> None:
    if meeting.status != "booked":
        raise Refused(
            f"meeting #{meeting.id} is already {meeting.status.replace('_', '-')}; only a booked one can change"
        )


def _back_to_work(session: Session, lead: Lead, cause: str, now: datetime) -> None:
    """The meeting is behind us: the lead is worked again, or back in ``deal`` with an open deal."""
    if lead.status != "meeting":
        return
    has_deal = session.execute(select(Deal.id).where(Deal.lead_id == lead.id, col(Deal.closed_at).is_(None))).first()
    new: lifecycle.LeadState = "deal" if has_deal else "working"
    store.set_state(store.dbapi(session), pk(lead), lead.status, new, cause, now)
    session.expire(lead)


def mark_held(session: Session, meeting: Meeting, now: datetime, note: str | None = None) -> Meeting:
    """The meeting took place."""
    return _end(session, meeting, now, "held", note)


def mark_no_show(session: Session, meeting: Meeting, now: datetime, note: str | None = None) -> Meeting:
    """The customer didn't come: the lead is worked again, with a call due at once to set a new time."""
    return _end(session, meeting, now, "no_show", note)


def _end(
    session: Session, meeting: Meeting, now: datetime, status: lifecycle.MeetingStatus, note: str | None
) -> Meeting:
    _booked(meeting)
    if meeting.at > now + lifecycle.FUTURE_SLACK:
        what = "held" if status == "held" else "missed"
        raise Refused(f"meeting #{meeting.id} is {fmt_local(meeting.at, now)}: it can't be {what} before it starts")
    meeting.status, meeting.note, meeting.updated_at = status, validate.text(note, "note", multiline=True), now
    session.add(meeting)
    if status == "no_show":
        call = lifecycle.NewFollowUp("call", now, "no_show", None)
        store.open_followup(store.dbapi(session), meeting.lead_id, call, now, None)
    label = "held" if status == "held" else "no-show"
    _back_to_work(session, session.get_one(Lead, meeting.lead_id), f"meeting #{meeting.id} {label}", now)
    return meeting


def move(session: Session, meeting: Meeting, now: datetime, when: datetime, place: str | None = None) -> Meeting:
    """The meeting moves to ``when``: this one is kept as moved, a new one is booked."""
    _booked(meeting)
    if when <= now:
        raise InvalidInput("a meeting moves to a time still to come", field="meeting")
    meeting.status, meeting.updated_at = "moved", now
    moved = Meeting(
        lead_id=meeting.lead_id,
        at=when,
        place=validate.text(place, "place") if place is not None else meeting.place,
        status="booked",
        moved_from=meeting.id,
        created_at=now,
        updated_at=now,
    )
    session.add_all([meeting, moved])
    session.flush()
    return moved


@dataclass(frozen=True)
class Tally:
    """A period's meetings: ``booked`` in it (by a touch, on any channel), and of those set in
    it, how each stood when the period ended (a result recorded later doesn't rewrite it)."""

    booked: int = 0
    held: int = 0
    no_show: int = 0
    moved: int = 0
    unrecorded: int = 0  # still booked when the period ended: held or not, nobody said

    def as_dict(self) -> dict[str, int]:
        return {"booked": self.booked, "held": self.held, "no_show": self.no_show, "moved": self.moved,
                "unrecorded": self.unrecorded}  # fmt: skip

    def sentence(self) -> str:
        """The one wording of these counts (weekly export, Week screen)."""
        set_for = self.held + self.no_show + self.moved + self.unrecorded
        if not self.booked and not set_for:
            return "No meetings were booked or set for this week."
        return (
            f"{self.booked} booked this week. Of the {set_for} set for this week: {self.held} held, "
            f"{self.no_show} no-show, {self.moved} moved, {self.unrecorded} not recorded by the week's end."
        )


def status_at(meeting: Meeting, end: datetime) -> str:
    """A meeting's status as it stood at ``end``."""
    return meeting.status if meeting.updated_at < end else "booked"


def tally(session: Session, start: datetime, end: datetime) -> Tally:
    # Booked when the booking touch happened (a call logged later with --at counts on its day).
    booked = session.execute(
        select(col(Meeting.id))
        .join(Touch, col(Touch.id) == col(Meeting.touch_id))
        .where(col(Touch.at) >= start, col(Touch.at) < end)
    ).all()
    counts = {"held": 0, "no_show": 0, "moved": 0, "booked": 0, "cancelled": 0}
    for view in meetings_between(session, start, end):
        counts[status_at(view.meeting, end)] += 1
    return Tally(len(booked), counts["held"], counts["no_show"], counts["moved"], counts["booked"])
