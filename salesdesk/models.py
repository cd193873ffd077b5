"""The tables, as data only: no sessions, no behaviour.

The schema itself is created by the frozen DDL in ``migrations.py``; a test keeps these
models and that DDL in step. Times are aware UTC in Python and stored as fixed-width UTC
text, so they sort and compare correctly in SQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Index
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


class Meta(SQLModel, table=True):
    """Small facts about the database itself (e.g. when the demo data was made)."""

    key: str = Field(primary_key=True)
    value: str


class Account(SQLModel, table=True):
    """A company. Leads at the same company share one account."""

    id: int | None = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(unique=True)  # casefolded name: "ACME" and "Acme" are one account
    created_at: datetime = _when()


class Lead(SQLModel, table=True):
    """A person being worked. ``created_at`` is when the lead arrived, not when typed in."""

    __table_args__ = (
        Index("ix_lead_status_grade", "status", "grade"),
        Index("ix_lead_status_first_touch", "status", "first_touch_at"),
        Index("ix_lead_status_last_touch", "status", "last_touch_at"),
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


class Touch(SQLModel, table=True):
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
    objection: str | None = None  # the objection key that came up, if any
    recorded_at: datetime = _when()


class GradeChange(SQLModel, table=True):
    """Every grade a lead has had, with when it changed (the first grade too)."""

    __tablename__ = "grade_change"  # type: ignore[assignment]
    __table_args__ = (Index("ix_grade_change_lead_at", "lead_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id")
    at: datetime = _when()
    old_grade: str | None = None
    new_grade: str | None = None


class FollowUp(SQLModel, table=True):
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


class LeadClose(SQLModel, table=True):
    """A lead closed as won or lost. ``forced``: closed as lost below the minimum touches,
    overriding the rule (the reason says why); summaries count these."""

    __tablename__ = "lead_close"  # type: ignore[assignment]

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True)
    at: datetime = _when(index=True)
    result: str
    reason: str | None = None
    touch_count: int
    min_touches: int
    forced: bool = False
    reopened_at: datetime | None = _when(nullable=True)
