"""The store layer under the ORM: the hot reads and the writes of a logged touch, written
once against the DB-API connection (``sqlite3``).

A SQLAlchemy session reaches the same connection (``dbapi(session)``), so the ORM paths,
the batch path and a command that never imports SQLAlchemy share this SQL. Times are
stored the way SQLAlchemy's SQLite ``DateTime`` stores them (UTC, ``YYYY-MM-DD
HH:MM:SS.ffffff``), so both sides read what the other wrote and text order is time order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol, cast, overload

from salesdesk.dates import local_day_bounds
from salesdesk.lifecycle import Decision, LeadFacts, NewFollowUp, OpenFollowUp, TouchFacts, lapse_cutoff

if TYPE_CHECKING:
    from sqlmodel import Session

_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


@overload
def to_db(moment: datetime) -> str: ...
@overload
def to_db(moment: None) -> None: ...
@overload
def to_db(moment: datetime | None) -> str | None: ...
def to_db(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the store; pass an aware one")
    return moment.astimezone(UTC).strftime(_FORMAT)


# A NOT NULL column's text gives a datetime; sqlite3's rows are untyped (Any), so a call on
# one of their cells is not narrowed either way.
@overload
def from_db(text: str) -> datetime: ...
@overload
def from_db(text: None) -> None: ...
@overload
def from_db(text: str | None) -> datetime | None: ...
def from_db(text: str | None) -> datetime | None:
    # fromisoformat reads this format (3.11+) about ten times faster than strptime: the
    # queue's ranking parses one time per never-called lead (16,000 in the 50k book).
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def pk(row: _Stored) -> int:
    """A stored row's id. The ORM tables type ``id`` as ``int | None`` because a new row has
    none until it is flushed; code holding a row read back or flushed says so with this."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: flush it first")
    return row.id


def dbapi(session: Session) -> sqlite3.Connection:
    """The session's own sqlite3 connection, inside its transaction; pending ORM changes
    are flushed first so SQL here sees them."""
    session.flush()
    # SQLAlchemy types the driver's connection as Any | None; this engine's driver is always pysqlite.
    return cast(sqlite3.Connection, session.connection().connection.driver_connection)


def lead_facts(conn: sqlite3.Connection, lead_id: int) -> LeadFacts:
    row = conn.execute(
        "SELECT id, name, created_at, status, nurture_until FROM lead WHERE id = ?", (lead_id,)
    ).fetchone()
    if row is None:
        raise LookupError(lead_id)
    followups = tuple(
        OpenFollowUp(fid, channel, from_db(due_at), rule)
        for fid, channel, due_at, rule in conn.execute(
            "SELECT id, channel, due_at, rule FROM followup WHERE lead_id = ? AND done_at IS NULL ORDER BY due_at, id",
            (lead_id,),
        )
    )
    return LeadFacts(
        id=row[0],
        name=row[1],
        created_at=from_db(row[2]),
        state=row[3],
        open_followups=followups,
        nurture_until=from_db(row[4]),
    )


@dataclass(frozen=True)
class Written:
    """The ids a logged touch was given, for the caller to show or return."""

    touch_id: int
    followup_ids: tuple[int, ...]  # in the order of ``Decision.open``
    meeting_id: int | None


