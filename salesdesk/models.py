"""The tables, as data only: no sessions, no behaviour.

The schema itself is created by the frozen DDL in ``migrations.py``; a test keeps these
models and that DDL in step. Times are aware UTC in Python and stored as fixed-width UTC
text, so they sort and compare correctly in SQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import ConfigDict
from sqlalchemy import DateTime, Index, text
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; naive datetimes are refused."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _when(*, nullable: bool = False, index: bool = False) -> datetime:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


class Table(SQLModel):
    """Base of every table. Table models never validate their input (SQLModel skips it), so
    pydantic's validation schema is built only if something asks for it: at start-up, building
    one per table was the largest part of every command's own cost."""

    model_config = ConfigDict(defer_build=True)  # type: ignore[assignment]  # SQLModelConfig is this TypedDict plus table


class Meta(Table, table=True):
    """Small facts about the database itself (e.g. when the demo data was made)."""

    key: str = Field(primary_key=True)
    value: str


class Account(Table, table=True):
    """A company. Leads at the same company share one account."""

    id: int | None = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(unique=True)  # casefolded name: "ACME" and "Acme" are one account
    created_at: datetime = _when()


class Lead(Table, table=True):
    """A person being worked. ``created_at`` is when the lead arrived, not when typed in."""

    __table_args__ = (
        Index("ix_lead_status_grade", "status", "grade"),
        Index("ix_lead_status_first_touch", "status", "first_touch_at"),
        Index("ix_lead_status_last_touch", "status", "last_touch_at"),
        # Leads never attempted, by arrival (migration 0010): first contact and the prospects.
        Index("ix_lead_unattempted", "created_at", sqlite_where=text("first_attempt_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(index=True)  # casefolded name, for case-insensitive matching
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    title: str | None = None
    phone: str | None = Field(default=None, index=True)  # normalised: "+" and digits only
    email: str | None = Field(default=None, index=True)  # normalised: lower case
    wechat: str | None = None
    source: str
    grade: str | None = None
    status: str
    is_coach: bool = False
    role: str | None = None  # role at the account: decision maker, user, influencer...
    notes: str | None = None
    created_at: datetime = _when(index=True)
    updated_at: datetime = _when()
    closed_at: datetime | None = _when(nullable=True)
    close_reason: str | None = None
    # Kept by triggers on ``touch`` (see migration 0003); never written by Python.
    touch_count: int = 0
    call_count: int = 0
    connect_count: int = 0  # calls that got through
    meeting_count: int = 0
    first_touch_at: datetime | None = _when(nullable=True)
    last_touch_at: datetime | None = _when(nullable=True)
    reach_count: int = 0  # conversations: connected calls, visits, meetings booked (migration 0007)
    first_attempt_at: datetime | None = _when(nullable=True)  # first touch on a channel but "other"
    # Set only in the ``nurture`` state: the day the lead comes back to the queue.
    nurture_until: datetime | None = _when(nullable=True)
    # When to call (migration 0008): IANA zone, e.g. "Asia/Shanghai"; None = the rep's own.
    timezone: str | None = None
    best_time: str | None = None  # the customer's preferred hours, e.g. "tue-thu 14:00-17:00"
    private_phone: bool = False  # a private number: no calls at dinner time (METHOD.md §1)


class Touch(Table, table=True):
    """One contact attempt on any channel; calls carry an outcome."""

    __table_args__ = (Index("ix_touch_lead_at", "lead_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id")
    at: datetime = _when(index=True)
    channel: str
    outcome: str | None = None
    # Copied from the outcome's flag when logged, so editing config.toml never rewrites history.
    connected: bool = False
    meeting: bool = False
    duration_s: int | None = None
    note: str | None = None
    benefit: str | None = None  # the value offered to the customer on this touch
    objection: str | None = Field(default=None, index=True)  # the objection key that came up, if any
    recorded_at: datetime = _when()
    # The objection reply used (migration 0005), so stats can tell which replies win meetings.
    reply_id: int | None = Field(default=None, foreign_key="objection_reply.id", index=True)


class GradeChange(Table, table=True):
    """Every grade a lead has had, with when it changed (the first grade too)."""

    __tablename__ = "grade_change"
    __table_args__ = (Index("ix_grade_change_lead_at", "lead_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id")
    at: datetime = _when()
    old_grade: str | None = None
    new_grade: str | None = None


class FollowUp(Table, table=True):
    """Something the rep (or a rule) said must happen: contact this lead on this channel.

    ``rule`` names who asked for it (``scheduled`` for a ``--next``); ``done_at`` and
    ``done_touch_id`` record how it was met, so the history of asks and actions is kept.
    """

    __table_args__ = (Index("ix_followup_open_due", "done_at", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True)
    channel: str
    due_at: datetime = _when()
    rule: str
    note: str | None = None
    created_at: datetime = _when()
    source_touch_id: int | None = Field(default=None, foreign_key="touch.id")
    done_at: datetime | None = _when(nullable=True)
    done_touch_id: int | None = Field(default=None, foreign_key="touch.id")
    resolution: str | None = None  # how it ended (lifecycle.Resolution); None while open


class LeadClose(Table, table=True):
    """A lead closed as won or lost. ``forced``: closed as lost below the minimum touches,
    overriding the rule (the reason says why); summaries count these."""

    __tablename__ = "lead_close"

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True)
    at: datetime = _when(index=True)
    result: str
    reason: str | None = None
    touch_count: int
    min_touches: int
    forced: bool = False
    reopened_at: datetime | None = _when(nullable=True)


# --- deals, goals, plans, reviews, problems (migration 0006) ---


class Deal(Table, table=True):
    """An opportunity with one lead; a lead (or its account) may have several.

    ``stage`` is one of the configured open stages, or ``won`` / ``lost`` once closed.
    ``value`` is in whole currency units.
    """

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True)
    title: str
    value: int | None = None
    stage: str = Field(index=True)
    expected_close: datetime | None = _when(nullable=True)
    created_at: datetime = _when()
    updated_at: datetime = _when()
    closed_at: datetime | None = _when(nullable=True)
    reason: str | None = None  # why it was won or lost


class DealStageChange(Table, table=True):
    """A deal entering a stage; ``from_stage`` is None for the stage it was created in."""

    __tablename__ = "deal_stage_change"
    __table_args__ = (Index("ix_deal_stage_change_deal_id", "deal_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id")
    at: datetime = _when(index=True)
    from_stage: str | None = None
    to_stage: str


class Goal(Table, table=True):
    """A monthly goal for one metric (``month`` like ``2026-12``)."""

    month: str = Field(primary_key=True)
    metric: str = Field(primary_key=True)  # meetings | dials | deals_won | new_leads
    value: int
    set_at: datetime = _when()


class DayPlan(Table, table=True):
    """A local day's own activity targets; None leaves the month goal's share in force."""

    __tablename__ = "day_plan"

    day: str = Field(primary_key=True)  # local calendar day, 2026-11-23
    dials: int | None = None
    connects: int | None = None
    meetings: int | None = None
    new_leads: int | None = None
    updated_at: datetime = _when()


class Problem(Table, table=True):
    """A problem named in a review; it lives on, linked from later days' reviews, until solved."""

    id: int | None = Field(default=None, primary_key=True)
    text: str
    opened_day: str
    opened_at: datetime = _when()
    solved_at: datetime | None = _when(nullable=True, index=True)
    solution: str | None = None


class Review(Table, table=True):
    """A day's review (Act); ``problem_id`` is the day's one problem."""

    day: str = Field(primary_key=True)
    problem_id: int | None = Field(default=None, foreign_key="problem.id", index=True)
    created_at: datetime = _when()
    updated_at: datetime = _when()


class ReviewEntry(Table, table=True):
    """One line of a review: a reflection (finished, unfinished, well, not_well, did, didnt),
    an act item, or a deviation reason for a missed ``target``."""

    __tablename__ = "review_entry"
    __table_args__ = (Index("ix_review_entry_day", "day", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    day: str = Field(foreign_key="review.day")
    kind: str
    target: str | None = None
    text: str
    position: int


class PlanItem(Table, table=True):
    """One of a day's (at most 7) plan items: key, routine or ad-hoc work."""

    __tablename__ = "plan_item"
    __table_args__ = (Index("ix_plan_item_day_position", "day", "position", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    day: str
    position: int
    text: str
    kind: str
    created_at: datetime = _when()
    done_at: datetime | None = _when(nullable=True)
    carried_from: int | None = Field(default=None, foreign_key="plan_item.id")  # an unfinished item
    act_entry_id: int | None = Field(default=None, foreign_key="review_entry.id")  # an act item


# Declared here rather than in FollowUp because migration 0006 added it: follow-up compliance
# counts the follow-ups due in each day, met or not, by due time alone. (The ignores: SQLModel's
# types don't declare the __table__ SQLAlchemy sets on every table class.)
Index("ix_followup_due_at", FollowUp.__table__.c.due_at)  # type: ignore[attr-defined]
# Migration 0007: a lead's open follow-ups, read on every touch (store.lead_facts).
Index(
    "ix_followup_lead_open",
    FollowUp.__table__.c.lead_id,  # type: ignore[attr-defined]  # as above
    FollowUp.__table__.c.done_at,  # type: ignore[attr-defined]  # as above
    FollowUp.__table__.c.due_at,  # type: ignore[attr-defined]  # as above
)
# Migration 0010: touches with no benefit written down (rules check, the daily figures).
Index(
    "ix_touch_no_benefit",
    Touch.__table__.c.at,  # type: ignore[attr-defined]  # as above
    Touch.__table__.c.channel,  # type: ignore[attr-defined]  # as above
    Touch.__table__.c.connected,  # type: ignore[attr-defined]  # as above
    Touch.__table__.c.outcome,  # type: ignore[attr-defined]  # as above
    sqlite_where=text("(touch.benefit IS NULL OR touch.benefit = '')"),
)
# Migration 0011: calls by time, covering what the connect-rate map counts (services.hours).
Index(
    "ix_touch_call_at",
    Touch.__table__.c.at,  # type: ignore[attr-defined]  # as above
    Touch.__table__.c.connected,  # type: ignore[attr-defined]  # as above
    Touch.__table__.c.meeting,  # type: ignore[attr-defined]  # as above
    Touch.__table__.c.lead_id,  # type: ignore[attr-defined]  # as above
    sqlite_where=text("channel = 'call'"),
)
# Migration 0010: the open fallbacks past their expiry, lapsed before every logged touch.
Index(
    "ix_followup_rule_open_due",
    FollowUp.__table__.c.rule,  # type: ignore[attr-defined]  # as above
    FollowUp.__table__.c.done_at,  # type: ignore[attr-defined]  # as above
    FollowUp.__table__.c.due_at,  # type: ignore[attr-defined]  # as above
)


class TouchReflection(Table, table=True):
    """A one-line reflection on a connected call: how it landed, what to change."""

    __tablename__ = "touch_reflection"

    touch_id: int = Field(primary_key=True, foreign_key="touch.id")
    text: str
    recorded_at: datetime = _when()


# --- call blocks, objections, scripts (migration 0005) ---


class CallBlock(Table, table=True):
    """Protected calling time: the first occurrence, and an RRULE (RFC 5545) when it repeats.

    Occurrences are expanded in local wall time, so a daily 09:00 block stays at 09:00 across
    daylight-saving changes. ``rrule`` never holds DTSTART, and its UNTIL is in UTC.
    """

    __tablename__ = "call_block"

    id: int | None = Field(default=None, primary_key=True)
    title: str
    start: datetime = _when(index=True)
    minutes: int
    rrule: str | None = None
    goal_dials: int | None = None
    goal_meetings: int | None = None
    protect: bool = True  # scheduling a callback or meeting inside it warns and offers other times
    created_at: datetime = _when()


class BlockException(Table, table=True):
    """One occurrence of a recurring block removed, named by its local day (``YYYY-MM-DD``)."""

    __tablename__ = "block_exception"
    __table_args__ = (Index("ux_block_exception_day", "block_id", "day", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    block_id: int = Field(foreign_key="call_block.id")
    day: str


class BlockFill(Table, table=True):
    """The call list planned for one occurrence (``start``), with the rate the planner assumed:
    ``rate_meetings`` meetings per ``rate_dials`` dials."""

    __tablename__ = "block_fill"
    __table_args__ = (Index("ux_block_fill_start", "block_id", "start", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    block_id: int = Field(foreign_key="call_block.id")
    start: datetime = _when()
    target_meetings: int
    rate_meetings: int
    rate_dials: int
    rate_source: str  # history | given | default
    list_size: int
    created_at: datetime = _when()


class BlockLead(Table, table=True):
    """One lead on a planned call list, in calling order."""

    __tablename__ = "block_lead"
    __table_args__ = (Index("ux_block_lead_position", "fill_id", "position", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    fill_id: int = Field(foreign_key="block_fill.id")
    lead_id: int = Field(foreign_key="lead.id", index=True)
    position: int


class Objection(Table, table=True):
    """An objection the rep meets on calls, by key (``no_time``); seeded from METHOD.md §3."""

    key: str = Field(primary_key=True)
    text: str
    position: int
    text_zh: str | None = None  # the seed's Chinese wording (migration 0009); [me] language picks


class ObjectionReply(Table, table=True):
    """One reply to an objection; ``position`` is its 1-based number within the objection."""

    __tablename__ = "objection_reply"
    __table_args__ = (Index("ux_objection_reply_position", "objection_key", "position", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    objection_key: str = Field(foreign_key="objection.key")
    position: int
    text: str
    text_zh: str | None = None


class Script(Table, table=True):
    """A call script step or a voicemail template, with {placeholders} for names."""

    key: str = Field(primary_key=True)
    kind: str  # call | voicemail
    position: int
    title: str
    body: str
    title_zh: str | None = None
    body_zh: str | None = None


# --- the lead lifecycle (migration 0007) ---


class LeadStateChange(Table, table=True):
    """A lead entering a state, with why (``cause``) and the touch that did it, if any."""

    __tablename__ = "lead_state_change"
    __table_args__ = (Index("ix_lead_state_change_lead_id", "lead_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id")
    at: datetime = _when()
    from_state: str | None = None
    to_state: str
    cause: str
    touch_id: int | None = Field(default=None, foreign_key="touch.id")


class Meeting(Table, table=True):
    """A meeting with a lead: when, where, and what became of it (booked, held, no_show,
    moved, cancelled). ``touch_id`` is the touch that booked it; a moved meeting points
    at the new one's ``moved_from``."""

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True)
    at: datetime = _when(index=True)
    place: str | None = None
    status: str
    touch_id: int | None = Field(default=None, foreign_key="touch.id")
    moved_from: int | None = Field(default=None, foreign_key="meeting.id")
    note: str | None = None
    created_at: datetime = _when()
    updated_at: datetime = _when()