def write_touch(
    conn: sqlite3.Connection,
    lead: LeadFacts,
    touch: TouchFacts,
    decision: Decision,
    now: datetime,
    *,
    objection: str | None = None,
    reply_id: int | None = None,
) -> Written:
    """Write a decided touch: the touch (the lead's counters follow by trigger), the
    follow-ups it resolved and opened, the lead's new state with its cause, the meeting."""
    outcome = touch.outcome
    cur = conn.execute(
        "INSERT INTO touch (lead_id, at, channel, outcome, connected, meeting, duration_s, note, benefit, "
        "objection, recorded_at, reply_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            lead.id, to_db(touch.at), touch.channel, outcome.name if outcome else None, touch.connected,
            touch.meeting, touch.duration_s, touch.note, touch.benefit, objection, to_db(now), reply_id,
        ),
    )  # fmt: skip
    touch_id = cast(int, cur.lastrowid)  # set after an INSERT; None only before any
    at = to_db(touch.at)
    if decision.resolve:
        conn.executemany(
            "UPDATE followup SET done_at = ?, done_touch_id = ?, resolution = ? WHERE id = ?",
            [(at, touch_id, resolution, fid) for fid, resolution in decision.resolve],
        )
    followup_ids = [open_followup(conn, lead.id, new, now, touch_id) for new in decision.open]
    set_state(conn, lead.id, lead.state, decision.state, decision.cause, now, touch_id=touch_id)
    if decision.state == "do_not_contact" and lead.state != "do_not_contact":
        cancel_followups(conn, lead.id, touch.at)
        cancel_meetings(conn, lead.id, now)
    meeting_id = None
    if decision.meeting_at is not None:
        cur = conn.execute(
            "INSERT INTO meeting (lead_id, at, place, status, touch_id, created_at, updated_at) "
            "VALUES (?, ?, ?, 'booked', ?, ?, ?)",
            (lead.id, to_db(decision.meeting_at), decision.place, touch_id, to_db(now), to_db(now)),
        )
        meeting_id = cur.lastrowid
    return Written(touch_id, tuple(followup_ids), meeting_id)


def open_followup(conn: sqlite3.Connection, lead_id: int, new: NewFollowUp, now: datetime, touch_id: int | None) -> int:
    cur = conn.execute(
        "INSERT INTO followup (lead_id, channel, due_at, rule, note, created_at, source_touch_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (lead_id, new.channel, to_db(new.due_at), new.rule, new.note, to_db(now), touch_id),
    )
    return cast(int, cur.lastrowid)  # set after an INSERT; None only before any


def set_state(
    conn: sqlite3.Connection,
    lead_id: int,
    old: str,
    new: str,
    cause: str | None,
    now: datetime,
    *,
    touch_id: int | None = None,
    **columns: Any,
) -> None:
    """Move a lead to ``new`` (recording the change and its cause when it is one) and mark
    it updated; ``columns`` are other lead columns to set with it (``closed_at=...``)."""
    values = {"updated_at": now, **columns}
    if new != old:
        values["status"] = new
        if old == "nurture":
            values["nurture_until"] = None  # the revisit date belongs to the parked state only
    assignments = ", ".join(f"{name} = ?" for name in values)
    conn.execute(
        f"UPDATE lead SET {assignments} WHERE id = ?",
        [*(to_db(v) if isinstance(v, datetime) else v for v in values.values()), lead_id],
    )
    if new != old:
        conn.execute(
            "INSERT INTO lead_state_change (lead_id, at, from_state, to_state, cause, touch_id) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (lead_id, to_db(now), old, new, cause or "unknown", touch_id),
        )


def lapse_fallbacks(conn: sqlite3.Connection, now: datetime, expiry_days: int) -> int:
    """Record as lapsed every open fallback older than the expiry (index on done_at, due_at);
    it lapsed when its time ran out, not when this happened to notice."""
    cutoff = to_db(lapse_cutoff(now, expiry_days))
    rows = conn.execute(
        "SELECT id, due_at FROM followup WHERE done_at IS NULL AND due_at <= ? AND rule = 'fallback'", (cutoff,)
    ).fetchall()
    expiry = lapse_cutoff(now, expiry_days) - now  # negative: the expiry span
    conn.executemany(
        "UPDATE followup SET done_at = ?, resolution = 'lapsed' WHERE id = ?",
        [(to_db(from_db(due_at) - expiry), fid) for fid, due_at in rows],
    )
    return len(rows)


def cancel_followups(conn: sqlite3.Connection, lead_id: int, now: datetime) -> None:
    """A closed lead no longer owes anyone a touch: its open follow-ups end, cancelled."""
    conn.execute(
        "UPDATE followup SET done_at = ?, resolution = 'cancelled' WHERE lead_id = ? AND done_at IS NULL",
        (to_db(now), lead_id),
    )


def cancel_meetings(conn: sqlite3.Connection, lead_id: int, now: datetime) -> None:
    """A lead lost, or who asked not to be contacted, keeps no booked meeting."""
    conn.execute(
        "UPDATE meeting SET status = 'cancelled', updated_at = ? WHERE lead_id = ? AND status = 'booked'",
        (to_db(now), lead_id),
    )


# --- call blocks: which can have an occurrence in a range of local days -------------------


@dataclass(frozen=True)
class BlockRow:
    """A ``call_block`` row, for ``recurrence.occurrences`` without the ORM."""

    id: int
    title: str
    start: datetime
    minutes: int
    rrule: str | None
    protect: bool


def blocks_between(conn: sqlite3.Connection, first: date, last: date) -> list[BlockRow]:
    """The blocks that can have an occurrence on local days ``first`` to ``last``: those that
    start before the range ends and either repeat or start inside it (blocks are few)."""
    range_start, _ = local_day_bounds(first)
    _, range_end = local_day_bounds(last)
    rows = conn.execute(
        "SELECT id, title, start, minutes, rrule, protect FROM call_block "
        "WHERE start < ? AND (rrule IS NOT NULL OR start >= ?) ORDER BY id",
        (to_db(range_end), to_db(range_start)),
    )
    return [
        BlockRow(i, title, from_db(start), minutes, rrule, bool(protect))
        for i, title, start, minutes, rrule, protect in rows
    ]


def removed_days(conn: sqlite3.Connection, block_ids: Collection[int], first: date, last: date) -> dict[int, set[str]]:
    """Each block's removed occurrences in the range, as local days (``YYYY-MM-DD``)."""
    found: dict[int, set[str]] = {block_id: set() for block_id in block_ids}
    ids = list(found)
    for i in range(0, len(ids), 900):  # SQLite's bound-parameter limit is far above this
        chunk = ids[i : i + 900]
        rows = conn.execute(
            f"SELECT block_id, day FROM block_exception WHERE block_id IN ({', '.join('?' * len(chunk))}) "
            "AND day >= ? AND day <= ?",
            (*chunk, first.isoformat(), last.isoformat()),
        )
        for block_id, day in rows:
            found[block_id].add(day)
    return found


# --- a logged touch, read back for the hot commands to show --------------------------------


@dataclass(frozen=True)
class TouchRow:
    id: int
    lead_id: int
    at: datetime
    channel: str
    outcome: str | None
    connected: bool
    meeting: bool
    duration_s: int | None
    note: str | None
    benefit: str | None
    objection: str | None
    reply_id: int | None


@dataclass(frozen=True)
class FollowUpRow:
    id: int
    lead_id: int
    channel: str
    due_at: datetime
    rule: str
    note: str | None
    done_at: datetime | None
    resolution: str | None


@dataclass(frozen=True)
class MeetingRow:
    id: int
    lead_id: int
    at: datetime
    place: str | None
    status: str
    touch_id: int | None
    moved_from: int | None
    note: str | None


@dataclass(frozen=True)
class LeadHead:
    """A lead's id, name and company: what a one-line message names it by. Shaped like
    ``services.leads.LeadView`` where ``render.lead_line`` reads it (``view.lead.name``)."""

    id: int
    name: str
    company: str | None

    @property
    def lead(self) -> LeadHead:
        return self


_TOUCH = "SELECT id, lead_id, at, channel, outcome, connected, meeting, duration_s, note, benefit, objection, reply_id "
FOLLOWUP_COLUMNS = (
    "SELECT followup.id, followup.lead_id, followup.channel, followup.due_at, followup.rule, followup.note, "
    "followup.done_at, followup.resolution"
)
_FOLLOWUP = f"{FOLLOWUP_COLUMNS} "
MEETING_COLUMNS = "SELECT id, lead_id, at, place, status, touch_id, moved_from, note"


def _touch(r: tuple[Any, ...]) -> TouchRow:
    return TouchRow(r[0], r[1], from_db(r[2]), r[3], r[4], bool(r[5]), bool(r[6]), *r[7:])


def followup_from(r: tuple[Any, ...]) -> FollowUpRow:
    """A follow-up from the columns of ``FOLLOWUP_COLUMNS``."""
    return FollowUpRow(r[0], r[1], r[2], from_db(r[3]), r[4], r[5], from_db(r[6]), r[7])


def meeting_from(r: tuple[Any, ...]) -> MeetingRow:
    """A meeting from the columns of ``MEETING_COLUMNS``."""
    return MeetingRow(r[0], r[1], from_db(r[2]), *r[3:])


def touch_row(conn: sqlite3.Connection, touch_id: int) -> TouchRow:
    return _touch(conn.execute(f"{_TOUCH} FROM touch WHERE id = ?", (touch_id,)).fetchone())


def followup_rows(conn: sqlite3.Connection, ids: Collection[int]) -> list[FollowUpRow]:
    """The follow-ups ``ids`` (a touch opens a few), in the order given."""
    rows = conn.execute(f"{_FOLLOWUP} FROM followup WHERE id IN ({', '.join('?' * len(ids))})", tuple(ids))
    found = {r[0]: followup_from(r) for r in rows}
    return [found[i] for i in ids]


def meeting_row(conn: sqlite3.Connection, meeting_id: int) -> MeetingRow:
    return meeting_from(conn.execute(f"{MEETING_COLUMNS} FROM meeting WHERE id = ?", (meeting_id,)).fetchone())


# --- one lead's history, for ``lead show`` ---------------------------------------------------


def lead_touches(conn: sqlite3.Connection, lead_id: int) -> list[TouchRow]:
    """A lead's touches, newest first."""
    rows = conn.execute(f"{_TOUCH} FROM touch WHERE lead_id = ? ORDER BY at DESC, id DESC", (lead_id,))
    return [_touch(r) for r in rows]


def lead_open_followups(conn: sqlite3.Connection, lead_id: int) -> list[FollowUpRow]:
    """A lead's open follow-ups, the soonest first."""
    rows = conn.execute(
        f"{_FOLLOWUP} FROM followup WHERE lead_id = ? AND done_at IS NULL ORDER BY due_at, id", (lead_id,)
    )
    return [followup_from(r) for r in rows]


def lead_meetings(conn: sqlite3.Connection, lead_id: int) -> list[MeetingRow]:
    """A lead's meetings, the latest first."""
    rows = conn.execute(f"{MEETING_COLUMNS} FROM meeting WHERE lead_id = ? ORDER BY at DESC, id DESC", (lead_id,))
    return [meeting_from(r) for r in rows]


@dataclass(frozen=True)
class GradeRow:
    at: datetime
    old_grade: str | None
    new_grade: str | None


def lead_grades(conn: sqlite3.Connection, lead_id: int) -> list[GradeRow]:
    """A lead's grade changes, newest first."""
    rows = conn.execute(
        "SELECT at, old_grade, new_grade FROM grade_change WHERE lead_id = ? ORDER BY at DESC, id DESC", (lead_id,)
    )
    return [GradeRow(from_db(at), old, new) for at, old, new in rows]


def lead_head(conn: sqlite3.Connection, lead_id: int) -> LeadHead:
    r = conn.execute(
        "SELECT lead.id, lead.name, account.name FROM lead LEFT JOIN account ON account.id = lead.account_id "
        "WHERE lead.id = ?",
        (lead_id,),
    ).fetchone()
    return LeadHead(*r)


# --- when to call one lead (timing_advice) ----------------------------------------------------


def lead_timing(conn: sqlite3.Connection, lead_id: int) -> tuple[str | None, str | None, bool]:
    """The lead's (timezone, best_time, private_phone)."""
    row = conn.execute("SELECT timezone, best_time, private_phone FROM lead WHERE id = ?", (lead_id,)).fetchone()
    return (row[0], row[1], bool(row[2])) if row is not None else (None, None, False)


def call_times(conn: sqlite3.Connection, lead_id: int) -> list[tuple[datetime, bool]]:
    """The lead's calls, oldest first: (when, connected), for what their answers suggest."""
    rows = conn.execute(
        "SELECT at, connected FROM touch WHERE lead_id = ? AND channel = 'call' ORDER BY at, id", (lead_id,)
    )
    return [(from_db(at), bool(connected)) for at, connected in rows]
